package cli

import (
	"os"
	"runtime/pprof"
	"testing"
)

func TestProfileCode(t *testing.T) {
	dir := os.Getenv("BENCHTREE")
	if dir == "" {
		t.Skip()
	}
	f, _ := os.Create("/tmp/cli.prof")
	pprof.StartCPUProfile(f)
	for i := 0; i < 20; i++ {
		runCodeCmd(t, "code", dir, "-f", "json", "-o", "/tmp/r.json", "--fail-on", "none")
	}
	pprof.StopCPUProfile()
	f.Close()
}
