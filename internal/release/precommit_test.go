package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type preCommitHook struct {
	ID            string   `yaml:"id"`
	Name          string   `yaml:"name"`
	Entry         string   `yaml:"entry"`
	Args          []string `yaml:"args"`
	Language      string   `yaml:"language"`
	Types         []string `yaml:"types"`
	PassFilenames *bool    `yaml:"pass_filenames"`
}

func loadHook(t *testing.T) preCommitHook {
	t.Helper()
	var hooks []preCommitHook
	readYAML(t, ".pre-commit-hooks.yaml", &hooks)
	for _, h := range hooks {
		if h.ID == "rampart-code" {
			return h
		}
	}
	t.Fatal(".pre-commit-hooks.yaml has no hook rampart-code")
	return preCommitHook{}
}

// TestPreCommitHookShape: `rampart code` takes a directory, not the staged
// files, and pre-commit must be able to build it.
func TestPreCommitHookShape(t *testing.T) {
	h := loadHook(t)
	if h.Language != "golang" && h.Language != "system" {
		t.Errorf("language %q, want golang or system", h.Language)
	}
	if h.PassFilenames == nil || *h.PassFilenames {
		t.Error("pass_filenames must be false: rampart code reads one directory, staged file names would be taken as more arguments")
	}
	if !strings.HasPrefix(h.Entry, "rampart code") {
		t.Errorf("entry %q, want rampart code", h.Entry)
	}
	code := subcommandFlags(t, "code")
	for _, a := range append(strings.Fields(h.Entry)[2:], h.Args...) {
		if strings.HasPrefix(a, "-") && !code[a] {
			t.Errorf("the hook passes %s, which 'rampart code' does not have", a)
		}
	}
}

// TestPreCommitHookRuns runs the hook's command as pre-commit does, from the
// root of a repository: findings at or above high fail the commit.
func TestPreCommitHookRuns(t *testing.T) {
	h := loadHook(t)
	cmd := h.Entry + " " + shellQuote(h.Args)
	for _, tc := range []struct {
		fixture  string
		wantCode int
	}{{"flaskapp", 1}, {"clean", 0}} {
		t.Run(tc.fixture, func(t *testing.T) {
			res := runBash(t, cmd, copyDir(t, filepath.Join("testdata", tc.fixture)))
			if res.code != tc.wantCode {
				t.Errorf("%s: exit %d, want %d\n%s", cmd, res.code, tc.wantCode, res.output)
			}
		})
	}
}

// TestPreCommitGolangInstall does what pre-commit does for language golang:
// `go install ./...` in a checkout of the hook's repository with its own
// GOPATH; the entry's program must come out of it.
func TestPreCommitGolangInstall(t *testing.T) {
	h := loadHook(t)
	if h.Language != "golang" {
		t.Skip("the hook is not language golang")
	}
	if testing.Short() {
		t.Skip("builds every package of the module")
	}
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	gopath := t.TempDir()
	install := exec.Command("go", "install", "./...")
	install.Dir = repoRoot(t)
	install.Env = append(cleanGoEnv(os.Environ()), "GOPATH="+gopath, "GOMODCACHE="+strings.TrimSpace(string(modcache)), "CGO_ENABLED=1")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install ./...: %v\n%s", err, out)
	}
	prog := strings.Fields(h.Entry)[0]
	if out, err := exec.Command(filepath.Join(gopath, "bin", prog), "--version").CombinedOutput(); err != nil {
		t.Errorf("%s from go install ./...: %v\n%s", prog, err, out)
	}
}

func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
