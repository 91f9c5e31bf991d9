package accept

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

// FuzzParse feeds the validation-answer readers anything: they must not
// panic, and what they return stays within the bounds (problem count, path
// depth and name length, allowed values), however the answer is built.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "validation", "*.json"))
	for _, name := range files {
		fx := loadFixture(f, strings.TrimSuffix(filepath.Base(name), ".json"))
		f.Add([]byte(fx.Body))
	}
	f.Add([]byte(`{"detail":[{"loc":["body",0,"a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"],"msg":"x","type":"missing"}]}`))
	f.Add([]byte(`{"messages":{"json":{"a":{"b":{"c":{"d":["Missing data for required field."]}}}}}}`))
	f.Add([]byte(`{"errors":{"a.b.c":"'x' does not match '(((a*)*)*)*$'"}}`))
	f.Add([]byte("missing field `x`\nKey: 'A.B' Error:Field validation for 'B' failed on the 'required' tag\n"))
	f.Add([]byte(`[{"path":"/data/attributes/x","message":"must be one of 'a', 'b' or 'c'"}]`))
	f.Add([]byte(strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)))
	f.Add([]byte(`{"title": ["book with this title already exists."], "message": "E-mail is already taken"}`))
	op := &rampart.Operation{Method: "POST", Path: "/x", Body: &rampart.Body{ContentType: "application/json"},
		Params: []rampart.Param{{Name: "limit", In: "query"}, {Name: "Idempotency-Key", In: "header"}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		known := Known{Body: map[string]bool{"a": true, "title": true, "x": true}, Params: map[string]string{"limit": "query"}}
		ps := Parse(body, known)
		if len(ps) > maxProblems {
			t.Fatalf("%d problems", len(ps))
		}
		for _, p := range ps {
			if len(p.Field) == 0 || len(p.Field) > maxPathDepth {
				t.Fatalf("field path %q", p.Field)
			}
			for _, n := range p.Field {
				if n == "" || len(n) > maxNameLen {
					t.Fatalf("field name %q", n)
				}
			}
			if len(p.Allowed) > maxAllowed {
				t.Fatalf("%d allowed values", len(p.Allowed))
			}
			for _, a := range p.Allowed {
				if len(a) > maxAllowedLen {
					t.Fatalf("allowed value of %d bytes", len(a))
				}
			}
		}
		// Learning from it must stay bounded too, and never panic.
		l := New(Options{Tag: "fuzz"})
		for i := 0; i < 3; i++ {
			l.Learn(op, l.Request(op), &engine.Response{Status: 422, Body: body})
			l.Learn(op, l.Request(op), &engine.Response{Status: 409, Body: body})
		}
		st := l.state(op)
		if len(st.fixes) > maxFixes || len(st.tries) > maxFixes {
			t.Fatalf("%d fixes, %d tries", len(st.fixes), len(st.tries))
		}
		if b, _ := l.Request(op).Encode(); len(b) > 1<<20 {
			t.Fatalf("a %d-byte body from one answer", len(b))
		}
	})
}
