package release

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// installVersion is the version the test publishes to its own proxy: a
// prerelease no real tag will ever have.
const installVersion = "v0.0.1-installtest"

// TestGoInstall runs `go install github.com/rampart-sec/rampart/cmd/rampart@V`
// as a new user would, with an empty module cache and GOPATH, against a
// file-system proxy that serves the working tree as version V and falls back
// to the real Go module proxy for every dependency (whose checksums the
// checksum database still verifies). The installed binary must report V.
func TestGoInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads every dependency into an empty module cache and builds Rampart with cgo")
	}
	root := repoRoot(t)
	proxy := writeFileProxy(t, stageTree(t, root, publishableFiles(t, root)), installVersion)

	home := t.TempDir()
	gobin := filepath.Join(home, "bin")
	env := cleanGoEnv(os.Environ())
	env = append(env,
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",https://proxy.golang.org",
		"GOMODCACHE="+filepath.Join(home, "modcache"),
		"GOPATH="+filepath.Join(home, "gopath"),
		"GOBIN="+gobin,
		// Rampart is not in the checksum database until it is published;
		// every other module is still checked against it.
		"GONOSUMDB="+modulePath,
		// The module cache is read-only by default; t.TempDir must be able
		// to remove it.
		"GOFLAGS=-modcacherw",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"CGO_ENABLED=1",
	)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, "go", "install", modulePath+"/cmd/rampart@"+installVersion)
	install.Dir = home // outside any module, as a user's shell would be
	install.Env = env
	start := time.Now()
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	t.Logf("go install from an empty module cache took %s", time.Since(start).Round(time.Second))

	out, err := exec.CommandContext(ctx, filepath.Join(gobin, "rampart"), "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("rampart --version: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), installVersion) {
		t.Errorf("rampart --version printed %q, want the installed version %s", strings.TrimSpace(string(out)), installVersion)
	}
}

// cleanGoEnv drops the go command's variables from the caller's environment,
// so that a developer's own GOFLAGS, GOPROXY or GOPRIVATE cannot change what
// the test sees; the test sets the ones it needs.
func cleanGoEnv(environ []string) []string {
	var env []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOSUMDB", "GOINSECURE",
			"GOFLAGS", "GOMODCACHE", "GOPATH", "GOBIN", "GOWORK", "GOTOOLCHAIN", "CGO_ENABLED":
			continue
		}
		env = append(env, kv)
	}
	return env
}
