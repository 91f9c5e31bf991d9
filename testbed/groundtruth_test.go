package testbed_test

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
)

// gtEntry is one object of groundtruth.json: one flaw on one route of the vulnerable twin.
type gtEntry struct {
	ID      string  `json:"id"`
	Family  string  `json:"family"`
	Method  string  `json:"method"`
	Path    string  `json:"path"`
	Mode    string  `json:"mode"`
	Runtime *bool   `json:"runtime"`
	Code    *gtCode `json:"code"`
}

type gtCode struct {
	File  string `json:"file"`
	Lines []int  `json:"lines"`
}

// families is the vocabulary of docs/architecture.md.
var families = map[string]bool{
	"bola": true, "bfla": true, "missing-auth": true, "mass-assignment": true, "sqli": true,
	"sqli-identifier": true, "txn-boundary": true, "idempotency": true, "race": true,
	"debug-exposure": true, "error-leak": true, "session-secret": true, "session-exposure": true,
	"jwt": true, "cors": true, "headers": true, "rate-limit": true, "data-exposure": true,
	"inventory": true, "fingerprint": true,
}

// codeAnchors: text that must lie inside each entry's line range, so that an edit of
// vulnerable/app.py that moves a flaw makes this test fail instead of leaving stale lines.
var codeAnchors = map[string]string{
	"bola-account-read":             "def get_account",
	"bola-account-write":            "ON CONFLICT (id) DO UPDATE",
	"bola-note-read":                "def get_note",
	"bola-note-update":              "def update_note",
	"bola-note-delete":              "DELETE FROM notes WHERE id = %s",
	"bfla-admin-list-users":         "def admin_list_users",
	"bfla-admin-delete-user":        "def admin_delete_user",
	"missing-auth-accounts-export":  "def export_accounts",
	"sqli-search":                   `ILIKE '%" + q`,
	"sqli-login":                    "username = '{username}'",
	"sqli-api-token":                "username = '{username}'",
	"sqli-identifier-notes-sort":    "ORDER BY {column}",
	"sqli-identifier-reports-table": "FROM {table}",
	"idempotency-transfers":         "def create_transfer",
	"txn-boundary-transfers":        "db.commit()",
	"race-coupon-redeem":            "remaining = remaining - 1",
	"txn-boundary-reports-table":    "REPORTS_DB = psycopg2.connect",
	"txn-boundary-reports-summary":  "REPORTS_DB = psycopg2.connect",
	"mass-assignment-profile":       "sql.Identifier(field)",
	"debug-exposure":                "debug=True",
	"error-leak":                    "message=str(exc)",
	"session-secret":                `SECRET_KEY="dev"`,
	"session-exposure":              `session.setdefault("role"`,
	"session-exposure-login":        `session["role"]`,
	"jwt-weak-secret":               `JWT_SECRET = "secret"`,
	"jwt-alg-none":                  `"verify_signature": False`,
	"jwt-no-exp":                    "jwt.encode(claims",
	"cors":                          "Access-Control-Allow-Credentials",
	"rate-limit-login":              "def login",
	"rate-limit-api-token":          "def api_token",
	"data-exposure-user-profile":    "SELECT * FROM users",
}

func loadGroundTruth(t *testing.T) []gtEntry {
	t.Helper()
	b, err := os.ReadFile("groundtruth.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var entries []gtEntry
	if err := dec.Decode(&entries); err != nil {
		t.Fatalf("groundtruth.json: %v", err)
	}
	return entries
}

// specOperations reads "METHOD /path" pairs from openapi.yaml (two-space indented paths,
// four-space indented methods under the top-level paths key).
func specOperations(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("openapi.yaml")
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
			ops[current] = true
		} else if m := methodRE.FindStringSubmatch(line); m != nil && current != "" {
			ops[strings.ToUpper(m[1])+" "+current] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ops
}

// TestGroundTruthFile checks groundtruth.json itself; it needs no running testbed.
func TestGroundTruthFile(t *testing.T) {
	entries := loadGroundTruth(t)
	ops := specOperations(t)
	if len(ops) < 20 {
		t.Fatalf("only %d paths and operations read from openapi.yaml", len(ops))
	}
	files := map[string][]string{}
	ids := map[string]bool{}
	for _, e := range entries {
		if e.ID == "" || ids[e.ID] {
			t.Errorf("missing or duplicate id %q", e.ID)
		}
		ids[e.ID] = true
		if !families[e.Family] {
			t.Errorf("%s: family %q is not in the families of docs/architecture.md", e.ID, e.Family)
		}
		if e.Mode != "safe" && e.Mode != "active" {
			t.Errorf("%s: mode %q is not safe or active", e.ID, e.Mode)
		}
		if e.Runtime == nil {
			t.Errorf("%s: runtime missing", e.ID)
		}
		switch {
		case e.Path == "*" || e.Method == "*":
			if e.Path != "*" || e.Method != "*" {
				t.Errorf("%s: app-wide entries need method and path *, got %s %s", e.ID, e.Method, e.Path)
			}
		case !ops[e.Path]:
			t.Errorf("%s: path %s is not in openapi.yaml", e.ID, e.Path)
		case !ops[e.Method+" "+e.Path]:
			t.Errorf("%s: operation %s %s is not in openapi.yaml", e.ID, e.Method, e.Path)
		}
		if e.Code == nil {
			continue
		}
		if e.Code.File != "testbed/vulnerable/app.py" || len(e.Code.Lines) != 2 {
			t.Errorf("%s: code must be {file: testbed/vulnerable/app.py, lines: [first, last]}: %+v", e.ID, e.Code)
			continue
		}
		lines, ok := files[e.Code.File]
		if !ok {
			b, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(e.Code.File)))
			if err != nil {
				t.Errorf("%s: %v", e.ID, err)
				continue
			}
			lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			files[e.Code.File] = lines
		}
		first, last := e.Code.Lines[0], e.Code.Lines[1]
		if first < 1 || first > last || last > len(lines) {
			t.Errorf("%s: lines %d-%d outside %s (%d lines)", e.ID, first, last, e.Code.File, len(lines))
			continue
		}
		anchor, ok := codeAnchors[e.ID]
		if !ok {
			t.Errorf("%s: no code anchor in groundtruth_test.go", e.ID)
			continue
		}
		if !strings.Contains(strings.Join(lines[first-1:last], "\n"), anchor) {
			t.Errorf("%s: lines %d-%d of %s do not contain %q", e.ID, first, last, e.Code.File, anchor)
		}
	}
	var missing []string
	for id := range codeAnchors {
		if !ids[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("code anchors without a ground-truth entry: %v", missing)
	}
}

// TestSpecServed checks that both twins serve the same operations as openapi.yaml.
func TestSpecServed(t *testing.T) {
	tb := requireTestbed(t)
	want := specOperations(t)
	for _, w := range tb.twins() {
		r := w.get(t, "/openapi.json", "")
		expectStatus(t, r, 200)
		var spec struct {
			OpenAPI string                    `json:"openapi"`
			Paths   map[string]map[string]any `json:"paths"`
		}
		if err := json.Unmarshal(r.body, &spec); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		got := map[string]bool{}
		for path, item := range spec.Paths {
			got[path] = true
			for m := range item {
				if m != "parameters" {
					got[strings.ToUpper(m)+" "+path] = true
				}
			}
		}
		if spec.OpenAPI != "3.0.3" || len(got) != len(want) {
			t.Fatalf("%s serves openapi %q with %d paths and operations, want 3.0.3 with %d", w.name, spec.OpenAPI, len(got), len(want))
		}
		for k := range want {
			if !got[k] {
				t.Errorf("%s: /openapi.json lacks %s", w.name, k)
			}
		}
	}
}
