package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		name       string
		live, head uint64
		base, want int
	}{
		{"nothing live: the runtime's minimum heap at the headroom", 0, 16 * mb, 50, 400},
		{"tiny heap: the runtime's minimum heap at live + headroom", 1000, 16 * mb, 50, 400},
		{"small heap: the minimum headroom", 8 * mb, 16 * mb, 50, 200},
		{"rounded up, never less headroom", 6 * mb, 16 * mb, 50, 267},
		{"the minimum heap caps it", 3 * mb, 16 * mb, 50, 475},
		{"at the crossing", 32 * mb, 16 * mb, 50, 50},
		{"large heap: the base", 200 * mb, 16 * mb, 50, 50},
		{"no minimum: the base", 8 * mb, 0, 50, 50},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Percent(c.live, c.head, c.base); got != c.want {
				t.Errorf("Percent(%d, %d, %d) = %d, want %d", c.live, c.head, c.base, got, c.want)
			}
		})
	}
}

// The pacer re-sets GOGC after collections, to what Percent says for the
// heap then live, and Stop gives back the GOGC it found.
func TestPacerFollowsTheLiveHeap(t *testing.T) {
	orig := debug.SetGCPercent(77)
	defer debug.SetGCPercent(orig)
	const mb = 1 << 20
	p := Start(16*mb, 50)
	keep := make([][]byte, 0, 64)
	deadline := time.Now().Add(30 * time.Second)
	for p.Tunes() < 3 && time.Now().Before(deadline) {
		keep = append(keep, make([]byte, mb)) // about 64 MB live at most: past the crossing at 32 MB
		if len(keep) == cap(keep) {
			keep = keep[:0]
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // cleanups run on their own goroutine
	}
	if p.Tunes() < 3 {
		t.Fatalf("the pacer ran after %d collections, want at least 3", p.Tunes())
	}
	// With 40 MB kept live, the next tune must come down to the base.
	keep = keep[:0]
	for range 40 {
		keep = append(keep, make([]byte, mb))
	}
	n := p.Tunes()
	for p.Tunes() < n+2 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	p.mu.Lock()
	got := debug.SetGCPercent(-1)
	debug.SetGCPercent(got)
	p.mu.Unlock()
	if got != 50 {
		t.Errorf("GOGC with 40 MB live = %d, want the base 50", got)
	}
	runtime.KeepAlive(keep)
	p.Stop()
	if got := debug.SetGCPercent(orig); got != 77 {
		t.Errorf("GOGC after Stop = %d, want the 77 it found", got)
	}
	n = p.Tunes()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if p.Tunes() != n {
		t.Errorf("the pacer ran after Stop")
	}
}
