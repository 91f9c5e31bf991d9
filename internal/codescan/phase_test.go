package codescan

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/pyast"
)

func TestPhases(t *testing.T) {
	dir := os.Getenv("BENCHTREE")
	if dir == "" {
		t.Skip()
	}
	_ = context.Background()
	opt := Options{Workers: 1, MaxFileSize: DefaultMaxFileSize, ParseTimeout: 10 * time.Second}
	for run := 0; run < 3; run++ {
		t0 := time.Now()
		files, _, _ := discover(dir, opt)
		t1 := time.Now()
		proj := &project{schema: newSchema()}
		states := make([]*fileState, len(files))
		p := pyast.NewParser()
		var parse, flat, model time.Duration
		for i, s := range files {
			src, _ := os.ReadFile(s.abs)
			a := time.Now()
			p.ParseOnly(src)
			b := time.Now()
			tree, _ := p.Parse(src)
			c := time.Now()
			states[i] = newFileState(s.path, tree, proj)
			states[i].module, states[i].pkg = moduleName(s.rel)
			d := time.Now()
			parse += b.Sub(a)
			flat += c.Sub(b) - b.Sub(a)
			model += d.Sub(c)
		}
		p.Close()
		t2 := time.Now()
		resolvePaths(states)
		index(states, proj)
		for _, f := range states {
			f.moduleEnv()
		}
		t3 := time.Now()
		rounds := 0
		for _, level := range summaryLevels(states) {
			for _, f := range level {
				f.summarize()
			}
			rounds++
		}
		t4 := time.Now()
		for _, f := range states {
			f.rootAnalyses()
		}
		t5 := time.Now()
		for _, f := range states {
			f.check()
		}
		t6 := time.Now()
		fs := finalize(states, proj, nil)
		t7 := time.Now()
		t.Logf("discover %v | parse %v walk %v model %v | env %v | summaries %v (%d levels) | roots %v | checks %v | finalize %v (%d findings) | total %v",
			t1.Sub(t0), parse, flat, model, t3.Sub(t2), t4.Sub(t3), rounds, t5.Sub(t4), t6.Sub(t5), t7.Sub(t6), len(fs), t7.Sub(t0)-parse)
	}
}
