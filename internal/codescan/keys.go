package codescan

import (
	"regexp"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Signing keys that reach a signer through names, calls, classes and
// modules, not only as a literal in place: KEY = load_key(weak="…") then
// jwt.encode(claims, KEY); class Config: SECRET_KEY = os.getenv("K", "dev");
// from config import KEY. They become Result.Keys, the candidates a runtime
// scan with --source tries first when it cracks a session or token key.
//
// They are candidates, not findings: a literal reached this way may not be
// the key a deployment uses (the default of a helper, one branch of an
// `or`), and trying one costs a single HMAC, so the search is inclusive.
// The secret rules of config.go report only what they always reported.

// maxKeyLen bounds a candidate: longer literals are documents, not keys.
const maxKeyLen = 4096

// keyDepth bounds how many names and calls a value is followed through.
const keyDepth = 8

// configKeyNames are the settings that hold a signing key (Flask's
// SECRET_KEY, Flask-JWT-Extended's JWT_SECRET_KEY, and the names FastAPI
// and Flask tutorials give theirs), upper-cased.
var configKeyNames = map[string]rampart.Family{
	"SECRET_KEY": rampart.FamilySessionSecret, "SECRET": rampart.FamilySessionSecret,
	"JWT_SECRET_KEY": rampart.FamilyJWT, "JWT_SECRET": rampart.FamilyJWT, "JWT_KEY": rampart.FamilyJWT,
	"SIGNING_KEY": rampart.FamilyJWT, "TOKEN_SECRET": rampart.FamilyJWT, "JWT_SIGNING_KEY": rampart.FamilyJWT,
}

func configKeyName(name string) (rampart.Family, bool) {
	fam, ok := configKeyNames[strings.ToUpper(name)]
	return fam, ok
}

// keyishName: module- and class-level names another module's signer may
// read (from config import KEY; settings.jwt_secret). Only these are kept
// for the cross-module step, so that a large tree's constants cost nothing.
var keyishName = regexp.MustCompile(`(?i)key|secret|salt|sign|jwt|token|passw`)

// serializerNames are itsdangerous signers, whose first argument is the key
// (Flask signs its session cookie with one).
var serializerNames = map[string]bool{"URLSafeTimedSerializer": true, "URLSafeSerializer": true, "TimedSerializer": true,
	"Serializer": true, "TimedJSONWebSignatureSerializer": true, "JSONWebSignatureSerializer": true,
	"Signer": true, "TimestampSigner": true}

// keyRef is a key named in another module: the module it is imported
// from ("" when unknown: settings.secret_key), and the name.
type keyRef struct {
	module, name string
}

// keySource is what a name's value yields: literals of the file, and
// names of other modules.
type keySource struct {
	lits []Key
	refs []keyRef
}

// keyScan is a file's share of the key search, kept once its tree is no
// longer needed: the names other modules may read, and the signers that
// read names of other modules.
type keyScan struct {
	exports map[string]*keySource
	uses    []keyUse
}

// keyUse is a signer whose key is named in another module.
type keyUse struct {
	ref keyRef
	fam rampart.Family
}

// keyFinder follows values through one file.
type keyFinder struct {
	f *fileState
	// module and class scopes: name → assigned values, built on first use.
	module  map[string][]pyast.ID
	classes map[string]map[string][]pyast.ID
	indexed bool
	// local memoises assigned for names read inside functions: a file
	// with many signers in one long function scans it once per name.
	local map[localName][]pyast.ID
}

type localName struct {
	fn   pyast.ID
	name string
}

// collectKeys finds the file's signers and the keys they are given, and
// what the file offers to others. Called with the file's checks.
func (f *fileState) collectKeys() {
	t := f.t
	kf := &keyFinder{f: f}
	ks := &keyScan{exports: map[string]*keySource{}}
	add := func(fam rampart.Family) (func(string, pyast.ID), func(keyRef)) {
		return func(s string, at pyast.ID) { f.keys = append(f.keys, kf.key(s, at, fam)) },
			func(r keyRef) { ks.uses = append(ks.uses, keyUse{r, fam}) }
	}
	signer := func(value pyast.ID, fam rampart.Family) {
		lit, ref := add(fam)
		kf.values(value, 0, map[pyast.ID]bool{}, lit, ref)
	}
	for i := range t.Nodes {
		id := pyast.ID(i)
		switch t.Kind(id) {
		case pyast.KindCall:
			kf.signerCall(id, signer)
		case pyast.KindAssignment:
			kf.signerAssign(id, signer)
		}
	}
	// Module- and class-level names: settings are candidates wherever they
	// are (from_object, from_pyfile and pydantic settings read them by
	// name); key-ish names are offered to the modules that import them.
	kf.index()
	offer := func(name string, values []pyast.ID) {
		fam, isConfig := configKeyName(name)
		if isConfig {
			for _, v := range values {
				signer(v, fam)
			}
		}
		if !keyishName.MatchString(name) {
			return
		}
		src := ks.exports[name]
		if src == nil {
			src = &keySource{}
			ks.exports[name] = src
		}
		for _, v := range values {
			kf.values(v, 0, map[pyast.ID]bool{},
				func(s string, at pyast.ID) { src.lits = append(src.lits, kf.key(s, at, fam)) },
				func(r keyRef) { src.refs = append(src.refs, r) })
		}
	}
	for name, values := range kf.module {
		offer(name, values)
	}
	for _, attrs := range kf.classes {
		for name, values := range attrs {
			offer(name, values)
		}
	}
	for name, src := range ks.exports {
		if len(src.lits) == 0 && len(src.refs) == 0 {
			delete(ks.exports, name)
		}
	}
	f.keyScan = ks
}

// key makes a candidate of a literal, with where it is written. Values
// leave the package: they are copied off the source.
func (kf *keyFinder) key(s string, at pyast.ID, fam rampart.Family) Key {
	if fam == "" {
		fam = rampart.FamilySessionSecret
	}
	return Key{Value: strings.Clone(s), File: kf.f.path, Line: kf.f.t.Line(at), Family: fam}
}

// signerCall: jwt.encode/decode's key, an itsdangerous signer's key, and
// app.config.update / from_mapping / setdefault of a key setting.
func (kf *keyFinder) signerCall(call pyast.ID, signer func(pyast.ID, rampart.Family)) {
	f, t := kf.f, kf.f.t
	fn := t.Callee(call)
	name := t.LastName(fn)
	var recv pyast.ID = pyast.None
	if t.Kind(fn) == pyast.KindAttribute {
		recv = t.Child(fn, pyast.FieldObject)
	}
	switch {
	case (name == "encode" || name == "decode") && f.isJWT(recv, fn):
		if k := t.ArgOrKwarg(call, 1, "key"); k >= 0 {
			signer(k, rampart.FamilyJWT)
		}
	case serializerNames[name]:
		if k := t.ArgOrKwarg(call, 0, "secret_key"); k >= 0 {
			signer(k, rampart.FamilySessionSecret)
		}
	case (name == "update" || name == "from_mapping") && strings.HasSuffix(t.DottedName(recv), "config"):
		for c := t.First(t.Args(call)); c >= 0; c = t.Next(c) {
			switch t.Kind(c) {
			case pyast.KindKeywordArgument:
				if fam, ok := configKeyName(t.Text(t.Child(c, pyast.FieldName))); ok {
					signer(t.Child(c, pyast.FieldValue), fam)
				}
			case pyast.KindDictionary:
				kf.configDict(c, signer)
			}
		}
		if d := t.Unwrap(t.Arg(call, 0)); t.Kind(d) == pyast.KindIdentifier {
			// app.config.update(SETTINGS), SETTINGS = {"SECRET_KEY": …}
			for _, v := range kf.assigned(d) {
				if t.Kind(t.Unwrap(v)) == pyast.KindDictionary {
					kf.configDict(t.Unwrap(v), signer)
				}
			}
		}
	case name == "setdefault" && strings.HasSuffix(t.DottedName(recv), "config"):
		if k, ok := t.StringValue(t.Arg(call, 0)); ok {
			if fam, ok := configKeyName(k); ok && t.Arg(call, 1) >= 0 {
				signer(t.Arg(call, 1), fam)
			}
		}
	}
}

func (kf *keyFinder) configDict(d pyast.ID, signer func(pyast.ID, rampart.Family)) {
	t := kf.f.t
	for p := t.First(d); p >= 0; p = t.Next(p) {
		if k, ok := t.StringValue(t.Child(p, pyast.FieldKey)); ok {
			if fam, ok := configKeyName(k); ok {
				signer(t.Child(p, pyast.FieldValue), fam)
			}
		}
	}
}

// signerAssign: app.secret_key = …, app.config["SECRET_KEY"] = …, and a key
// setting assigned by name in a function (create_app's SECRET_KEY = …).
// Module- and class-level names are handled with the exports.
func (kf *keyFinder) signerAssign(a pyast.ID, signer func(pyast.ID, rampart.Family)) {
	t := kf.f.t
	left, right := t.Child(a, pyast.FieldLeft), t.Child(a, pyast.FieldRight)
	if right < 0 {
		return
	}
	switch t.Kind(left) {
	case pyast.KindAttribute:
		attr := t.Text(t.Child(left, pyast.FieldAttribute))
		if attr == "secret_key" {
			signer(right, rampart.FamilySessionSecret)
		} else if fam, ok := configKeyName(attr); ok && attr == strings.ToUpper(attr) {
			signer(right, fam)
		}
	case pyast.KindSubscript:
		if k, ok := t.StringValue(t.Child(left, pyast.FieldSubscript)); ok {
			if fam, ok := configKeyName(k); ok && t.DottedName(t.Child(left, pyast.FieldValue)) != "os.environ" {
				signer(right, fam)
			}
		}
	case pyast.KindIdentifier:
		// Upper case: a setting (SECRET_KEY = … in create_app), not any
		// local named secret.
		if fam, ok := configKeyName(t.Text(left)); ok && t.Text(left) == strings.ToUpper(t.Text(left)) && t.EnclosingFunc(a) >= 0 {
			signer(right, fam)
		}
	}
}

// values calls lit with every string literal an expression may evaluate
// to, following names, calls and operators; and ref with the names it
// reads from other modules.
func (kf *keyFinder) values(id pyast.ID, depth int, seen map[pyast.ID]bool, lit func(string, pyast.ID), ref func(keyRef)) {
	f, t := kf.f, kf.f.t
	id = t.Unwrap(id)
	if id < 0 || depth > keyDepth || seen[id] {
		return
	}
	seen[id] = true
	next := func(c pyast.ID) { kf.values(c, depth+1, seen, lit, ref) }
	switch t.Kind(id) {
	case pyast.KindString, pyast.KindConcatenatedString:
		if s, ok := t.StringValue(id); ok && s != "" && len(s) <= maxKeyLen {
			lit(s, id)
		}
	case pyast.KindIdentifier:
		values := kf.assigned(id)
		for _, v := range values {
			next(v)
		}
		if len(values) == 0 {
			if q, ok := f.mod.Imports[t.Text(id)]; ok {
				// from config import KEY
				q = f.absolute(q)
				if i := strings.LastIndexByte(q, '.'); i > 0 {
					ref(keyRef{module: q[:i], name: q[i+1:]})
				}
			}
		}
	case pyast.KindAttribute:
		kf.attribute(id, next, ref)
	case pyast.KindSubscript:
		// app.config["SECRET_KEY"], settings["jwt_secret"]
		if k, ok := t.StringValue(t.Child(id, pyast.FieldSubscript)); ok && t.DottedName(t.Child(id, pyast.FieldValue)) != "os.environ" {
			ref(keyRef{name: k})
		}
	case pyast.KindAssignment:
		next(t.Child(id, pyast.FieldRight)) // a = b = "…"
	case pyast.KindBooleanOperator:
		// os.environ.get("K") or "dev"
		next(t.Child(id, pyast.FieldLeft))
		next(t.Child(id, pyast.FieldRight))
	case pyast.KindConditionalExpression:
		next(t.NamedChild(id, 0))
		next(t.NamedChild(id, 2))
	case pyast.KindCall:
		kf.call(id, next)
	}
}

// call: the default of an environment lookup; the receiver of .encode()
// and the like; a same-module helper's returns; and every argument of any
// other call, for KEY = load_key(weak="…") and secret_key(OPTS, "…").
func (kf *keyFinder) call(call pyast.ID, next func(pyast.ID)) {
	f, t := kf.f, kf.f.t
	if envGet(f, call) {
		next(t.ArgOrKwarg(call, 1, "default"))
		return
	}
	fn := t.Callee(call)
	if strings.HasPrefix(t.DottedName(fn), "request.") {
		return // request.args.get("s"): the names of parameters, not keys
	}
	if t.LastName(fn) == "get" && t.Kind(fn) == pyast.KindAttribute && strings.HasSuffix(t.DottedName(t.Child(fn, pyast.FieldObject)), "config") {
		// app.config.get("SECRET_KEY"): the setting is a candidate where it
		// is set; only a default is one here.
		next(t.ArgOrKwarg(call, 1, "default"))
		return
	}
	if t.Kind(fn) == pyast.KindAttribute {
		if obj := t.Unwrap(t.Child(fn, pyast.FieldObject)); t.DottedName(obj) == "" {
			next(obj) // "…".encode(), os.getenv("K", "dev").encode()
		}
	}
	if t.Kind(fn) == pyast.KindIdentifier {
		if def, ok := f.mod.Defs[t.Text(fn)]; ok && t.Kind(def) == pyast.KindFunctionDefinition {
			kf.returns(def, next)
		}
	}
	for c := t.First(t.Args(call)); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case pyast.KindKeywordArgument:
			next(t.Child(c, pyast.FieldValue))
		case pyast.KindListSplat, pyast.KindDictionarySplat, pyast.KindToken:
		default:
			next(c)
		}
	}
}

// returns follows a helper's return values (not those of functions nested
// in it).
func (kf *keyFinder) returns(def pyast.ID, next func(pyast.ID)) {
	t := kf.f.t
	end := t.End(def)
	for i := def + 1; i < end; i++ {
		switch t.Kind(i) {
		case pyast.KindFunctionDefinition, pyast.KindLambda, pyast.KindClassDefinition:
			i = t.End(i) - 1
		case pyast.KindReturnStatement:
			next(t.NamedChild(i, 0))
		}
	}
}

// attribute: Config.SECRET_KEY of a class of this file, config.KEY of an
// imported module, or settings.secret_key of something unknown (any
// module- or class-level definition of the name).
func (kf *keyFinder) attribute(id pyast.ID, next func(pyast.ID), ref func(keyRef)) {
	f, t := kf.f, kf.f.t
	obj := t.Unwrap(t.Child(id, pyast.FieldObject))
	attr := t.Text(t.Child(id, pyast.FieldAttribute))
	if t.Kind(obj) == pyast.KindIdentifier {
		name := t.Text(obj)
		kf.index()
		if attrs, ok := kf.classes[name]; ok {
			for _, v := range attrs[attr] {
				next(v)
			}
			if len(attrs[attr]) > 0 {
				return
			}
		}
		if q, ok := f.mod.Imports[name]; ok {
			ref(keyRef{module: f.absolute(q), name: attr})
			return
		}
	}
	if d := t.DottedName(obj); d != "" && f.mod.Imports[strings.SplitN(d, ".", 2)[0]] != "" {
		// import app.settings; app.settings.KEY
		if q := f.absolute(f.mod.Imports[strings.SplitN(d, ".", 2)[0]]); q != "" {
			rest := strings.TrimPrefix(d, strings.SplitN(d, ".", 2)[0])
			ref(keyRef{module: q + rest, name: attr})
			return
		}
	}
	// self.key, settings.secret_key: the class attributes of this file,
	// and any module's definition of the name.
	kf.index()
	for _, attrs := range kf.classes {
		for _, v := range attrs[attr] {
			next(v)
		}
	}
	ref(keyRef{name: attr})
}

// assigned returns the values a name may hold where it is read: what the
// enclosing function assigns to it (or its parameter's default), else what
// the module assigns to it anywhere outside functions and classes.
func (kf *keyFinder) assigned(name pyast.ID) []pyast.ID {
	t := kf.f.t
	text := t.Text(name)
	if fn := t.EnclosingFunc(name); fn >= 0 {
		key := localName{fn, text}
		out, done := kf.local[key]
		if !done {
			out = kf.localAssigned(fn, text)
			if kf.local == nil {
				kf.local = map[localName][]pyast.ID{}
			}
			kf.local[key] = out
		}
		if len(out) > 0 {
			return out
		}
	}
	kf.index()
	return kf.module[text]
}

// localAssigned lists what a function assigns to a name, and its
// parameter's default.
func (kf *keyFinder) localAssigned(fn pyast.ID, text string) []pyast.ID {
	t := kf.f.t
	var out []pyast.ID
	end := t.End(fn)
	for i := fn + 1; i < end; i++ {
		switch t.Kind(i) {
		case pyast.KindFunctionDefinition, pyast.KindLambda, pyast.KindClassDefinition:
			i = t.End(i) - 1
		case pyast.KindAssignment:
			if t.Is(t.Child(i, pyast.FieldLeft), text) {
				if r := t.Child(i, pyast.FieldRight); r >= 0 {
					out = append(out, r)
				}
			}
		}
	}
	for p := t.First(t.Child(fn, pyast.FieldParameters)); p >= 0; p = t.Next(p) {
		switch t.Kind(p) {
		case pyast.KindDefaultParameter, pyast.KindTypedDefaultParameter:
			if t.Is(t.Child(p, pyast.FieldName), text) {
				out = append(out, t.Child(p, pyast.FieldValue))
			}
		}
	}
	return out
}

// index records the names assigned at module level (in if, try and with
// blocks too) and in class bodies, with their values.
func (kf *keyFinder) index() {
	if kf.indexed {
		return
	}
	kf.indexed = true
	kf.module = map[string][]pyast.ID{}
	kf.classes = map[string]map[string][]pyast.ID{}
	t := kf.f.t
	var walk func(block pyast.ID, class map[string][]pyast.ID)
	walk = func(block pyast.ID, class map[string][]pyast.ID) {
		for c := t.First(block); c >= 0; c = t.Next(c) {
			switch t.Kind(c) {
			case pyast.KindFunctionDefinition, pyast.KindLambda:
			case pyast.KindDecoratedDefinition:
				if d := t.Child(c, pyast.FieldDefinition); t.Kind(d) == pyast.KindClassDefinition {
					walk(d, class)
				}
			case pyast.KindClassDefinition:
				if class != nil {
					continue // nested classes are rare settings holders
				}
				name := t.Text(t.Child(c, pyast.FieldName))
				attrs := kf.classes[name]
				if attrs == nil {
					attrs = map[string][]pyast.ID{}
					kf.classes[name] = attrs
				}
				walk(t.Child(c, pyast.FieldBody), attrs)
			case pyast.KindAssignment:
				left, right := t.Child(c, pyast.FieldLeft), t.Child(c, pyast.FieldRight)
				if t.Kind(left) != pyast.KindIdentifier || right < 0 {
					continue
				}
				scope := kf.module
				if class != nil {
					scope = class
				}
				scope[t.Text(left)] = append(scope[t.Text(left)], right)
				if t.Kind(t.Unwrap(right)) == pyast.KindAssignment {
					walk(c, class) // a = b = "…": b too
				}
			default:
				walk(c, class)
			}
		}
	}
	walk(t.Root(), nil)
}

// linkKeys resolves the keys signers read from other modules, once every
// file's keyScan is made, and adds them to the reading file's keys.
func linkKeys(p *project, states []*fileState) {
	byName := map[string][]*keySource{}
	for _, f := range states {
		if f == nil || f.keyScan == nil {
			continue
		}
		for name, src := range f.keyScan.exports {
			byName[name] = append(byName[name], src)
		}
	}
	var resolve func(r keyRef, fam rampart.Family, seen map[keyRef]bool, add func(Key))
	resolve = func(r keyRef, fam rampart.Family, seen map[keyRef]bool, add func(Key)) {
		if seen[r] || len(seen) > 64 {
			return
		}
		seen[r] = true
		var srcs []*keySource
		if r.module != "" {
			if g := p.lookupModule(r.module); g != nil && g.keyScan != nil && g.keyScan.exports[r.name] != nil {
				srcs = []*keySource{g.keyScan.exports[r.name]}
			}
		}
		if srcs == nil {
			// A module outside the tree or an object whose class is
			// unknown: every definition of the name is a candidate.
			srcs = byName[r.name]
		}
		for _, s := range srcs {
			for _, k := range s.lits {
				k.Family = fam
				add(k)
			}
			for _, next := range s.refs {
				resolve(next, fam, seen, add)
			}
		}
	}
	for _, f := range states {
		if f == nil || f.keyScan == nil {
			continue
		}
		for _, u := range f.keyScan.uses {
			resolve(u.ref, u.fam, map[keyRef]bool{}, func(k Key) { f.keys = append(f.keys, k) })
		}
	}
}
