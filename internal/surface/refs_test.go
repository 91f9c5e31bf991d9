package surface

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/inputfile"
)

// refDoc is a spec whose one response schema is ref.
func refDoc(ref string) string {
	return `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "` + ref + `"}
`
}

const errorSchema = "components: {schemas: {Error: {type: object, properties: {code: {type: integer}}}}}\n"

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// withTimeout fails the test instead of hanging it when fn does not return.
func withTimeout(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still running after %v", d)
	}
}

func TestLocalRefsStayInTheSpecFolder(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "api")
	write(t, filepath.Join(dir, "schemas", "common.yaml"), errorSchema)
	write(t, filepath.Join(root, "outside.yaml"), errorSchema)
	if err := os.Symlink(filepath.Join(root, "outside.yaml"), filepath.Join(dir, "out-link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "schemas", "common.yaml"), filepath.Join(dir, "in-link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(root, filepath.Join(dir, "up")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	const ptr = "#/components/schemas/Error"
	tests := []struct {
		name    string
		ref     string
		outside bool   // Source.RefsOutside
		want    string // "" when the ref must load
		is      error
		strict  bool // only Source.Strict refuses it; otherwise it is a warning
	}{
		{name: "subfolder", ref: "schemas/common.yaml" + ptr},
		{name: "link inside to inside", ref: "in-link.yaml" + ptr},
		{name: "dot-dot out", ref: "../outside.yaml" + ptr, want: "is outside the spec's folder", is: ErrRefOutside},
		{name: "absolute path out", ref: filepath.Join(root, "outside.yaml") + ptr, want: "is outside the spec's folder", is: ErrRefOutside},
		{name: "link inside to outside", ref: "out-link.yaml" + ptr, want: "leads to " + filepath.Join(root, "outside.yaml"), is: ErrRefOutside},
		{name: "linked folder to outside", ref: "up/outside.yaml" + ptr, want: "outside the spec's folder", is: ErrRefOutside},
		{name: "outside, allowed", ref: "../outside.yaml" + ptr, outside: true},
		{name: "link to outside, allowed", ref: "out-link.yaml" + ptr, outside: true},
		{name: "a FIFO", ref: "fifo.yaml" + ptr, want: "not a regular file", is: inputfile.ErrNotRegular},
		{name: "a FIFO, outside allowed", ref: "fifo.yaml" + ptr, outside: true, want: "not a regular file", is: inputfile.ErrNotRegular},
		{name: "a folder", ref: "schemas" + ptr, want: "not a regular file", is: inputfile.ErrNotRegular},
		{name: "missing", ref: "nowhere.yaml" + ptr, want: "no such file", is: os.ErrNotExist, strict: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := filepath.Join(dir, "spec.yaml")
			write(t, spec, refDoc(tt.ref))
			var s *Surface
			var err error
			withTimeout(t, 5*time.Second, func() {
				s, err = Load(context.Background(), Source{Path: spec, RefsOutside: tt.outside, Strict: tt.strict})
			})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if sc := mustOp(t, s, "GET", "/a").Responses[0].Schema; sc == nil || sc.Properties["code"] == nil {
					t.Errorf("ref not resolved: %+v", sc)
				}
				return
			}
			if tt.strict {
				s, lerr := Load(context.Background(), Source{Path: spec, RefsOutside: tt.outside})
				if lerr != nil || len(s.Warnings) != 1 || s.Warnings[0].Line != 11 || !strings.Contains(s.Warnings[0].Problem, tt.want) {
					t.Errorf("without Strict, want one warning at line 11 saying %q; got %v, %v", tt.want, s, lerr)
				}
			}
			var se *SpecError
			if !errors.As(err, &se) || se.Line != 11 || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.is) {
				t.Errorf("got %v\nwant a located error (line 11) saying %q, wrapping %v", err, tt.want, tt.is)
			}
		})
	}
}

// The folder is the one of the path given, so a spec reached through a
// link to another folder resolves its refs where the link is, like the
// operating system does.
func TestRootSpecFolderIsWhereItIsNamed(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "real", "spec.yaml"), refDoc("common.yaml#/components/schemas/Error"))
	write(t, filepath.Join(root, "real", "common.yaml"), errorSchema)
	write(t, filepath.Join(root, "named", "common.yaml"), errorSchema)
	if err := os.Symlink(filepath.Join(root, "real", "spec.yaml"), filepath.Join(root, "named", "spec.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), Source{Path: filepath.Join(root, "named", "spec.yaml")}); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRootFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "spec.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	withTimeout(t, 5*time.Second, func() { _, err = Load(context.Background(), Source{Path: fifo}) })
	if !errors.Is(err, inputfile.ErrNotRegular) {
		t.Errorf("got %v, want a not-a-regular-file error", err)
	}
}

// stuck is a Fetch that ignores its context, like a library read that
// cannot be interrupted; it returns once release is closed.
func stuck(t *testing.T) func(context.Context, string) ([]byte, error) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return func(context.Context, string) ([]byte, error) {
		<-release
		return nil, errors.New("released")
	}
}

func TestLoadReturnsOnCancelEvenWhenStuck(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan time.Time, 1)
	time.AfterFunc(100*time.Millisecond, func() {
		cancelled <- time.Now()
		cancel()
	})
	var err error
	withTimeout(t, 5*time.Second, func() {
		_, err = Load(ctx, Source{URL: "http://127.0.0.1:1/openapi.yaml", Data: []byte(refDoc("common.yaml#/x")), Fetch: stuck(t)})
	})
	took := time.Since(<-cancelled)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the context's error", err)
	}
	t.Logf("returned %v after the cancel", took)
	// Prompt, not instant: two busy CI cores under the race detector.
	if took >= 3*time.Second {
		t.Errorf("returned %v after the cancel, want under 3s", took)
	}
}

func TestLoadTimeout(t *testing.T) {
	var err error
	withTimeout(t, 5*time.Second, func() {
		_, err = Load(context.Background(), Source{URL: "http://127.0.0.1:1/openapi.yaml", Data: []byte(refDoc("common.yaml#/x")), Fetch: stuck(t), Timeout: 200 * time.Millisecond})
	})
	var se *SpecError
	if !errors.As(err, &se) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "took longer than 200ms") {
		t.Errorf("got %v, want a SpecError saying the limit", err)
	}
}
