package release

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// TestMain removes the binary the tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// rampartBin builds cmd/rampart once per test run (cgo, as users build it)
// and returns the directory holding the binary, ready to put on PATH.
func rampartBin(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "rampart-release-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "rampart"), "./cmd/rampart")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New("go build ./cmd/rampart: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// subcommandFlags returns the long and short flags `rampart SUB --help` lists.
func subcommandFlags(t *testing.T, sub string) map[string]bool {
	t.Helper()
	out, err := exec.Command(filepath.Join(rampartBin(t), "rampart"), sub, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("rampart %s --help: %v\n%s", sub, err, out)
	}
	flags := map[string]bool{}
	// Flag lines: "  -f, --format strings   …" or "      --mode string   …".
	re := regexp.MustCompile(`(?m)^\s+(?:(-[a-zA-Z]), )?(--[a-z][a-z0-9-]*)\b`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		if m[1] != "" {
			flags[m[1]] = true
		}
		flags[m[2]] = true
	}
	if !flags["--format"] || !flags["--fail-on"] {
		t.Fatalf("rampart %s --help lists no --format or --fail-on: the help format changed and this parser with it\n%s", sub, out)
	}
	return flags
}

// scriptResult is what a shell script run by runBash left behind.
type scriptResult struct {
	output string
	code   int
}

// runBash runs script with bash -e in dir, with the built rampart first on
// PATH and env added to the test's environment.
func runBash(t *testing.T, script, dir string, env ...string) scriptResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+rampartBin(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return scriptResult{out.String(), 0}
	case errors.As(err, &exit):
		return scriptResult{out.String(), exit.ExitCode()}
	default:
		t.Fatalf("bash: %v\n%s", err, out.String())
		return scriptResult{}
	}
}

// readYAML parses a file of the repository into v.
func readYAML(t *testing.T, rel string, v any) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s does not parse as YAML: %v", rel, err)
	}
	return data
}

// copyDir copies the regular files of a testdata directory into a new one,
// so a test can write reports beside them.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := copyFile(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	return to
}

// readOutputs parses a GITHUB_OUTPUT file of name=value lines.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the step wrote no outputs: %v", err)
	}
	outs := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			outs[k] = v
		}
	}
	return outs
}

// slicesContainsSub reports whether any of lines contains sub.
func slicesContainsSub(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// needJQ: the template turns the JSON report into GitLab's format with jq
// (installed by its before_script). scripts/test installs jq for CI.
func needJQ(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("jq"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("jq is missing (apt-get install jq): the GitLab template's conversion cannot be tested")
		}
		t.Skip("jq is missing (apt-get install jq)")
	}
}
