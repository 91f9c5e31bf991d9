package codescan

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Rules that read configuration and library calls off the syntax: debug
// mode, secrets, JWT handling, flask-cors settings and session contents.

// weakKeys are keys from tutorials, docs and wordlists (facts §2.3).
var weakKeys = map[string]bool{
	"dev": true, "development": true, "secret": true, "secret-key": true, "secret_key": true, "secretkey": true,
	"super-secret": true, "supersecret": true, "super_secret": true, "supersecretkey": true, "changeme": true,
	"change-me": true, "change_me": true, "changethis": true, "password": true, "test": true, "testing": true,
	"default": true, "key": true, "flask": true, "mysecret": true, "my-secret": true, "mysecretkey": true,
	"you-will-never-guess": true, "hard to guess string": true, "s3cr3t": true, "abc123": true, "123456": true,
	"dev-key": true, "devkey": true, "notsecret": true, "insecure": true, "jwt-secret": true, "jwt_secret": true,
	"secret123": true, "qwerty": true, "admin": true, `_5#y2L"F4Q8z\n\xec]/`: true,
}

func weakKey(s string) bool { return weakKeys[strings.ToLower(s)] || len(s) < 16 }

func (f *fileState) checkConfig() {
	t := f.t
	// Both searches run only for files with an assignment that needs them:
	// most files of a library tree have none. Server-side sessions make
	// session[...] writes harmless.
	usesFlask := sync.OnceValue(func() bool {
		return bytes.Contains(t.Src, []byte("flask")) || bytes.Contains(t.Src, []byte("Flask"))
	})
	serverSession := sync.OnceValue(func() bool { return serverSessionRe.hasFold(t.Src) })
	apps := map[string]bool{"app": true, "application": true}
	for _, a := range f.mod.Apps {
		apps[a.Var] = true
	}
	for _, local := range f.importedApps() {
		apps[local] = true
	}
	for i := range t.Nodes {
		id := pyast.ID(i)
		switch t.Kind(id) {
		case pyast.KindCall:
			f.configCall(id, apps)
		case pyast.KindAssignment:
			f.configAssign(id, apps, usesFlask, serverSession)
		}
	}
}

// literalOf resolves an expression to a string literal: directly, through a
// local or module-level name assigned once, or as the default of
// os.environ.get / os.getenv. It returns the node holding the literal.
func (f *fileState) literalOf(id pyast.ID) (s string, at pyast.ID, fallback, ok bool) {
	t := f.t
	id = t.Unwrap(id)
	for depth := 0; depth < 4 && id >= 0; depth++ {
		switch t.Kind(id) {
		case pyast.KindString, pyast.KindConcatenatedString:
			s, ok := t.StringValue(id)
			return s, id, fallback, ok
		case pyast.KindIdentifier:
			id = f.assignedValue(id)
		case pyast.KindCall:
			if envGet(f, id) {
				d := t.ArgOrKwarg(id, 1, "default")
				if d < 0 {
					return "", pyast.None, false, false
				}
				fallback = true
				id = t.Unwrap(d)
				continue
			}
			// b"…".decode(), "…".encode()
			fn := t.Callee(id)
			if t.Kind(fn) == pyast.KindAttribute && (t.LastName(fn) == "encode" || t.LastName(fn) == "decode") {
				id = t.Unwrap(t.Child(fn, pyast.FieldObject))
				continue
			}
			return "", pyast.None, false, false
		default:
			return "", pyast.None, false, false
		}
	}
	return "", pyast.None, false, false
}

// envGet reports whether a call reads the environment with a default.
func envGet(f *fileState, call pyast.ID) bool {
	switch f.t.DottedName(f.t.Callee(call)) {
	case "os.environ.get", "os.getenv", "environ.get", "getenv", "os.environ.setdefault":
		return true
	}
	return false
}

// assignedValue finds the value last assigned to a name before its use in
// the enclosing function, or else at module level; None if there is none.
func (f *fileState) assignedValue(name pyast.ID) pyast.ID {
	t := f.t
	text := t.Text(name)
	isAssign := func(i pyast.ID) bool {
		return t.Kind(i) == pyast.KindAssignment && t.Is(t.Child(i, pyast.FieldLeft), text)
	}
	if fn := t.EnclosingFunc(name); fn >= 0 {
		var found pyast.ID = pyast.None
		end := t.End(fn)
		for i := fn + 1; i < end; i++ {
			if t.Kind(i) == pyast.KindFunctionDefinition || t.Kind(i) == pyast.KindLambda {
				i = t.End(i) - 1
				continue
			}
			if isAssign(i) && t.Nodes[i].Start < t.Nodes[name].Start {
				found = t.Child(i, pyast.FieldRight)
			}
		}
		if found >= 0 {
			return found
		}
		for _, p := range t.Params(fn) {
			if p == text {
				return pyast.None
			}
		}
	}
	var found pyast.ID = pyast.None
	for c := t.First(t.Root()); c >= 0; c = t.Next(c) {
		if t.Kind(c) == pyast.KindExpressionStatement {
			if a := t.NamedChild(c, 0); isAssign(a) {
				found = t.Child(a, pyast.FieldRight)
			}
		}
	}
	return found
}

// configNames are the callees configCall looks at.
var configNames = map[string]bool{"run": true, "DebuggedApplication": true, "setdefault": true, "__setitem__": true,
	"update": true, "from_mapping": true, "encode": true, "decode": true, "CORS": true, "cross_origin": true,
	"create_access_token": true, "create_refresh_token": true}

func (f *fileState) configCall(call pyast.ID, apps map[string]bool) {
	t := f.t
	fn := t.Callee(call)
	last := fn
	if t.Kind(fn) == pyast.KindAttribute {
		last = t.Child(fn, pyast.FieldAttribute)
	}
	if t.Kind(last) != pyast.KindIdentifier || !configNames[string(t.Bytes(last))] {
		return
	}
	name := t.LastName(fn)
	dotted := t.DottedName(fn)
	var recv pyast.ID = pyast.None
	if t.Kind(fn) == pyast.KindAttribute {
		recv = t.Child(fn, pyast.FieldObject)
	}
	switch {
	case name == "run" && recv >= 0:
		isApp := apps[t.DottedName(recv)] || (t.Is(recv, "socketio") && apps[t.DottedName(t.Arg(call, 0))])
		if !isApp {
			return
		}
		if v, ok := t.Bool(t.Kwarg(call, "debug")); ok && v {
			c := f.add(DebugMode, call, nil, fmt.Sprintf("%s(debug=True) starts the server in debug mode: the Werkzeug debugger runs code for whoever triggers an error", t.DottedName(fn)))
			if h, ok := t.StringValue(t.Kwarg(call, "host")); ok && h == "0.0.0.0" {
				c.sev = rampart.Critical
				c.msg += ", on every network interface"
			}
			c.key = "run"
		}
		if v, ok := t.Bool(t.Kwarg(call, "use_evalex")); ok && v {
			if d, ok := t.Bool(t.Kwarg(call, "use_debugger")); ok && d {
				f.add(DebugPIN, call, nil, "app.run(use_debugger=True, use_evalex=True) serves the interactive debugger").key = "evalex"
			}
		}
	case name == "DebuggedApplication":
		if v, ok := t.Bool(t.Kwarg(call, "evalex")); ok && v {
			f.add(DebugPIN, call, nil, "DebuggedApplication(…, evalex=True) mounts the interactive console: anyone runs Python on the server").key = "evalex"
		}
	case (name == "setdefault" || name == "__setitem__") && t.DottedName(recv) == "os.environ":
		k, _ := t.StringValue(t.Arg(call, 0))
		v, _ := t.StringValue(t.Arg(call, 1))
		f.envSetting(call, k, v)
	case (name == "update" || name == "from_mapping") && strings.HasSuffix(t.DottedName(recv), "config"):
		for c := t.First(t.Args(call)); c >= 0; c = t.Next(c) {
			switch t.Kind(c) {
			case pyast.KindKeywordArgument:
				f.configKey(t.Text(t.Child(c, pyast.FieldName)), t.Child(c, pyast.FieldValue))
			case pyast.KindDictionary:
				for p := t.First(c); p >= 0; p = t.Next(p) {
					if k, ok := t.StringValue(t.Child(p, pyast.FieldKey)); ok {
						f.configKey(k, t.Child(p, pyast.FieldValue))
					}
				}
			}
		}
	case (name == "encode" || name == "decode") && f.isJWT(recv, fn):
		f.jwtCall(call, name)
	case name == "CORS" || name == "cross_origin":
		f.corsConfig(call)
	case (name == "update" || name == "setdefault") && t.Is(recv, "session"):
		for c := t.First(t.Args(call)); c >= 0; c = t.Next(c) {
			if t.Kind(c) == pyast.KindKeywordArgument {
				f.sessionKey(c, t.Text(t.Child(c, pyast.FieldName)))
			}
		}
		if k, ok := t.StringValue(t.Arg(call, 0)); ok && name == "setdefault" {
			f.sessionKey(call, k)
		}
	case name == "create_access_token" || name == "create_refresh_token":
		if v, ok := t.Bool(t.Kwarg(call, "expires_delta")); ok && !v {
			f.add(JWTNoExp, call, nil, "the token is created with expires_delta=False: it never expires").key = "noexp"
		}
	}
	_ = dotted
}

func (f *fileState) isJWT(recv, fn pyast.ID) bool {
	t := f.t
	if recv < 0 {
		q := f.mod.Qualified(fn)
		return strings.HasPrefix(q, "jwt.") || strings.HasPrefix(q, "jose.jwt.")
	}
	d := t.DottedName(recv)
	q := f.mod.Qualified(recv)
	return d == "jwt" || q == "jwt" || q == "jose.jwt" || strings.HasSuffix(q, ".jwt") || d == "pyjwt"
}

// configKey checks one Flask configuration key and its value.
func (f *fileState) configKey(key string, value pyast.ID) {
	t := f.t
	switch key {
	case "SECRET_KEY":
		f.secretValue(value, rampart.FamilySessionSecret)
	case "JWT_SECRET_KEY":
		f.secretValue(value, rampart.FamilyJWT)
	case "DEBUG":
		if v, ok := t.Bool(value); ok && v {
			f.add(DebugMode, value, nil, "DEBUG = True turns on the Werkzeug debugger").key = "config"
		}
	case "JWT_ACCESS_TOKEN_EXPIRES":
		if v, ok := t.Bool(value); ok && !v {
			f.add(JWTNoExp, value, nil, "JWT_ACCESS_TOKEN_EXPIRES = False: access tokens never expire").key = "noexp"
		}
	}
}

// secretValue reports a literal (or literal fallback) key.
func (f *fileState) secretValue(value pyast.ID, fam rampart.Family) {
	s, at, fallback, ok := f.literalOf(value)
	if !ok || s == "" {
		return
	}
	r := SecretLiteral
	if fam == rampart.FamilyJWT {
		r = JWTSecret
	} else if fallback {
		r = SecretFallback
	}
	f.literalKey(r, at, s, fallback, "the signing key is")
}

// literalKey reports a signing key written in the source, or as the
// literal default of an environment lookup: critical when any wordlist
// has it or it is short.
func (f *fileState) literalKey(r *Rule, at pyast.ID, key string, fallback bool, subject string) *candidate {
	what := "a literal in the source"
	if fallback {
		what = "the literal default of an environment lookup"
	}
	c := f.add(r, at, nil, fmt.Sprintf("%s %s (%s)", subject, what, mask(key)))
	fam := rampart.FamilySessionSecret
	if r == JWTSecret {
		fam = rampart.FamilyJWT
	}
	f.keys = append(f.keys, Key{Value: key, File: f.path, Line: f.t.Line(at), Family: fam})
	if weakKey(key) {
		c.sev = rampart.Critical
		c.msg += ": a well-known or short key, found by any wordlist"
	}
	c.key = "secret"
	return c
}

// mask describes a secret without showing it: its length, and its first
// two characters when it is long enough for that to give nothing away.
func mask(s string) string {
	n := utf8.RuneCountInString(s)
	if n < 12 {
		return fmt.Sprintf("%d characters", n)
	}
	return fmt.Sprintf("%s…, %d characters", string([]rune(s)[:2]), n)
}

func (f *fileState) configAssign(a pyast.ID, apps map[string]bool, usesFlask, serverSession func() bool) {
	t := f.t
	left := t.Child(a, pyast.FieldLeft)
	right := t.Child(a, pyast.FieldRight)
	switch t.Kind(left) {
	case pyast.KindAttribute:
		if a := t.Child(left, pyast.FieldAttribute); !t.Is(a, "secret_key") && !t.Is(a, "debug") {
			return
		}
		obj := t.DottedName(t.Child(left, pyast.FieldObject))
		attr := t.Text(t.Child(left, pyast.FieldAttribute))
		if apps[obj] {
			switch attr {
			case "secret_key":
				f.secretValue(right, rampart.FamilySessionSecret)
			case "debug":
				if v, ok := t.Bool(right); ok && v {
					f.add(DebugMode, a, nil, obj+".debug = True turns on the Werkzeug debugger").key = "attr"
				}
			}
		}
	case pyast.KindSubscript:
		obj := t.Unwrap(t.Child(left, pyast.FieldValue))
		if k := t.Kind(t.Child(left, pyast.FieldSubscript)); k != pyast.KindString && k != pyast.KindConcatenatedString {
			return
		}
		key, ok := t.StringValue(t.Child(left, pyast.FieldSubscript))
		if !ok {
			return
		}
		switch {
		case strings.HasSuffix(t.DottedName(obj), "config"):
			f.configKey(key, right)
		case t.DottedName(obj) == "os.environ":
			v, _ := t.StringValue(right)
			f.envSetting(a, key, v)
		case t.Is(obj, "session") && !serverSession():
			f.sessionKey(a, key)
		}
	case pyast.KindIdentifier:
		switch string(t.Bytes(left)) {
		case "SECRET_KEY", "JWT_SECRET_KEY", "DEBUG", "JWT_ACCESS_TOKEN_EXPIRES":
		default:
			return
		}
		name := t.Text(left)
		scope := t.Parent(t.Statement(a))
		inClass := t.Kind(t.Parent(scope)) == pyast.KindClassDefinition
		atModule := scope == t.Root()
		if !(inClass || atModule) || !usesFlask() {
			return
		}
		switch name {
		case "SECRET_KEY", "JWT_SECRET_KEY", "DEBUG", "JWT_ACCESS_TOKEN_EXPIRES":
			f.configKey(name, right)
		}
	}
}

func (f *fileState) jwtCall(call pyast.ID, name string) {
	t := f.t
	key := t.ArgOrKwarg(call, 1, "key")
	if key >= 0 {
		if s, at, fallback, ok := f.literalOf(key); ok && s != "" {
			c := f.literalKey(JWTSecret, at, s, fallback, "tokens are signed with")
			f.relate(c, call, "used by jwt."+name)
		}
	}
	if name == "decode" {
		opts := t.Unwrap(t.Kwarg(call, "options"))
		if t.Kind(opts) == pyast.KindIdentifier {
			opts = t.Unwrap(f.assignedValue(opts))
		}
		if t.Kind(opts) == pyast.KindDictionary {
			for p := t.First(opts); p >= 0; p = t.Next(p) {
				k, _ := t.StringValue(t.Child(p, pyast.FieldKey))
				v, ok := t.Bool(t.Child(p, pyast.FieldValue))
				if !ok || v {
					continue
				}
				switch k {
				case "verify_signature":
					f.add(JWTNoVerify, call, nil, "jwt.decode(…, options={\"verify_signature\": False}) accepts any token, signed or not").key = "nosig"
				case "verify_exp":
					f.add(JWTNoExp, call, nil, "jwt.decode(…, options={\"verify_exp\": False}) accepts expired tokens").key = "noexp"
				}
			}
		}
		if v, ok := t.Bool(t.Kwarg(call, "verify")); ok && !v {
			f.add(JWTNoVerify, call, nil, "jwt.decode(…, verify=False) skips the signature check").key = "nosig"
		}
		if algs, ok := t.StringList(t.Kwarg(call, "algorithms")); ok {
			for _, a := range algs {
				if strings.EqualFold(a, "none") {
					f.add(JWTNoVerify, call, nil, "jwt.decode accepts the \"none\" algorithm: unsigned tokens pass").key = "nosig"
				}
			}
		}
		return
	}
	// encode: claims without exp.
	payload := t.Unwrap(t.ArgOrKwarg(call, 0, "payload"))
	dict := payload
	if t.Kind(payload) == pyast.KindIdentifier {
		dict = t.Unwrap(f.assignedValue(payload))
	}
	if t.Kind(dict) != pyast.KindDictionary {
		return
	}
	for p := t.First(dict); p >= 0; p = t.Next(p) {
		if t.Kind(p) == pyast.KindDictionarySplat {
			return
		}
		if k, _ := t.StringValue(t.Child(p, pyast.FieldKey)); k == "exp" {
			return
		}
	}
	if t.Kind(payload) == pyast.KindIdentifier {
		// claims["exp"] = … or claims.update(exp=…) before the call.
		fn := t.EnclosingFunc(call)
		if fn < 0 {
			fn = t.Root()
		}
		re := regexp.MustCompile(regexp.QuoteMeta(t.Text(payload)) + `\s*\[\s*["']exp["']\s*\]\s*=|` + regexp.QuoteMeta(t.Text(payload)) + `\.update\([^)]*\bexp\b`)
		if re.Match(t.Bytes(fn)) {
			return
		}
	}
	f.add(JWTNoExp, call, nil, "jwt.encode() issues tokens whose claims have no exp: they never expire").key = "noexp"
}
