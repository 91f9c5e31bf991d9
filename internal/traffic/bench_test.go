package traffic

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// bigHAR is a browser-like recording of n requests over 40 routes, each
// with headers, a bearer token, a cookie and a 1 KB JSON answer.
func bigHAR(n int) []byte {
	var es []any
	for i := range n {
		// Each route's items have a field of their own, as collections do.
		answer := fmt.Sprintf(`{"items": [`+strings.Repeat(`{"id": 12, "owner": "alice", "field%d": "Groceries and more"},`, 16)+`{"id": 1}]}`, i%40)
		path := fmt.Sprintf("/api/c%d/%d", i%40, i)
		es = append(es, map[string]any{
			"request": map[string]any{"method": "GET", "url": "http://127.0.0.1:8801" + path + "?page=2",
				"headers": []map[string]string{{"name": "Authorization", "value": "Bearer tok-0123456789"}, {"name": "Accept", "value": "application/json"},
					{"name": "User-Agent", "value": "Mozilla/5.0"}, {"name": "Cookie", "value": "session=abc; theme=dark"}}},
			"response": map[string]any{"status": 200, "headers": []map[string]string{{"name": "Content-Type", "value": "application/json"}},
				"content": map[string]any{"mimeType": "application/json", "text": answer}},
			"timings": map[string]any{"wait": 12.5},
		})
	}
	data, _ := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "entries": es}})
	return data
}

// BenchmarkHAR reads, strips and builds the surface of a 20,000-request
// HAR (about 36 MB).
func BenchmarkHAR(b *testing.B) {
	data := bigHAR(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rec, err := ParseHAR("big.har", data)
		if err != nil {
			b.Fatal(err)
		}
		StripAll(rec, false)
		built := Build([]*Recording{rec}, target, inScope)
		if len(built.Operations) != 40 {
			b.Fatalf("%d operations", len(built.Operations))
		}
	}
}
