package codescan

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// The second run of a file in an import cycle analyses again only the
// functions whose reads of the cycle's files have changed: a function read
// across the import that closes the cycle (it had no summary then), or one
// that the other file's second run analysed again. A function of that file
// whose analysis was kept is still the summary its readers saw, so they are
// kept too (before, any function read from such a file was done again), and
// needsSummary is worked out once for both runs.
func TestSecondRunRedoesStaleReads(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// a is walked first: b's import of a closes the cycle, so b runs
		// first, reading nothing of a, and a reads b's first run.
		"a.py": "from b import bq, b_own\n\n\ndef a_plain(x):\n    return x\n\n\ndef a_reads(x):\n    return bq(x)\n\n\ndef a_reads_kept(x):\n    return b_own(x)\n\n\ndef a_calls_reader(x):\n    return a_reads(x)\n",
		"b.py": "from a import a_plain\n\n\ndef bq(x):\n    return a_plain(x)\n\n\ndef b_own(x):\n    return x\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	redone := map[string][]string{}
	plans := map[string]int{}
	inspectRedo = func(f *fileState, redo map[string]bool) {
		mu.Lock()
		defer mu.Unlock()
		redone[filepath.Base(f.path)] = slices.Sorted(maps.Keys(redo))
	}
	inspectPlan = func(f *fileState) {
		mu.Lock()
		defer mu.Unlock()
		plans[filepath.Base(f.path)]++
	}
	defer func() { inspectRedo, inspectPlan = nil, nil }()
	for _, workers := range []int{1, 2} {
		clear(redone)
		clear(plans)
		if _, err := Analyze(context.Background(), dir, Options{Workers: workers}); err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{
			"b.py": {"bq"},                        // read a_plain across the closing import
			"a.py": {"a_calls_reader", "a_reads"}, // bq was analysed again; b_own was not
		}
		for file, w := range want {
			if got := redone[file]; !slices.Equal(got, w) {
				t.Errorf("workers %d: %s analysed again %v, want %v", workers, file, got, w)
			}
		}
		for _, file := range []string{"a.py", "b.py"} {
			if plans[file] != 1 {
				t.Errorf("workers %d: needsSummary worked out %d times for %s, want once", workers, plans[file], file)
			}
		}
	}
}
