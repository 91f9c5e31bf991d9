package zoo_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/tbtest"
)

// gtEntry is one object of a groundtruth.json, in the testbed's format.
type gtEntry struct {
	ID      string `json:"id"`
	Family  string `json:"family"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	Mode    string `json:"mode"`
	Runtime *bool  `json:"runtime"`
	Needs   string `json:"needs"` // "source": only a scan with --source finds it
	Code    *struct {
		File  string `json:"file"`
		Lines []int  `json:"lines"`
	} `json:"code"`
}

// families is the vocabulary of docs/architecture.md, with user-enumeration
// (issue 14).
var families = map[string]bool{
	"bola": true, "bfla": true, "missing-auth": true, "mass-assignment": true, "sqli": true,
	"sqli-identifier": true, "txn-boundary": true, "idempotency": true, "race": true,
	"debug-exposure": true, "error-leak": true, "session-secret": true, "session-exposure": true,
	"jwt": true, "cors": true, "headers": true, "rate-limit": true, "data-exposure": true,
	"inventory": true, "fingerprint": true, "user-enumeration": true,
}

// flawMarker is the comment each deliberate flaw carries in its app's
// source: "# flaw: <entry id>".
var flawMarker = regexp.MustCompile(`#\s*flaw:\s*([a-z0-9-]+)`)

func loadEntries(t *testing.T, app string) []gtEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(app, "groundtruth.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var entries []gtEntry
	if err := dec.Decode(&entries); err != nil {
		t.Fatalf("%s/groundtruth.json: %v", app, err)
	}
	return entries
}

// yamlOperations reads "METHOD /path" pairs from an openapi.yaml written
// with two-space indented paths and four-space indented methods.
func yamlOperations(t *testing.T, file string) map[string]bool {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pathRE := regexp.MustCompile(`^  (/\S*):\s*$`)
	methodRE := regexp.MustCompile(`^    (get|put|post|delete|patch|head|options):\s*$`)
	ops := map[string]bool{}
	inPaths, current := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if len(line) > 0 && line[0] != ' ' && line[0] != '#' {
			inPaths = strings.HasPrefix(line, "paths:")
			continue
		}
		if !inPaths {
			continue
		}
		if m := pathRE.FindStringSubmatch(line); m != nil {
			current = m[1]
		} else if m := methodRE.FindStringSubmatch(line); m != nil && current != "" {
			ops[strings.ToUpper(m[1])+" "+current] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ops
}

// TestZooGroundTruthFiles checks every app's groundtruth.json against its
// source, without a running zoo: fields and families; each entry's lines
// hold its "# flaw: <id>" marker, and every marker has an entry; the
// operations of Flask apps are in their openapi.yaml (TestZooSpecs checks
// the FastAPI apps', which exist only at run time).
func TestZooGroundTruthFiles(t *testing.T) {
	apps := tbtest.ZooAppNames(t, tbtest.Root(t))
	if len(apps) < 10 {
		t.Errorf("the zoo has %d apps, want at least 10", len(apps))
	}
	for _, app := range apps {
		t.Run(app, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(app, "app.py"))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(src), "\n"), "\n")
			if len(lines) > 300 {
				t.Errorf("app.py has %d lines, the zoo's apps stay under 300", len(lines))
			}
			markers := map[string]bool{}
			for _, m := range flawMarker.FindAllStringSubmatch(string(src), -1) {
				markers[m[1]] = true
			}
			var ops map[string]bool
			if _, err := os.Stat(filepath.Join(app, "openapi.yaml")); err == nil {
				ops = yamlOperations(t, filepath.Join(app, "openapi.yaml"))
			}
			entries := loadEntries(t, app)
			if len(entries) == 0 {
				t.Fatal("no entries")
			}
			ids := map[string]bool{}
			for _, e := range entries {
				if e.ID == "" || ids[e.ID] {
					t.Errorf("missing or duplicate id %q", e.ID)
				}
				ids[e.ID] = true
				if !families[e.Family] {
					t.Errorf("%s: family %q is not in the vocabulary", e.ID, e.Family)
				}
				if e.Mode != "safe" && e.Mode != "active" {
					t.Errorf("%s: mode %q is not safe or active", e.ID, e.Mode)
				}
				if e.Runtime == nil {
					t.Errorf("%s: runtime missing", e.ID)
				}
				if e.Needs != "" && (e.Needs != tbtest.NeedsSource || e.Code == nil) {
					t.Errorf("%s: needs %q: the only need is %q, for a flaw whose code is given", e.ID, e.Needs, tbtest.NeedsSource)
				}
				switch {
				case e.Path == "*" || e.Method == "*":
					if e.Path != "*" || e.Method != "*" {
						t.Errorf("%s: app-wide entries need method and path *, got %s %s", e.ID, e.Method, e.Path)
					}
				case ops != nil && !ops[e.Method+" "+e.Path]:
					t.Errorf("%s: %s %s is not in openapi.yaml", e.ID, e.Method, e.Path)
				}
				if e.Code == nil {
					continue
				}
				if e.Code.File != "testbed/zoo/"+app+"/app.py" || len(e.Code.Lines) != 2 {
					t.Errorf("%s: code must be {file: testbed/zoo/%s/app.py, lines: [first, last]}: %+v", e.ID, app, e.Code)
					continue
				}
				first, last := e.Code.Lines[0], e.Code.Lines[1]
				if first < 1 || first > last || last > len(lines) {
					t.Errorf("%s: lines %d-%d outside app.py (%d lines)", e.ID, first, last, len(lines))
					continue
				}
				if !strings.Contains(strings.Join(lines[first-1:last], "\n"), "# flaw: "+e.ID) {
					t.Errorf("%s: lines %d-%d of app.py do not hold its marker %q", e.ID, first, last, "# flaw: "+e.ID)
				}
			}
			var orphans []string
			for m := range markers {
				if !ids[m] {
					orphans = append(orphans, m)
				}
			}
			sort.Strings(orphans)
			if len(orphans) > 0 {
				t.Errorf("flaw markers in app.py without a ground-truth entry: %v", orphans)
			}
		})
	}
}

// TestZooSpecs checks, on the running zoo, that both variants of an app
// publish the same operations and that every ground-truth operation is one
// of them: FastAPI's /openapi.json, or a Flask app's openapi.yaml against
// the routes it answers.
func TestZooSpecs(t *testing.T) {
	z := tbtest.RequireZoo(t)
	z.Lock(t) // another package may restart the apps (testbed/reset zoo) meanwhile
	for _, a := range z.Apps {
		t.Run(a.Name, func(t *testing.T) {
			var ops map[string]bool
			if strings.HasPrefix(a.Spec(a.Vuln), "http") {
				ops = servedOperations(t, a.Spec(a.Vuln))
				secure := servedOperations(t, a.Spec(a.Secure))
				for op := range ops {
					if !secure[op] {
						t.Errorf("the secure variant's spec lacks %s", op)
					}
				}
				if len(secure) != len(ops) {
					t.Errorf("the variants publish %d and %d operations", len(ops), len(secure))
				}
			} else {
				ops = yamlOperations(t, a.Spec(a.Vuln))
			}
			for _, e := range loadEntries(t, a.Name) {
				if e.Path != "*" && !ops[e.Method+" "+e.Path] {
					t.Errorf("%s: %s %s is not in the spec", e.ID, e.Method, e.Path)
				}
			}
			// Every documented operation is routed on both variants: its answer is never the
			// framework's 404 for an unknown path or 405 for an unknown method.
			for op := range ops {
				method, path, _ := strings.Cut(op, " ")
				path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "1")
				for _, base := range []string{a.Vuln, a.Secure} {
					v := variant{app: a.Name, base: base}
					r := v.anonymous().do(t, method, path, nil)
					if r.status == 405 || (r.status == 404 && !strings.Contains(strings.ToLower(r.text()), "no ")) {
						t.Errorf("%s %s on %s: %s", method, path, base, r)
					}
				}
			}
		})
	}
}

func servedOperations(t *testing.T, url string) map[string]bool {
	t.Helper()
	r := variant{base: ""}.anonymous().get(t, url)
	expectStatus(t, r, 200)
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &spec); err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for path, item := range spec.Paths {
		for m := range item {
			if m != "parameters" {
				ops[strings.ToUpper(m)+" "+path] = true
			}
		}
	}
	return ops
}
