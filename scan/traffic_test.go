package scan

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// writeHAR writes a HAR of the given entries: "METHOD URL" with the
// recorded Authorization and answer.
func writeHAR(t *testing.T, entries ...harEntryT) string {
	t.Helper()
	var es []any
	for _, e := range entries {
		var headers []map[string]string
		if e.auth != "" {
			headers = append(headers, map[string]string{"name": "Authorization", "value": e.auth})
		}
		es = append(es, map[string]any{
			"request": map[string]any{"method": e.method, "url": e.url, "headers": headers},
			"response": map[string]any{"status": 200, "headers": []map[string]string{{"name": "Content-Type", "value": "application/json"}},
				"content": map[string]any{"mimeType": "application/json", "text": e.answer}},
		})
	}
	data, _ := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "entries": es}})
	path := filepath.Join(t.TempDir(), "traffic.har")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type harEntryT struct{ method, url, auth, answer string }

func coverageRow(rep *rampart.Report, op string) *rampart.OperationCoverage {
	if rep.Coverage == nil {
		return nil
	}
	for i := range rep.Coverage.Operations {
		if rep.Coverage.Operations[i].Operation == op {
			return &rep.Coverage.Operations[i]
		}
	}
	return nil
}

// TestHARAloneIsTheSurface: with a HAR and no spec, the recording is the
// surface; its credentials are never sent nor reported, and a recorded
// host outside the scope is never requested.
func TestHARAloneIsTheSurface(t *testing.T) {
	api, srv, other := startFake(t, true)
	har := writeHAR(t,
		harEntryT{"GET", srv.URL + "/items?q=lamp", "Bearer " + goodToken, `[{"id": 1, "name": "lamp"}]`},
		harEntryT{"GET", srv.URL + "/items/1", "Bearer " + goodToken, `{"id": 1, "name": "lamp"}`},
		harEntryT{"GET", srv.URL + "/items/2", "", `{"id": 2, "name": "desk"}`},
		harEntryT{"GET", api.other + "/elsewhere", "", `{}`},
		harEntryT{"GET", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/x", "", `{}`},
	)
	rep, err := Run(context.Background(), Options{Target: srv.URL, HAR: []string{har}, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rep.Notes, "attack surface: recorded traffic "+har) {
		t.Errorf("notes %q do not say the surface is the recording", rep.Notes)
	}
	// Discovery would have added the links of / and the fake's spec.
	if rep.Operations != 2 {
		t.Errorf("%d operations, want the recording's 2", rep.Operations)
	}
	row := coverageRow(rep, "GET /items/{id}")
	if row == nil || row.Source != rampart.SourceHAR || row.Origin != har+" (2 requests)" {
		t.Fatalf("GET /items/{id} row: %+v", row)
	}
	for _, s := range api.seen() {
		if s.Auth == "Bearer "+goodToken {
			t.Errorf("the recorded token was sent: %s %s", s.Method, s.Path)
		}
	}
	if n := len(other.seen()); n > 0 {
		t.Errorf("the off-scope host got %d requests", n)
	}
	data, _ := json.Marshal(rep)
	if strings.Contains(string(data), goodToken) {
		t.Error("the report holds the recorded token")
	}
	var got []string
	for _, w := range rep.InputWarnings {
		got = append(got, w.Path+": "+w.Problem)
	}
	for _, want := range []string{
		"log.entries[0].request.headers: recorded credentials: header Authorization",
		"log.entries[1].request.headers: recorded credentials: header Authorization",
		"log.entries: 2 of 5 requests go to hosts outside the scan's scope",
	} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no input warning %q in %q", want, got)
		}
	}
}

// TestHARIdentityActsAsTheRecorder: a --har-identity recording's
// credentials are its identity's, and its answers feed the API model as
// that identity's (the model learns an id only the recording showed).
func TestHARIdentityActsAsTheRecorder(t *testing.T) {
	api, srv, _ := startFake(t, false)
	har := writeHAR(t,
		harEntryT{"GET", srv.URL + "/items/4242", "Bearer " + goodToken, `{"id": 4242, "name": "recorded-only lamp"}`},
	)
	dump := filepath.Join(t.TempDir(), "model.json")
	rep, err := Run(context.Background(), Options{
		Target: srv.URL, Spec: "testdata/fake-openapi.json", Mode: rampart.Safe, ModelDump: dump,
		HARIdentities: []HARIdentity{{Name: "alice", Role: "user", File: har}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rep.Identities, "alice (user)") {
		t.Fatalf("identities %q", rep.Identities)
	}
	sent := false
	for _, s := range api.seen() {
		sent = sent || s.Auth == "Bearer "+goodToken
	}
	if !sent {
		t.Error("the recorded token was never sent as alice's")
	}
	for _, w := range rep.InputWarnings {
		t.Errorf("input warning for an identity's own recording: %s", w)
	}
	data, _ := json.Marshal(rep)
	if strings.Contains(string(data), goodToken) {
		t.Error("the report holds alice's token")
	}
	model, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(model), "4242") {
		t.Error("the recorded id 4242 is not in the API model")
	}
	// The spec's operation wins over the recorded one.
	if row := coverageRow(rep, "GET /items/{item_id}"); row == nil || row.Source != rampart.SourceSpec {
		t.Errorf("GET /items/{item_id}: %+v", row)
	}
	if row := coverageRow(rep, "GET /items/{id}"); row != nil {
		t.Errorf("the recorded GET /items/{id} was added beside the spec's: %+v", row)
	}
}

func TestTrafficRefusals(t *testing.T) {
	_, srv, _ := startFake(t, false)
	noCreds := writeHAR(t, harEntryT{"GET", srv.URL + "/items", "", `[]`})
	notHAR := filepath.Join(t.TempDir(), "x.har")
	os.WriteFile(notHAR, []byte(`{"info": {}, "item": []}`), 0o600)
	for _, tc := range []struct {
		name string
		opt  Options
		want string
	}{
		{"missing file", Options{HAR: []string{"nope.har"}}, "--har nope.har: no such file"},
		{"not a HAR", Options{HAR: []string{notHAR}}, "no log.entries; it looks like a Postman collection: pass it with --postman"},
		{"postman not a collection", Options{Postman: []string{noCreds}}, "no item list"},
		{"identity recording without credentials", Options{HARIdentities: []HARIdentity{{Name: "bob", Role: "user", File: noCreds}}},
			"--har-identity bob: " + noCreds + " carries no credentials"},
	} {
		tc.opt.Target = srv.URL
		_, err := Run(context.Background(), tc.opt)
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want a one-line ConfigError saying %q", tc.name, err, tc.want)
		}
	}
}

func TestAddExamples(t *testing.T) {
	known := &rampart.Operation{Method: "DELETE", Path: "/items/{item_id}", Params: []rampart.Param{
		{Name: "item_id", In: "path"}, {Name: "force", In: "query"}, {Name: "why", In: "query", Example: "spec's"},
	}}
	rec := &rampart.Operation{Method: "DELETE", Path: "/items/{id}", Params: []rampart.Param{
		{Name: "id", In: "path", Example: int64(7)}, {Name: "force", In: "query", Example: true}, {Name: "why", In: "query", Example: "recorded"},
	}}
	if m := matchOperation(map[string]*rampart.Operation{routeKey(known.Method, known.Path): known}, []*rampart.Operation{known}, rec); m != known {
		t.Fatal("the recorded operation does not match the spec's")
	}
	addExamples(known, rec)
	got, _ := json.Marshal(known.Params)
	want := `[{"name":"item_id","in":"path","example":7},{"name":"force","in":"query","example":true},{"name":"why","in":"query","example":"spec's"}]`
	if string(got) != want {
		t.Errorf("params %s\nwant %s", got, want)
	}
}

func TestMergeTraffic(t *testing.T) {
	op := func(method, path, source string) *rampart.Operation {
		return &rampart.Operation{Method: method, Path: path, Source: source}
	}
	for _, tc := range []struct {
		name     string
		spec     []*rampart.Operation
		recorded []*rampart.Operation
		want     []string
	}{
		{"recorded routes stay apart without a spec",
			nil,
			[]*rampart.Operation{op("GET", "/reports/{collection}", "har"), op("GET", "/reports/summary", "har")},
			[]string{"GET /reports/{collection} har", "GET /reports/summary har"}},
		{"the spec's template claims a recorded word",
			[]*rampart.Operation{op("GET", "/users/{username}", "spec")},
			[]*rampart.Operation{op("GET", "/users/alice", "har")},
			[]string{"GET /users/{username} spec"}},
		{"parameter names do not matter",
			[]*rampart.Operation{op("GET", "/notes/{note_id}", "spec")},
			[]*rampart.Operation{op("GET", "/notes/{id}", "har"), op("PUT", "/notes/{id}", "har")},
			[]string{"GET /notes/{note_id} spec", "PUT /notes/{id} har"}},
		{"two recordings name one route twice",
			nil,
			[]*rampart.Operation{op("GET", "/notes/{note_id}", "postman"), op("GET", "/notes/{id}", "har")},
			[]string{"GET /notes/{note_id} postman"}},
	} {
		ops, _ := mergeTraffic(tc.spec, tc.recorded)
		var got []string
		for _, o := range ops {
			got = append(got, o.Key()+" "+o.Source)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
