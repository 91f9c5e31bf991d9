package mcp

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
)

// TestStdioScanOfTheTestbed is an MCP client talking to the built binary
// over stdio, as an assistant does: it lists the tools and runs a safe scan
// of the vulnerable twin, which must prove at least one of the flaws the
// ground truth says a safe scan finds.
func TestStdioScanOfTheTestbed(t *testing.T) {
	tb := tbtest.Require(t)
	bin := buildRampart(t, tb.Root)
	tb.Lock(t)

	var stderr lockedBuffer
	cmd := exec.Command(bin, "mcp", "--timeout", "5m")
	cmd.Stderr = &stderr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "stdio-test", Version: "v0"}, nil).
		Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect: %v (stderr: %s)", err, stderr.String())
	}
	defer cs.Close()

	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	if want := []string{"checks", "code", "explain", "report", "scan"}; !slices.Equal(names, want) {
		t.Fatalf("tools %v, want %v", names, want)
	}

	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "scan", Arguments: map[string]any{
		"target": tb.Vuln,
		"identities": []string{
			"alice:user=Authorization: Bearer " + tb.AliceToken,
			"bob:user=Authorization: Bearer " + tb.BobToken,
			"carol:admin=Authorization: Bearer " + tb.Carol,
		},
	}})
	if err != nil {
		t.Fatalf("scan: %v (stderr: %s)", err, stderr.String())
	}
	if res.IsError {
		t.Fatalf("scan failed: %v (stderr: %s)", res.Content, stderr.String())
	}
	sum := structured[Summary](t, res)
	if sum.Mode != "safe" || sum.Incomplete {
		t.Fatalf("mode %q, incomplete %v: want a complete safe scan", sum.Mode, sum.Incomplete)
	}
	var want, proved []string
	for _, e := range tb.GroundTruth(t) {
		if !e.Runtime || e.Mode != "safe" || e.NeedsSource() {
			continue
		}
		want = append(want, e.ID)
		for _, f := range sum.Findings {
			if e.Matches(rampart.Finding{Family: rampart.Family(f.Family), Location: rampart.Location{Method: f.Method, Path: f.Path}}) {
				proved = append(proved, e.ID)
				break
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("the ground truth has no safe-mode runtime entry")
	}
	if len(proved) == 0 {
		t.Fatalf("none of the %d safe-mode ground-truth flaws (%v) among the %d findings", len(want), want, len(sum.Findings))
	}
	t.Logf("safe scan over MCP: %d findings, grade %s; proved %d of %d safe-mode ground-truth flaws: %v",
		len(sum.Findings), sum.Grade, len(proved), len(want), proved)
}

// buildRampart builds the rampart command into a temporary directory.
func buildRampart(t *testing.T, root string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build rampart with: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "rampart")
	build := exec.Command(goBin, "build", "-o", bin, "./cmd/rampart")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer is the server's stderr, written by the command's copier
// while the test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
