package codescan

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// pipeline parses the files and analyses each one as soon as it is parsed
// and every scanned module it may read summaries from is analysed, so that
// analysis fills the cores while the rest of the tree is still being
// parsed (waiting for the last parse, then walking the import graph level
// by level, left one core idle for most of the analysis on large trees).
//
// A file in an import cycle never becomes ready, nor does a file that
// imports one: those are left undone for the caller (see importCycles).
// Which files those are depends only on the import graph, never on timing,
// and a file analysed here has read only final summaries, so the result
// does not depend on the schedule.
type pipeline struct {
	mu    sync.Mutex
	cond  sync.Cond
	n     int
	next  int // the next file to parse (in order, when set)
	order []int
	busy  int   // tasks running
	run   []int // parsed files whose dependencies are all analysed
	// done[i]: file i is analysed, or was not parsed (nothing to wait for).
	done    []bool
	pending []int   // dependencies of file i not yet done
	waiters [][]int // files waiting for file i
}

// runPipeline runs parse(p, i) for every file i in [0, n) (in the given
// order; nil: 0 to n-1), each worker with a parser of its own, then
// analyse(i) for each file that parse reported
// loaded, once every file in its deps is done. It returns which files were
// analysed. parse runs before analyse of the same file; analyse(i) runs
// after analyse(d) returned for every d in i's deps (a mutex hands the
// results over).
func runPipeline(ctx context.Context, workers, n int, order []int,
	parse func(p *pyast.Parser, i int) (deps []int, loaded bool),
	analyse func(i int)) (analysed []bool) {
	if workers > n {
		workers = n
	}
	pl := &pipeline{n: n, order: order, done: make([]bool, n), pending: make([]int, n), waiters: make([][]int, n)}
	pl.cond.L = &pl.mu
	analysed = make([]bool, n)
	stop := context.AfterFunc(ctx, func() {
		pl.mu.Lock()
		pl.cond.Broadcast()
		pl.mu.Unlock()
	})
	defer stop()

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// tree-sitter allocates from the C heap of the thread it runs
			// on, and glibc gives each thread that allocates an arena of its
			// own, which keeps the largest parse it has seen. A worker that
			// moves between threads (after each blocking read) leaves
			// arenas behind on all of them: 4 instead of 2 on two cores,
			// 4 MB more to fault in and clear (docs/benchmarks.md).
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			p := pyast.NewParser()
			defer p.Close()
			pl.mu.Lock()
			defer pl.mu.Unlock()
			for ctx.Err() == nil {
				switch {
				case len(pl.run) > 0:
					// Analysis first: it unblocks other files.
					i := pl.run[0]
					pl.run = pl.run[1:]
					pl.busy++
					pl.mu.Unlock()
					analyse(i)
					pl.mu.Lock()
					pl.busy--
					analysed[i] = true
					pl.finish(i)
				case pl.next < pl.n:
					i := pl.next
					if pl.order != nil {
						i = pl.order[pl.next]
					}
					pl.next++
					pl.busy++
					pl.mu.Unlock()
					deps, loaded := parse(p, i)
					pl.mu.Lock()
					pl.busy--
					if !loaded {
						pl.finish(i)
						continue
					}
					pl.wait(i, deps)
				case pl.busy == 0:
					// Nothing left that can run: the rest waits on a cycle.
					pl.cond.Broadcast()
					return
				default:
					pl.cond.Wait()
				}
			}
		}()
	}
	wg.Wait()
	return analysed
}

// wait registers parsed file i behind its dependencies (no duplicates)
// that are not done. Called with the lock held.
func (pl *pipeline) wait(i int, deps []int) {
	for _, d := range deps {
		if d == i || pl.done[d] {
			continue
		}
		pl.pending[i]++
		pl.waiters[d] = append(pl.waiters[d], i)
	}
	if pl.pending[i] == 0 {
		pl.run = append(pl.run, i)
		pl.cond.Signal()
	}
}

// finish marks file i done and wakes the files waiting for it. Called with
// the lock held.
func (pl *pipeline) finish(i int) {
	pl.done[i] = true
	for _, w := range pl.waiters[i] {
		if pl.pending[w]--; pl.pending[w] == 0 {
			pl.run = append(pl.run, w)
		}
	}
	pl.waiters[i] = nil
	pl.cond.Broadcast()
}

// runGraph runs work(f) for every file, each after work returned for the
// files it waits for (which must not wait in a cycle), on workers
// goroutines.
func runGraph(ctx context.Context, workers int, files []*fileState, wait map[*fileState][]*fileState, work func(f *fileState)) {
	if workers > len(files) {
		workers = len(files)
	}
	var mu sync.Mutex
	cond := sync.Cond{L: &mu}
	pending := map[*fileState]int{}
	waiters := map[*fileState][]*fileState{}
	var ready []*fileState
	for _, f := range files {
		pending[f] = len(wait[f])
		for _, g := range wait[f] {
			waiters[g] = append(waiters[g], f)
		}
		if pending[f] == 0 {
			ready = append(ready, f)
		}
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		cond.Broadcast()
		mu.Unlock()
	})
	defer stop()
	left, busy := len(files), 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			for ctx.Err() == nil && left > 0 {
				if len(ready) == 0 {
					if busy == 0 {
						return // only files waiting in a cycle: a bug upstream
					}
					cond.Wait()
					continue
				}
				f := ready[0]
				ready = ready[1:]
				busy++
				mu.Unlock()
				work(f)
				mu.Lock()
				busy--
				left--
				for _, w := range waiters[f] {
					if pending[w]--; pending[w] == 0 {
						ready = append(ready, w)
					}
				}
				cond.Broadcast()
			}
			cond.Broadcast()
		}()
	}
	wg.Wait()
}

// parallel runs work(i) for i in [0, n) on workers goroutines, handing out
// the indexes through an atomic counter.
func parallel(ctx context.Context, workers, n int, work func(i int)) {
	if workers > n {
		workers = n
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				work(i)
			}
		}()
	}
	wg.Wait()
}

// largestFirst orders the files by size, largest first, for parsing: the
// last parses then are short ones, and no core waits long for the other's
// last file (which large file comes last in path order was chance: up to a
// tenth of the parse phase on one core). The order changes no result: a
// file is analysed when its imports are, whatever the order of the parses.
func largestFirst(files []source) []int {
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(files[b].size, files[a].size) })
	return order
}
