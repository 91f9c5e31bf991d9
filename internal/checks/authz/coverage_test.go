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

// widgets answers every create with create and every admin read with
// report (status and body).
type widgets struct {
	create, report int
	createBody     string
}

func (s widgets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost:
		w.WriteHeader(s.create)
		w.Write([]byte(s.createBody))
	case r.URL.Path == "/admin/report" && s.report == 200:
		w.Write([]byte(`{"users": 1732, "revenue": 981234}`))
	case r.URL.Path == "/admin/report":
		w.WriteHeader(s.report)
		w.Write([]byte(`{"error":"forbidden"}`))
	default:
		w.WriteHeader(404)
		w.Write([]byte(`{"error":"no such thing"}`))
	}
}

// Every way the role checks end: tested, proved, or not tested or not
// applicable with why.
func TestFunctionLevelCoverage(t *testing.T) {
	tspec, err := os.ReadFile("testdata/things.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wspec, err := os.ReadFile("testdata/widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	alice := []authztest.Ident{authztest.Alice}
	tests := []struct {
		name   string
		api    http.Handler
		spec   []byte
		ids    []authztest.Ident
		unit   string
		want   rampart.CoverageState
		reason rampart.Reason
		detail string
	}{
		{name: "BFLA-001 role checked", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: authztest.All,
			unit: "BFLA-001 GET /admin/users", want: rampart.CoverageTested},
		{name: "BFLA-001 users reach it", api: authztest.New(authztest.Flaws{AdminRead: true}), spec: authztest.Spec, ids: authztest.All,
			unit: "BFLA-001 GET /admin/users", want: rampart.CoverageProved},
		{name: "BFLA-001 no user", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: []authztest.Ident{authztest.Carol},
			unit: "BFLA-001 GET /admin/users", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity,
			detail: "only carol (admin) is configured"},
		{name: "BFLA-001 open to anonymous callers", api: widgets{report: 200}, spec: wspec, ids: authztest.All,
			unit: "BFLA-001 GET /admin/report", want: rampart.CoverageNotApplicable, detail: "anonymous callers get the data too"},
		{name: "BFLA-001 admin refused", api: widgets{report: 403}, spec: wspec, ids: authztest.All,
			unit: "BFLA-001 GET /admin/report", want: rampart.CoverageNotTested, reason: rampart.ReasonRefused, detail: "carol (admin) refused (403)"},
		{name: "BFLA-001 no value for the admin's path", api: widgets{report: 403}, spec: wspec, ids: authztest.All,
			unit: "BFLA-001 GET /admin/accounts/{account_id}", want: rampart.CoverageNotTested, reason: rampart.ReasonNoValues,
			detail: "no values for {account_id}"},
		{name: "BFLA-002 role checked", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: authztest.All,
			unit: "BFLA-002", want: rampart.CoverageTested},
		{name: "BFLA-002 no user", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: []authztest.Ident{authztest.Carol},
			unit: "BFLA-002", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity},
		{name: "BFLA-002 nothing declared admin and no admin", api: things{list: true, item: 200}, spec: tspec, ids: alice,
			unit: "BFLA-002", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsAdmin, detail: "only alice (user) is configured"},
		{name: "BFLA-002 nothing admin-only", api: things{list: true, item: 200}, spec: tspec, ids: authztest.All,
			unit: "BFLA-002", want: rampart.CoverageNotApplicable},
		{name: "BFLA-003 tried", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: authztest.All,
			unit: "BFLA-003", want: rampart.CoverageTested},
		{name: "BFLA-003 swapped", api: authztest.New(authztest.Flaws{MethodSwap: true}), spec: authztest.Spec, ids: authztest.All,
			unit: "BFLA-003", want: rampart.CoverageProved},
		{name: "BFLA-003 no identity", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec,
			unit: "BFLA-003", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity},
		{name: "BFLA-003 nothing to create", api: things{list: true, item: 200}, spec: tspec, ids: authztest.All,
			unit: "BFLA-003", want: rampart.CoverageNotApplicable},
		{name: "BFLA-003 create body rejected", spec: wspec, ids: authztest.All,
			api:  widgets{create: 422, createBody: `{"detail":[{"loc":["body","size"],"msg":"field required","type":"missing"}]}`},
			unit: "BFLA-003", want: rampart.CoverageNotTested, reason: rampart.ReasonBodyRejected, detail: "the API answered 422: field required: size"},
		{name: "BFLA-003 create refused", api: widgets{create: 403, createBody: `{"error":"forbidden"}`}, spec: wspec, ids: authztest.All,
			unit: "BFLA-003", want: rampart.CoverageNotTested, reason: rampart.ReasonRefused, detail: "refused (403) on POST /widgets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.api)
			t.Cleanup(srv.Close)
			res := authztest.RunSpec(t, tt.spec, srv.URL, rampart.Active, tt.ids, &AdminRead, &AdminWrite, &MethodSwap)
			got, ok := res.Coverage[tt.unit]
			if !ok {
				t.Fatalf("no unit %s in %v", tt.unit, res.Coverage)
			}
			if got.State != tt.want || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("coverage = %+v, want %s %s with detail containing %q", got, tt.want, tt.reason, tt.detail)
			}
		})
	}
}

// Every way the write checks end.
func TestWriteCoverage(t *testing.T) {
	tspec, err := os.ReadFile("testdata/things.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wspec, err := os.ReadFile("testdata/widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	users := []authztest.Ident{authztest.Alice, authztest.Bob}
	rejecting := widgets{create: 422, createBody: `{"detail":[{"loc":["body","size"],"msg":"field required","type":"missing"}]}`}
	tests := []struct {
		name   string
		api    http.Handler
		spec   []byte
		ids    []authztest.Ident
		unit   string
		want   rampart.CoverageState
		reason rampart.Reason
		detail string
	}{
		{name: "BOLA-002 owner checked", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: authztest.All,
			unit: "BOLA-002", want: rampart.CoverageTested},
		{name: "BOLA-002 owner not checked", api: authztest.New(authztest.Flaws{WriteBOLA: true}), spec: authztest.Spec, ids: authztest.All,
			unit: "BOLA-002", want: rampart.CoverageProved},
		{name: "BOLA-002 one user", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: []authztest.Ident{authztest.Alice},
			unit: "BOLA-002", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsSecondUser, detail: "only alice (user) is configured"},
		{name: "BOLA-002 only an admin", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: []authztest.Ident{authztest.Carol},
			unit: "BOLA-002", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity},
		{name: "BOLA-002 nothing to write", api: things{list: true, item: 200}, spec: tspec, ids: users,
			unit: "BOLA-002", want: rampart.CoverageNotApplicable},
		{name: "BOLA-002 create body rejected", api: rejecting, spec: wspec, ids: users,
			unit: "BOLA-002", want: rampart.CoverageNotTested, reason: rampart.ReasonBodyRejected, detail: "field required: size"},
		{name: "MASS-001 fields ignored", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: authztest.All,
			unit: "MASS-001 PUT /profile", want: rampart.CoverageTested},
		{name: "MASS-001 fields persisted", api: authztest.New(authztest.Flaws{Mass: true}), spec: authztest.Spec, ids: authztest.All,
			unit: "MASS-001 PUT /profile", want: rampart.CoverageProved},
		{name: "MASS-001 only an admin", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, ids: []authztest.Ident{authztest.Carol},
			unit: "MASS-001 PUT /profile", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity},
		{name: "MASS-001 a lookup, not a create", api: things{list: true, item: 200}, spec: tspec, ids: users,
			unit: "MASS-001 POST /things/lookup", want: rampart.CoverageNotApplicable},
		{name: "MASS-001 create body rejected", api: rejecting, spec: wspec, ids: users,
			unit: "MASS-001 POST /widgets", want: rampart.CoverageNotTested, reason: rampart.ReasonBodyRejected, detail: "field required: size"},
		{name: "MASS-001 create refused", api: widgets{create: 401, createBody: `{"error":"login required"}`}, spec: wspec, ids: users,
			unit: "MASS-001 POST /widgets", want: rampart.CoverageNotTested, reason: rampart.ReasonRefused, detail: "alice refused (401)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.api)
			t.Cleanup(srv.Close)
			res := authztest.RunSpec(t, tt.spec, srv.URL, rampart.Active, tt.ids, &WriteBOLA, &MassAssignment)
			got, ok := res.Coverage[tt.unit]
			if !ok {
				t.Fatalf("no unit %s in %v", tt.unit, res.Coverage)
			}
			if got.State != tt.want || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("coverage = %+v, want %s %s with detail containing %q", got, tt.want, tt.reason, tt.detail)
			}
		})
	}
}
