package scan

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// The request the learner finds is the one the checks' first user sends:
// a from_account must be that user's own, never another identity's, which
// a flawed API would debit.
func TestModelHintsOwnFirst(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1")
	transfers := &rampart.Operation{Method: "POST", Path: "/transfers"}
	m := apimodel.New(apimodel.Config{Surface: []*rampart.Operation{transfers}, Base: base})
	for who, number := range map[string]string{"alice": "NL91ZOOB0417164300", "bob": "NL02ZOOB0123456789"} {
		m.Observe(&engine.Response{
			Request: &engine.Request{Method: "POST", URL: base.String() + "/auth/login", Identity: who, Login: true},
			Method:  "POST", RequestURL: base.String() + "/auth/login", Status: 200,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   []byte(`{"data":{"access_token":"t-` + who + `","accounts":[{"number":"` + number + `"}]}}`),
		})
	}
	alice := identity.New("alice", identity.RoleUser, nil)
	bob := identity.New("bob", identity.RoleUser, nil)
	for _, tc := range []struct {
		ids  []*identity.Identity
		want string
	}{
		{[]*identity.Identity{identity.Anonymous(), alice, bob}, "NL91ZOOB0417164300"},
		{[]*identity.Identity{identity.Anonymous(), bob, alice}, "NL02ZOOB0123456789"},
	} {
		got := modelHints(m, tc.ids)(transfers, "body", []string{"from_account"})
		if len(got) == 0 || got[0] != tc.want || !slices.Contains(got, any(tc.want)) {
			t.Errorf("first user %s: hints %v, want %s first", tc.ids[1].Name, got, tc.want)
		}
	}
}
