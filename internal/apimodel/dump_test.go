package apimodel_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/identity"
)

func writeDump(t *testing.T, m *apimodel.Model, ids []*identity.Identity, path string) {
	t.Helper()
	data, err := json.MarshalIndent(m.Snapshot(ids), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
