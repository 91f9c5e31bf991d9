package surface

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
)

// deepAPI is a small API that shows its items only to a signed-in caller,
// keys them by a name the client chose, drops Allow from its 405s (as a
// custom JSON error handler does) and answers OPTIONS as Flask does.
type deepAPI struct {
	mu   sync.Mutex
	sent []string // "METHOD /path"
}

func (a *deepAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.sent = append(a.sent, r.Method+" "+r.URL.Path)
	a.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer t" {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	allow := map[string]string{
		"/api/devices":            "GET, HEAD, OPTIONS, POST",
		"/api/devices/lamp":       "DELETE, GET, HEAD, OPTIONS, PUT",
		"/api/reservations":       "OPTIONS, POST",
		"/api/catalog":            "GET, HEAD, OPTIONS",
		"/api/catalog/978-0-1234": "GET, HEAD, OPTIONS",
	}
	if r.Method == http.MethodOptions {
		if a, ok := allow[r.URL.Path]; ok {
			w.Header().Set("Allow", a)
			return
		}
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/devices":
		io.WriteString(w, `{"data":[{"id_of_owner":"x","owner_id":7,"name":"lamp","kind":"light","created_at":"2026-01-01T00:00:00Z","watts":4.5}]}`)
	case "/api/devices/lamp":
		io.WriteString(w, `{"result":{"name":"lamp","kind":"light","owner_id":7,"note":"hall"}}`)
	case "/api/catalog":
		io.WriteString(w, `[{"title":"A Book","isbn":"978-0-1234"}]`)
	case "/api/catalog/978-0-1234":
		io.WriteString(w, `{"title":"A Book","isbn":"978-0-1234","links":{"self":"/api/catalog/978-0-1234/reviews"}}`)
	case "/api/reservations":
		w.WriteHeader(http.StatusMethodNotAllowed) // no Allow
		io.WriteString(w, `{"error":"method_not_allowed"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":"not_found"}`)
	}
}

func requester(t *testing.T, allowed *url.URL, token string) Requester {
	return func(ctx context.Context, method, u string) (int, http.Header, []byte, error) {
		pu, err := url.Parse(u)
		if err != nil || !sameOrigin(pu, allowed) {
			t.Errorf("request off origin: %s", u)
		}
		if method != http.MethodGet && method != http.MethodOptions {
			t.Errorf("deepening sent %s %s", method, u)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, nil)
		if err != nil {
			return 0, nil, nil, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b, err
	}
}

func TestDeepen(t *testing.T) {
	api := &deepAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	base := mustParse(t, srv.URL+"/api")
	discovered := []*rampart.Operation{
		{Method: "GET", Path: "/devices", Source: rampart.SourceProbe, Origin: "common path"},
		{Method: "GET", Path: "/catalog", Source: rampart.SourceProbe, Origin: "common path"},
	}
	d, err := Deepen(context.Background(), base, discovered, []string{"/reservations"}, requester(t, base, "t"), oneEnvelope)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*rampart.Operation{}
	for _, op := range d.Operations {
		got[op.Key()] = op
		if op.Source == "" || op.Origin == "" {
			t.Errorf("%s does not say how it was found", op.Key())
		}
	}
	for _, want := range []string{
		"GET /devices/{name}", "PUT /devices/{name}", "DELETE /devices/{name}", "POST /devices",
		"POST /reservations", "GET /catalog/{isbn}", "GET /catalog/{isbn}/reviews",
	} {
		if got[want] == nil {
			t.Errorf("Deepen did not learn %s; learned %v", want, slices.Sorted(mapsKeys(got)))
		}
	}
	if op := got["GET /devices/{name}"]; op != nil {
		if p := op.Param("path", "name"); p == nil || p.Example != "lamp" {
			t.Errorf("GET /devices/{name} params = %+v, want name with example lamp", op.Params)
		}
	}
	// A write's body is guessed from the item, less what the server sets.
	if op := got["PUT /devices/{name}"]; op != nil {
		props := op.Body.Schema.Properties
		if props["kind"] == nil || props["note"] == nil || props["kind"].Example != "light" {
			t.Errorf("PUT body = %+v, want the item's kind and note", props)
		}
		for _, server := range []string{"name", "owner_id"} {
			if props[server] != nil {
				t.Errorf("PUT body has %s, which the server sets", server)
			}
		}
	}
	if op := got["POST /devices"]; op != nil {
		props := op.Body.Schema.Properties
		if props["kind"] == nil || props["created_at"] != nil || props["owner_id"] != nil {
			t.Errorf("POST body = %+v, want a listed item's fields less the server's", props)
		}
	}
	if op := got["POST /reservations"]; op != nil && (op.Body == nil || op.Body.ContentType != "application/json") {
		t.Errorf("POST /reservations body = %+v, want an empty JSON object to learn from", op.Body)
	}
	if op := got["DELETE /devices/{name}"]; op != nil && op.Body != nil {
		t.Errorf("DELETE has a body: %+v", op.Body)
	}
	// A second run over what it learned adds nothing.
	again, err := Deepen(context.Background(), base, append(discovered, d.Operations...), nil, requester(t, base, "t"), oneEnvelope)
	if err != nil || len(again.Operations) != 0 {
		t.Errorf("deepening twice learned %d more: %v", len(again.Operations), err)
	}
}

// oneEnvelope stands for the API model's unwrapping (which this package
// cannot import): {"data": …} and {"result": …} hold the payload.
func oneEnvelope(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, k := range []string{"data", "result"} {
			if inner, ok := m[k]; ok {
				return inner
			}
		}
	}
	return v
}

func mapsKeys(m map[string]*rampart.Operation) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestDeepenCatchAll: an API that answers 200 to any key says nothing by
// answering one: no item route is learned from it.
func TestDeepenCatchAll(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode([]map[string]any{{"id": 1, "name": "x"}})
	}))
	defer srv.Close()
	base := mustParse(t, srv.URL)
	d, err := Deepen(context.Background(), base, []*rampart.Operation{{Method: "GET", Path: "/things"}}, nil, requester(t, base, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range d.Operations {
		if strings.HasPrefix(op.Path, "/things/") {
			t.Errorf("learned %s from an API that answers every key", op.Key())
		}
	}
}

// TestDeepenBudget: however much an API lists and links, deepening stays
// within its budget.
func TestDeepenBudget(t *testing.T) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Allow", "GET, POST, PUT, DELETE")
		var links []string
		for i := 0; i < 500; i++ {
			links = append(links, "/r"+strings.Repeat("x", i%7)+"/"+r.URL.Path[1:]+"z")
		}
		json.NewEncoder(w).Encode(map[string]any{"links": links})
	}))
	defer srv.Close()
	base := mustParse(t, srv.URL)
	if _, err := Deepen(context.Background(), base, []*rampart.Operation{{Method: "GET", Path: "/a"}}, nil, requester(t, base, ""), nil); err != nil {
		t.Fatal(err)
	}
	if n > maxDeepenReads+maxDeepenAsks {
		t.Errorf("deepening sent %d requests, budget %d", n, maxDeepenReads+maxDeepenAsks)
	}
}

func TestKeyFields(t *testing.T) {
	for _, tc := range []struct {
		item map[string]any
		coll string
		want []string
	}{
		{map[string]any{"id": json.Number("3"), "owner_id": json.Number("7"), "title": "x"}, "notes", []string{"id", "title"}},
		{map[string]any{"note_id": json.Number("3"), "user_id": json.Number("7")}, "notes", []string{"note_id"}},
		{map[string]any{"name": "lamp", "watts": json.Number("4.5"), "on": true}, "devices", []string{"name"}},
		{map[string]any{"isbn": "9780000000001", "title": "A Book"}, "books", []string{"isbn", "title"}},
		{map[string]any{"email": "a@example.com", "bio": "a long text with spaces"}, "patients", []string{"email"}},
	} {
		if got := keyFields(tc.item, tc.coll); !slices.Equal(got, tc.want) {
			t.Errorf("keyFields(%v, %s) = %v, want %v", tc.item, tc.coll, got, tc.want)
		}
	}
}
