package scan

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
)

// An API whose answers hold alice's password (as a reference a careless
// API echoes) and her account number, known only from her login answer.
func modelAPI(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	const token = "tok-alice-model-0123456789"
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		authed := r.Header.Get("Authorization") == "Bearer "+token
		switch {
		case r.URL.Path == "/openapi.json":
			json.NewEncoder(w).Encode(map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "m", "version": "1"},
				"paths": map[string]any{
					"/":                          map[string]any{"get": map[string]any{"responses": map[string]any{"200": map[string]any{"description": "ok"}}}},
					"/login":                     map[string]any{"post": map[string]any{"responses": map[string]any{"200": map[string]any{"description": "ok"}}}},
					"/sessions":                  map[string]any{"get": map[string]any{"responses": map[string]any{"200": map[string]any{"description": "ok"}}}},
					"/accounts/{account_number}": map[string]any{"get": map[string]any{"parameters": []any{map[string]any{"name": "account_number", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}}, "responses": map[string]any{"200": map[string]any{"description": "ok"}}}},
				}})
		case r.URL.Path == "/login" && r.Method == "POST":
			json.NewEncoder(w).Encode(map[string]any{"token": token, "accounts": []any{map[string]any{"number": "NL91ZOOB0417164300"}}})
		case !authed:
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"login required"}`))
		case r.URL.Path == "/sessions":
			json.NewEncoder(w).Encode([]any{map[string]any{"ref": "pw-of-alice"}})
		case r.URL.Path == "/accounts/NL91ZOOB0417164300":
			json.NewEncoder(w).Encode(map[string]any{"number": "NL91ZOOB0417164300", "balance": 10})
		default:
			w.WriteHeader(404)
			w.Write([]byte(`{"error":"not found"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// The scan explores before its checks, accounts for it as MODEL, says
// what the model learned in a note, and writes the model, redacted, to
// ModelDump.
func TestScanBuildsAndDumpsTheModel(t *testing.T) {
	srv, seen := modelAPI(t)
	dump := filepath.Join(t.TempDir(), "model.json")
	rep, err := Run(context.Background(), Options{
		Target: srv.URL, Spec: srv.URL + "/openapi.json", Mode: rampart.Safe, ModelDump: dump, Checks: []string{"HDR-*"},
		Identities: []rampart.Identity{{Name: "alice", Role: "user", Login: &rampart.Login{Method: "POST", URL: "/login",
			JSON: map[string]any{"username": "alice", "password": "pw-of-alice"}, Token: &rampart.TokenSource{Path: "token"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Checks) == 0 || rep.Checks[0].Check != ModelCheck || rep.Checks[0].Requests == 0 {
		t.Fatalf("no MODEL accounting: %+v", rep.Checks)
	}
	if !slicesContains(seen(), "GET /accounts/NL91ZOOB0417164300") {
		t.Errorf("the account known from the login answer was not explored: %q", seen())
	}
	noted := false
	for _, n := range rep.Notes {
		noted = noted || strings.HasPrefix(n, "API model: ")
	}
	if !noted {
		t.Errorf("no note on the model: %q", rep.Notes)
	}
	data, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	var snap apimodel.Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "tok-alice-model-0123456789") || strings.Contains(string(data), "pw-of-alice") {
		t.Errorf("the dump holds a credential:\n%s", data)
	}
	if !strings.Contains(string(data), "NL91ZOOB0417164300") {
		t.Errorf("the dump misses what the login answer taught:\n%s", data)
	}
	if len(snap.People) == 0 || snap.People[0].Identity != "alice" && snap.People[1].Identity != "alice" {
		t.Errorf("people %+v", snap.People)
	}
}

// A dump that cannot be written is a note, not a failed scan.
func TestModelDumpUnwritable(t *testing.T) {
	srv, _ := modelAPI(t)
	dump := filepath.Join(t.TempDir(), "no-such-dir", "model.json")
	rep, err := Run(context.Background(), Options{Target: srv.URL, Spec: srv.URL + "/openapi.json", Mode: rampart.Safe,
		ModelDump: dump, Checks: []string{"HDR-*"}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range rep.Notes {
		found = found || (strings.HasPrefix(n, "model dump: cannot write ") && !strings.Contains(n, "\n"))
	}
	if !found {
		t.Errorf("notes %q", rep.Notes)
	}
}

// A passive scan sends nothing to explore.
func TestPassiveScanDoesNotExplore(t *testing.T) {
	srv, _ := modelAPI(t)
	rep, err := Run(context.Background(), Options{Target: srv.URL, Spec: srv.URL + "/openapi.json", Mode: rampart.Passive, Checks: []string{"HDR-*"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if c.Check == ModelCheck {
			t.Errorf("a passive scan explored: %+v", c)
		}
	}
}

func slicesContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
