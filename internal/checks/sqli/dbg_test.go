package sqli

import (
	"context"
	"testing"
	"time"
	"github.com/rampart-sec/rampart/internal/engine"
)

func TestDbgReal(t *testing.T) {
	withProbeDelay(t, 500*time.Millisecond)
	p, findings, ops := realSQLite(t)
	var op = ops[0]
	for _, o := range ops { if o.Path == "/blind" { op = o } }
	for i := 0; i < 3; i++ {
		n := len(*findings)
		_ = TimeBased.Run(context.Background(), p.ForUnit(&TimeBased, op))
		t.Logf("run %d: %d findings", i, len(*findings)-n)
	}
	for _, m := range []int{0, 1500000, 3000000} {
		for j := 0; j < 3; j++ {
			resp, _ := p.Client.Do(context.Background(), &engine.Request{Method: "GET", URL: p.URL(op, map[string]string{"q": dialectSQLite.sleepProbe(ctxQuoted, "lamp", float64(m))})})
			t.Logf("%d rows: %s", m, resp.Duration)
		}
	}
}
