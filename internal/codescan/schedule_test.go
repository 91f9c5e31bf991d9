package codescan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/rampart-sec/rampart/internal/pyast"
)

func TestRunPipeline(t *testing.T) {
	tests := []struct {
		name     string
		deps     [][]int // file i's dependencies
		failed   []int   // files whose parse fails
		analysed []bool
	}{
		{"no deps", [][]int{nil, nil, nil}, nil, []bool{true, true, true}},
		{"chain", [][]int{{1}, {2}, nil}, nil, []bool{true, true, true}},
		{"diamond", [][]int{{1, 2}, {3}, {3}, nil}, nil, []bool{true, true, true, true}},
		{"cycle and its importer are left", [][]int{{1}, {0}, {0}, nil}, nil, []bool{false, false, false, true}},
		{"self import", [][]int{{0}}, nil, []bool{true}},
		{"failed dependency", [][]int{{1}, nil}, []int{1}, []bool{true, false}},
	}
	for _, tt := range tests {
		for _, workers := range []int{1, 2, 8} {
			t.Run(fmt.Sprintf("%s/%d workers", tt.name, workers), func(t *testing.T) {
				n := len(tt.deps)
				var mu sync.Mutex
				parsed := make([]bool, n)
				done := make([]bool, n)
				got := runPipeline(context.Background(), workers, n, nil, func(_ *pyast.Parser, i int) ([]int, bool) {
					mu.Lock()
					defer mu.Unlock()
					parsed[i] = true
					for _, f := range tt.failed {
						if f == i {
							return nil, false
						}
					}
					return tt.deps[i], true
				}, func(i int) {
					mu.Lock()
					defer mu.Unlock()
					if !parsed[i] {
						t.Errorf("file %d analysed before it was parsed", i)
					}
					for _, d := range tt.deps[i] {
						if d != i && !done[d] && !failed(tt.failed, d) {
							t.Errorf("file %d analysed before its dependency %d", i, d)
						}
					}
					done[i] = true
				})
				if !reflect.DeepEqual(got, tt.analysed) {
					t.Errorf("analysed %v, want %v", got, tt.analysed)
				}
				for i, p := range parsed {
					if !p {
						t.Errorf("file %d never parsed", i)
					}
				}
			})
		}
	}
}

func failed(list []int, i int) bool {
	for _, f := range list {
		if f == i {
			return true
		}
	}
	return false
}

func TestRunPipelineCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int32
	runPipeline(ctx, 2, 1000, nil, func(_ *pyast.Parser, i int) ([]int, bool) {
		if i == 10 {
			cancel()
		}
		started.Add(1)
		return nil, true
	}, func(int) {})
	if started := started.Load(); started > 20 {
		t.Errorf("%d files parsed after the context was cancelled at the tenth", started)
	}
}

func TestRunGraph(t *testing.T) {
	files := make([]*fileState, 6)
	for i := range files {
		files[i] = &fileState{index: i}
	}
	// 0 waits for 1 and 2, 1 for 3, 2 for 3, 4 for 0; 5 alone.
	wait := map[*fileState][]*fileState{
		files[0]: {files[1], files[2]}, files[1]: {files[3]}, files[2]: {files[3]}, files[4]: {files[0]},
	}
	for _, workers := range []int{1, 2, 4} {
		var mu sync.Mutex
		done := map[*fileState]bool{}
		runGraph(context.Background(), workers, files, wait, func(f *fileState) {
			mu.Lock()
			defer mu.Unlock()
			for _, g := range wait[f] {
				if !done[g] {
					t.Errorf("%d workers: file %d ran before file %d", workers, f.index, g.index)
				}
			}
			done[f] = true
		})
		if len(done) != len(files) {
			t.Errorf("%d workers: %d of %d files ran", workers, len(done), len(files))
		}
	}
}

// The findings of a project with import cycles do not depend on how many
// workers analyse it, nor on the run, nor on which waiting trees are packed
// (every one, none, or as many as a budget of one small tree allows).
func TestAnalyzeDeterministic(t *testing.T) {
	for _, dir := range []string{"testdata/projects/importcycle", "testdata/projects/crossmodule"} {
		var first []string
		for run := 0; run < 9; run++ {
			workers := []int{1, 2, 3, 8}[run%4]
			budget := []int64{-1, 1 << 30, 600}[run%3]
			res, err := Analyze(context.Background(), dir, Options{Workers: workers, waitBudget: budget})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, fmt.Sprintf("%s %s:%d %s", f.Check, f.Location.File, f.Location.Line, f.Message))
			}
			if run == 0 {
				first = got
				if len(first) == 0 {
					t.Fatalf("%s: no findings", dir)
				}
				continue
			}
			if !reflect.DeepEqual(got, first) {
				t.Errorf("%s, %d workers, wait budget %d:\n%v\nwant\n%v", dir, workers, budget, got, first)
			}
		}
	}
}

func TestLargestFirst(t *testing.T) {
	files := []source{{rel: "a.py", size: 10}, {rel: "b.py", size: 300}, {rel: "c.py", size: 10}, {rel: "d.py", size: 2000}}
	if got, want := largestFirst(files), []int{3, 1, 0, 2}; !slices.Equal(got, want) {
		t.Errorf("largestFirst = %v, want %v (largest first, ties in path order)", got, want)
	}
	if got := largestFirst(nil); len(got) != 0 {
		t.Errorf("largestFirst(nil) = %v", got)
	}
}

// A pipeline worker stays on one thread: tree-sitter allocates from the C
// heap of the thread it runs on, and a worker that moved after each
// blocking read left a glibc arena (its largest parse) on every thread it
// had used.
func TestPipelineWorkerKeepsItsThread(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.py")
	if err := os.WriteFile(path, []byte("x = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	threads := map[*pyast.Parser]map[int]bool{}
	const n = 400
	runPipeline(context.Background(), 4, n, nil, func(p *pyast.Parser, i int) ([]int, bool) {
		for range 3 {
			tid := syscall.Gettid()
			mu.Lock()
			if threads[p] == nil {
				threads[p] = map[int]bool{}
			}
			threads[p][tid] = true
			mu.Unlock()
			if _, err := os.ReadFile(path); err != nil { // a blocking call, as a parse's read is
				t.Error(err)
			}
			runtime.Gosched()
		}
		return nil, true
	}, func(int) {})
	for p, tids := range threads {
		if len(tids) != 1 {
			t.Errorf("worker %p ran its parses on %d threads", p, len(tids))
		}
	}
}
