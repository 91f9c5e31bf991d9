package authz

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
)

// things is an API of objects keyed by a name each user chose (no number
// to step from): list says whether GET /things lists the caller's own,
// item how GET /things/{thing_id} answers its owner.
type things struct {
	list bool
	item int // 200: the owner reads it (others get 404); else every caller gets this status
}

func (s things) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	who := map[string]string{"Bearer " + authztest.AliceToken: "alice", "Bearer " + authztest.BobToken: "bob",
		"Bearer " + authztest.CarolToken: "carol"}[r.Header.Get("Authorization")]
	w.Header().Set("Content-Type", "application/json")
	if who == "" {
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"login required"}`))
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/things/")
	switch {
	case r.URL.Path == "/things" && s.list:
		json.NewEncoder(w).Encode([]map[string]string{{"id": who + "-garden-shed", "secret": "sk-" + who + "-4f9a81c2e7"}})
	case r.URL.Path == "/things" || name == "lookup":
		w.Write([]byte(`[]`))
	case s.item == 200 && name == who+"-garden-shed":
		json.NewEncoder(w).Encode(map[string]string{"thing_id": name, "secret": "sk-" + who + "-4f9a81c2e7"})
	case s.item == 200:
		w.WriteHeader(404)
		w.Write([]byte(`{"error":"no such thing"}`))
	default:
		w.WriteHeader(s.item)
		w.Write([]byte(`{"error":"not for you"}`))
	}
}

// Every way BOLA-001 ends on an operation: tested, proved, or not tested
// with the reason that stopped it.
func TestReadBOLACoverage(t *testing.T) {
	spec, err := os.ReadFile("testdata/things.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		api    http.Handler
		spec   []byte
		mode   rampart.Mode
		ids    []authztest.Ident
		unit   string
		want   rampart.CoverageState
		reason rampart.Reason
		detail string
	}{
		{name: "owner checked", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: authztest.All,
			unit: "GET /notes/{note_id}", want: rampart.CoverageTested},
		{name: "owner not checked", api: authztest.New(authztest.Flaws{ReadBOLA: true}), spec: authztest.Spec, ids: authztest.All,
			unit: "GET /notes/{note_id}", want: rampart.CoverageProved},
		{name: "one identity, neighbours asked", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: []authztest.Ident{authztest.Alice},
			unit: "GET /notes/{note_id}", want: rampart.CoverageTested},
		{name: "no identity", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec,
			unit: "GET /notes/{note_id}", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity},
		{name: "one identity, names to step from", api: things{list: true, item: 200}, spec: spec, ids: []authztest.Ident{authztest.Alice},
			unit: "GET /things/{thing_id}", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsSecondUser,
			detail: "only alice (user) is configured"},
		{name: "two users", api: things{list: true, item: 200}, spec: spec, ids: []authztest.Ident{authztest.Alice, authztest.Bob},
			unit: "GET /things/{thing_id}", want: rampart.CoverageTested},
		{name: "nobody lists a value", api: things{item: 200}, spec: spec, ids: []authztest.Ident{authztest.Alice, authztest.Bob},
			unit: "GET /things/{thing_id}", want: rampart.CoverageNotTested, reason: rampart.ReasonNoValues, detail: "no values for {thing_id}"},
		{name: "owners refused on their own", api: things{list: true, item: 403}, spec: spec, ids: []authztest.Ident{authztest.Alice, authztest.Bob},
			unit: "GET /things/{thing_id}", want: rampart.CoverageNotTested, reason: rampart.ReasonRefused, detail: "alice, bob refused (403)"},
		{name: "owners' values answer no data", api: things{list: true, item: 404}, spec: spec, ids: []authztest.Ident{authztest.Alice, authztest.Bob},
			unit: "GET /things/{thing_id}", want: rampart.CoverageNotTested, reason: rampart.ReasonNoObject, detail: "(last answer 404)"},
		{name: "read-like POST in safe mode", api: things{list: true, item: 200}, spec: spec, ids: []authztest.Ident{authztest.Alice, authztest.Bob},
			unit: "POST /things/lookup", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsActive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.api)
			t.Cleanup(srv.Close)
			mode := tt.mode
			if mode == 0 {
				mode = rampart.Safe
			}
			res := authztest.RunSpec(t, tt.spec, srv.URL, mode, tt.ids, &ReadBOLA)
			got, ok := res.Coverage["BOLA-001 "+tt.unit]
			if !ok {
				t.Fatalf("no unit BOLA-001 %s in %v", tt.unit, res.Coverage)
			}
			if got.State != tt.want || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("coverage = %+v, want %s %s with detail containing %q", got, tt.want, tt.reason, tt.detail)
			}
		})
	}
}
