package html

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var rules = []rampart.Meta{
	{ID: "AUTHZ-001", Family: rampart.FamilyBOLA, Title: "Another identity can read an object", Doc: "docs/checks.md#authz-001"},
	{ID: "DEBUG-001", Family: rampart.FamilyDebugExposure, Title: "Werkzeug debugger exposed", Doc: "docs/checks.md#debug-001"},
}

func render(t testing.TB, r *rampart.Report, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, opt); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for name, r := range map[string]*rampart.Report{
		"report":     sample.Report(),
		"empty":      sample.Empty(),
		"incomplete": sample.Incomplete(),
		"unhealthy":  sample.Unhealthy(),
		"uncovered":  sample.Uncovered(),
	} {
		t.Run(name, func(t *testing.T) {
			got := render(t, r, Options{Rules: rules})
			path := filepath.Join("testdata", name+".golden.html")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./report/html -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./report/html -update", path)
			}
		})
	}
}

// The page must load nothing: no script, style, font, image or frame from
// anywhere, not even a favicon.
func TestSelfContained(t *testing.T) {
	// (Hostile text that merely mentions http: is covered by TestHostileInputIsEscaped.)
	for name, r := range map[string]*rampart.Report{"report": sample.Report(), "empty": sample.Empty(), "incomplete": sample.Incomplete(), "uncovered": sample.Uncovered()} {
		t.Run(name, func(t *testing.T) {
			out := string(render(t, r, Options{Rules: rules}))
			lower := strings.ToLower(out)
			for _, bad := range []string{
				`src="http`, `href="http`, `src=http`, `href=http`, `src="//`, `href="//`,
				"@import", "url(http", "url(//", "<link rel=\"stylesheet", "<iframe", "<object", "<embed",
			} {
				if strings.Contains(lower, bad) {
					t.Errorf("page refers to something outside itself: %q", bad)
				}
			}
			if n := strings.Count(lower, "<script"); n != 1 {
				t.Errorf("%d <script> elements, want only the page's own", n)
			}
			if !strings.Contains(out, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-`) {
				t.Errorf("no restrictive Content-Security-Policy")
			}
		})
	}
}

// The CSP names the page's style and script by hash: the hashes must be of
// exactly what the page holds, or the browser blocks them (the Chromium
// test sees that as a console error).
func TestCSPHashesMatch(t *testing.T) {
	out := string(render(t, sample.Report(), Options{}))
	css := between(t, out, "<style>", "</style>")
	js := between(t, out, "<script>", "</script>")
	if !strings.Contains(csp, hash(css)) || !strings.Contains(csp, hash(js)) {
		t.Errorf("CSP %s does not allow the page's own style and script", csp)
	}
}

func between(t *testing.T, s, open, close string) string {
	t.Helper()
	i := strings.Index(s, open)
	j := strings.Index(s, close)
	if i < 0 || j < i {
		t.Fatalf("no %s…%s", open, close)
	}
	return s[i+len(open) : j]
}

func TestSummary(t *testing.T) {
	out := string(render(t, sample.Report(), Options{Rules: rules}))
	for _, want := range []string{
		`<div class="grade grade-F" title="Grade">F</div>`,
		`<b>0</b><span>/100</span>`,
		`<li class="sev-critical"><b>2</b> critical</li>`,
		`<li class="sev-info"><b>1</b> info</li>`,
		`<dt>Target</dt><dd>http://127.0.0.1:5000</dd>`,
		`<dt>Mode</dt><dd>safe</dd>`,
		`<dt>Duration</dt><dd>12.3 s</dd>`,
		`<dt>Requests</dt><dd>1234 (3 refused by the scope or mode guard)</dd>`,
		`<dt>Stack</dt><dd>Flask 2.2.2 on Werkzeug 2.2.2 · PostgreSQL · psycopg2`,
		`<option value="bola">bola (1)</option>`,
		`needs --mode active: <code>AUTHZ-002</code>, <code>IDEM-001</code>`,
		`<code>SQLI-003</code> on <code>GET /search</code>: time-based probe`,
		`<summary>2 checks sent 69 requests</summary>`,
		`<tr><td><code>TXN-002</code></td><td>14</td><td>38</td><td>9</td><td>24</td><td>0</td><td>2.3 s</td><td>600 ms</td></tr>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestFindings(t *testing.T) {
	out := string(render(t, sample.Report(), Options{Rules: rules}))
	articles := regexp.MustCompile(`<article class="finding sev-(\w+)" id="([^"]+)" data-severity="(\w+)" data-family="([\w-]+)" data-confidence="(\w+)">`).FindAllStringSubmatch(out, -1)
	if len(articles) != 8 {
		t.Fatalf("%d finding cards, want 8", len(articles))
	}
	if articles[0][2] != "f-F-0001" || articles[0][3] != "critical" || articles[7][3] != "info" {
		t.Errorf("order or anchors: first %v last %v", articles[0], articles[7])
	}
	for _, want := range []string{
		// Evidence and curl are collapsible.
		"<details class=\"evidence\">\n      <summary>Evidence (2)</summary>",
		"<details class=\"curl\">\n      <summary>Reproduce with curl</summary>\n      <pre><code>curl -s -H &#34;Authorization: $BOB_AUTHORIZATION&#34; http://127.0.0.1:5000/notes/7</code></pre>",
		// The evidence's HTML is shown, not rendered.
		"&lt;b&gt;alice&#39;s&lt;/b&gt; &amp; nobody else&#39;s",
		// Remediation code is code.
		"<pre><code>cur.execute(&#34;SELECT id, title FROM notes WHERE title LIKE %s&#34;, (pattern,))</code></pre>",
		"<li>docs <code>docs/checks.md#authz-001</code></li>",
		`<code class="op">GET /notes/{note_id}</code> <span class="param">parameter <code>note_id</code></span> <span class="sep">·</span> <code class="src">app.py:42</code>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestLongEvidenceIsCut(t *testing.T) {
	r := sample.Report()
	r.Findings[0].Evidence[0].Response = strings.Repeat("line of a very long page\n", 5000)
	out := string(render(t, r, Options{}))
	if !strings.Contains(out, "more bytes are in the JSON report.") {
		t.Errorf("long evidence not cut")
	}
	if len(out) > 200_000 {
		t.Errorf("page is %d bytes", len(out))
	}
}

// hostile is a report whose target (or whoever wrote the JSON it was read
// from) tries to run script in the page.
func hostile() *rampart.Report {
	r := sample.Report()
	payload := `"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`
	f := &r.Findings[0]
	f.Title = "BOLA " + payload
	f.Message = "message " + payload + " `code " + payload + "`"
	f.Check = `AUTHZ-001" onmouseover="window.__pwned=3`
	f.Family = rampart.Family(`bola" autofocus onfocus="window.__pwned=4`)
	f.ID = `F-0001"><script>window.__pwned=5</script>`
	f.Evidence[0].Response = "HTTP/1.1 200 OK\n\n</pre></details><script>window.__pwned=6</script><svg onload=window.__pwned=7>"
	f.Curl = "curl '</code></pre><script>window.__pwned=8</script>'"
	f.Remediation = "Fix </p><script>window.__pwned=9</script>\n\n    </code></pre><script>window.__pwned=10</script>"
	f.Location.Path = `/notes/<script>window.__pwned=11</script>`
	f.Related[0].Note = `<a href="javascript:window.__pwned=12">x</a>`
	r.Target = `http://x/</title><script>window.__pwned=13</script>`
	r.Grade = `F" class="x`
	r.Notes = append(r.Notes, "<style>@import url(http://evil/x.css)</style>")
	r.Errors[0].Error = "<iframe src=http://evil></iframe>"
	r.Fingerprint.Evidence = []string{"<img src=http://evil/p.png>"}
	// The coverage names operations, details and checks the target chose.
	c := r.Coverage
	c.Operations[1].Operation = `GET /x/<script>window.__pwned=14</script>`
	c.Operations[2].Cells[2].Detail = `no values for <img src=x onerror="window.__pwned=15">`
	evil := rampart.Family(`bola" onmouseover="window.__pwned=16`)
	c.Families[0].Family = evil
	c.Operations[2].Cells[0].Family = evil
	c.Operations[3].Cells[0].Family = evil
	c.Operations[3].Cells[2].Checks[1].Check = `<svg onload=window.__pwned=17>`
	c.Operations[3].Cells[0].Reason = rampart.Reason(`x" onclick="window.__pwned=18`)
	c.Reasons[0].Examples = []string{`<iframe src=http://evil></iframe>`}
	// So do the documents the user gave (a HAR recorded from it) and how
	// operations were found.
	c.Operations[1].Source = `spec" onmouseover="window.__pwned=19`
	c.Operations[2].Origin = `</span><script>window.__pwned=20</script>`
	r.InputWarnings = append(r.InputWarnings, rampart.InputWarning{
		File: `x.har"><script>window.__pwned=21</script>`, Line: 1, Path: `log.entries[0]<img src=x onerror="window.__pwned=22">`,
		Problem: "<script>window.__pwned=23</script> | a\nb", Repair: `</li></ul><svg onload=window.__pwned=24>`,
	})
	return r
}

func TestHostileInputIsEscaped(t *testing.T) {
	out := string(render(t, hostile(), Options{}))
	for _, bad := range []string{
		"<script>window.__pwned", "<img src=x", "<svg onload", `onmouseover="window`, `onfocus="window`,
		`href="javascript:`, "<iframe", "<style>@import", "<img src=http",
	} {
		if strings.Contains(out, bad) {
			t.Errorf("hostile markup survived: %s", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;window.__pwned=6&lt;/script&gt;") {
		t.Errorf("hostile evidence is not shown as text")
	}
}

func TestCoverage(t *testing.T) {
	out := string(render(t, sample.Report(), Options{}))
	for _, want := range []string{
		`<dt>Coverage</dt><dd>70% (7 of 10 cells tested)</dd>`,
		`<p class="percent"><b>70%</b> tested <span>7 of 10 applicable operation × family cells</span></p>`,
		`<tr><td>mass-assignment</td><td>0</td><td>0</td><td>1 (1 by choice)</td><td>0</td></tr>`,
		`<li class="gap" data-reason="no-values"><b>no values for a parameter</b> (2 cells): give the parameter an example in the spec`,
		`<li class="chosen" data-reason="needs-active"><b>needs --mode active</b> (2 cells, your choice)`,
		// The whole API first, then the operations.
		`<tr data-op="(whole api)" data-source=""><th scope="row"><code>(whole API)</code></th><td class="found"></td><td class="cell none" data-family="bola"></td>`,
		// A not-tested cell: its reason as text, its detail on hover and click.
		`<td class="cell st-not-tested" data-family="sqli" data-state="not-tested" data-reason="no-values" title="sqli: not tested, no values for a parameter · no values for {id}"><details><summary>no values for a parameter</summary><p>no values for {id}</p></details></td>`,
		// Per-check detail.
		`<details><summary>tested</summary><ul><li><code>SQLI-001</code> tested</li><li><code>SQLI-004</code> not tested, request budget spent</li></ul></details>`,
		`<td class="cell st-chosen" data-family="rate-limit" data-state="chosen" data-reason="needs-active"`,
		`<option value="needs-second-user">needs a second user (1)</option>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(out, "INCOMPLETE") {
		t.Errorf("a 70%% scan is called incomplete")
	}
	if n := regexp.MustCompile(`<td class="cell st-`).FindAllStringIndex(out, -1); len(n) != 12 {
		t.Errorf("%d cells with a state, want 12", len(n))
	}
	// An incomplete scan says so under the grade, before anything else.
	inc := string(render(t, sample.Uncovered(), Options{}))
	banner := strings.Index(inc, `<p class="banner" role="alert" id="incomplete">INCOMPLETE: only 40% of the applicable operation × family cells were tested (2 of 5), so the grade is at best C.`)
	if banner < 0 || banner > strings.Index(inc, "<main>") || banner < strings.Index(inc, `<div class="grade`) {
		t.Errorf("no INCOMPLETE banner between the grade and the rest (at %d)", banner)
	}
	if empty := string(render(t, sample.Empty(), Options{})); strings.Contains(empty, `id="coverage"`) || strings.Contains(empty, "<dt>Coverage") {
		t.Errorf("coverage section without coverage")
	}
}

// A detail can be the API's whole validation message, on every operation:
// the page shows the start of it.
func TestCoverageLongDetail(t *testing.T) {
	r := sample.Uncovered()
	r.Coverage.Operations[2].Cells[1].Detail = "the API answered 422: " + strings.Repeat("x", 100_000)
	r.Coverage.Reasons[1].Examples = []string{"SQLI-001 POST /orders: " + strings.Repeat("y", 100_000)}
	out := string(render(t, r, Options{}))
	if len(out) > 60_000 || !strings.Contains(out, "xxx…") || !strings.Contains(out, "yyy…") {
		t.Errorf("detail not cut (%d bytes)", len(out))
	}
}

func TestRich(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a <b> & `c<d>`", "<p>a &lt;b&gt; &amp; <code>c&lt;d&gt;</code></p>"},
		{"one\ntwo\n\nthree", "<p>one two</p><p>three</p>"},
		{"Do:\n\n    x = 1\n\n    y = 2\nDone", "<p>Do:</p><pre><code>x = 1\n\ny = 2</code></pre><p>Done</p>"},
		{"```py\nif a < b:\n    pass\n```", "<pre><code>if a &lt; b:\n    pass</code></pre>"},
	}
	for _, tt := range tests {
		if got := string(rich(tt.in)); got != tt.want {
			t.Errorf("rich(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	if err := Write(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("nil report accepted")
	}
	if err := Write(failWriter{}, sample.Report(), Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("writer error = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
