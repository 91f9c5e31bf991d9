package cdp

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestProblems loads pages that misbehave in each way AssertClean knows,
// one after the other in one tab, over http and from files: each is
// reported, and a clean page after it has nothing left over from it.
func TestProblems(t *testing.T) {
	b := Launch(t)
	var offsiteHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		offsiteHits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(other.Close)
	pages := map[string]string{
		"/clean":   `<!doctype html><title>clean</title><p id=p>hello</p><img src="/pixel.png">`,
		"/error":   `<!doctype html><script>console.error("boom")</script>`,
		"/warning": `<!doctype html><script>console.warn("careful")</script>`,
		"/throw":   `<!doctype html><script>throw new Error("kaboom")</script>`,
		"/dialog":  `<!doctype html><script>alert("hi")</script>`,
		"/offsite": `<!doctype html><img src="` + other.URL + `/pixel.png">`,
		"/csp":     `<!doctype html><script>document.title = "ran"</script>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/pixel.png" || r.URL.Path == "/favicon.ico" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		page, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/csp" {
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	file := func(name, page string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return FileURL(path)
	}
	sibling := file("sibling.html", "<!doctype html><p>sibling</p>")
	tests := []struct {
		name   string
		url    string
		origin string
		want   string // a problem holding this, or none when empty
	}{
		{"clean", srv.URL + "/clean", srv.URL, ""},
		{"console.error", srv.URL + "/error", srv.URL, `console.error: `},
		{"clean after an error", srv.URL + "/clean", srv.URL, ""},
		{"console.warn", srv.URL + "/warning", srv.URL, `console.warning: `},
		{"uncaught exception", srv.URL + "/throw", srv.URL, "uncaught exception: "},
		{"dialog", srv.URL + "/dialog", srv.URL, "the page opened a dialog: "},
		{"off-origin request", srv.URL + "/offsite", srv.URL, "the page fetched " + other.URL + "/pixel.png"},
		// http://127.0.0.1:4321 is not the origin of http://127.0.0.1:43210.
		{"look-alike origin", srv.URL + "/clean", srv.URL[:len(srv.URL)-1], "the page fetched " + srv.URL + "/clean"},
		{"the page's own origin is another's", srv.URL + "/clean", other.URL, "the page fetched " + srv.URL + "/clean"},
		{"CSP violation", srv.URL + "/csp", srv.URL, "console error (security): "},
		{"clean file", file("clean.html", `<!doctype html><iframe src="`+sibling+`"></iframe>`), "file://", ""},
		{"file fetching http", file("offsite.html", `<!doctype html><img src="`+other.URL+`/from-file.png">`), "file://",
			"the page fetched " + other.URL + "/from-file.png"},
	}
	tab := b.NewTab(t)
	for _, tt := range tests {
		tab.Navigate(t, tt.url)
		got := tab.Problems(t, tt.origin)
		if tt.want == "" {
			if len(got) != 0 {
				t.Errorf("%s: problems %q, want none", tt.name, got)
			}
			continue
		}
		found := false
		for _, p := range got {
			found = found || strings.Contains(p, tt.want)
		}
		if !found {
			t.Errorf("%s: problems %q, want one holding %q", tt.name, got, tt.want)
		}
	}
	if offsiteHits.Load() == 0 {
		t.Errorf("the off-origin server saw no request: the off-origin cases proved nothing")
	}
}

// recorder is a test that AssertClean reports to, so that a failing
// AssertClean does not fail this test.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestAssertClean checks that AssertClean fails the test once per problem,
// and not at all on a clean page.
func TestAssertClean(t *testing.T) {
	b := Launch(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/bad" {
			fmt.Fprint(w, `<!doctype html><script>console.error("one"); console.error("two")</script>`)
			return
		}
		fmt.Fprint(w, `<!doctype html><p>fine</p>`)
	}))
	t.Cleanup(srv.Close)

	tab := b.Open(t, srv.URL+"/bad")
	rec := &recorder{TB: t}
	tab.AssertClean(rec, srv.URL)
	if len(rec.errors) != 2 {
		t.Errorf("AssertClean on a page with two console errors reported %q", rec.errors)
	}
	tab.Navigate(t, srv.URL+"/good")
	rec = &recorder{TB: t}
	tab.AssertClean(rec, srv.URL)
	if len(rec.errors) != 0 {
		t.Errorf("AssertClean on a clean page reported %q", rec.errors)
	}
}

// TestTab drives a page as the dashboard test does: evaluates, submits a
// form that redirects, quotes a hostile string, takes a screenshot.
func TestTab(t *testing.T) {
	b := Launch(t)
	var posted atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/login" && r.Method == http.MethodPost:
			posted.Store(r.FormValue("key"))
			http.Redirect(w, r, "/home", http.StatusSeeOther)
			return
		case r.URL.Path == "/login":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><form class=login method=post action=/login><input name=key></form>`)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><body style="background:#c00"><h1>home</h1>`)
		}
	}))
	t.Cleanup(srv.Close)

	tab := b.Open(t, srv.URL+"/login")
	var sum struct {
		N    int    `json:"n"`
		Path string `json:"path"`
	}
	tab.Eval(t, `new Promise(r => setTimeout(() => r({n: 6 * 7, path: location.pathname}), 10))`, &sum)
	if sum.N != 42 || sum.Path != "/login" {
		t.Errorf("eval: %+v", sum)
	}
	key := `a"b'c</script>\`
	tab.Submit(t, `document.querySelector('input[name=key]').value = `+JSString(key)+`; document.querySelector('form.login').submit()`)
	var where string
	tab.Eval(t, `location.pathname + ' ' + document.querySelector('h1').textContent`, &where)
	if where != "/home home" {
		t.Errorf("after submitting the browser shows %q, want the page redirected to", where)
	}
	if got, _ := posted.Load().(string); got != key {
		t.Errorf("the form posted %q, want %q", got, key)
	}
	tab.AssertClean(t, srv.URL)

	png := tab.Screenshot(t)
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 100 {
		t.Errorf("screenshot is not a PNG (%d bytes)", len(png))
	}
}
