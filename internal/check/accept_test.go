package check

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/engine"
)

// Pass.Accepted learns a write's body only in active mode, counts what it
// sends in the unit's budget, and reuses what it learned; Pass.Body serves
// the learned body to every check.
func TestPassAccepted(t *testing.T) {
	op := &rampart.Operation{Method: http.MethodPost, Path: "/things", Body: &rampart.Body{ContentType: "application/json",
		Schema: &rampart.Schema{Type: "object"}}}
	cases := []struct {
		mode     rampart.Mode
		wantSent int64
		want     accept.Status
	}{
		{rampart.Safe, 0, accept.Untried},
		{rampart.Active, 2, accept.Accepted},
	}
	for _, tc := range cases {
		t.Run(tc.mode.String(), func(t *testing.T) {
			var hits atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				var m map[string]any
				b, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(b, &m)
				w.Header().Set("Content-Type", "application/json")
				if m["kind"] != "a" {
					w.WriteHeader(422)
					_, _ = io.WriteString(w, `{"detail":[{"loc":["body","kind"],"msg":"value is not a valid enumeration member; permitted: 'a', 'b'","type":"type_error.enum"}]}`)
					return
				}
				w.WriteHeader(201)
			}))
			t.Cleanup(srv.Close)
			base, _ := url.Parse(srv.URL)
			c, err := engine.New(engine.Config{Base: base, Mode: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			root := NewPassFor(Env{Client: c, Base: base, Surface: []*rampart.Operation{op}, Tag: "t3st"}, func(rampart.Finding) {})
			p := root.WithOp(rampart.Meta{ID: "T-001", Budget: 5}, op)
			req, _, err := p.Accepted(context.Background(), nil, op)
			if err != nil {
				t.Fatal(err)
			}
			if hits.Load() != tc.wantSent || p.Requests() != int(tc.wantSent) {
				t.Errorf("%d requests reached the API, %d counted; want %d", hits.Load(), p.Requests(), tc.wantSent)
			}
			if got := p.AcceptStatus(op); got != tc.want {
				t.Errorf("status %s, want %s", got, tc.want)
			}
			// Another check's unit: nothing sent, the learned body served.
			q := root.WithOp(rampart.Meta{ID: "T-002", Budget: 5}, op)
			again, _, _ := q.Accepted(context.Background(), nil, op)
			body, _ := q.Body(op)
			b1, _ := req.Encode()
			b2, _ := again.Encode()
			if q.Requests() != 0 || string(b1) != string(b2) || string(body) != string(b1) {
				t.Errorf("second unit sent %d; bodies %s / %s / %s", q.Requests(), b1, b2, body)
			}
		})
	}
}
