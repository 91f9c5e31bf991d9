package baseline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/inputfile"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// sample mirrors the findings of report/internal/sample (which packages
// outside report/ cannot import): same IDs, checks and locations, in the
// same order.
var sample = struct {
	Report func() *rampart.Report
	Empty  func() *rampart.Report
}{
	Report: func() *rampart.Report {
		f := func(id, check string, loc rampart.Location) rampart.Finding {
			return rampart.Finding{ID: id, Check: check, Family: rampart.FamilyHeaders, Title: check, Location: loc}
		}
		r := &rampart.Report{SchemaVersion: rampart.SchemaVersion, Mode: rampart.Safe, Target: "http://127.0.0.1:5000"}
		r.Findings = []rampart.Finding{
			f("F-0003", "SQLI-001", rampart.Location{Method: "GET", Path: "/search", URL: "http://127.0.0.1:5000/search?q=%27", Param: "q"}),
			f("F-0001", "AUTHZ-001", rampart.Location{Method: "GET", Path: "/notes/{note_id}", URL: "http://127.0.0.1:5000/notes/7", File: "app.py", Line: 42}),
			f("F-0002", "DEBUG-001", rampart.Location{Method: "GET", Path: "/console", URL: "http://127.0.0.1:5000/console"}),
			f("F-0004", "MASS-001", rampart.Location{Method: "PATCH", Path: "/users/{user_id}", Param: "role"}),
			f("F-0005", "TXN-101", rampart.Location{File: "app.py", Line: 133, Column: 5}),
			f("F-0006", "HDR-001", rampart.Location{Method: "GET", Path: "/", URL: "http://127.0.0.1:5000/"}),
			f("F-0007", "CORS-001", rampart.Location{Method: "GET", Path: "/notes", URL: "http://127.0.0.1:5000/notes"}),
			f("F-0008", "FP-001", rampart.Location{Method: "GET", Path: "/", URL: "http://127.0.0.1:5000/"}),
		}
		return r
	},
	Empty: func() *rampart.Report {
		return &rampart.Report{SchemaVersion: rampart.SchemaVersion, Mode: rampart.Safe, Findings: []rampart.Finding{}}
	},
}

func ids(r *rampart.Report) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.ID)
	}
	return strings.Join(s, ",")
}

func only(r *rampart.Report, keep ...string) *rampart.Report {
	out := *r
	out.Findings = nil
	for _, f := range r.Findings {
		for _, k := range keep {
			if f.ID == k {
				out.Findings = append(out.Findings, f)
			}
		}
	}
	return &out
}

func TestApply(t *testing.T) {
	all := "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0007,F-0008"
	tests := []struct {
		name       string
		base       *rampart.Report
		want       string
		suppressed int
	}{
		{"nil baseline", nil, all, 0},
		{"empty baseline", sample.Empty(), all, 0},
		{"same report", sample.Report(), "", 8},
		{"some known", only(sample.Report(), "F-0001", "F-0006"), "F-0003,F-0002,F-0004,F-0005,F-0007,F-0008", 2},
		{"ids compared case-insensitively", func() *rampart.Report {
			b := only(sample.Report(), "F-0002")
			b.Findings[0].ID = "f-0002"
			return b
		}(), "F-0003,F-0001,F-0004,F-0005,F-0006,F-0007,F-0008", 1},
		{"fixed findings in the baseline change nothing", func() *rampart.Report {
			b := sample.Empty()
			b.Findings = []rampart.Finding{{ID: "gone"}}
			return b
		}(), all, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sample.Report()
			if n := Apply(r, tt.base); n != tt.suppressed {
				t.Errorf("suppressed %d, want %d", n, tt.suppressed)
			}
			if got := ids(r); got != tt.want {
				t.Errorf("kept %s, want %s", got, tt.want)
			}
		})
	}
}

// Reports without IDs (older or hand-written) still match by fingerprint.
func TestApplyWithoutIDs(t *testing.T) {
	r, base := sample.Report(), sample.Report()
	for i := range r.Findings {
		r.Findings[i].ID = ""
	}
	for i := range base.Findings {
		base.Findings[i].ID = ""
	}
	base.Findings = base.Findings[:3]
	if n := Apply(r, base); n != 3 || len(r.Findings) != 5 {
		t.Errorf("suppressed %d, kept %d; want 3 and 5", n, len(r.Findings))
	}
}

func TestReadBaseline(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "base.json")
	fh, err := os.Create(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := jsonreport.Write(fh, sample.Report()); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("<html>"), 0o644)
	if b, err := Read(context.Background(), good); err != nil || len(b.Findings) != 8 {
		t.Errorf("Read: %v, %v", b, err)
	}
	for _, p := range []string{bad, filepath.Join(dir, "missing.json")} {
		if _, err := Read(context.Background(), p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Read(%s) error %v", p, err)
		}
	}
}

// A baseline that is a FIFO, a device, a directory or larger than a report
// may be is refused at once, without quoting it.
func TestReadBaselineMustBeABoundedRegularFile(t *testing.T) {
	const planted = "planted-baseline-content"
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, []byte(`{"schemaVersion": "`+planted+`"`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, inputfile.MaxReport+1); err != nil { // sparse
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       error
	}{
		{"fifo", fifo, inputfile.ErrNotRegular},
		{"device", "/dev/zero", inputfile.ErrNotRegular},
		{"directory", dir, inputfile.ErrNotRegular},
		{"over the cap", huge, inputfile.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := Read(context.Background(), tc.path); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.path) {
					t.Errorf("err = %v, want %v naming the file", err, tc.want)
				}
				if err != nil && strings.Contains(err.Error(), planted) {
					t.Errorf("error quotes the file: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("reading the baseline hangs")
			}
		})
	}
}

var now = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

func TestApplyIgnores(t *testing.T) {
	tests := []struct {
		name       string
		ignores    []Ignore
		kept       string
		suppressed int
		unused     []int // indexes into ignores
		expired    []int
	}{
		{
			name:       "by id",
			ignores:    []Ignore{{ID: "F-0006", Reason: "headers are set by the CDN"}},
			kept:       "F-0003,F-0001,F-0002,F-0004,F-0005,F-0007,F-0008",
			suppressed: 1,
		},
		{
			name:       "by check",
			ignores:    []Ignore{{Check: "fp-001", Reason: "informational"}},
			kept:       "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0007",
			suppressed: 1,
		},
		{
			name:       "check glob",
			ignores:    []Ignore{{Check: "?????-00[1-3]", Reason: "triaged"}},
			kept:       "F-0003,F-0004,F-0005,F-0006,F-0007,F-0008",
			suppressed: 2,
		},
		{
			name:       "check and path template",
			ignores:    []Ignore{{Check: "AUTHZ-001", Path: "/notes/{note_id}", Reason: "notes are public by design"}},
			kept:       "F-0003,F-0002,F-0004,F-0005,F-0006,F-0007,F-0008",
			suppressed: 1,
		},
		{
			name:       "path glob on the path template",
			ignores:    []Ignore{{Check: "CORS-001", Path: "/not*", Reason: "r"}},
			kept:       "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0008",
			suppressed: 1,
		},
		{
			name:    "path glob stays within a segment",
			ignores: []Ignore{{Check: "AUTHZ-001", Path: "/notes*", Reason: "r"}},
			kept:    "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0007,F-0008",
			unused:  []int{0},
		},
		{
			name:       "double star crosses segments",
			ignores:    []Ignore{{Check: "AUTHZ-001", Path: "/notes/**", Reason: "r"}},
			kept:       "F-0003,F-0002,F-0004,F-0005,F-0006,F-0007,F-0008",
			suppressed: 1,
		},
		{
			name:       "path matches the source file",
			ignores:    []Ignore{{Check: "TXN-101", Path: "app.py", Reason: "single writer"}},
			kept:       "F-0003,F-0001,F-0002,F-0004,F-0006,F-0007,F-0008",
			suppressed: 1,
		},
		{
			name:    "path that matches nothing",
			ignores: []Ignore{{Check: "TXN-101", Path: "other.py", Reason: "r"}},
			kept:    "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0007,F-0008",
			unused:  []int{0},
		},
		{
			name:    "id and check must both match",
			ignores: []Ignore{{ID: "F-0006", Check: "CORS-001", Reason: "r"}},
			kept:    "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0007,F-0008",
			unused:  []int{0},
		},
		{
			name: "expired ignore suppresses nothing",
			ignores: []Ignore{
				{ID: "F-0006", Reason: "until the CDN migration", Expires: "2025-03-13"},
				{ID: "F-0007", Reason: "r", Expires: "2025-03-14"}, // last day: still in force
			},
			kept:       "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0008",
			suppressed: 1,
			expired:    []int{0},
		},
		{
			name:    "expired and unused are told apart",
			ignores: []Ignore{{ID: "nope", Reason: "r"}, {ID: "gone", Reason: "r", Expires: "2024-01-01"}},
			kept:    "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0007,F-0008",
			unused:  []int{0},
			expired: []int{1},
		},
		{
			name:       "overlapping entries are both used",
			ignores:    []Ignore{{Check: "HDR-001", Reason: "a"}, {ID: "F-0006", Reason: "b"}},
			kept:       "F-0003,F-0001,F-0002,F-0004,F-0005,F-0007,F-0008",
			suppressed: 1,
		},
		{
			name:    "empty list",
			ignores: nil,
			kept:    "F-0003,F-0001,F-0002,F-0004,F-0005,F-0006,F-0007,F-0008",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sample.Report()
			res, err := ApplyIgnores(r, tt.ignores, now)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(r); got != tt.kept {
				t.Errorf("kept %s, want %s", got, tt.kept)
			}
			if res.Suppressed != tt.suppressed {
				t.Errorf("suppressed %d, want %d", res.Suppressed, tt.suppressed)
			}
			pick := func(idx []int) []Ignore {
				var out []Ignore
				for _, i := range idx {
					out = append(out, tt.ignores[i])
				}
				return out
			}
			if !reflect.DeepEqual(res.Unused, pick(tt.unused)) {
				t.Errorf("unused %v, want %v", res.Unused, pick(tt.unused))
			}
			if !reflect.DeepEqual(res.Expired, pick(tt.expired)) {
				t.Errorf("expired %v, want %v", res.Expired, pick(tt.expired))
			}
		})
	}
}

func TestApplyIgnoresRejectsInvalid(t *testing.T) {
	tests := []struct {
		ig   Ignore
		want string
	}{
		{Ignore{ID: "F-0001"}, "needs a reason"},
		{Ignore{ID: "F-0001", Reason: "   "}, "needs a reason"},
		{Ignore{Reason: "why"}, "needs an id or a check"},
		{Ignore{Path: "/x", Reason: "why"}, "needs an id or a check"},
		{Ignore{ID: "F-0001", Reason: "r", Expires: "next week"}, "expires"},
		{Ignore{ID: "F-0001", Reason: "r", Expires: "2025-02-30"}, "expires"},
		{Ignore{Check: "HDR-[", Reason: "r"}, "check"},
		{Ignore{Check: "HDR-001", Path: "/a[", Reason: "r"}, "path"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			r := sample.Report()
			ignores := []Ignore{{ID: "F-0001", Reason: "valid"}, tt.ig}
			_, err := ApplyIgnores(r, ignores, now)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "ignore[1]: ") {
				t.Errorf("error %v, want ignore[1]: ...%s", err, tt.want)
			}
			if len(r.Findings) != 8 {
				t.Errorf("an invalid list changed the report")
			}
		})
	}
}

func TestExpired(t *testing.T) {
	for _, tt := range []struct {
		expires string
		at      time.Time
		want    bool
	}{
		{"", now, false},
		{"2025-03-14", time.Date(2025, 3, 14, 23, 59, 59, 0, time.UTC), false},
		{"2025-03-14", time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC), true},
		// Judged in UTC whatever the caller's zone.
		{"2025-03-14", time.Date(2025, 3, 15, 0, 30, 0, 0, time.FixedZone("CET", 3600)), false},
		{"2025-03-14", time.Date(2025, 3, 14, 20, 0, 0, 0, time.FixedZone("PST", -8*3600)), true},
	} {
		if got := (Ignore{Expires: tt.expires}).Expired(tt.at); got != tt.want {
			t.Errorf("Expires %q at %v: %v, want %v", tt.expires, tt.at, got, tt.want)
		}
	}
}

// The config file is YAML: an unquoted date must still reach Expires as
// the date the user wrote.
func TestIgnoreFromYAML(t *testing.T) {
	var cfg struct {
		Ignore []Ignore `yaml:"ignore"`
	}
	src := `
ignore:
  - id: 3f1c9a0b7d2e4c51
    reason: accepted risk, ticket SEC-12
    expires: 2025-06-30
  - check: HDR-*
    path: /internal/**
    reason: internal only
`
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	want := []Ignore{
		{ID: "3f1c9a0b7d2e4c51", Reason: "accepted risk, ticket SEC-12", Expires: "2025-06-30"},
		{Check: "HDR-*", Path: "/internal/**", Reason: "internal only"},
	}
	if !reflect.DeepEqual(cfg.Ignore, want) {
		t.Errorf("got %+v, want %+v", cfg.Ignore, want)
	}
	for _, ig := range cfg.Ignore {
		if err := ig.Validate(); err != nil {
			t.Errorf("%v: %v", ig, err)
		}
	}
}

func TestIgnoreString(t *testing.T) {
	ig := Ignore{Check: "HDR-001", Path: "/health", Expires: "2025-06-30", Reason: "r"}
	if got := ig.String(); got != "HDR-001 at /health (expires 2025-06-30)" {
		t.Errorf("String() = %q", got)
	}
	if got := (Ignore{ID: "abc", Reason: "r"}).String(); got != "id abc" {
		t.Errorf("String() = %q", got)
	}
}

func TestGlob(t *testing.T) {
	for _, tt := range []struct {
		glob, s string
		want    bool
	}{
		{"/notes/{note_id}", "/notes/{note_id}", true},
		{"/notes/*", "/notes/{note_id}", true},
		{"/notes/*", "/notes/{note_id}/share", false},
		{"/notes/**", "/notes/{note_id}/share", true},
		{"/admin/**/reset", "/admin/reset", true},
		{"/admin/**/reset", "/admin/users/1/reset", true},
		{"tests/*.py", "tests/test_app.py", true},
		{"tests/*.py", "app/tests/test_app.py", false},
		{"**/tests/*.py", "app/tests/test_app.py", true},
		{"/v?/x", "/v1/x", true},
		{"/v[!2]/x", "/v1/x", true},
		{"/v[!2]/x", "/v2/x", false},
		{"a.b", "axb", false},
	} {
		re, err := globRegexp(tt.glob, true)
		if err != nil {
			t.Fatalf("%s: %v", tt.glob, err)
		}
		if got := re.MatchString(tt.s); got != tt.want {
			t.Errorf("glob %q on %q: %v, want %v", tt.glob, tt.s, got, tt.want)
		}
	}
}
