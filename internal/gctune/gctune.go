// Package gctune paces the garbage collector for a run that should keep its
// peak memory near what is live without paying for a collection every time
// a small heap grows by a few megabytes.
//
// A fixed GOGC makes the headroom a fraction of the live heap: at GOGC 50 a
// heap of 4 MB is collected after 2 MB of allocation, and a run whose heap
// grows from nothing to 30 MB collects some twenty times before it gets
// there, each time marking everything again. The peak, though, is set only
// at the largest live heap. The pacer here keeps the headroom at least a
// fixed number of bytes and otherwise at the given fraction: collections
// while the heap is small become rare, and the peak is unchanged as long as
// the live heap at the peak is more than the headroom divided by the
// fraction (30 MB for 16 MB at GOGC 50 — smaller runs peak lower than that
// anyway).
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// heapMinimum is the runtime's smallest heap goal at GOGC 100; it scales
// with GOGC (4 MB at 100, 40 MB at 1000), so a large GOGC on a tiny heap
// would give far more headroom than asked for.
const heapMinimum = 4 << 20

// Percent is the GOGC that gives live bytes (the heap marked live, and the
// globals and stacks the collector also counts) at least minHeadroom bytes
// of headroom, and never less than base percent.
func Percent(live, minHeadroom uint64, base int) int {
	// The runtime's goal is the larger of live + live×GOGC/100 and
	// heapMinimum×GOGC/100: the first gives the headroom, the second must
	// not go past it.
	limit := (live + minHeadroom) * 100 / heapMinimum
	p := limit
	if live > 0 {
		p = min(limit, (minHeadroom*100+live-1)/live)
	}
	return max(base, int(p))
}

// Pacer re-sets GOGC after every collection. Stop it to restore the GOGC
// it found.
type Pacer struct {
	minHeadroom uint64
	base        int
	prev        int
	stopped     atomic.Bool
	runs        atomic.Int64
	mu          sync.Mutex // held while GOGC is set, so Stop's restore is last
	sample      []metrics.Sample
}

// Start sets GOGC for the heap live now and again after each collection:
// base percent, or more while base percent of the live heap is less than
// minHeadroom bytes.
func Start(minHeadroom uint64, base int) *Pacer {
	p := &Pacer{minHeadroom: minHeadroom, base: base, sample: []metrics.Sample{
		{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/globals:bytes"}, {Name: "/gc/scan/stack:bytes"},
	}}
	p.mu.Lock()
	p.prev = debug.SetGCPercent(Percent(p.live(), minHeadroom, base))
	p.mu.Unlock()
	p.arm()
	return p
}

// arm attaches the next tune to an object only the collector can reach the
// end of: its cleanup runs after the first collection that finds it
// unreachable, that is after every collection.
func (p *Pacer) arm() {
	runtime.AddCleanup(new(marker), func(p *Pacer) { p.tune() }, p)
}

// marker is large enough not to share a tiny-allocator block, whose objects
// are freed together and so may outlive several collections.
type marker struct{ _ [32]byte }

func (p *Pacer) tune() {
	if p.stopped.Load() {
		return
	}
	p.mu.Lock()
	if !p.stopped.Load() {
		debug.SetGCPercent(Percent(p.live(), p.minHeadroom, p.base))
		p.runs.Add(1)
	}
	p.mu.Unlock()
	p.arm()
}

// live is what GOGC is a percentage of: the heap marked live by the last
// collection, and the globals and goroutine stacks the collector scans.
func (p *Pacer) live() uint64 {
	metrics.Read(p.sample)
	var n uint64
	for _, s := range p.sample {
		if s.Value.Kind() == metrics.KindUint64 {
			n += s.Value.Uint64()
		}
	}
	return n
}

// Stop restores the GOGC that Start found; no tune runs after it returns.
func (p *Pacer) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped.Swap(true) {
		return
	}
	debug.SetGCPercent(p.prev)
}

// Tunes says how many collections the pacer has re-set GOGC after.
func (p *Pacer) Tunes() int64 { return p.runs.Load() }
