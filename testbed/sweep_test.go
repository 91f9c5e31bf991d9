package testbed_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestSecureSweep walks every operation of the served OpenAPI document on the secure twin and
// checks, route by route, what must hold everywhere: anonymous callers get 401 on operations that
// are not public; no foreign origin is allowed; the security headers are present; and no
// malformed value (quotes, SQL fragments, identifiers, wrong JSON types) produces a 5xx or a
// database error text. The object- and role-level checks of each route are in TestExploits and
// TestControls.
func TestSecureSweep(t *testing.T) {
	tb := requireTestbed(t)
	w := tb.twin("secure")
	spec := w.get(t, "/openapi.json", "")
	expectStatus(t, spec, 200)
	var doc struct {
		Security []map[string]any                      `json:"security"`
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(spec.body, &doc); err != nil {
		t.Fatal(err)
	}

	// A fresh user owns every object the sweep touches, so seeded data stays as it is.
	u := w.newUser(t, "sweep")
	noteID := w.createNote(t, u.token, "sweep note", "sweep")
	victim := w.newUser(t, "sweep-victim")
	pathValues := map[string]string{
		"user_id": fmt.Sprint(u.id), "note_id": fmt.Sprint(noteID), "transfer_id": "5000",
		"code": "WELCOME10", "table": "notes",
	}
	payloads := []string{"'", `"`, "' OR '1'='1' --", "1) OR 1=1 --", "notes; SELECT 1", "${7*7}{{7*7}}", "-1"}
	paths := slices.Sorted(maps.Keys(doc.Paths))
	for _, path := range paths {
		for method, raw := range doc.Paths[path] {
			if method == "parameters" {
				continue
			}
			var op struct {
				Security   *[]map[string]any `json:"security"`
				Tags       []string          `json:"tags"`
				Parameters []struct {
					Name   string         `json:"name"`
					In     string         `json:"in"`
					Schema map[string]any `json:"schema"`
				} `json:"parameters"`
				RequestBody struct {
					Content map[string]struct {
						Example map[string]any `json:"example"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			method = strings.ToUpper(method)
			public := op.Security != nil && len(*op.Security) == 0
			token := u.token
			for _, tag := range op.Tags {
				if tag == "admin" {
					token = tb.carol
				}
			}
			values := map[string]string{}
			for k, v := range pathValues {
				values[k] = v
			}
			if method == "DELETE" && path == "/admin/users/{user_id}" {
				values["user_id"] = fmt.Sprint(victim.id)
			}
			var query []string
			headers := map[string]string{}
			for _, prm := range op.Parameters {
				ex := fmt.Sprint(prm.Schema["example"])
				switch prm.In {
				case "query":
					query = append(query, prm.Name+"="+q(ex))
				case "header":
					headers[prm.Name] = "sweep-" + randomHex(6)
				}
			}
			build := func(vals map[string]string, qs []string) string {
				out := path
				for k, v := range vals {
					out = strings.ReplaceAll(out, "{"+k+"}", p(v))
				}
				if len(qs) > 0 {
					out += "?" + strings.Join(qs, "&")
				}
				return out
			}
			example := op.RequestBody.Content["application/json"].Example
			if _, ok := example["password"]; ok && (path == "/login" || path == "/api/v2/token") {
				// failed logins count per username: keep the seeded users out of the throttle
				example = map[string]any{"username": "sweep-" + randomHex(4), "password": "wrong-password"}
			}
			name := method + " " + path
			t.Run(name, func(t *testing.T) {
				check := func(what string, r *response) {
					t.Helper()
					if r.status >= 500 || dbErrorText.Match(r.body) {
						t.Errorf("%s: %s", what, r)
					}
					if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" {
						t.Errorf("%s: security headers missing: %v", what, r.header)
					}
					if acao := r.header.Get("Access-Control-Allow-Origin"); acao != "" && acao != "https://app.rampart.test" {
						t.Errorf("%s: foreign origin allowed: %q", what, acao)
					}
				}
				// anonymous, from a foreign origin
				anon := w.do(t, req{method: method, path: build(values, query), body: example,
					headers: map[string]string{"Origin": "https://evil.example"}})
				check("anonymous", anon)
				if !public && anon.status != 401 {
					t.Errorf("anonymous caller got %s", anon)
				}
				// malformed values in every path and query parameter
				for k := range values {
					if !strings.Contains(path, "{"+k+"}") {
						continue
					}
					for _, pl := range payloads {
						vals := map[string]string{}
						for kk, vv := range values {
							vals[kk] = vv
						}
						vals[k] = pl
						check("path "+k+"="+pl, w.do(t, req{method: method, path: build(vals, query), token: token, body: example, headers: headers}))
					}
				}
				for i := range query {
					for _, pl := range payloads {
						qs := append([]string(nil), query...)
						qs[i] = strings.SplitN(qs[i], "=", 2)[0] + "=" + q(pl)
						check("query "+qs[i], w.do(t, req{method: method, path: build(values, qs), token: token, headers: headers}))
					}
				}
				// malformed values and wrong types in every body field
				for field := range example {
					variants := []any{"'", "' OR '1'='1' --", 12345, []any{"x"}, map[string]any{"$gt": ""}, nil, true, 1e308}
					if path == "/login" || path == "/api/v2/token" {
						variants = []any{"'", "' OR '1'='1' --", []any{"x"}, nil} // each costs a password hash
					}
					for _, v := range variants {
						body := map[string]any{}
						for k, vv := range example {
							body[k] = vv
						}
						body[field] = v
						hs := map[string]string{}
						for k := range headers {
							hs[k] = "sweep-" + randomHex(6)
						}
						check(fmt.Sprintf("body %s=%v", field, v), w.do(t, req{method: method, path: build(values, query), token: token, body: body, headers: hs}))
					}
				}
			})
		}
	}
	// Nothing of Werkzeug's debugger is reachable.
	for _, path := range []string{"/console", "/?__debugger__=yes&cmd=resource&f=style.css"} {
		r := w.get(t, path, "")
		if r.status == 200 && regexp.MustCompile(`(?i)werkzeug|debugger|console`).Match(r.body) {
			t.Errorf("GET %s: %s", path, r)
		}
	}
}
