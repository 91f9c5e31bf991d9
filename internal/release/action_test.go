package release

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// actionFile is the composite action at the repository's root, as much of it
// as the tests read.
type actionFile struct {
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

func loadAction(t *testing.T) (actionFile, string) {
	t.Helper()
	var a actionFile
	raw := readYAML(t, "action.yml", &a)
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using is %q, want composite", a.Runs.Using)
	}
	return a, string(raw)
}

// step returns the action's step with that name.
func (a actionFile) step(t *testing.T, name string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("action.yml has no step named %q", name)
	return actionStep{}
}

var inputRef = regexp.MustCompile(`\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}`)

// TestActionInputs: every ${{ inputs.X }} the action uses is declared, every
// declared input is used, and each says what it is for.
func TestActionInputs(t *testing.T) {
	a, raw := loadAction(t)
	used := map[string]bool{}
	for _, m := range inputRef.FindAllStringSubmatch(raw, -1) {
		used[m[1]] = true
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("action.yml uses ${{ inputs.%s }}, which it does not declare", m[1])
		}
	}
	for name, in := range a.Inputs {
		if !used[name] {
			t.Errorf("action.yml declares input %q and never uses it", name)
		}
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %q has no description", name)
		}
		if !in.Required && in.Default == nil {
			t.Errorf("optional input %q has no default", name)
		}
	}
	for _, want := range []string{"target", "spec", "identities", "mode", "fail-on", "version"} {
		if _, ok := a.Inputs[want]; !ok {
			t.Errorf("action.yml lacks the input %q", want)
		}
	}
}

// TestActionScriptsTakeInputsThroughEnv: an expression pasted into a run:
// script is expanded before bash reads it, so a target URL or an identity
// holding a quote would run as shell. Inputs must arrive as environment
// variables.
func TestActionScriptsTakeInputsThroughEnv(t *testing.T) {
	a, _ := loadAction(t)
	for _, s := range a.Runs.Steps {
		if s.Run != "" && strings.Contains(s.Run, "${{") {
			t.Errorf("step %q pastes an expression into its script: pass it through env", s.Name)
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %q has no shell: composite run steps need one", s.Name)
		}
	}
}

// TestActionFlagsExist: each flag the action passes to rampart is one that
// `rampart scan --help` or `rampart code --help` lists, so a renamed flag
// breaks this test rather than every user's workflow.
func TestActionFlagsExist(t *testing.T) {
	a, _ := loadAction(t)
	script := a.step(t, "Run Rampart").Run
	flags := map[string]map[string]bool{"scan": subcommandFlags(t, "scan"), "code": subcommandFlags(t, "code")}
	branches, common := caseBranches(t, script)
	for sub, body := range branches {
		if flags[sub] == nil {
			t.Errorf("the action runs 'rampart %s', which is not a command this test knows", sub)
			continue
		}
		if !strings.Contains(body, "args=("+sub+" ") {
			t.Errorf("branch %s) does not start the arguments with the command %s", sub, sub)
		}
		for _, f := range argFlags(body) {
			if !flags[sub][f] {
				t.Errorf("the action passes %s to 'rampart %s', which has no such flag", f, sub)
			}
		}
	}
	for _, f := range argFlags(common) {
		for sub := range branches {
			if flags[sub] != nil && !flags[sub][f] {
				t.Errorf("the action passes %s to every command, and 'rampart %s' has no such flag", f, sub)
			}
		}
	}
	if len(branches) != 2 {
		t.Errorf("the action's script has branches %v, want scan and code", slices.Sorted(maps.Keys(branches)))
	}
}

// caseBranches splits the run script's `case "$RAMPART_COMMAND"` into the
// body of each command's branch and what follows esac (common to all).
func caseBranches(t *testing.T, script string) (map[string]string, string) {
	t.Helper()
	start := strings.Index(script, `case "$RAMPART_COMMAND" in`)
	if start < 0 {
		t.Fatal(`the run script has no case "$RAMPART_COMMAND" in … esac`)
	}
	end := strings.Index(script[start:], "\nesac")
	if end < 0 {
		t.Fatal(`the run script has no case "$RAMPART_COMMAND" in … esac`)
	}
	branches := map[string]string{}
	re := regexp.MustCompile(`(?s)\n\s*([a-z]+)\)\n(.*?);;`)
	for _, m := range re.FindAllStringSubmatch(script[start:start+end], -1) {
		branches[m[1]] = m[2]
	}
	return branches, script[start+end:]
}

// argFlags lists the flags in the script's args=(…) and args+=(…) arrays.
func argFlags(script string) []string {
	var flags []string
	for _, m := range regexp.MustCompile(`(?s)args\+?=\((.*?)\)`).FindAllStringSubmatch(script, -1) {
		for _, tok := range strings.Fields(m[1]) {
			if regexp.MustCompile(`^--?[a-zA-Z][a-zA-Z0-9-]*$`).MatchString(tok) {
				flags = append(flags, tok)
			}
		}
	}
	return flags
}

// TestActionRuns runs the action's own scripts as the runner would (after
// actions/setup-go): the install step builds the action's source with the
// ref as version, then the run step scans a loopback API as two identities
// and reads a Flask app, and writes the reports and outputs the workflow
// example relies on.
func TestActionRuns(t *testing.T) {
	a, _ := loadAction(t)
	root := repoRoot(t)
	if a.Runs.Steps[0].Uses == "" || !strings.HasPrefix(a.Runs.Steps[0].Uses, "actions/setup-go@") {
		t.Errorf("the action's first step is %q, want actions/setup-go: the install step needs Go", a.Runs.Steps[0].Uses)
	}

	// Install: the action's source, i.e. this working tree.
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	githubPath := filepath.Join(work, "github_path")
	install := runBash(t, a.step(t, "Install Rampart").Run, work,
		"RAMPART_VERSION=", "RAMPART_ACTION_REF=v9.9.9-actiontest",
		"GITHUB_ACTION_PATH="+root, "GITHUB_PATH="+githubPath,
		"GOPATH="+filepath.Join(work, "gopath"), "GOMODCACHE="+strings.TrimSpace(string(modcache)))
	if install.code != 0 {
		t.Fatalf("install step exited %d\n%s", install.code, install.output)
	}
	data, err := os.ReadFile(githubPath)
	if err != nil {
		t.Fatalf("the install step added nothing to GITHUB_PATH: %v", err)
	}
	binDir := strings.TrimSpace(string(data))
	version, err := exec.Command(filepath.Join(binDir, "rampart"), "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("installed rampart --version: %v\n%s", err, version)
	}
	if !strings.Contains(string(version), "v9.9.9-actiontest") {
		t.Errorf("installed rampart --version printed %q, want the action's ref v9.9.9-actiontest", version)
	}
	path := "PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH")
	run := a.step(t, "Run Rampart")
	if run.ID != "run" {
		t.Errorf("the run step's id is %q; the outputs read steps.run", run.ID)
	}

	t.Run("scan", func(t *testing.T) {
		api, seen := identityAPI(t)
		dir := t.TempDir()
		res := runBash(t, run.Run, dir, actionEnv(dir, path,
			"RAMPART_COMMAND=scan", "RAMPART_TARGET="+api.URL, "RAMPART_SPEC="+api.URL+"/openapi.json",
			// Lines as a workflow's YAML block gives them, with a blank one
			// and a Windows line end.
			"RAMPART_IDENTITIES=alice:user=Authorization: Bearer alice-token\r\n\ncarol:admin=Authorization: Bearer carol-token\n")...)
		outs := checkReports(t, dir, res)
		var report struct {
			Target     string   `json:"target"`
			Mode       string   `json:"mode"`
			Identities []string `json:"identities"`
		}
		readJSON(t, outs["json"], &report)
		named := func(name string) bool {
			return slices.ContainsFunc(report.Identities, func(id string) bool { return strings.HasPrefix(id, name+" ") })
		}
		if report.Mode != "safe" || !named("alice") || !named("carol") {
			t.Errorf("report: mode %q identities %v, want safe with alice and carol", report.Mode, report.Identities)
		}
		for _, tok := range []string{"alice-token", "carol-token"} {
			if !seen(tok) {
				t.Errorf("the API never saw the token %s: the identity did not reach rampart", tok)
			}
		}
	})

	codeCases := []struct {
		name, fixture, failOn string
		wantCode              int
	}{
		{"findings fail the gate", "flaskapp", "high", 1},
		{"empty fail-on is rampart's high", "flaskapp", "", 1},
		{"fail-on critical still fails on the SQL injection", "flaskapp", "critical", 1},
		{"fail-on none never fails", "flaskapp", "none", 0},
		{"clean source passes", "clean", "high", 0},
	}
	for _, tc := range codeCases {
		t.Run("code/"+tc.name, func(t *testing.T) {
			dir := copyDir(t, filepath.Join("testdata", tc.fixture))
			res := runBash(t, run.Run, dir, actionEnv(dir, path,
				"RAMPART_COMMAND=code", "RAMPART_PATH=.", "RAMPART_FAIL_ON="+tc.failOn)...)
			if res.code != tc.wantCode {
				t.Errorf("exit %d, want %d\n%s", res.code, tc.wantCode, res.output)
			}
			outs := checkReports(t, dir, res)
			var report struct {
				Findings []struct {
					Check string `json:"check"`
				} `json:"findings"`
			}
			readJSON(t, outs["json"], &report)
			if tc.fixture == "flaskapp" && !slices.ContainsFunc(report.Findings, func(f struct {
				Check string `json:"check"`
			}) bool {
				return f.Check == "PY-SQLI-001"
			}) {
				t.Errorf("the JSON report lacks PY-SQLI-001: %+v", report.Findings)
			}
		})
	}

	refusals := []struct {
		name string
		env  []string
	}{
		{"scan without a target", []string{"RAMPART_COMMAND=scan", "RAMPART_TARGET="}},
		{"unknown command", []string{"RAMPART_COMMAND=fuzz"}},
		{"output-dir with a comma", []string{"RAMPART_COMMAND=code", "RAMPART_OUTPUT_DIR=a,b"}},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			res := runBash(t, run.Run, dir, actionEnv(dir, path, tc.env...)...)
			if res.code != 2 || !strings.Contains(res.output, "::error title=Rampart::") {
				t.Errorf("exit %d, want 2 with a workflow error annotation\n%s", res.code, res.output)
			}
		})
	}
}

// actionEnv is the environment the runner gives the run step: every input
// at its default unless overridden, and the files GitHub reads back.
func actionEnv(dir, path string, overrides ...string) []string {
	env := []string{
		path,
		"RAMPART_COMMAND=scan", "RAMPART_TARGET=", "RAMPART_SPEC=", "RAMPART_IDENTITIES=",
		"RAMPART_MODE=", "RAMPART_PATH=.", "RAMPART_FAIL_ON=", "RAMPART_CONFIG=",
		"RAMPART_OUTPUT_DIR=rampart-report",
		"GITHUB_OUTPUT=" + filepath.Join(dir, "github_output"),
		"GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "step_summary.md"),
	}
	return append(env, overrides...)
}

// checkReports checks the run step's outputs name the reports it wrote: a
// SARIF 2.1.0 log, a JSON report and the Markdown that also went into the
// job summary.
func checkReports(t *testing.T, dir string, res scriptResult) map[string]string {
	t.Helper()
	outs := readOutputs(t, filepath.Join(dir, "github_output"))
	if outs["exit-code"] != strconv.Itoa(res.code) {
		t.Errorf("output exit-code=%q, the step exited %d\n%s", outs["exit-code"], res.code, res.output)
	}
	for _, k := range []string{"sarif", "markdown", "json"} {
		if outs[k] == "" {
			t.Fatalf("no output %q\n%s", k, res.output)
		}
		outs[k] = filepath.Join(dir, outs[k])
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []any  `json:"runs"`
	}
	readJSON(t, outs["sarif"], &sarif)
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
		t.Errorf("SARIF version %q with %d runs, want 2.1.0 with 1", sarif.Version, len(sarif.Runs))
	}
	md, err := os.ReadFile(outs["markdown"])
	if err != nil || len(md) == 0 {
		t.Fatalf("Markdown report: %v (%d bytes)", err, len(md))
	}
	summary, _ := os.ReadFile(filepath.Join(dir, "step_summary.md"))
	if string(summary) != string(md) {
		t.Errorf("the job summary is not the Markdown report (%d bytes, report %d)", len(summary), len(md))
	}
	return outs
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
}

// identityAPI is a loopback API with one operation that needs a bearer
// token; seen reports whether a token was ever presented.
func identityAPI(t *testing.T) (*httptest.Server, func(token string) bool) {
	t.Helper()
	var mu sync.Mutex
	tokens := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"openapi":"3.0.3","info":{"title":"items","version":"1"},
"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}},
"security":[{"bearer":[]}],
"paths":{"/items":{"get":{"responses":{"200":{"description":"items"},"401":{"description":"no token"}}}}}}`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/items" || r.Method != http.MethodGet {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"not found"}`))
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || (tok != "alice-token" && tok != "carol-token") {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"token required"}`))
			return
		}
		mu.Lock()
		tokens[tok] = true
		mu.Unlock()
		w.Write([]byte(`[{"id":1,"name":"pen"}]`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, func(token string) bool {
		mu.Lock()
		defer mu.Unlock()
		return tokens[token]
	}
}
