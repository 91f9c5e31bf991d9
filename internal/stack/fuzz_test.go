package stack

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzObserve feeds hostile headers (Server, Set-Cookie with session
// payloads to decode, Vary) and bodies to an Observer: it must not panic,
// and evidence must stay bounded and printable.
func FuzzObserve(f *testing.F) {
	for _, name := range []string{"werkzeug_404.http", "session_login.http", "session_big.http", "debug_bad_json.http"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		r, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), nil)
		if err != nil {
			f.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(r.Body)
		r.Body.Close()
		f.Add(r.StatusCode, r.Header.Get("Server"), r.Header.Get("Set-Cookie"), body.Bytes())
	}
	f.Add(401, "gunicorn", "remember_token=1|abc", []byte(`{"msg":"Missing Authorization Header"}`))
	f.Add(404, "uWSGI", "session=.eJwzNDQ.abcd.abcdefghijklmnopqrstuvwxyz0", []byte(restful404))
	f.Fuzz(func(t *testing.T, status int, server, cookie string, body []byte) {
		o := New()
		h := http.Header{"Server": {server}, "Set-Cookie": {cookie}, "Vary": {server}}
		o.Observe(status, h, body)
		o.Observe(status, h, body)
		fp := o.Fingerprint()
		if len(fp.Evidence) > 40 {
			t.Fatalf("%d evidence lines", len(fp.Evidence))
		}
		for _, e := range fp.Evidence {
			if !utf8.ValidString(e) || strings.ContainsAny(e, "\r\n\x00\x1b") || len(e) > maxEvidenceLen+len("…") {
				t.Fatalf("bad evidence %q", e)
			}
		}
		switch fp.Database {
		case "", "PostgreSQL", "CockroachDB":
		default:
			t.Fatalf("database %q", fp.Database)
		}
		if o.IsFlask() != (fp.Framework == Flask) {
			t.Fatal("IsFlask disagrees with Fingerprint")
		}
	})
}
