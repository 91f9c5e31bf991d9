package scan

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is a deterministic target with known flaws that records every
// request, so safety properties are asserted from what it received.
type fakeAPI struct {
	mu       sync.Mutex
	requests []seen
	other    string // a second loopback server, off scope
	flawed   bool
}

type seen struct {
	Method, Path, Auth string
	At                 time.Time
}

const goodToken = "tok-alice-0123456789"

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, seen{Method: r.Method, Path: r.URL.RequestURI(), Auth: r.Header.Get("Authorization"), At: time.Now()})
	f.mu.Unlock()
	w.Header().Set("Server", "Werkzeug/2.2.2 Python/3.11.2")
	if o := r.Header.Get("Origin"); o != "" && f.flawed {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
	}
	authed := r.Header.Get("Authorization") == "Bearer "+goodToken
	json := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		enc := jsonEncoder(w)
		enc.Encode(v)
	}
	switch {
	case r.URL.Path == "/openapi.json":
		data, _ := os.ReadFile("testdata/fake-openapi.json")
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	case r.URL.Path == "/":
		w.Write([]byte("<html><body>shop <a href='/items'>items</a></body></html>"))
	case r.URL.Path == "/console" && f.flawed:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><html><head><title>Console // Werkzeug Debugger</title><script>var CONSOLE_MODE = true,\n EVALEX = true,\n EVALEX_TRUSTED = true,\n SECRET = \"AbCdEfGhIjKlMnOpQrSt\";</script></head></html>"))
	case r.URL.Path == "/go":
		http.Redirect(w, r, f.other+"/stolen", http.StatusFound)
	case r.URL.Path == "/export":
		if !authed && !f.flawed {
			json(401, map[string]string{"error": "login required"})
			return
		}
		json(200, []map[string]any{{"id": 1, "owner": "alice", "balance": 120}, {"id": 2, "owner": "bob", "balance": 80}})
	case !authed:
		json(401, map[string]string{"error": "login required"})
	case r.URL.Path == "/items" && r.Method == "GET":
		q := r.URL.Query().Get("q")
		if strings.ContainsAny(q, `'"\`) && f.flawed {
			w.WriteHeader(500)
			w.Write([]byte("psycopg2.errors.SyntaxError: unterminated quoted string at or near \"'lamp''\"\nLINE 1: SELECT * FROM items WHERE name LIKE '%lamp'%'\n"))
			return
		}
		json(200, []map[string]any{{"id": 1, "name": "lamp"}})
	case strings.HasPrefix(r.URL.Path, "/items/"):
		json(200, map[string]any{"id": 1, "name": "lamp"})
	default:
		json(404, map[string]string{"error": "not found"})
	}
}

func (f *fakeAPI) seen() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.requests...)
}

func jsonEncoder(w http.ResponseWriter) *json.Encoder { return json.NewEncoder(w) }

func startFake(t *testing.T, flawed bool) (*fakeAPI, *httptest.Server, *fakeAPI) {
	t.Helper()
	other := &fakeAPI{}
	otherSrv := httptest.NewServer(other)
	t.Cleanup(otherSrv.Close)
	api := &fakeAPI{other: otherSrv.URL, flawed: flawed}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv, other
}
