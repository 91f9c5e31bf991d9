package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// TestLegendFollowsTheFindingsLeft: a finding left out by a baseline takes
// its curl line along, and the legend the variable it alone used.
func TestLegendFollowsTheFindingsLeft(t *testing.T) {
	finding := func(id, who string) rampart.Finding {
		return rampart.Finding{
			ID: id, Check: "BOLA-001", Family: rampart.FamilyBOLA, Title: "t", Message: "m",
			Severity: rampart.High, Confidence: rampart.Confirmed,
			Location: rampart.Location{Method: "GET", Path: "/notes/" + id, URL: "http://127.0.0.1:1/notes/" + id},
			Curl:     `curl -i 'http://127.0.0.1:1/notes/` + id + `' -H "Authorization: $` + who + `_AUTHORIZATION"`,
			Origin:   "runtime",
		}
	}
	alice := rampart.ReplayVariable{Name: "ALICE_AUTHORIZATION", Identity: "alice", Header: "Authorization", Shape: "Bearer …"}
	bob := rampart.ReplayVariable{Name: "BOB_AUTHORIZATION", Identity: "bob", Header: "Authorization", Shape: "Bearer …"}
	dir := t.TempDir()
	write := func(name string, fs ...rampart.Finding) string {
		rep := &rampart.Report{
			SchemaVersion: rampart.SchemaVersion, Tool: rampart.Tool{Name: "rampart", Version: "test"},
			Target: "http://127.0.0.1:1", Mode: rampart.Active, Started: time.Unix(0, 0).UTC(),
			Grade: "F", Findings: fs, Replay: []rampart.ReplayVariable{alice, bob},
		}
		var b bytes.Buffer
		if err := jsonreport.Write(&b, rep); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	full := write("full.json", finding("1", "ALICE"), finding("2", "BOB"))
	base := write("base.json", finding("2", "BOB"))
	out := filepath.Join(dir, "out.json")
	if code, _, stderr := run(t, nil, "report", full, "--baseline", base, "-f", "json", "-o", out); code != ExitOK {
		t.Fatalf("report: exit %d %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got rampart.Report
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != 1 || !slices.Equal(got.Replay, []rampart.ReplayVariable{alice}) {
		t.Errorf("%d findings, legend %v: want 1 and only %s", len(got.Findings), got.Replay, alice.Name)
	}
}
