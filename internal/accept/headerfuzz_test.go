package accept

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

// FuzzHeaderProblems feeds the header-complaint reader anything: it must
// not panic, never return a credential or more than its bound, and the
// learner fed the same answer stays within its own bounds.
func FuzzHeaderProblems(f *testing.F) {
	for _, s := range []string{`"\"IsAdmin header missing\""`, `{"error":"X-Api-Version header must be one of 2, 3"}`,
		`Invalid header value`, `<p>Missing request header X-A</p>`, `{"message":{"error":["header 'X' required"]}}`,
		`"Authorization header missing"`, strings.Repeat(`"\"`, 300) + "X header missing",
		strings.Repeat("invalid X header\n", 100), `[` + strings.Repeat(`{"msg":"No X-`+"A"+` header"},`, 50) + `{}]`} {
		f.Add([]byte(s))
	}
	op := &rampart.Operation{Method: "DELETE", Path: "/x/{id}"}
	f.Fuzz(func(t *testing.T, body []byte) {
		ps := HeaderProblems(body)
		if len(ps) > maxHeaderProblems {
			t.Fatalf("%d problems", len(ps))
		}
		for _, p := range ps {
			if len(p.Name) > maxHeaderNameLen || (p.Name != "" && !Learnable(p.Name)) {
				t.Fatalf("name %q", p.Name)
			}
			if len(p.Allowed) > maxAllowed {
				t.Fatalf("%d allowed values", len(p.Allowed))
			}
		}
		l := New(Options{Tag: "f"})
		h := http.Header{}
		for range 6 {
			l.Observe(op, h, &engine.Response{Status: 200, Body: body})
			h = l.Request(op).Header
		}
		if hs := l.Headers(op); len(hs) > maxHeadersPerOp {
			t.Fatalf("%d headers", len(hs))
		}
	})
}
