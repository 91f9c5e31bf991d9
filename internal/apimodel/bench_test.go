package apimodel

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// BenchmarkObserve is the cost the model adds to every exchange of a scan.
func BenchmarkObserve(b *testing.B) {
	item := func(i int) string {
		return fmt.Sprintf(`{"id":%d,"name":"item %d","status":"open","tags":["a","b"]}`, i, i)
	}
	for _, bc := range []struct {
		name string
		size int
	}{{"256B", 256}, {"64KiB", 64 << 10}, {"2MiB", 2 << 20}} {
		var sb strings.Builder
		sb.WriteString(`{"items":[`)
		for i := 1; sb.Len() < bc.size-16; i++ {
			if i > 1 {
				sb.WriteString(",")
			}
			sb.WriteString(item(i))
		}
		sb.WriteString(`]}`)
		body := sb.String()
		// The same answer again, as checks' repeated reads get.
		b.Run(bc.name+"/repeated", func(b *testing.B) {
			ops := []*rampart.Operation{{Method: "GET", Path: "/r/items"}}
			m := New(Config{Surface: ops})
			r := ex{path: "/r/items", who: "alice", body: body}.response()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				m.Observe(r)
			}
		})
		// A new answer every time.
		b.Run(bc.name+"/distinct", func(b *testing.B) {
			ops := []*rampart.Operation{{Method: "GET", Path: "/r/items"}}
			m := New(Config{Surface: ops})
			r := ex{path: "/r/items", who: "alice", body: body}.response()
			b.SetBytes(int64(len(body)))
			i := 0
			for b.Loop() {
				i++
				r.Body = []byte(strings.Replace(body, `"id":1,`, fmt.Sprintf(`"id":%d,`, 1000000+i), 1))
				m.Observe(r)
			}
		})
	}
}
