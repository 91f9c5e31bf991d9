package scan

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// unexercisable is an API that a scan can barely touch: every operation
// needs credentials, the one identity's reads of objects find none (no
// listing names an id), and every write is refused by validation. It has
// no flaw a scan could see, which is exactly when a grade must not say A.
func unexercisable(t *testing.T) *httptest.Server {
	t.Helper()
	sec := []any{map[string]any{"bearer": []any{}}}
	idParam := []any{map[string]any{"name": "ref", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}}
	body := map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
		"type": "object", "required": []any{"items"}, "properties": map[string]any{"items": map[string]any{"type": "array"}}}}}}
	ok := map[string]any{"200": map[string]any{"description": "ok"}}
	paths := map[string]any{}
	for _, res := range []string{"orders", "invoices", "shipments", "returns"} {
		paths["/"+res+"/{ref}"] = map[string]any{
			"get":    map[string]any{"security": sec, "parameters": idParam, "responses": ok},
			"put":    map[string]any{"security": sec, "parameters": idParam, "requestBody": body, "responses": ok},
			"delete": map[string]any{"security": sec, "parameters": idParam, "responses": ok},
		}
		paths["/"+res] = map[string]any{"post": map[string]any{"security": sec, "requestBody": body, "responses": ok}}
	}
	spec, _ := json.Marshal(map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "t", "version": "1"}, "paths": paths,
		"components": map[string]any{"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/openapi.json":
			w.Write(spec)
		case r.URL.Path == "/":
			w.Write([]byte(`{"name":"orders api"}`))
		case r.Header.Get("Authorization") != "Bearer tok-alice-0123456789":
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"login required"}`))
		case r.Method == http.MethodPost || r.Method == http.MethodPut:
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"detail":[{"loc":["body","items",0,"sku"],"msg":"unknown sku","type":"value_error"}]}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"no such object"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A scan of an API where most operations cannot be exercised says it is
// incomplete, names why, and grades no better than C although it found
// nothing.
func TestAScanThatTestedLittleIsIncomplete(t *testing.T) {
	srv := unexercisable(t)
	rep, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Active, Identities: []rampart.Identity{alice()}, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Coverage
	if c == nil || !c.Incomplete || c.Percent >= rampart.IncompleteBelow {
		t.Fatalf("coverage %+v: want incomplete", c)
	}
	if rep.Score > 79 || rep.Grade == "A" || rep.Grade == "B" {
		t.Errorf("graded %s %d with %d%% tested: an incomplete scan is at best C", rep.Grade, rep.Score, c.Percent)
	}
	var reasons []string
	for _, r := range c.Reasons {
		reasons = append(reasons, string(r.Reason))
		if r.Reason == rampart.ReasonUnexplained {
			t.Errorf("unexplained units: %v", r.Examples)
		}
	}
	for _, want := range []rampart.Reason{rampart.ReasonNeedsSecondUser, rampart.ReasonBodyRejected} {
		if !strings.Contains(strings.Join(reasons, " "), string(want)) {
			t.Errorf("reasons %v: want %s among them", reasons, want)
		}
	}
	t.Logf("coverage %d%% (%d of %d), grade %s %d, reasons %v", c.Percent, c.Tested, c.Applicable, rep.Grade, rep.Score, reasons)
}
