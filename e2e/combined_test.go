package e2e

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
	"github.com/rampart-sec/rampart/scan"
)

// TestCombinedScanCorrelates runs the black-box scan with the vulnerable
// twin's source: every ground-truth entry that is both provable over HTTP
// and visible in code must come out as one finding with the request and
// the source line (within the entry's line range).
func TestCombinedScanCorrelates(t *testing.T) {
	if testing.Short() {
		t.Skip("an active scan")
	}
	tb := tbtest.Require(t)
	tb.Lock(t)
	tb.Reset(t)
	defer tb.Reset(t)
	rep, err := scan.Run(context.Background(), scan.Options{
		Target:     tb.Vuln,
		Spec:       filepath.Join(tb.Root, "testbed", "openapi.yaml"),
		Source:     filepath.Join(tb.Root, "testbed", "vulnerable"),
		Identities: tb.Identities(),
		Mode:       rampart.Active,
		Version:    "e2e",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, e := range tb.GroundTruth(t) {
		if !e.Runtime || e.Code == nil {
			continue
		}
		want++
		lo, hi := e.Code.Lines[0], e.Code.Lines[1]
		ok := false
		for _, f := range rep.Findings {
			if !e.Matches(f) || f.Origin != "runtime+code" || f.Curl == "" && len(f.Evidence) == 0 {
				continue
			}
			lines := []rampart.Location{f.Location}
			for _, r := range f.Related {
				lines = append(lines, r.Location)
			}
			for _, l := range lines {
				if filepath.Base(l.File) == filepath.Base(e.Code.File) && l.Line >= lo && l.Line <= hi {
					ok = true
				}
			}
		}
		if !ok {
			t.Errorf("%s (%s %s %s, lines %d-%d): no correlated finding with a request and a source line in range", e.ID, e.Family, e.Method, e.Path, lo, hi)
		}
	}
	t.Logf("%d ground-truth entries with runtime and code; %d findings, %d requests", want, len(rep.Findings), rep.Stats.Requests)
	if t.Failed() {
		t.Logf("findings:%s", summary(rep))
	}
}
