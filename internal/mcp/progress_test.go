package mcp

import (
	"context"
	"sync"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// A client that sends a progress token hears how far the scan is.
func TestScanReportsProgress(t *testing.T) {
	api := fakeAPI(t)
	var mu sync.Mutex
	var got []*sdk.ProgressNotificationParams
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "v0"}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, req.Params)
		},
	})
	ctx := context.Background()
	ct, st := sdk.NewInMemoryTransports()
	ss, err := newTestServer(t, Config{}).build().Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cs.Close(); ss.Wait() }()
	params := &sdk.CallToolParams{Name: "scan", Arguments: map[string]any{"target": api.URL, "checks": []string{"headers"}}}
	params.SetProgressToken("scan-1")
	res, err := cs.CallTool(ctx, params)
	if err != nil || res.IsError {
		t.Fatalf("scan: %v %v", err, res)
	}
	// Notifications may trail the result: the last one, done == total, is
	// sent before the scan returns, but its delivery is asynchronous.
	cs.Close()
	ss.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no progress notification")
	}
	for _, p := range got {
		if p.ProgressToken != "scan-1" || p.Total <= 0 || p.Progress > p.Total {
			t.Errorf("notification %+v", p)
		}
	}
}

// Whatever the target string, an active scan without an allow-list is let
// through only for a literal loopback host or localhost.
func FuzzCheckModeLoopbackOnly(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8000", "http://[::1]/", "http://localhost/", "http://example.com/",
		"http://127.0.0.1@evil.test/", "http://evil.test#@127.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://0x7f.1/", "http://2130706433/"} {
		f.Add(s)
	}
	s, err := newServer(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, target string) {
		if s.checkMode(target, 2) != nil {
			return
		}
		u, err := parseTargetHost(target)
		if err != nil || !isLoopback(u) {
			t.Fatalf("active allowed on %q (host %q, %v)", target, u, err)
		}
	})
}
