package release

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// No Docker engine runs where the tests run, so the Dockerfile is checked
// without one: its stages, and its build command run on this machine.

type instruction struct {
	cmd, args string
}

type stage struct {
	image, name string
	body        []instruction
}

// parseDockerfile reads instructions, joining continuation lines and
// dropping comments; enough of the format for the checks below.
func parseDockerfile(t *testing.T) []stage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages []stage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			s := stage{image: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			stages = append(stages, s)
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("Dockerfile: %s before the first FROM", in.cmd)
			}
			return
		}
		stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
	}
	for _, raw := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		flush()
	}
	flush()
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stage(s), want a build stage and a runtime stage", len(stages))
	}
	return stages
}

func (s stage) all(cmd string) []string {
	var args []string
	for _, in := range s.body {
		if in.cmd == cmd {
			args = append(args, in.args)
		}
	}
	return args
}

// TestDockerfileStages: pinned bases, a builder with cgo, and a runtime
// stage that runs rampart as a user other than root.
func TestDockerfileStages(t *testing.T) {
	stages := parseDockerfile(t)
	for _, s := range stages {
		ref := s.image
		if strings.Contains(ref, "@sha256:") {
			continue
		}
		_, tag, ok := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
		if !ok || tag == "" || tag == "latest" || strings.Contains(tag, "$") {
			t.Errorf("base image %q is not pinned to a version", ref)
		}
	}
	build, final := stages[0], stages[len(stages)-1]
	if !strings.HasPrefix(build.image, "golang:1.26") {
		t.Errorf("build stage FROM %s, want golang:1.26-… (the Go of go.mod, with gcc)", build.image)
	}
	if !slicesContainsSub(build.all("ENV"), "CGO_ENABLED=1") {
		t.Error("build stage does not set CGO_ENABLED=1: tree-sitter needs cgo")
	}
	users := final.all("USER")
	if len(users) == 0 {
		t.Fatal("runtime stage has no USER: it would run as root")
	}
	user, _, _ := strings.Cut(users[len(users)-1], ":")
	if user == "root" || user == "0" {
		t.Errorf("runtime stage runs as %q", users[len(users)-1])
	}
	ep := final.all("ENTRYPOINT")
	var entry []string
	if len(ep) != 1 || json.Unmarshal([]byte(ep[0]), &entry) != nil || len(entry) != 1 || entry[0] != "rampart" {
		t.Errorf("ENTRYPOINT %s, want the exec form [\"rampart\"]", strings.Join(ep, "; "))
	}
	if !slicesContainsSub(final.all("RUN"), "ca-certificates") {
		t.Error("runtime stage installs no ca-certificates: HTTPS targets would fail")
	}
	for _, in := range final.body {
		if regexp.MustCompile(`(?i)(password|secret|token|api_?key)\s*=`).MatchString(in.args) && (in.cmd == "ENV" || in.cmd == "ARG") {
			t.Errorf("runtime stage bakes a secret into the image: %s %s", in.cmd, in.args)
		}
	}
}

// TestDockerfileBuildCommand runs the build stage's `go build` here, with
// its output moved to a temporary directory: the binary it makes must run
// and report the VERSION build argument, and the runtime stage must copy the
// path it writes.
func TestDockerfileBuildCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("links Rampart with the Dockerfile's flags")
	}
	stages := parseDockerfile(t)
	build, final := stages[0], stages[len(stages)-1]
	var goBuild string
	for _, run := range build.all("RUN") {
		if i := strings.Index(run, "go build "); i >= 0 {
			goBuild = run[i:]
		}
	}
	if goBuild == "" {
		t.Fatal("the build stage runs no go build")
	}
	m := regexp.MustCompile(`-o (\S+)`).FindStringSubmatch(goBuild)
	if m == nil {
		t.Fatalf("go build has no -o: %s", goBuild)
	}
	out := m[1]
	if !slicesContainsSub(final.all("COPY"), "--from="+build.name+" "+out+" ") {
		t.Errorf("the runtime stage does not copy %s from stage %s: %q", out, build.name, final.all("COPY"))
	}
	bin := filepath.Join(t.TempDir(), "rampart")
	script := strings.Replace(goBuild, "-o "+out, "-o "+bin, 1)
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "VERSION=v7.7.7-dockertest", "CGO_ENABLED=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, b)
	}
	v, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(v), "v7.7.7-dockertest") {
		t.Errorf("the Dockerfile's build prints --version %q (%v), want the VERSION build argument", v, err)
	}
}

// TestDockerignore keeps the build context free of history, build output
// and the testbed's state, and keeps what the build copies.
func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines[l] = true
		}
	}
	for _, want := range []string{".git", "bin", "**/.state"} {
		if !lines[want] {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
	for _, needed := range []string{"go.mod", "go.sum", "cmd", "*.go", "**/*.go", "internal"} {
		if lines[needed] {
			t.Errorf(".dockerignore excludes %s, which the build needs", needed)
		}
	}
}
