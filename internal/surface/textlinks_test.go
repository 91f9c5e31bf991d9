package surface

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestTextLinks(t *testing.T) {
	base := mustParse(t, "http://127.0.0.1:8952/docs/page")
	for _, c := range []struct {
		text string
		want []string // "METHOD path", in order
	}{
		{" GET   http://127.0.0.1:8952/api/v1/joker-master-plan/ ", []string{"GET /api/v1/joker-master-plan/"}},
		{"POST method   http://127.0.0.1:8952/api/v1/obtain-jwt-token-rs256/", []string{"POST /api/v1/obtain-jwt-token-rs256/"}},
		{"POST: /api/token and then DELETE /api/items/7.", []string{"POST /api/token", "DELETE /api/items/7"}},
		{"See http://127.0.0.1:8952/api/v1/books/, or http://other.example/x", []string{"GET /api/v1/books/", "GET /x"}},
		{"the books are at http://127.0.0.1:8952/api/v1/books/<ISBN>/", []string{"GET /api/v1/books/"}},
		{"get /lower-case is prose; GET / is the root", nil},
		{"Use GETTER /x or xGET /y", nil},
	} {
		var got []string
		for _, l := range textLinks(base, base, c.text) {
			got = append(got, l.method+" "+l.u.Path)
			if l.method != "GET" && l.form == nil {
				t.Errorf("%q: %s %s has no body to learn", c.text, l.method, l.u)
			}
			if !strings.HasPrefix(l.from, "named in the text of GET /docs/page") {
				t.Errorf("%q: from %q", c.text, l.from)
			}
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: %q, want %q", c.text, got, c.want)
		}
	}
}

// TestCrawlReadsEndpointsInText: a page that names endpoints in its text
// (a challenge page, an HTML index of the API) gives them to the crawl:
// the GET is read, the POST becomes an operation it does not send, other
// origins and script text give nothing.
func TestCrawlReadsEndpointsInText(t *testing.T) {
	var rec *recorder
	rec = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		self := rec.srv.URL
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><head><script>var u = "GET %s/from-script";</script></head><body>
				<h2>Plans</h2>
				<pre><b> GET </b> %s/api/v1/plans/</pre>
				<pre><b>POST method </b> %s/api/v1/token/</pre>
				<p>Elsewhere: GET http://192.0.2.1/api/x</p>
			</body></html>`, self, self, self)
		case "/api/v1/plans/":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"plans": []}`))
		default:
			http.NotFound(w, r)
		}
	})
	base := mustParse(t, rec.srv.URL)
	s, err := Crawl(context.Background(), base, getter(t, base))
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]string{}
	for _, op := range s.Operations {
		ops[op.Method+" "+op.Path] = op.Origin
	}
	if o, ok := ops["GET /api/v1/plans/"]; !ok || !strings.Contains(o, "named in the text of GET /") {
		t.Errorf("GET /api/v1/plans/: %q (%v); operations %v", o, ok, ops)
	}
	if _, ok := ops["POST /api/v1/token/"]; !ok {
		t.Errorf("no POST /api/v1/token/: %v", ops)
	}
	for _, r := range rec.requests() {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("the crawl sent %s", r)
		}
		if strings.Contains(r, "from-script") {
			t.Errorf("the crawl read a URL from a script's text: %s", r)
		}
	}
	for k := range ops {
		if strings.Contains(k, "/api/x") || strings.Contains(k, "from-script") {
			t.Errorf("operation %s from another origin or a script", k)
		}
	}
}
