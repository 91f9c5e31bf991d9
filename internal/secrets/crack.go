package secrets

import (
	"context"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what a cracking run found.
type Result struct {
	Key     []byte
	Found   bool
	Tried   int64
	Elapsed time.Duration
}

// Rate is keys tested per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Tried) / r.Elapsed.Seconds()
}

const batchSize = 512

// Crack tests keys on every core until one passes or the keys run out.
// newTester is called once per worker: testers keep per-goroutine hash
// state (see flasksession.Cookie.Tester). Keys are produced in order by a
// single goroutine (a wordlist is read once, streaming) and tested in
// batches, so a huge wordlist never sits in memory.
func Crack(ctx context.Context, keys iter.Seq[[]byte], newTester func() func([]byte) bool, workers int) Result {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan [][]byte, workers*2)
	var (
		tried atomic.Int64
		once  sync.Once
		found []byte
		wg    sync.WaitGroup
	)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			test := newTester()
			for batch := range batches {
				if ctxDone(ctx) {
					continue // drain so the producer never blocks
				}
				n := int64(0)
				for _, k := range batch {
					n++
					if test(k) {
						once.Do(func() { found = append([]byte(nil), k...) })
						cancel()
						break
					}
				}
				tried.Add(n)
			}
		}()
	}
	batch := make([][]byte, 0, batchSize)
	for k := range keys {
		if ctxDone(ctx) {
			break
		}
		batch = append(batch, k)
		if len(batch) == batchSize {
			select {
			case batches <- batch:
			case <-ctx.Done():
			}
			batch = make([][]byte, 0, batchSize)
		}
	}
	if len(batch) > 0 && !ctxDone(ctx) {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	return Result{Key: found, Found: found != nil, Tried: tried.Load(), Elapsed: time.Since(start)}
}
