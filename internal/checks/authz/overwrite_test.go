package authz

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
)

// people is an API whose upsert writes anyone's record: the write probe
// must prove it on a free-text field, never on the e-mail address the
// identity logs in with, and must write the owner's value back.
type people struct {
	mu      sync.Mutex
	records map[string]map[string]any
	puts    []map[string]any
}

func (s *people) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	who := map[string]string{"Bearer " + authztest.AliceToken: "1", "Bearer " + authztest.BobToken: "2"}[r.Header.Get("Authorization")]
	w.Header().Set("Content-Type", "application/json")
	if who == "" {
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"login required"}`))
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/people/")
	switch {
	case r.URL.Path == "/me":
		json.NewEncoder(w).Encode(s.records[who])
	case r.Method == http.MethodGet && s.records[id] != nil:
		json.NewEncoder(w).Encode(s.records[id])
	case r.Method == http.MethodPut && s.records[id] != nil:
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		s.puts = append(s.puts, body)
		for k, v := range body {
			s.records[id][k] = v
		}
		json.NewEncoder(w).Encode(s.records[id])
	default:
		w.WriteHeader(404)
		w.Write([]byte(`{"error":"not found"}`))
	}
}

func TestOverwriteSparesLoginFields(t *testing.T) {
	spec, err := os.ReadFile("testdata/people.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api := &people{records: map[string]map[string]any{
		"1": {"id": 1, "username": "alice", "email": "alice@example.com", "nickname": "Ally"},
		"2": {"id": 2, "username": "bob", "email": "bob@example.com", "nickname": "Bobby"},
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	res := authztest.RunSpec(t, spec, srv.URL, rampart.Active, []authztest.Ident{authztest.Alice, authztest.Bob}, &WriteBOLA)
	if got := authztest.Keys(res.Findings); !reflect.DeepEqual(got, []string{"BOLA-002 PUT /people/{person_id} confirmed"}) {
		t.Fatalf("findings = %q", got)
	}
	if f := res.Findings[0]; !strings.Contains(f.Message, "in nickname") || !strings.Contains(f.Message, "written back by alice (verified)") {
		t.Errorf("message = %s", f.Message)
	}
	for _, b := range api.puts {
		if e, ok := b["email"]; ok && e != "alice@example.com" && e != "bob@example.com" {
			t.Errorf("a write changed an e-mail address: %v", b)
		}
	}
	if api.records["1"]["nickname"] != "Ally" || api.records["1"]["email"] != "alice@example.com" {
		t.Errorf("alice's record after the scan: %v", api.records["1"])
	}
}
