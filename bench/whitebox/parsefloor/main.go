// Command parsefloor is the floor of the white-box benchmark: it finds the
// Python files under a directory, reads them and parses each with
// tree-sitter, and nothing else (no tree conversion, no analysis). It uses
// the parser `rampart code` uses (internal/pyast: the official Go bindings'
// parser with the C allocator) and, by default, the same number of workers.
// By default each file is parsed through the bindings' Parse, the way any
// Go program calls tree-sitter; -string parses it the way `rampart code`
// does, with ts_parser_parse_string, which skips the bindings' read
// callback (the floor of rampart's own parse).
//
//	parsefloor [-workers N] [-bindings-allocator] [-string] DIR
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ts "github.com/tree-sitter/go-tree-sitter"

	"github.com/rampart-sec/rampart/internal/pyast"
)

func main() {
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "files parsed at once")
	bindingsAlloc := flag.Bool("bindings-allocator", false, "use go-tree-sitter's default allocator (a Go callback per malloc) instead of the C one")
	direct := flag.Bool("string", false, "parse with ts_parser_parse_string, as rampart code does, instead of go-tree-sitter's Parse (a Go read callback)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: parsefloor [-workers N] [-bindings-allocator] [-string] DIR")
		os.Exit(2)
	}
	if *bindingsAlloc {
		ts.SetAllocator(nil, nil, nil, nil)
	}
	start := time.Now()
	var files []string
	filepath.WalkDir(flag.Arg(0), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".py") {
			files = append(files, path)
		}
		return nil
	})
	jobs := make(chan string)
	var bytes, failed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := pyast.NewParser()
			defer p.Close()
			for path := range jobs {
				src, err := os.ReadFile(path)
				if err != nil {
					failed.Add(1)
					continue
				}
				parse := p.ParseOnly
				if *direct {
					parse = p.ParseStringOnly
				}
				if err := parse(src); err != nil {
					failed.Add(1)
				}
				bytes.Add(int64(len(src)))
			}
		}()
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	fmt.Printf("files=%d bytes=%d failed=%d elapsed=%s\n", len(files), bytes.Load(), failed.Load(), time.Since(start).Round(time.Microsecond))
}
