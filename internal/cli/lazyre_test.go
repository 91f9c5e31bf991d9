package cli

import (
	"testing"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// The binary's package-level expressions are compiled on first use
// (internal/lazyre); the cli links every package that declares one, so
// this is where an invalid one is caught even if no test of its own
// package reaches it.
func TestPackageExpressionsCompile(t *testing.T) {
	if n := lazyre.CompileAll(); n < 100 {
		t.Errorf("CompileAll compiled %d expressions; the black-box packages declare well over 100", n)
	}
}
