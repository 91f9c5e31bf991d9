package scan

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// BenchmarkScan scans an API of N operations that answer small bodies
// with every safe check, and reports the cost per operation: it stays the
// same from 100 to 1,600 operations when the scan is linear. bench/scale
// measures whole scans, peak memory included.
//
//	go test -run '^$' -bench Scan ./scan
func BenchmarkScan(b *testing.B) {
	for _, n := range []int{100, 400, 1600} {
		b.Run(fmt.Sprintf("operations=%d", n), func(b *testing.B) {
			spec, body := scaleSpec(n), bigList(256)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.URL.Path == "/openapi.json":
					w.Write(spec)
				case strings.HasPrefix(r.URL.Path, "/r"):
					w.Write(body)
				default:
					w.WriteHeader(http.StatusNotFound)
				}
			}))
			defer srv.Close()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Safe}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/operation")
		})
	}
}
