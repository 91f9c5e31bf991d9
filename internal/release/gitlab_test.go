package release

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// gitlabJob is one job of docs/ci/gitlab-ci.yml, as much as the tests read.
type gitlabJob struct {
	Extends      any      `yaml:"extends"`
	Image        string   `yaml:"image"`
	BeforeScript []string `yaml:"before_script"`
	Script       []string `yaml:"script"`
	Artifacts    struct {
		Paths   []string          `yaml:"paths"`
		Reports map[string]string `yaml:"reports"`
	} `yaml:"artifacts"`
}

func loadGitLab(t *testing.T) map[string]gitlabJob {
	t.Helper()
	var doc map[string]yaml.Node
	readYAML(t, "docs/ci/gitlab-ci.yml", &doc)
	jobs := map[string]gitlabJob{}
	for _, name := range []string{".rampart", "rampart-code", "rampart-scan"} {
		node, ok := doc[name]
		if !ok {
			t.Fatalf("docs/ci/gitlab-ci.yml has no job %q", name)
		}
		var j gitlabJob
		if err := node.Decode(&j); err != nil {
			t.Fatalf("docs/ci/gitlab-ci.yml job %s: %v", name, err)
		}
		jobs[name] = j
	}
	return jobs
}

// TestGitLabTemplateShape: both jobs install Rampart with go install in an
// image that has gcc for cgo, and publish the reports GitLab reads.
func TestGitLabTemplateShape(t *testing.T) {
	jobs := loadGitLab(t)
	base := jobs[".rampart"]
	if !strings.HasPrefix(base.Image, "golang:1.26") {
		t.Errorf(".rampart image %q: want golang:1.26-…, which has gcc for cgo", base.Image)
	}
	if !slicesContainsSub(base.BeforeScript, "go install \"github.com/rampart-sec/rampart/cmd/rampart@") {
		t.Errorf(".rampart before_script does not go install cmd/rampart: %q", base.BeforeScript)
	}
	for _, name := range []string{"rampart-code", "rampart-scan"} {
		j := jobs[name]
		if j.Extends != ".rampart" {
			t.Errorf("%s extends %v, want .rampart", name, j.Extends)
		}
		if j.Artifacts.Reports["junit"] != "rampart.junit.xml" {
			t.Errorf("%s publishes no JUnit report rampart.junit.xml: %v", name, j.Artifacts.Reports)
		}
	}
	if jobs["rampart-code"].Artifacts.Reports["sast"] != "gl-sast-report.json" {
		t.Errorf("rampart-code publishes no SAST report: %v", jobs["rampart-code"].Artifacts.Reports)
	}
}

// gitlabReport is the part of GitLab's SAST report format (schema 15.x)
// that GitLab requires.
type gitlabReport struct {
	Version string `json:"version"`
	Scan    struct {
		Type      string `json:"type"`
		Status    string `json:"status"`
		StartTime string `json:"start_time"`
		EndTime   string `json:"end_time"`
		Analyzer  struct {
			ID, Name, Version string
			Vendor            struct{ Name string }
		} `json:"analyzer"`
		Scanner struct {
			ID, Name, Version string
			Vendor            struct{ Name string }
		} `json:"scanner"`
	} `json:"scan"`
	Vulnerabilities []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Severity    string `json:"severity"`
		Location    struct {
			File      string `json:"file"`
			StartLine int    `json:"start_line"`
		} `json:"location"`
		Identifiers []struct {
			Type, Name, Value string
		} `json:"identifiers"`
	} `json:"vulnerabilities"`
}

// TestGitLabCodeJob runs the rampart-code job's script on a Flask app with
// two findings and on a clean one: the gate, and a SAST report carrying each
// finding with the fields GitLab requires.
func TestGitLabCodeJob(t *testing.T) {
	needJQ(t)
	script := strings.Join(loadGitLab(t)["rampart-code"].Script, "\n")
	for _, tc := range []struct {
		fixture  string
		wantCode int
		wantVuln map[string]string // check → GitLab severity
	}{
		{"flaskapp", 1, map[string]string{"PY-SQLI-001": "Critical", "PY-DEBUG-001": "High"}},
		{"clean", 0, map[string]string{}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := copyDir(t, filepath.Join("testdata", tc.fixture))
			res := runBash(t, "set -o pipefail\n"+script, dir, "RAMPART_SOURCE=.", "RAMPART_FAIL_ON=high")
			if res.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", res.code, tc.wantCode, res.output)
			}
			for _, f := range []string{"rampart.json", "rampart.sarif", "rampart.md", "rampart.junit.xml"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("the job wrote no %s: %v", f, err)
				}
			}
			var r gitlabReport
			readJSON(t, filepath.Join(dir, "gl-sast-report.json"), &r)
			stamp := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)
			if !regexp.MustCompile(`^15\.\d+\.\d+$`).MatchString(r.Version) || r.Scan.Type != "sast" || r.Scan.Status != "success" ||
				!stamp.MatchString(r.Scan.StartTime) || !stamp.MatchString(r.Scan.EndTime) ||
				r.Scan.Scanner.ID != "rampart" || r.Scan.Scanner.Vendor.Name == "" || r.Scan.Analyzer.ID != "rampart" || r.Scan.Scanner.Version == "" {
				t.Errorf("SAST report header is not what GitLab requires: %+v (version %q)", r.Scan, r.Version)
			}
			got := map[string]string{}
			for _, v := range r.Vulnerabilities {
				if v.ID == "" || v.Name == "" || v.Description == "" || v.Location.File != "app.py" || v.Location.StartLine < 1 || len(v.Identifiers) == 0 {
					t.Errorf("vulnerability lacks a required field: %+v", v)
					continue
				}
				got[v.Identifiers[0].Value] = v.Severity
			}
			if len(got) != len(tc.wantVuln) {
				t.Errorf("vulnerabilities %v, want %v", got, tc.wantVuln)
			}
			for check, sev := range tc.wantVuln {
				if got[check] != sev {
					t.Errorf("%s has severity %q, want %q", check, got[check], sev)
				}
			}
		})
	}
}

// TestGitLabScanJob runs the rampart-scan job's script against a loopback
// API with the two token variables set: both identities reach the API.
func TestGitLabScanJob(t *testing.T) {
	script := strings.Join(loadGitLab(t)["rampart-scan"].Script, "\n")
	api, seen := identityAPI(t)
	dir := t.TempDir()
	res := runBash(t, "set -o pipefail\n"+script, dir,
		"RAMPART_TARGET="+api.URL, "RAMPART_SPEC="+api.URL+"/openapi.json", "RAMPART_MODE=safe",
		"RAMPART_FAIL_ON=high", "RAMPART_USER_TOKEN=alice-token", "RAMPART_ADMIN_TOKEN=carol-token")
	if res.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", res.code, res.output)
	}
	for _, tok := range []string{"alice-token", "carol-token"} {
		if !seen(tok) {
			t.Errorf("the API never saw %s", tok)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "rampart.junit.xml")); err != nil {
		t.Errorf("no JUnit report: %v", err)
	}
}

// TestCIFilesUseRealFlags: the rampart command lines of the GitLab template
// use flags the commands have.
func TestCIFilesUseRealFlags(t *testing.T) {
	jobs := loadGitLab(t)
	flagRe := regexp.MustCompile(`(?:^|\s|\()(--?[a-zA-Z][a-zA-Z0-9-]*)\b`)
	for job, sub := range map[string]string{"rampart-code": "code", "rampart-scan": "scan"} {
		flags := subcommandFlags(t, sub)
		checked := 0
		for _, line := range jobs[job].Script {
			if !strings.Contains(line, "rampart ") && !strings.Contains(line, "args") {
				continue
			}
			for _, m := range flagRe.FindAllStringSubmatch(line, -1) {
				if m[1] == "-n" { // the shell's test, not a rampart flag
					continue
				}
				checked++
				if !flags[m[1]] {
					t.Errorf("GitLab job %s passes %s to 'rampart %s', which has no such flag", job, m[1], sub)
				}
			}
		}
		if checked == 0 {
			t.Errorf("found no rampart flag in GitLab job %s: the test no longer reads its script", job)
		}
	}
}
