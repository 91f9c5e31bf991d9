package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/surface"
	"github.com/rampart-sec/rampart/internal/tbtest"
)

// volatile are the parts of an answer that change by themselves between
// two reads (clocks, request ids), not because a scan changed anything.
var volatile = regexp.MustCompile(`"(created_at|updated_at|generated_at|expires_at|issued_at|now|time|timestamp|request_id)": ?"[^"]*"`)

// snapshot reads every GET operation of the testbed's spec as each
// identity and anonymous, with the spec's own values for parameters and
// the ids 1 to 3 for id parameters (never a value the API could not take:
// the snapshot must not break what it watches), and returns status and
// body by request.
func snapshot(t *testing.T, tb *tbtest.Testbed, target string) map[string]string {
	t.Helper()
	surf, err := surface.Load(context.Background(), surface.Source{Path: tb.Root + "/testbed/openapi.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(target)
	base = surf.BaseURL(base)
	who := map[string]string{"anonymous": "", "alice": tb.AliceToken, "bob": tb.BobToken, "carol": tb.Carol}
	client := &http.Client{Timeout: 10 * time.Second}
	out := map[string]string{}
	for _, op := range surf.Operations {
		if op.Method != http.MethodGet {
			continue
		}
		urls := []string{surface.URL(base, op, nil)}
		for _, id := range []string{"1", "2", "3"} {
			values := map[string]string{}
			for _, p := range op.Params {
				if p.In == "path" && (p.Name == "id" || strings.HasSuffix(p.Name, "_id")) {
					values[p.Name] = id
				}
			}
			if len(values) > 0 {
				urls = append(urls, surface.URL(base, op, values))
			}
		}
		for name, tok := range who {
			for _, u := range urls {
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				if tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s as %s: %v", u, name, err)
				}
				body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
				resp.Body.Close()
				out[name+" "+u] = fmt.Sprintf("%d %s", resp.StatusCode, volatile.ReplaceAll(body, []byte(`"$1":"…"`)))
			}
		}
	}
	return out
}

// TestSafeScanLeavesTheTwinAsItWas is the safe-mode promise: a safe scan of
// the vulnerable twin, whose report routes share one connection that a
// single failed statement breaks for good, leaves every route answering as
// it did before. Values meant to make the server fail are active mode's.
func TestSafeScanLeavesTheTwinAsItWas(t *testing.T) {
	tb := tbtest.Require(t)
	tb.Lock(t)
	tb.Reset(t)
	t.Cleanup(func() { tb.Reset(t) })
	before := snapshot(t, tb, tb.Vuln)
	rep := scanTwin(t, tb, tb.Vuln, rampart.Safe)
	after := snapshot(t, tb, tb.Vuln)
	changed := 0
	for k, b := range before {
		if a := after[k]; a != b {
			changed++
			if changed <= 10 {
				t.Errorf("after a safe scan, %s answers differently:\nbefore: %.300s\nafter:  %.300s", k, b, a)
			}
		}
	}
	if changed > 10 {
		t.Errorf("… and %d more", changed-10)
	}
	if len(before) < 20 {
		t.Fatalf("only %d reads compared: the snapshot does not cover the API", len(before))
	}
	t.Logf("%d reads compared before and after a safe scan (%d findings, %d requests)", len(before), len(rep.Findings), rep.Stats.Requests)
	if strings.Contains(fmt.Sprint(after), "current transaction is aborted") {
		t.Error("the twin answers 25P02 after a safe scan")
	}
}
