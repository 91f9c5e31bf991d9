package surface

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// secret looks like a credential; no error may ever contain it.
const secret = "sk_live_PLANTED0123456789abcdef"

// Errors name the file, the line and the problem, never what the file
// holds: not of a root document that is malformed or not a spec at all,
// and not of a file a $ref points to.
func TestErrorsNeverEchoContent(t *testing.T) {
	dir := t.TempDir()
	referenced := map[string]string{
		"passwd":       "root:x:0:0:" + secret + ":/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\n",
		"dotenv":       "API_KEY=" + secret + "\nDEBUG=1\n",
		"one-line":     secret,
		"creds.yaml":   "token: " + secret + "\nnested: {key: " + secret + "}\n",
		"list.json":    `["` + secret + `", 1]`,
		"badyaml.yaml": "a: b: " + secret + "\n",
		"bad.json":     `{"token": ` + secret + `}`,
		"tab.yaml":     "key:\n\t" + secret + "\n",
		"binary":       "\x00\x01" + secret + "\xff\xfe",
		"unclosed":     `{"a": "` + secret,
	}
	for name, content := range referenced {
		write(t, filepath.Join(dir, name), content)
	}
	var errs []string
	for name := range referenced {
		for _, frag := range []string{"", "#/token", "#/nested", "#/nested/key", "#/0"} {
			spec := filepath.Join(dir, "spec.yaml")
			write(t, spec, refDoc(name+frag))
			s, err := Load(context.Background(), Source{Path: spec})
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			for _, w := range s.Warnings {
				errs = append(errs, w.String())
			}
		}
		// The same file given as the spec itself.
		if _, err := Load(context.Background(), Source{Path: filepath.Join(dir, name)}); err != nil {
			errs = append(errs, err.Error())
		} else {
			t.Errorf("%s loaded as a spec", name)
		}
	}
	head := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
	op := func(schema string) string {
		return head + "paths:\n  /a: {get: {responses: {'200': {description: ok, content: {application/json: {schema: " + schema + "}}}}}}\n"
	}
	malformed := []string{
		"openapi: " + secret + "\npaths: {}\n",
		"swagger: " + secret + "\npaths: {}\n",
		"openapi: 3.0.3\ninfo: " + secret + "\npaths: {}\n",
		head + "paths: " + secret + "\n",
		head + "paths:\n  /a:\n    get: " + secret + "\n",
		head + "paths:\n  /a:\n    get:\n      parameters: [{name: x, in: " + secret + "}]\n",
		head + "paths:\n  /a:\n    get:\n      parameters: " + secret + "\n",
		head + "paths:\n  /a:\n    get:\n      responses: {'200': " + secret + "}\n",
		head + "servers: " + secret + "\npaths: {}\n",
		head + "servers: [{url: [" + secret + "]}]\npaths: {}\n",
		head + "security: [" + secret + "]\npaths: {}\n",
		head + "security: [{a: " + secret + "}]\npaths: {}\n",
		head + "paths: {}\ncomponents: {securitySchemes: {a: {type: " + secret + "}}}\n",
		head + "paths: {}\ncomponents: {securitySchemes: {a: " + secret + "}}\n",
		head + "paths: {}\ncomponents: " + secret + "\n",
		op("{type: object, properties: {a: {minLength: " + secret + "}}}"),
		op("{type: object, required: " + secret + "}"),
		op("{type: object, nullable: " + secret + "}"),
		op("{type: object, properties: " + secret + "}"),
		op("{type: object, items: " + secret + "}"),
		op("{allOf: " + secret + "}"),
		op("{$ref: [" + secret + "]}"),
		head + "paths:\n  /a:\n    get: [" + secret + "\n",
		head + "paths:\n  /a:\n    get: \"" + secret + "\n",
		head + "paths:\n  /a:\n    get: '" + secret + "\n",
		head + "paths: {}\nx-a: !!binary " + secret + "\n",
		head + "paths: {}\nx-a: !!int " + secret + "\n",
		head + "paths: {}\nx-a: !!float " + secret + "\n",
		head + "paths: {}\nx-a: !!timestamp " + secret + "\n",
		head + "paths: {}\nx-a: &" + secret + " 1\nx-b: *nope\n",
		head + "paths: {}\nx-a: !" + secret + " 1\n",
		head + "paths: {}\n" + secret + "\n",
		head + "paths: {}\n\t" + secret + "\n",
		`{"openapi": "3.0.3", "paths": {"/a": ` + secret + `}}`,
		`{"openapi": "3.0.3", "paths": {"/a": "` + secret + `"}}`,
		`{"openapi": "3.0.3", "paths": {}, "x": "` + secret,
		`{"openapi": "3.0.3", "paths": {}, "info": {"title": "` + secret + `", "version": {"a": 1}}}`,
		`{"swagger": "2.0", "host": "` + secret + `/x", "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}`,
		`{"swagger": "2.0", "paths": {}, "securityDefinitions": {"a": {"type": "oauth2", "flow": "` + secret + `"}}}`,
		`{"swagger": "2.0", "paths": {}, "securityDefinitions": {"a": {"type": "` + secret + `"}}}`,
		`{"swagger": "2.0", "paths": {"/a": {"get": {"parameters": [{"name": "x", "in": "query", "type": "` + secret + `"}]}}}}`,
	}
	for _, doc := range malformed {
		// A document the loader repairs says so in warnings, which obey
		// the same rule as errors.
		s, err := Load(context.Background(), Source{URL: "http://127.0.0.1:1/openapi.json", Data: []byte(doc)})
		if err != nil {
			errs = append(errs, err.Error())
		} else {
			for _, w := range s.Warnings {
				errs = append(errs, w.String())
			}
		}
	}
	if len(errs) < len(referenced)+len(malformed) {
		t.Errorf("only %d errors for %d files and %d malformed documents", len(errs), len(referenced), len(malformed))
	}
	for _, e := range errs {
		t.Log(e)
		// Any eight characters of it would be too many.
		for i := 0; i+8 <= len(secret); i++ {
			if strings.Contains(e, secret[i:i+8]) {
				t.Errorf("error echoes content (%q):\n%s", secret[i:i+8], e)
				break
			}
		}
		if strings.Contains(e, "\n") {
			t.Errorf("error spans several lines: %q", e)
		}
	}
}

func TestWithoutContent(t *testing.T) {
	known := func(s string) bool { return s == "url" || s == "#/components/schemas/A" }
	tests := []struct{ in, want string }{
		{"cannot construct !!str `sk_live...` into bool", "cannot construct !!str `…` into bool"},
		{`cannot unmarshal !!int into string field "url" in /servers/0`, `cannot unmarshal !!int into string field "url" in /servers/0`},
		{`bad data in "#/components/schemas/A" (expecting schema)`, `bad data in "#/components/schemas/A" (expecting schema)`},
		{`unsupported security scheme type "hunter2"`, `unsupported security scheme type "…"`},
		{`invalid host "a\"b"`, `invalid host "…"`},
		{"invalid character 's' looking for beginning of value", "invalid character 's' looking for beginning of value"},
		{`invalid character '\n' in string literal`, `invalid character '\n' in string literal`},
		{"unknown anchor 'hunter2' referenced", "unknown anchor '…' referenced"},
		{"the document's line can't be read", "the document's line can't be read"},
		{`an unclosed "quote`, `an unclosed "quote`},
	}
	for _, tt := range tests {
		if got := withoutContent(tt.in, known); got != tt.want {
			t.Errorf("withoutContent(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
