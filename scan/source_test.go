package scan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/codescan"
)

func TestCorrelate(t *testing.T) {
	rt := func(check string, fam rampart.Family, method, path string) rampart.Finding {
		return rampart.Finding{Check: check, Family: fam, Confidence: rampart.Firm, Location: rampart.Location{Method: method, Path: path}}
	}
	src := func(check string, fam rampart.Family, method, path string, line int) rampart.Finding {
		return rampart.Finding{Check: check, Family: fam, Confidence: rampart.Tentative, Location: rampart.Location{Method: method, Path: path, File: "app.py", Line: line}}
	}
	runtime := []rampart.Finding{
		rt("AUTHZ-001", rampart.FamilyBOLA, "GET", "/notes/{note_id}"),
		rt("DEBUG-001", rampart.FamilyDebugExposure, "GET", "/console"),
		rt("CORS-001", rampart.FamilyCORS, "GET", "*"),
		rt("LEAK-001", rampart.FamilyErrorLeak, "GET", "/search"),
		rt("FP-001", rampart.FamilyFingerprint, "", "*"),
	}
	source := []rampart.Finding{
		src("PY-BOLA-001", rampart.FamilyBOLA, "GET", "/notes/{id}", 40),      // same route, other param name
		src("PY-BOLA-001", rampart.FamilyBOLA, "PUT", "/notes/{id}", 50),      // another route: stays code-only
		src("PY-DEBUG-001", rampart.FamilyDebugExposure, "", "", 900),         // app-wide cause
		src("PY-SQLI-001", rampart.FamilySQLi, "GET", "/search", 60),          // other family: stays
		src("PY-CORS-001", rampart.FamilyCORS, "", "", 20),                    // app-wide
		src("PY-BOLA-002", rampart.FamilyBOLA, "GET", "/notes/{note_id}", 41), // same family and route: folded in
	}
	out := correlate(runtime, source)
	byKey := map[string]rampart.Finding{}
	for _, f := range out {
		byKey[f.Check+" "+f.Location.Method+" "+f.Location.Path] = f
	}
	for _, tt := range []struct {
		key, origin string
		line        int
		conf        rampart.Confidence
	}{
		{"AUTHZ-001 GET /notes/{note_id}", "runtime+code", 40, rampart.Confirmed},
		{"DEBUG-001 GET /console", "runtime+code", 900, rampart.Confirmed},
		{"CORS-001 GET *", "runtime+code", 20, rampart.Confirmed},
		{"LEAK-001 GET /search", "runtime", 0, rampart.Firm},
		{"FP-001  *", "runtime", 0, rampart.Firm},
		{"PY-BOLA-001 PUT /notes/{id}", "code", 50, rampart.Tentative},
		{"PY-SQLI-001 GET /search", "code", 60, rampart.Tentative},
	} {
		f, ok := byKey[tt.key]
		if !ok {
			t.Errorf("%s missing from %v", tt.key, keys(byKey))
			continue
		}
		if f.Origin != tt.origin || f.Location.Line != tt.line || f.Confidence != tt.conf {
			t.Errorf("%s: origin %q line %d confidence %s, want %q %d %s", tt.key, f.Origin, f.Location.Line, f.Confidence, tt.origin, tt.line, tt.conf)
		}
	}
	if len(out) != 7 {
		t.Errorf("%d findings, want 7 (the second source finding on the correlated route is folded in): %v", len(out), keys(byKey))
	}
}

func keys(m map[string]rampart.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCompleteSurface(t *testing.T) {
	spec := []*rampart.Operation{{Method: "GET", Path: "/notes/{note_id}"}, {Method: "GET", Path: "/notes"}}
	code := routeOps([]codescan.Route{
		{Method: "GET", Path: "/notes/{id}", Params: []codescan.RouteParam{{Name: "id", Type: "integer"}}},
		{Method: "DELETE", Path: "/notes/{id}", Auth: "login", Params: []codescan.RouteParam{{Name: "id", Type: "integer"}}},
		{Method: "GET", Path: "/internal/flush", Auth: "none"},
		{Method: "HEAD", Path: "/notes"},
	})
	ops, added := completeSurface(spec, code)
	if added != 2 || len(ops) != 4 {
		t.Fatalf("added %d, ops %d", added, len(ops))
	}
	for _, op := range ops {
		if op.Method == "DELETE" && (!op.Secured() || op.Params[0].Schema.Type != "integer" || op.Source != "code") {
			t.Errorf("DELETE from code: %+v", op)
		}
		if op.Path == "/internal/flush" && op.Security != nil {
			t.Errorf("a route without auth decorators is not declared public: %+v", op.Security)
		}
	}
}

// TestSourceStaysInDir: --source follows the same rules as `rampart code`:
// a symbolic link out of the directory is not followed.
func TestSourceStaysInDir(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	app := "from flask import Flask\napp = Flask(__name__)\n@app.get('/in')\ndef v():\n    return ''\n"
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	other := "from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'dev'\n@app.get('/out')\ndef w():\n    return ''\n"
	if err := os.WriteFile(filepath.Join(outside, "other.py"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "vendor")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Symlink("/", filepath.Join(dir, "root")); err != nil {
		t.Fatal(err)
	}
	res, err := analyzeSource(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Routes) != 1 || res.Routes[0].Path != "/in" || len(res.Findings) != 0 {
		t.Errorf("routes %+v, findings %d: the links out of the directory were followed", res.Routes, len(res.Findings))
	}
}

// A scan with --source says in its report what the source analysis
// skipped, as `rampart code` does.
func TestSourceSkipsAreInTheScanReport(t *testing.T) {
	dir := t.TempDir()
	app := "from flask import Flask\napp = Flask(__name__)\n@app.get('/in')\ndef v():\n    return ''\n"
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(dir, "root")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	_, srv, _ := startFake(t, false)
	rep, err := Run(context.Background(), Options{Target: srv.URL, Source: dir, Mode: rampart.Safe, Checks: []string{"FP-001"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range rep.Notes {
		if strings.HasPrefix(n, "--source: skipped "+filepath.Join(dir, "root")+": symbolic link to a path outside") {
			return
		}
	}
	t.Errorf("no note says the link out of --source was skipped: %q", rep.Notes)
}
