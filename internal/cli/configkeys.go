package cli

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// stringList is a config list: a YAML sequence of strings, or one string
// with the items separated by commas ("sqli,bola"), as on the command line.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = nil
		if n.Tag != "!!null" {
			*l = splitList([]string{n.Value})
		}
		return nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, item := range n.Content {
			if s := strings.TrimSpace(item.Value); s != "" {
				out = append(out, s)
			}
		}
		*l = out
		return nil
	}
	return fmt.Errorf("line %d: want a list of strings or a comma-separated string", n.Line)
}

// keyDoc documents one config key. A key that mirrors a scan flag takes its
// help and default from that flag, so the two cannot drift apart.
type keyDoc struct {
	flag string // the scan flag it mirrors, if any
	typ  string // overrides the type read from the Go field (duration, size)
	help string // for keys without a flag, or to say more than the flag
	// example is a value the starter config shows for a key with no
	// default; it must load as is.
	example string
	// codeFlag is the `rampart code` flag it mirrors, for the code: keys.
	codeFlag string
}

// configDocs documents every key fileConfig accepts, nested keys by their
// dotted path. TestConfigKeysDocumented fails when a key has none.
var configDocs = map[string]keyDoc{
	"target":            {help: "the API's base URL; the URL argument of `rampart scan` wins over it", example: "http://127.0.0.1:8000"},
	"spec":              {flag: "spec", example: "openapi.yaml"},
	"spec-refs-outside": {flag: "spec-refs-outside"},
	"strict-spec":       {flag: "strict-spec"},
	"source":            {flag: "source", example: "."},
	"har":               {flag: "har", example: "session.har"},
	"postman":           {flag: "postman", example: "api.postman_collection.json"},
	"har-identity":      {flag: "har-identity", example: "alice:user=alice.har"},
	"mode":              {flag: "mode"},
	"checks":            {flag: "checks", example: "sqli,bola"},
	"skip-checks":       {flag: "skip-checks", example: "LEAK-*"},
	"exclude":           {flag: "exclude", example: "/admin/reset*"},
	"scope":             {flag: "scope", example: "api.internal:8443"},
	"format":            {flag: "format"},
	"output":            {flag: "output", example: "-,report.json"},
	"fail-on":           {flag: "fail-on"},
	"min-confidence":    {flag: "min-confidence"},
	"min-coverage":      {flag: "min-coverage"},
	"keep-going":        {flag: "keep-going"},
	"concurrency":       {flag: "concurrency"},
	"rate":              {flag: "rate"},
	"timeout":           {flag: "timeout", typ: "duration"},
	"max-body":          {flag: "max-body", typ: "size"},
	"insecure":          {flag: "insecure"},
	"proxy":             {flag: "proxy", example: "http://127.0.0.1:8080"},
	"wordlist":          {flag: "wordlist", example: "keys.txt"},
	"show-secrets":      {flag: "show-secrets"},
	"no-signup":         {flag: "no-signup"},
	"baseline":          {flag: "baseline", example: "main.json"},
	"verbose":           {flag: "verbose"},
	"identities":        {flag: "identity", typ: "list of identities", help: "accounts to act as, each with headers or a login flow; an anonymous identity always exists"},
	"identities.name":   {help: "the identity's name in findings and curl variables (required)"},
	"identities.role":   {help: "user or admin (default user)"},
	"identities.headers": {
		help: "headers sent as this identity; use ${VAR} to keep the secret in the environment",
	},
	"identities.login":              {help: "a login flow that gets (and refreshes) the credential instead of fixed headers"},
	"identities.login.method":       {help: "the login request's method (default POST)"},
	"identities.login.url":          {help: "a path on the target, or an in-scope URL"},
	"identities.login.headers":      {help: "extra headers of the login request"},
	"identities.login.json":         {help: "the login request's JSON body; not with form"},
	"identities.login.form":         {help: "the login request's form body; not with json"},
	"identities.login.token":        {help: "where the token is in the answer and how to send it; unset with cookies set, the session cookie is the credential"},
	"identities.login.token.from":   {help: "body (default) or header"},
	"identities.login.token.path":   {help: "dotted JSON path in the body (data.access_token, items.0.token), or the header's name"},
	"identities.login.token.header": {help: "the header that carries the token (default Authorization)"},
	"identities.login.token.scheme": {help: `the word before the token: "Bearer" (the default on Authorization), "Token", "JWT", or "" for the token alone`},
	"identities.login.token.prefix": {help: "the exact text before the token, for older configs; not with scheme"},
	"identities.login.cookies":      {help: `cookies to keep from the answer ("*" keeps all)`},
	"identities.login.secrets":      {help: "more body fields whose values are credentials, redacted from every output (password, token, secret, key... already are)"},
	"ignore":                        {typ: "list of ignores", help: "findings to leave out of the report and the gate; each needs a reason, and an unused or expired one is reported"},
	"ignore.id":                     {help: "a finding's stable id, as in the JSON report"},
	"ignore.check":                  {help: "a check ID: every finding of that check (with path: at that path)"},
	"ignore.path":                   {help: "a path template or glob the finding's location must match"},
	"ignore.reason":                 {help: "why it is ignored (required)"},
	"ignore.expires":                {help: "YYYY-MM-DD, the last day the ignore applies"},
	"code":                          {typ: "mapping", help: "settings only `rampart code` has; `rampart scan --source` analyses with the defaults"},
	"code.exclude":                  {codeFlag: "exclude", example: "tests/*"},
	"code.workers":                  {codeFlag: "workers"},
	"code.max-file-size":            {codeFlag: "max-file-size", typ: "size"},
	"code.follow-symlinks":          {codeFlag: "follow-symlinks"},
	"jwt":                           {typ: "mapping", help: "settings of the JWT checks"},
	"jwt.public_keys":               {flag: "jwt-public-key", example: "public.pem"},
}

// configEntry is one key of the config reference.
type configEntry struct {
	Path    string // dotted: identities.login.url
	Type    string
	Flag    string // --spec, code --workers, or empty
	Default string
	Help    string
	Example string
	Depth   int
}

// configEntries lists every key of fileConfig, nested keys after their
// parent, with type, flag, default and help; flags is scan's flag set
// (the code: keys read code's). Keys without a doc are returned as an
// error.
func configEntries(flags *pflag.FlagSet) ([]configEntry, error) {
	codeFlags := codeFlagSet()
	var out []configEntry
	var missing []string
	var walk func(prefix string, t reflect.Type, depth int)
	walk = func(prefix string, t reflect.Type, depth int) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			path := name
			if prefix != "" {
				path = prefix + "." + name
			}
			d, ok := configDocs[path]
			if !ok {
				missing = append(missing, path)
			}
			e := configEntry{Path: path, Type: typeName(f.Type), Help: d.help, Example: d.example, Depth: depth}
			if d.typ != "" {
				e.Type = d.typ
			}
			if d.flag != "" {
				fl := flags.Lookup(d.flag)
				if fl == nil {
					missing = append(missing, path+" (flag --"+d.flag+" does not exist)")
				} else {
					e.Flag = "--" + d.flag
					if e.Help == "" {
						e.Help = fl.Usage
					}
					e.Default = flagDefault(fl)
				}
			}
			if d.codeFlag != "" {
				fl := codeFlags.Lookup(d.codeFlag)
				if fl == nil {
					missing = append(missing, path+" (flag code --"+d.codeFlag+" does not exist)")
				} else {
					e.Flag = "code --" + d.codeFlag
					if e.Help == "" {
						e.Help = fl.Usage
					}
					e.Default = flagDefault(fl)
				}
			}
			out = append(out, e)
			if st := structOf(f.Type); st != nil {
				walk(path, st, depth+1)
			}
		}
	}
	walk("", reflect.TypeFor[fileConfig](), 0)
	if len(missing) > 0 {
		return out, fmt.Errorf("config keys without documentation in configDocs: %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// structOf is the struct a field holds (directly, through a pointer or as
// list items), or nil.
func structOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return t
	}
	return nil
}

func flagDefault(fl *pflag.Flag) string {
	if strings.HasSuffix(fl.Value.Type(), "Slice") || strings.HasSuffix(fl.Value.Type(), "Array") {
		return strings.Trim(fl.DefValue, "[]")
	}
	return fl.DefValue
}

// typeName is the user's name for a Go field type.
func typeName(t reflect.Type) string {
	if t == reflect.TypeFor[stringList]() {
		return "list of strings, or one comma-separated string"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return "mapping of strings"
		}
		return "mapping"
	case reflect.Struct:
		return "mapping"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "list of strings"
		}
		return "list of mappings"
	}
	return t.Kind().String()
}
