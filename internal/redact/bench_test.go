package redact

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// benchSecrets are what a scan with a few identities holds: tokens,
// cookies, passwords, a few re-logins.
func benchSecrets() []string {
	var out []string
	for i := range 20 {
		out = append(out, fmt.Sprintf("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIlZCJ9.%040d", i), fmt.Sprintf("password-%d", i))
	}
	return out
}

// BenchmarkNew is the cost of one evidence's redaction set.
func BenchmarkNew(b *testing.B) {
	secs := benchSecrets()
	for b.Loop() {
		New(secs...)
	}
}

// BenchmarkWalkReport redacts a large report: 500 findings, each with two
// exchanges of 4 KiB request and response, whose bodies are plain JSON or
// full of escapes (the worst case: every string is decoded).
func BenchmarkWalkReport(b *testing.B) {
	for _, bc := range []struct{ name, line string }{
		{"plain", `{"id": 1, "name": "lamp", "owner": "alice", "price": 100}` + "\n"},
		{"escaped", `{"id": 1, "name": "lamp", "note": "a\/b \u0041 &amp; 100%"}` + "\n"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body := strings.Repeat(bc.line, 4096/len(bc.line))
			mk := func() *rampart.Report {
				rep := &rampart.Report{}
				for i := range 500 {
					ev := rampart.Evidence{Request: "GET /items/" + fmt.Sprint(i) + " HTTP/1.1\r\n\r\n" + body, Response: "HTTP/1.1 200 OK\r\n\r\n" + body}
					rep.Findings = append(rep.Findings, rampart.Finding{Message: "message " + body[:200], Evidence: []rampart.Evidence{ev, ev}})
				}
				return rep
			}
			set := New(benchSecrets()...)
			var size int
			for _, f := range mk().Findings {
				size += len(f.Message)
				for _, e := range f.Evidence {
					size += len(e.Request) + len(e.Response)
				}
			}
			b.SetBytes(int64(size))
			for b.Loop() {
				b.StopTimer()
				rep := mk()
				b.StartTimer()
				set.Walk(rep)
			}
		})
	}
}
