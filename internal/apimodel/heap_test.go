package apimodel

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestHeapBound fills a model to its value bound with values as long as
// an answer's keys get (64 bytes, each in its own field path) and measures
// what it holds: the bound in bytes a scan of any size stays under.
func TestHeapBound(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the model")
	}
	const nOps = maxValues/maxPerField + 10
	var ops []*rampart.Operation
	for i := range nOps {
		ops = append(ops, &rampart.Operation{Method: "GET", Path: fmt.Sprintf("/collection-%d/items", i)})
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	m := New(Config{Surface: ops})
	pad := strings.Repeat("x", 48)
	for i := range nOps {
		var b strings.Builder
		b.WriteString(`{"data":{"items":[`)
		for j := range maxItems {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id":"%s-%06d-%03d","owner":{"id":"%s-owner-%03d","username":"user%d"}}`, pad, i, j, pad, j, j)
		}
		b.WriteString(`]}}`)
		m.Observe(ex{path: fmt.Sprintf("/collection-%d/items", i), who: fmt.Sprintf("user%d", i%8), body: b.String()}.response())
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d values, %d dropped, %.1f MiB held", m.Size(), m.dropped, float64(held)/(1<<20))
	if m.Size() != maxValues {
		t.Fatalf("%d values: the test does not fill the model", m.Size())
	}
	const bound = 64 << 20
	if held > bound {
		t.Errorf("the model holds %d MiB at its value bound; documented bound %d MiB", held>>20, bound>>20)
	}
	runtime.KeepAlive(m)
}
