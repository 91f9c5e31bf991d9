package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/coverage"
	"github.com/rampart-sec/rampart/internal/engine"
)

// groupChecks are two checks that share one large value per operation, in
// the parallel phase or the exclusive one, and record how many operations
// have state kept while they run.
func groupChecks(exclusive bool, computed *atomic.Int64, maxKept *atomic.Int64) []*check.Check {
	run := func(ctx context.Context, p *check.Pass) error {
		v, err := p.OnceOp("answer", func() (any, error) {
			computed.Add(1)
			return make([]byte, 1<<20), nil
		})
		if err != nil {
			return err
		}
		if len(v.([]byte)) != 1<<20 {
			return fmt.Errorf("shared value of %d bytes", len(v.([]byte)))
		}
		for {
			k := int64(p.Shared.Kept())
			if cur := maxKept.Load(); k <= cur || maxKept.CompareAndSwap(cur, k) {
				break
			}
		}
		return nil
	}
	all := func(*rampart.Operation) bool { return true }
	name := "P"
	if exclusive {
		name = "X"
	}
	return []*check.Check{
		{Meta: rampart.Meta{ID: name + "-001"}, Applies: all, Run: run, Exclusive: exclusive, Group: "g" + name},
		{Meta: rampart.Meta{ID: name + "-002"}, Applies: all, Run: run, Exclusive: exclusive, Group: "g" + name},
	}
}

// TestPerOperationStateIsReleased: what a group of checks keeps for an
// operation is shared by the group's units on it (computed once) and gone
// once they are done, so a scan holds the state of the operations in
// progress, not of every operation it has seen.
func TestPerOperationStateIsReleased(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	client, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	const n, workers = 200, 4
	ops := make([]*rampart.Operation, n)
	for i := range ops {
		ops[i] = &rampart.Operation{Method: "GET", Path: fmt.Sprintf("/r%d", i)}
	}
	for _, exclusive := range []bool{false, true} {
		t.Run(fmt.Sprintf("exclusive=%v", exclusive), func(t *testing.T) {
			var computed, maxKept atomic.Int64
			pass := check.NewPassFor(check.Env{Client: client, Surface: ops}, func(rampart.Finding) {})
			errs, _ := runChecks(context.Background(), pass, groupChecks(exclusive, &computed, &maxKept), ops, Options{Concurrency: workers}, &lostList{}, &coverage.Recorder{})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if computed.Load() != n {
				t.Errorf("the shared value was computed %d times for %d operations", computed.Load(), n)
			}
			// A window of operations is in progress, plus the previous one
			// finishing: far fewer than the scan's operations.
			if k := maxKept.Load(); k > 3*workers {
				t.Errorf("state kept for %d operations at once", k)
			}
			if k := pass.Shared.Kept(); k != 0 {
				t.Errorf("state kept for %d operations after the scan", k)
			}
		})
	}
}

// TestScanKeepsNoAnswerOfFinishedOperations runs every safe check against
// an API of many operations that all answer a large body and measures the
// heap just before the last unit: nothing any operation's checks fetched
// may be left then. Keeping answers for the whole scan held about
// ops × (probes + reads) × body (here some 60 MB).
func TestScanKeepsNoAnswerOfFinishedOperations(t *testing.T) {
	const ops, size = 80, 64 << 10
	body := bigList(size)
	spec := scaleSpec(ops)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/openapi.json":
			w.Write(spec)
		case strings.HasPrefix(r.URL.Path, "/r"):
			w.Write(body)
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"not found"}`))
		}
	}))
	defer srv.Close()
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var (
		mu          sync.Mutex
		start, last uint64
	)
	rep, err := Run(context.Background(), Options{
		Target: srv.URL, Mode: rampart.Active, Concurrency: 4,
		Progress: func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			switch done {
			case 1:
				start = heap()
			case total - 1:
				last = heap()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Operations != ops || rep.Stats.BytesRecv < int64(ops*size*3) {
		t.Fatalf("%d operations, %d bytes received: the scan did not read the answers", rep.Operations, rep.Stats.BytesRecv)
	}
	if start == 0 || last == 0 {
		t.Fatal("progress was not reported")
	}
	if grown := int64(last) - int64(start); grown > 16<<20 {
		t.Errorf("the heap grew by %d MB during the scan of %d operations answering %d KB each", grown>>20, ops, size>>10)
	}
}

// bigList is a JSON list of about size bytes.
func bigList(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"item %d","status":"open"}`, i, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// scaleSpec is an OpenAPI document of n reads with a query parameter.
func scaleSpec(n int) []byte {
	paths := map[string]any{}
	for i := 0; i < n; i++ {
		paths[fmt.Sprintf("/r%d/items", i)] = map[string]any{"get": map[string]any{
			"parameters": []any{map[string]any{"name": "q", "in": "query", "schema": map[string]any{"type": "string"}}},
			"responses":  map[string]any{"200": map[string]any{"description": "ok"}},
		}}
	}
	b, _ := json.Marshal(map[string]any{"openapi": "3.0.3", "info": map[string]any{"title": "t", "version": "1"}, "paths": paths})
	return b
}
