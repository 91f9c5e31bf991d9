package codescan

import (
	"context"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// TestRatio alternates a bare parse of every file with a full analysis
// (one worker each) and reports the median of each; run with
// BENCHTREE=dir. It asserts nothing.
func TestRatio(t *testing.T) {
	dir := os.Getenv("BENCHTREE")
	if dir == "" {
		t.Skip()
	}
	files, _, _ := discover(dir, Options{MaxFileSize: DefaultMaxFileSize})
	var parse, full []time.Duration
	p := pyast.NewParser()
	defer p.Close()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if os.Getenv("GCPERCENT") != "" {
		n, _ := strconv.Atoi(os.Getenv("GCPERCENT"))
		defer debug.SetGCPercent(debug.SetGCPercent(n))
	}
	for i := 0; i < 15; i++ {
		s := cpu()
		for _, f := range files {
			src, _ := os.ReadFile(f.abs)
			p.ParseOnly(src)
		}
		parse = append(parse, cpu()-s)
		s = cpu()
		Analyze(context.Background(), dir, Options{Workers: 1})
		full = append(full, cpu()-s)
	}
	sort.Slice(parse, func(i, j int) bool { return parse[i] < parse[j] })
	sort.Slice(full, func(i, j int) bool { return full[i] < full[j] })
	t.Logf("CPU time, min: parse %v, analyze %v, ratio %.2f; median: parse %v, analyze %v, ratio %.2f",
		parse[0], full[0], float64(full[0])/float64(parse[0]),
		parse[len(parse)/2], full[len(full)/2], float64(full[len(full)/2])/float64(parse[len(parse)/2]))
}
