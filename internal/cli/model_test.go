package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// RAMPART_MODEL_DUMP makes `rampart scan` write the API model as JSON.
func TestModelDumpFromEnvironment(t *testing.T) {
	srv := target(t)
	dump := filepath.Join(t.TempDir(), "model.json")
	code, _, stderr := run(t, map[string]string{"RAMPART_MODEL_DUMP": dump}, "scan", srv.URL, "--checks", "HDR-*", "-f", "json", "-o", filepath.Join(t.TempDir(), "r.json"), "--fail-on", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Operations  int `json:"operations"`
		Exploration struct {
			Requests int `json:"requests"`
		} `json:"exploration"`
	}
	if err := json.Unmarshal(data, &snap); err != nil || snap.Operations != 1 || snap.Exploration.Requests == 0 {
		t.Errorf("dump %s (%v)", data, err)
	}
}
