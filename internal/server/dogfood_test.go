package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/store"
	"github.com/rampart-sec/rampart/scan"
)

// TestDogfood scans the server's own REST API in active mode, from its
// own OpenAPI document, as a read key and as an admin key: nothing at
// medium or above. What it finds is fixed in the server, never here.
func TestDogfood(t *testing.T) {
	if testing.Short() {
		t.Skip("active scan skipped in -short mode")
	}
	f := newFixture(t, store.SQLite, Options{})
	ctx := context.Background()
	// History for the reads to find: the spec's example target, two scans.
	t0 := time.Now().Add(-48 * time.Hour).UTC()
	for i, score := range []int{40, 80} {
		if _, err := f.st.AddReport(ctx, "api.example.test", sampleReport(t0.Add(time.Duration(i)*time.Hour), score, "C",
			sampleFinding("BOLA-001", "/notes/{id}", rampart.High, `<script>alert(1)</script>`))); err != nil {
			t.Fatal(err)
		}
	}
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(spec, OpenAPI, 0o644); err != nil {
		t.Fatal(err)
	}
	id := func(name, role, key string) rampart.Identity {
		return rampart.Identity{Name: name, Role: role, Headers: http.Header{"Authorization": {"Bearer " + key}}}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	rep, err := scan.Run(ctx, scan.Options{
		Target:     f.srv.URL,
		Spec:       spec,
		Mode:       rampart.Active,
		Identities: []rampart.Identity{id("viewer", "user", f.read), id("root", "admin", f.admin)},
		Version:    "dogfood",
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	for _, e := range rep.Errors {
		t.Logf("check error: %s %s: %s", e.Check, e.Operation, e.Error)
	}
	var b strings.Builder
	for _, fd := range rep.Findings {
		fmt.Fprintf(&b, "\n  %s %s %s %s: %s", fd.Severity, fd.Confidence, fd.Check, fd.Location, fd.Title)
	}
	t.Logf("grade %s (%d), %d operations, %d requests, coverage %v; findings:%s", rep.Grade, rep.Score, rep.Operations,
		rep.Stats.Requests, coveragePercent(rep), b.String())
	if rep.Coverage != nil {
		for _, r := range rep.Coverage.Reasons {
			t.Logf("not tested: %d cells, %s: %s", r.Cells, r.Reason, strings.Join(r.Examples, "; "))
		}
	}
	if bad := rep.AtOrAbove(rampart.Medium, rampart.Tentative); len(bad) > 0 {
		t.Errorf("%d findings at medium or above in the server's own API", len(bad))
	}
	if rep.Operations < 10 || rep.Stats.Requests < 100 {
		t.Errorf("the scan hardly ran: %d operations, %d requests", rep.Operations, rep.Stats.Requests)
	}
	// The keys the scan used still work: it did not lock itself out.
	if resp, _ := f.do(t, "GET", "/api/v1/keys", f.admin, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("admin key after the scan: %d", resp.StatusCode)
	}
}

func coveragePercent(rep *rampart.Report) any {
	if rep.Coverage == nil {
		return nil
	}
	return fmt.Sprintf("%d%% (%d/%d)", rep.Coverage.Percent, rep.Coverage.Tested, rep.Coverage.Applicable)
}
