package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
	"github.com/rampart-sec/rampart/scan"
)

// clickThrough is what a user of the twin does in a browser session: log
// in, look at their things, create a note, read it, change it. An admin
// also looks at the users and the reports. Not every route: what a
// session would touch.
func clickThrough(t *testing.T, base, name, password string, admin bool) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browse{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	status, out := b.do("POST", "/login", map[string]any{"username": name, "password": password})
	tok, _ := out["token"].(string)
	if status != 200 || tok == "" {
		t.Fatalf("login as %s through the recorder: %d", name, status)
	}
	b.token = tok
	_, me := b.do("GET", "/me", nil)
	b.do("GET", "/profile", nil)
	if admin {
		_, users := b.do("GET", "/admin/users", nil)
		if list, _ := users["users"].([]any); len(list) > 0 {
			if u, ok := list[0].(map[string]any); ok {
				b.do("GET", fmt.Sprintf("/users/%v", u["id"]), nil)
			}
		}
		b.do("GET", "/reports/summary", nil)
		b.do("GET", "/reports/notes", nil)
		b.do("GET", "/reports/transfers", nil)
		return
	}
	b.do("GET", "/notes", nil)
	b.do("GET", "/notes?sort=title", nil) // the list's "sort by title"
	status, note := b.do("POST", "/notes", map[string]any{"title": name + "'s shopping list", "body": "eggs, flour", "pinned": false})
	if status != 201 {
		t.Fatalf("create a note as %s: %d", name, status)
	}
	id := note["id"]
	b.do("GET", fmt.Sprintf("/notes/%v", id), nil)
	b.do("PUT", fmt.Sprintf("/notes/%v", id), map[string]any{"title": name + "'s shopping list (done)", "pinned": true})
	b.do("GET", "/search?q=shopping", nil)
	b.do("GET", "/accounts", nil)
	_, tr := b.do("GET", "/transfers", nil)
	if list, _ := tr["transfers"].([]any); len(list) > 0 {
		if x, ok := list[0].(map[string]any); ok {
			b.do("GET", fmt.Sprintf("/transfers/%v", x["id"]), nil)
		}
	}
	b.do("GET", fmt.Sprintf("/users/%v", me["id"]), nil)
	b.do("GET", "/coupons", nil)
}

var braced = regexp.MustCompile(`\{[^{}/]*\}`)

// routeOf is an operation key with its parameters' names left out:
// a recording cannot know that the spec calls /notes/{id}'s parameter
// note_id.
func routeOf(method, path string) string {
	return strings.ToUpper(method) + " " + braced.ReplaceAllString(path, "{}")
}

// findingKeys are a report's (check, operation) pairs on the given routes,
// plus its API-wide findings (no operation, or path "*").
func findingKeys(rep *rampart.Report, routes map[string]bool) []string {
	var out []string
	for _, f := range rep.Findings {
		r := routeOf(f.Location.Method, f.Location.Path)
		if f.Location.Method != "" && f.Location.Path != "*" && !routes[r] {
			continue
		}
		k := f.Check + " " + r
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// sameFindings compares a scan of recorded traffic with the spec-driven
// scan on the routes the recording holds: the same (check, operation)
// findings, both ways.
func sameFindings(t *testing.T, what string, spec, rec *rampart.Report, source string) {
	t.Helper()
	routes := map[string]bool{}
	for _, row := range rec.Coverage.Operations {
		if row.Source == source {
			method, path, _ := strings.Cut(row.Operation, " ")
			routes[routeOf(method, path)] = true
		}
	}
	if len(routes) == 0 {
		t.Fatalf("%s: no operation from the recording in the report's coverage", what)
	}
	t.Logf("%s: %d routes from the recording: %v", what, len(routes), slices.Sorted(func(yield func(string) bool) {
		for r := range routes {
			if !yield(r) {
				return
			}
		}
	}))
	want, got := findingKeys(spec, routes), findingKeys(rec, routes)
	if len(want) == 0 {
		t.Fatalf("%s: the spec-driven scan finds nothing on the recorded routes: nothing to compare", what)
	}
	t.Logf("%s: %d (check, operation) findings compared: %v", what, len(want), want)
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("%s: the spec-driven scan finds %s, the scan of the recording does not", what, k)
		}
	}
	for _, k := range got {
		if !slices.Contains(want, k) {
			t.Errorf("%s: the scan of the recording finds %s, the spec-driven scan does not", what, k)
		}
	}
	if t.Failed() {
		t.Logf("spec-driven findings:%s\nrecording findings:%s", summary(spec), summary(rec))
	}
}

// TestHARScanMatchesSpecScan records alice, bob and carol using the
// vulnerable twin through a recording proxy, then scans their recordings
// (no spec) and compares with the spec-driven scan of the same state, in
// safe and in active mode.
func TestHARScanMatchesSpecScan(t *testing.T) {
	tb := tbtest.Require(t)
	tb.Lock(t)
	for _, mode := range []rampart.Mode{rampart.Safe, rampart.Active} {
		t.Run(mode.String(), func(t *testing.T) {
			tb.Reset(t)
			dir := t.TempDir()
			var hars []scan.HARIdentity
			for _, id := range tb.Identities() {
				rec := newRecorder(t, tb.Vuln)
				pw, _ := id.Login.JSON["password"].(string)
				clickThrough(t, rec.URL, id.Name, pw, id.Role == "admin")
				path := filepath.Join(dir, id.Name+".har")
				rec.write(t, path)
				hars = append(hars, scan.HARIdentity{Name: id.Name, Role: id.Role, File: path})
			}
			rep, err := scan.Run(context.Background(), scan.Options{
				Target: tb.Vuln, HARIdentities: hars, Mode: mode, Version: "e2e",
			})
			if err != nil {
				t.Fatalf("scan of the recordings: %v", err)
			}
			// The same state again for the spec-driven scan, which logs
			// in by itself (a reset ends the recorded sessions): an
			// active scan changes the twin.
			tb.Reset(t)
			for _, id := range tb.Identities() {
				pw, _ := id.Login.JSON["password"].(string)
				clickThrough(t, tb.Vuln, id.Name, pw, id.Role == "admin")
			}
			spec := scanTwin(t, tb, tb.Vuln, mode)
			for _, e := range rep.Errors {
				t.Logf("check error: %s %s: %s", e.Check, e.Operation, e.Error)
			}
			for _, w := range rep.InputWarnings {
				t.Logf("input warning: %s", w)
			}
			sameFindings(t, "HAR", spec, rep, rampart.SourceHAR)
		})
	}
}

func TestPostmanScanMatchesSpecScan(t *testing.T) {
	tb := tbtest.Require(t)
	tb.Lock(t)
	ids := tb.TokenIdentities()
	for _, mode := range []rampart.Mode{rampart.Safe, rampart.Active} {
		t.Run(mode.String(), func(t *testing.T) {
			run := func(opt scan.Options) *rampart.Report {
				t.Helper()
				tb.Reset(t)
				opt.Target, opt.Identities, opt.Mode, opt.Version = tb.Vuln, ids, mode, "e2e"
				rep, err := scan.Run(context.Background(), opt)
				if err != nil {
					t.Fatalf("scan: %v", err)
				}
				for _, e := range rep.Errors {
					t.Logf("check error: %s %s: %s", e.Check, e.Operation, e.Error)
				}
				return rep
			}
			spec := run(scan.Options{Spec: filepath.Join(tb.Root, "testbed", "openapi.yaml")})
			rep := run(scan.Options{Postman: []string{filepath.Join("testdata", "testbed.postman_collection.json")}})
			for _, w := range rep.InputWarnings {
				t.Errorf("input warning on a clean export: %s", w)
			}
			sameFindings(t, "Postman", spec, rep, rampart.SourcePostman)
		})
	}
}
