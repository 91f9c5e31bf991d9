package cli

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
	"github.com/rampart-sec/rampart/internal/mcp"
)

func TestMCPFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{
		{"mcp", "--allow-active", "https://staging.internal/"},
		{"mcp", "--allow-active", ""},
		{"mcp", "--timeout", "0s"},
		{"mcp", "extra"},
	} {
		code, _, stderr := run(t, nil, args...)
		if code != ExitUsage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%q: exit %d, stderr %q: want exit 2 and one line", args, code, stderr)
		}
	}
}

// The explain tool says what `rampart explain ID` says, for every check and
// rule (the MCP package keeps its own copy of the layout).
func TestMCPExplainIsRampartExplain(t *testing.T) {
	srv, err := mcp.New(mcp.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ct, st := sdk.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "v0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cs.Close(); ss.Wait() }()
	var ids []string
	for _, c := range checks.All() {
		ids = append(ids, c.ID)
	}
	for _, r := range codescan.Rules() {
		ids = append(ids, r.ID)
	}
	for _, id := range ids {
		code, want, _ := run(t, nil, "explain", id)
		if code != 0 {
			t.Fatalf("rampart explain %s: exit %d", id, code)
		}
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "explain", Arguments: map[string]any{"id": id}})
		if err != nil || res.IsError {
			t.Fatalf("explain tool %s: %v %v", id, err, res)
		}
		if got := res.Content[0].(*sdk.TextContent).Text; got != want {
			t.Errorf("explain %s: the tool says\n%s\nrampart explain says\n%s", id, got, want)
		}
	}
}
