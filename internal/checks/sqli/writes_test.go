package sqli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
)

// A body field of an update is an injection point in active mode only; its
// baseline is the body the API accepts (learned from a 422 naming a field
// the spec does not document) holding the object's current values, and the
// object is as before when the check is done.
func TestUpdateBodyInjection(t *testing.T) {
	cases := []struct {
		path    string
		mode    rampart.Mode
		want    []string
		maxReqs int
	}{
		{"/things/{thing_id}", rampart.Active, []string{"name"}, 12},
		{"/things/{thing_id}", rampart.Safe, nil, 0},
		{"/safe/things/{thing_id}", rampart.Active, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.path+" "+tc.mode.String(), func(t *testing.T) {
			h := newHarness(t, tc.mode)
			fs := h.run(t, &ErrorBased, http.MethodPut, tc.path)
			if got := params(fs); !slices.Equal(got, tc.want) {
				t.Fatalf("findings on %v, want %v: %+v", got, tc.want, fs)
			}
			var writes int
			for _, r := range h.app.seen() {
				if r.Method != http.MethodGet {
					writes++
				}
			}
			if tc.mode < rampart.Active && writes > 0 {
				t.Errorf("%d writes in a %s scan", writes, tc.mode)
			}
			if tc.maxReqs > 0 && len(h.app.seen()) > tc.maxReqs {
				t.Errorf("%d requests, want at most %d", len(h.app.seen()), tc.maxReqs)
			}
			th := h.app.things["1"]
			if th["name"] != "lamp" || th["kind"] != "light" {
				t.Errorf("the object was left changed: %v", th)
			}
			for _, r := range h.app.seen() {
				t.Logf("%s %s %s", r.Method, r.Path, r.Body)
			}
		})
	}
}

// A write that takes a user name and a password and refuses them with 403
// is probed as a login: with a user that does not exist, in active mode
// only.
func TestCredentialWriteInjection(t *testing.T) {
	for _, mode := range []rampart.Mode{rampart.Safe, rampart.Active} {
		h := newHarness(t, mode)
		fs := h.run(t, &ErrorBased, http.MethodPost, "/api/key")
		want := []string(nil)
		if mode == rampart.Active {
			want = []string{"username"}
		}
		if got := params(fs); !slices.Equal(got, want) {
			t.Errorf("%s: findings on %v, want %v", mode, got, want)
		}
		assertHarmless(t, h)
		for _, r := range h.app.seen() {
			if strings.Contains(r.Body, `"lamp`) && strings.Contains(r.Body, "'") {
				t.Errorf("a probe used the spec's user name: %s", r.Body)
			}
		}
	}
}

func TestWriteCandidates(t *testing.T) {
	secret := &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object",
		Properties: map[string]*rampart.Schema{"password": {Type: "string"}}}}
	cases := []struct {
		op   rampart.Operation
		want bool
	}{
		{rampart.Operation{Method: "POST", Path: "/transfers"}, true},
		{rampart.Operation{Method: "PUT", Path: "/tickets/{id}"}, true},
		{rampart.Operation{Method: "PATCH", Path: "/users/{id}"}, true},
		{rampart.Operation{Method: "POST", Path: "/register", Body: secret}, true},
		{rampart.Operation{Method: "DELETE", Path: "/tickets/{id}"}, false},
		{rampart.Operation{Method: "POST", Path: "/logout"}, false},
		{rampart.Operation{Method: "POST", Path: "/tokens/revoke"}, false},
		{rampart.Operation{Method: "POST", Path: "/orders/{id}/cancel"}, false},
		{rampart.Operation{Method: "POST", Path: "/coupons/{code}/redeem"}, false},
		{rampart.Operation{Method: "PUT", Path: "/users/{id}/password"}, false},
		{rampart.Operation{Method: "POST", Path: "/user/chpasswd"}, false},
		{rampart.Operation{Method: "PUT", Path: "/users/{id}", Body: secret}, false},
		{rampart.Operation{Method: "POST", Path: "/x", ID: "deleteEverything"}, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %s %s", tc.op.Method, tc.op.Path, tc.op.ID), func(t *testing.T) {
			if got := accept.WriteCandidate(&tc.op); got != tc.want {
				t.Errorf("writeCandidate = %v, want %v", got, tc.want)
			}
		})
	}
}

// A create with a unique title: the baseline takes the title, so every
// probe of another field must carry a title of its own, or the unique
// index refuses it before the injectable INSERT runs.
func TestCreateWithUniqueField(t *testing.T) {
	h := newHarness(t, rampart.Active)
	fs := h.run(t, &ErrorBased, http.MethodPost, "/courses")
	if got := params(fs); !slices.Equal(got, []string{"description"}) {
		t.Fatalf("findings on %v, want [description]: %+v", got, fs)
	}
	titles := map[string]int{}
	for _, r := range h.app.seen() {
		var c map[string]string
		if r.Path == "/courses" && json.Unmarshal([]byte(r.Body), &c) == nil && strings.Contains(c["description"], "'") {
			titles[c["title"]]++
		}
	}
	for title, n := range titles {
		if n > 1 {
			t.Errorf("%d probes of description carried the title %q", n, title)
		}
	}
	if len(titles) == 0 {
		t.Error("no probe of description was sent")
	}
}
