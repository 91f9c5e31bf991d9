package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/tbtest"
	"github.com/rampart-sec/rampart/scan"
)

// covered returns the families that have at least one runtime check
// runnable in this mode: ground truth of other families is not yet ours to
// find, and becomes so as soon as a check for it is registered.
func covered(mode rampart.Mode) map[rampart.Family]bool {
	m := map[rampart.Family]bool{}
	for _, c := range checks.All() {
		if c.Mode <= mode {
			m[c.Family] = true
		}
	}
	return m
}

func scanTwin(t *testing.T, tb *tbtest.Testbed, url string, mode rampart.Mode) *rampart.Report {
	t.Helper()
	rep, err := scan.Run(context.Background(), scan.Options{
		Target:     url,
		Spec:       tb.Root + "/testbed/openapi.yaml",
		Identities: tb.Identities(),
		Mode:       mode,
		Version:    "e2e",
	})
	if err != nil {
		t.Fatalf("scan %s: %v", url, err)
	}
	for _, e := range rep.Errors {
		t.Logf("check error: %s %s: %s", e.Check, e.Operation, e.Error)
	}
	checkCoverage(t, fmt.Sprintf("%s scan of %s", mode, url), rep)
	return rep
}

func summary(rep *rampart.Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "\n  %s %s %s %s %s", f.Severity, f.Confidence, f.Check, f.Family, f.Location)
	}
	return b.String()
}

func checkGroundTruth(t *testing.T, tb *tbtest.Testbed, mode rampart.Mode) {
	tb.Lock(t)
	tb.Reset(t)
	vuln := scanTwin(t, tb, tb.Vuln, mode)
	checkFixes(t, vuln)
	fams := covered(mode)
	want := 0
	for _, e := range tb.GroundTruth(t) {
		m, err := rampart.ParseMode(e.Mode)
		if err != nil {
			t.Fatalf("ground truth %s: %v", e.ID, err)
		}
		if !e.Runtime || m > mode || !fams[e.Family] {
			continue
		}
		want++
		found := false
		for _, f := range vuln.Findings {
			if e.Matches(f) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s scan missed ground truth %s (%s %s %s)", mode, e.ID, e.Family, e.Method, e.Path)
		}
	}
	t.Logf("%s scan of the vulnerable twin: %d ground-truth entries in scope, %d findings, %d requests, %dms:%s",
		mode, want, len(vuln.Findings), vuln.Stats.Requests, vuln.DurationMS, summary(vuln))
	if t.Failed() {
		t.Logf("findings:%s", summary(vuln))
	}

	secure := scanTwin(t, tb, tb.Secure, mode)
	for _, f := range secure.Findings {
		if f.Severity >= rampart.Medium {
			t.Errorf("secure twin: %s %s %s at %s: %s", f.Severity, f.Check, f.Family, f.Location, f.Message)
		}
	}
	if vuln.Stats.Refused != 0 || secure.Stats.Refused != 0 {
		t.Errorf("the engine refused %d/%d requests: a check asked for something out of scope or mode", vuln.Stats.Refused, secure.Stats.Refused)
	}
}

func TestSafeScanMatchesGroundTruth(t *testing.T) {
	checkGroundTruth(t, tbtest.Require(t), rampart.Safe)
}

func TestActiveScanMatchesGroundTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("active scans of both twins take a while")
	}
	tb := tbtest.Require(t)
	checkGroundTruth(t, tb, rampart.Active)
	tb.Reset(t) // leave seed data for whoever scans next
}
