package exposure

import (
	"net/http"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
)

// The six checks read the answers the first of them fetched: every one
// says it judged them, or why there were none to judge.
func TestCoverage(t *testing.T) {
	alice := checktest.User("alice", "user", "a")
	for _, tt := range []struct {
		name   string
		status int
		ids    []*identity.Identity
		state  rampart.CoverageState
		reason rampart.Reason
	}{
		{"answered", 200, []*identity.Identity{alice}, rampart.CoverageTested, ""},
		{"refused to the user", 401, []*identity.Identity{alice}, rampart.CoverageNotTested, rampart.ReasonRefused},
		{"refused without identities", 401, nil, rampart.CoverageNotTested, rampart.ReasonNeedsIdentity},
		{"no such object", 404, []*identity.Identity{alice}, rampart.CoverageNotTested, rampart.ReasonNoValues},
		{"server error", 500, []*identity.Identity{alice}, rampart.CoverageNotTested, rampart.ReasonError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := checktest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				w.Write([]byte(`{"id":1,"title":"a note"}`))
			}))
			op := checktest.QuickOp("GET", "/notes/{id}", true, rampart.Param{Name: "id", In: "path", Schema: &rampart.Schema{Type: "integer"}})
			env := checktest.New(t, srv, rampart.Safe, []*rampart.Operation{op}, tt.ids...)
			for _, c := range []*check.Check{&Hashes, &Secrets, &PII, &Plaintext, &Cards, &Tokens} {
				got := env.Units(t, c)[op.Key()]
				if got.State != tt.state || got.Reason != tt.reason {
					t.Errorf("%s: %s %s (%s), want %s %s", c.ID, got.State, got.Reason, got.Detail, tt.state, tt.reason)
				}
				if got.State == rampart.CoverageNotTested && got.Detail == "" {
					t.Errorf("%s: no detail", c.ID)
				}
			}
		})
	}
}

// A login no configured identity uses has no answer of theirs to read.
func TestCoverageLogin(t *testing.T) {
	srv := checktest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
	}))
	op := &rampart.Operation{Method: "POST", Path: "/login", Security: [][]string{{}},
		Body: &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object",
			Properties: map[string]*rampart.Schema{"username": {Type: "string"}, "password": {Type: "string"}}}}}
	for _, tt := range []struct {
		name   string
		ids    []*identity.Identity
		state  rampart.CoverageState
		reason rampart.Reason
	}{
		{"identities without a login here", []*identity.Identity{checktest.User("alice", "user", "a")}, rampart.CoverageNotApplicable, ""},
		{"no identity", nil, rampart.CoverageNotTested, rampart.ReasonNeedsIdentity},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := checktest.New(t, srv, rampart.Safe, []*rampart.Operation{op}, tt.ids...)
			got := env.Units(t, &Plaintext)[op.Key()]
			if got.State != tt.state || got.Reason != tt.reason || got.Detail == "" {
				t.Errorf("DATA-004: %s %s (%q), want %s %s", got.State, got.Reason, got.Detail, tt.state, tt.reason)
			}
		})
	}
}
