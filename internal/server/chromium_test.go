package server

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/cdp"
	"github.com/rampart-sec/rampart/internal/store"
)

// hostileEvidence is what a hostile scanned API could answer: markup that
// would retitle the page if it ever ran.
const hostileEvidence = `HTTP/1.1 200 OK

<script>document.title="pwned"; window.__pwned = 1</script><img src=x onerror="document.title='pwned-img'; window.__pwned = 2"><svg onload="window.__pwned = 3"></svg>`

// TestChromiumDashboard logs in through the form in a real headless
// Chromium, and checks the diff of two uploads that differ by one new and
// one fixed finding, the trend chart, and that script-bearing evidence is
// shown as text and never runs.
func TestChromiumDashboard(t *testing.T) {
	b := cdp.Launch(t)
	f := newFixture(t, store.SQLite, Options{})
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	keep := sampleFinding("BOLA-001", "/notes/{id}", rampart.High, hostileEvidence)
	keep.Title = `Note <img src=x onerror="window.__pwned=4"> readable by anyone`
	gone := sampleFinding("SQLI-001", "/search", rampart.Critical, "")
	added := sampleFinding("CORS-001", "/", rampart.Medium, "")
	if _, err := f.st.AddReport(ctx, "notes", sampleReport(t0, 35, "D", keep, gone)); err != nil {
		t.Fatal(err)
	}
	second, err := f.st.AddReport(ctx, "notes", sampleReport(t0.Add(6*time.Hour), 72, "B", keep, added))
	if err != nil {
		t.Fatal(err)
	}
	sid := itoa(second)

	tab := b.NewTab(t)
	tab.Resize(t, 1280, 1600)

	tab.Navigate(t, f.srv.URL+"/")
	var where string
	tab.Eval(t, `location.pathname`, &where)
	if where != "/login" {
		t.Fatalf("an anonymous browser is at %s, want /login", where)
	}
	tab.Submit(t, `document.querySelector('input[name=key]').value = `+cdp.JSString(f.read)+`; document.querySelector('form.login').submit()`)
	tab.Eval(t, `location.pathname`, &where)
	if where != "/" {
		t.Fatalf("after logging in the browser is at %s, want /", where)
	}
	var targets []string
	tab.Eval(t, `Array.from(document.querySelectorAll('table.targets td:first-child a')).map(a => a.textContent)`, &targets)
	if strings.Join(targets, ",") != "notes" {
		t.Errorf("targets page lists %q", targets)
	}

	// The diff: exactly one new and one fixed finding.
	tab.Navigate(t, f.srv.URL+"/scans/"+sid+"/diff")
	var diff struct {
		New       string   `json:"new"`
		Fixed     string   `json:"fixed"`
		Unchanged string   `json:"unchanged"`
		NewTitles []string `json:"newTitles"`
		Fixed1    []string `json:"fixedTitles"`
	}
	tab.Eval(t, `({
		new: document.getElementById('count-new').textContent,
		fixed: document.getElementById('count-fixed').textContent,
		unchanged: document.getElementById('count-unchanged').textContent,
		newTitles: Array.from(document.querySelectorAll('#new article h3')).map(h => h.textContent.trim()),
		fixedTitles: Array.from(document.querySelectorAll('#fixed article h3')).map(h => h.textContent.trim()),
	})`, &diff)
	if diff.New != "1" || diff.Fixed != "1" || diff.Unchanged != "1" ||
		len(diff.NewTitles) != 1 || !strings.Contains(diff.NewTitles[0], "CORS-001") ||
		len(diff.Fixed1) != 1 || !strings.Contains(diff.Fixed1[0], "SQLI-001") {
		t.Errorf("diff page: %+v", diff)
	}
	tab.AssertClean(t, f.srv.URL)

	// The trend chart: a polyline through one point per scan, drawn.
	tab.Navigate(t, f.srv.URL+"/targets/notes")
	var chart struct {
		Points  int     `json:"points"`
		Circles int     `json:"circles"`
		Width   float64 `json:"width"`
		Height  float64 `json:"height"`
		Visible bool    `json:"visible"`
	}
	tab.Eval(t, `(() => { const p = document.querySelector('svg.trend polyline'); const r = p.getBBox();
		return { points: p.points.numberOfItems, circles: document.querySelectorAll('svg.trend circle').length,
			width: r.width, height: r.height, visible: p.getBoundingClientRect().width > 0 } })()`, &chart)
	if chart.Points != 2 || chart.Circles != 2 || chart.Width < 100 || chart.Height < 10 || !chart.Visible {
		t.Errorf("trend chart: %+v", chart)
	}
	tab.AssertClean(t, f.srv.URL)
	if *screenshotDir != "" {
		saveScreenshot(t, tab, filepath.Join(*screenshotDir, "dashboard-target.png"))
		tab.Navigate(t, f.srv.URL+"/scans/"+sid+"/diff")
		saveScreenshot(t, tab, filepath.Join(*screenshotDir, "dashboard-diff.png"))
	}

	// The scan page with hostile evidence: shown as text, nothing runs.
	for _, page := range []string{"/scans/" + sid, "/scans/" + sid + "/diff", "/scans/" + sid + "/report"} {
		tab.Navigate(t, f.srv.URL+page)
		var got struct {
			Title    string `json:"title"`
			Pwned    string `json:"pwned"`
			Evidence bool   `json:"evidence"`
			Images   int    `json:"images"`
			Scripts  int    `json:"scripts"`
		}
		tab.Eval(t, `(() => {
			document.querySelectorAll('details').forEach(d => d.open = true);
			document.querySelectorAll('*').forEach(e => ['mouseover', 'focus', 'click'].forEach(ev => { if (e.tagName !== 'A' && e.tagName !== 'BUTTON' && e.tagName !== 'SUMMARY') try { e.dispatchEvent(new Event(ev)) } catch (x) {} }));
			return new Promise(r => setTimeout(() => r({
				title: document.title,
				pwned: String(window.__pwned),
				evidence: document.body.textContent.includes('<script>document.title="pwned"'),
				images: document.querySelectorAll('main img, body > img, article img').length,
				scripts: Array.from(document.scripts).filter(s => s.textContent.includes('pwned')).length,
			}), 200)) })()`, &got)
		if strings.Contains(got.Title, "pwned") || got.Pwned != "undefined" || got.Images != 0 || got.Scripts != 0 {
			t.Errorf("%s: hostile evidence ran or became markup: %+v", page, got)
		}
		if !got.Evidence {
			t.Errorf("%s: the evidence is not shown as text", page)
		}
		tab.AssertClean(t, f.srv.URL)
	}
	// The full report's own script ran under the header's policy.
	var ready string
	tab.Eval(t, `document.body.getAttribute('data-filters')`, &ready)
	if ready != "ready" {
		t.Errorf("the HTML report's own script did not run: data-filters=%q", ready)
	}
}

var screenshotDir = flag.String("screenshots", "", "save screenshots of the dashboard's target and diff pages in this directory")

func saveScreenshot(t *testing.T, tab *cdp.Tab, path string) {
	t.Helper()
	if err := os.WriteFile(path, tab.Screenshot(t), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
