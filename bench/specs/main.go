// Command specs loads every OpenAPI or Swagger document below the folders it
// is given, the way `rampart scan --spec FILE` does, and prints a tally per
// folder: loaded clean, loaded with repairs, refused (with the reasons,
// grouped), the most frequent warnings, the time taken and the peak memory.
// Files that are not OpenAPI or Swagger documents at all (package.json, a
// schema fragment) are counted apart.
//
//	go run ./bench/specs [-timeout 30s] [-list] DIR...
//
// It never opens a network connection: $refs to URLs fail, as they would
// for a spec file scanned offline, and become warnings or refusals.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/rampart-sec/rampart/internal/surface"
)

func main() {
	timeout := flag.Duration("timeout", 30*time.Second, "limit for loading one document")
	list := flag.Bool("list", false, "also list every refused document with its error")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/specs [-timeout 30s] [-list] DIR...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	start := time.Now()
	var specs, loaded int
	for _, dir := range flag.Args() {
		t, err := run(dir, *timeout)
		if err != nil {
			fmt.Fprintf(os.Stderr, "specs: %v\n", err)
			os.Exit(1)
		}
		t.print(os.Stdout, *list)
		specs += t.clean + t.repaired + len(t.refused)
		loaded += t.clean + t.repaired
	}
	fmt.Printf("all folders: %d of %d documents loaded (%s) in %s, peak RSS %d MiB (%s/%s, %s)\n", loaded, specs, pct(loaded, specs), time.Since(start).Round(time.Millisecond), peakRSS()>>20, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// tally is what loading one folder's documents came to.
type tally struct {
	dir                         string
	notSpec, clean, repaired    int
	empty                       int // loaded, but without a single operation
	ops                         int
	refused                     []refusal
	reasons, warnings, warnDocs map[string]int
	elapsed, slowest            time.Duration
	slowestFile                 string
}

type refusal struct{ file, err string }

func run(dir string, timeout time.Duration) (*tally, error) {
	t := &tally{dir: dir, reasons: map[string]int{}, warnings: map[string]int{}, warnDocs: map[string]int{}}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			switch strings.ToLower(filepath.Ext(p)) {
			case ".json", ".yaml", ".yml":
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	start := time.Now()
	for _, f := range files {
		t0 := time.Now()
		s, err := surface.Load(context.Background(), surface.Source{Path: f, Timeout: timeout})
		if d := time.Since(t0); d > t.slowest {
			t.slowest, t.slowestFile = d, f
		}
		switch {
		case errors.Is(err, surface.ErrNotSpec):
			t.notSpec++
		case err != nil:
			t.refused = append(t.refused, refusal{f, err.Error()})
			t.reasons[kind(reason(err))]++
		case len(s.Warnings) > 0:
			t.repaired++
			seen := map[string]bool{}
			for _, w := range s.Warnings {
				k := kind(w.Problem)
				t.warnings[k]++
				if !seen[k] {
					seen[k] = true
					t.warnDocs[k]++
				}
			}
		default:
			t.clean++
		}
		if err == nil {
			t.ops += len(s.Operations)
			if len(s.Operations) == 0 {
				t.empty++
			}
		}
	}
	t.elapsed = time.Since(start)
	return t, nil
}

// reason is an error without the file name that starts it.
func reason(err error) string {
	var se *surface.SpecError
	if errors.As(err, &se) {
		return se.Msg
	}
	return err.Error()
}

var (
	quoted = regexp.MustCompile(`"[^"]*"`)
	number = regexp.MustCompile(`\b[0-9]+\b`)
)

// kind groups messages that differ only in the names and numbers they quote.
func kind(msg string) string {
	msg = quoted.ReplaceAllString(msg, `"…"`)
	return number.ReplaceAllString(msg, "N")
}

func (t *tally) print(w io.Writer, list bool) {
	specs := t.clean + t.repaired + len(t.refused)
	loaded := t.clean + t.repaired
	fmt.Fprintf(w, "## %s\n\n", t.dir)
	fmt.Fprintf(w, "documents: %d OpenAPI/Swagger (+%d other files skipped)\n", specs, t.notSpec)
	fmt.Fprintf(w, "loaded:    %d (%s) — clean %d, with repairs %d; %d operations; %d loaded without any operation\n", loaded, pct(loaded, specs), t.clean, t.repaired, t.ops, t.empty)
	fmt.Fprintf(w, "refused:   %d (%s)\n", len(t.refused), pct(len(t.refused), specs))
	fmt.Fprintf(w, "time:      %s in all, slowest %s (%s)\n\n", t.elapsed.Round(time.Millisecond), t.slowest.Round(time.Millisecond), t.slowestFile)
	if len(t.reasons) > 0 {
		fmt.Fprintln(w, "refusals by reason:")
		for _, kv := range top(t.reasons, 0) {
			fmt.Fprintf(w, "  %5d  %s\n", kv.n, kv.k)
		}
		fmt.Fprintln(w)
	}
	if len(t.warnings) > 0 {
		fmt.Fprintln(w, "top warnings (count, documents):")
		for _, kv := range top(t.warnings, 20) {
			fmt.Fprintf(w, "  %6d %5d  %s\n", kv.n, t.warnDocs[kv.k], kv.k)
		}
		fmt.Fprintln(w)
	}
	if list {
		for _, r := range t.refused {
			// The error names the document holding the problem, which
			// may be one the refused document's $refs pull in.
			msg := r.err
			if !strings.HasPrefix(msg, r.file+":") {
				msg = r.file + ": " + msg
			}
			fmt.Fprintf(w, "refused: %s\n", msg)
		}
		fmt.Fprintln(w)
	}
}

type count struct {
	k string
	n int
}

// top is the n most frequent keys of m (all when n is 0), most frequent first.
func top(m map[string]int, n int) []count {
	out := make([]count, 0, len(m))
	for k, v := range m {
		out = append(out, count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].k < out[j].k
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

// peakRSS is the process's maximum resident set size in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10 // kilobytes on Linux
}
