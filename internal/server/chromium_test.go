package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/store"
)

// The browser driver below is the one report/html's Chromium test uses
// (DevTools protocol over --remote-debugging-pipe), cut to what these
// tests need and able to follow navigations of an http:// page.

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI must run the browser test")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium)")
	return ""
}

// hostileEvidence is what a hostile scanned API could answer: markup that
// would retitle the page if it ever ran.
const hostileEvidence = `HTTP/1.1 200 OK

<script>document.title="pwned"; window.__pwned = 1</script><img src=x onerror="document.title='pwned-img'; window.__pwned = 2"><svg onload="window.__pwned = 3"></svg>`

// TestChromiumDashboard logs in through the form in a real headless
// Chromium, and checks the diff of two uploads that differ by one new and
// one fixed finding, the trend chart, and that script-bearing evidence is
// shown as text and never runs.
func TestChromiumDashboard(t *testing.T) {
	bin := chromiumPath(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
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

	dir := t.TempDir()
	b := launch(t, bin, dir)
	tab := b.newTab(t)

	tab.navigate(t, f.srv.URL+"/")
	var where string
	tab.eval(t, `location.pathname`, &where)
	if where != "/login" {
		t.Fatalf("an anonymous browser is at %s, want /login", where)
	}
	tab.submit(t, `document.querySelector('input[name=key]').value = `+jsString(f.read)+`; document.querySelector('form.login').submit()`)
	tab.eval(t, `location.pathname`, &where)
	if where != "/" {
		t.Fatalf("after logging in the browser is at %s, want /", where)
	}
	var targets []string
	tab.eval(t, `Array.from(document.querySelectorAll('table.targets td:first-child a')).map(a => a.textContent)`, &targets)
	if strings.Join(targets, ",") != "notes" {
		t.Errorf("targets page lists %q", targets)
	}

	// The diff: exactly one new and one fixed finding.
	tab.navigate(t, f.srv.URL+"/scans/"+sid+"/diff")
	var diff struct {
		New       string   `json:"new"`
		Fixed     string   `json:"fixed"`
		Unchanged string   `json:"unchanged"`
		NewTitles []string `json:"newTitles"`
		Fixed1    []string `json:"fixedTitles"`
	}
	tab.eval(t, `({
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
	tab.assertClean(t, f.srv.URL)

	// The trend chart: a polyline through one point per scan, drawn.
	tab.navigate(t, f.srv.URL+"/targets/notes")
	var chart struct {
		Points  int     `json:"points"`
		Circles int     `json:"circles"`
		Width   float64 `json:"width"`
		Height  float64 `json:"height"`
		Visible bool    `json:"visible"`
	}
	tab.eval(t, `(() => { const p = document.querySelector('svg.trend polyline'); const r = p.getBBox();
		return { points: p.points.numberOfItems, circles: document.querySelectorAll('svg.trend circle').length,
			width: r.width, height: r.height, visible: p.getBoundingClientRect().width > 0 } })()`, &chart)
	if chart.Points != 2 || chart.Circles != 2 || chart.Width < 100 || chart.Height < 10 || !chart.Visible {
		t.Errorf("trend chart: %+v", chart)
	}
	tab.assertClean(t, f.srv.URL)
	if *screenshotDir != "" {
		tab.screenshot(t, filepath.Join(*screenshotDir, "dashboard-target.png"))
		tab.navigate(t, f.srv.URL+"/scans/"+sid+"/diff")
		tab.screenshot(t, filepath.Join(*screenshotDir, "dashboard-diff.png"))
	}

	// The scan page with hostile evidence: shown as text, nothing runs.
	for _, page := range []string{"/scans/" + sid, "/scans/" + sid + "/diff", "/scans/" + sid + "/report"} {
		tab.navigate(t, f.srv.URL+page)
		var got struct {
			Title    string `json:"title"`
			Pwned    string `json:"pwned"`
			Evidence bool   `json:"evidence"`
			Images   int    `json:"images"`
			Scripts  int    `json:"scripts"`
		}
		tab.eval(t, `(() => {
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
		tab.assertClean(t, f.srv.URL)
	}
	// The full report's own script ran under the header's policy.
	var ready string
	tab.eval(t, `document.body.getAttribute('data-filters')`, &ready)
	if ready != "ready" {
		t.Errorf("the HTML report's own script did not run: data-filters=%q", ready)
	}
}

var screenshotDir = flag.String("screenshots", "", "save screenshots of the dashboard's target and diff pages in this directory")

func (tb *tab) screenshot(t *testing.T, path string) {
	t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	tb.b.call(t, tb.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

type browser struct {
	cmd    *exec.Cmd
	w      *os.File
	stderr bytes.Buffer

	mu      sync.Mutex
	nextID  int
	pending map[int]chan message
	events  []message
	newEv   chan struct{}
	done    chan struct{}
}

type message struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func launch(t *testing.T, bin, dir string) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	toChrome, ours, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromChrome, theirs, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-quic", "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
		"--remote-debugging-pipe",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"about:blank",
	)
	cmd.ExtraFiles = []*os.File{toChrome, theirs}
	b := &browser{cmd: cmd, w: ours, pending: map[int]chan message{}, newEv: make(chan struct{}, 1), done: make(chan struct{})}
	cmd.Stderr = &b.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	toChrome.Close()
	theirs.Close()
	go b.read(fromChrome)
	t.Cleanup(func() {
		b.call(nil, "", "Browser.close", nil, nil)
		ours.Close()
		wait := make(chan struct{})
		go func() { cmd.Wait(); close(wait) }()
		select {
		case <-wait:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-wait
		}
		if t.Failed() {
			s := b.stderr.String()
			if len(s) > 3000 {
				s = "…" + s[len(s)-3000:]
			}
			t.Logf("chromium stderr:\n%s", s)
		}
	})
	return b
}

func (b *browser) read(r *os.File) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m message
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				ch <- m
				delete(b.pending, m.ID)
			}
		} else {
			b.events = append(b.events, m)
			select {
			case b.newEv <- struct{}{}:
			default:
			}
		}
		b.mu.Unlock()
	}
}

func (b *browser) call(t *testing.T, session, method string, params, result any) {
	if t != nil {
		t.Helper()
	}
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan message, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, _ := json.Marshal(msg)
	if _, err := b.w.Write(append(data, 0)); err != nil {
		if t != nil {
			t.Fatalf("%s: %v", method, err)
		}
		return
	}
	select {
	case m := <-ch:
		if t == nil {
			return
		}
		if m.Error != nil {
			t.Fatalf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				t.Fatalf("%s: %v", method, err)
			}
		}
	case <-b.done:
		if t != nil {
			t.Fatalf("%s: chromium went away", method)
		}
	case <-time.After(30 * time.Second):
		if t != nil {
			t.Fatalf("%s: no answer in 30s", method)
		}
	}
}

type tab struct {
	b       *browser
	session string
	// seen is how many events this tab had when its page last loaded:
	// assertClean looks only at the events of the current page.
	seen int
}

func (b *browser) newTab(t *testing.T) *tab {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	b.call(t, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	b.call(t, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	tb := &tab{b: b, session: att.SessionID}
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		b.call(t, tb.session, domain+".enable", nil, nil)
	}
	b.call(t, tb.session, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": 1280, "height": 1600, "deviceScaleFactor": 1, "mobile": false,
	}, nil)
	return tb
}

// mark returns the number of events so far; waitLoad waits for a load
// event after it.
func (tb *tab) mark() int {
	tb.b.mu.Lock()
	defer tb.b.mu.Unlock()
	return len(tb.b.events)
}

func (tb *tab) waitLoad(t *testing.T, from int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		tb.b.mu.Lock()
		for _, e := range tb.b.events[from:] {
			if e.Method == "Page.loadEventFired" && e.SessionID == tb.session {
				tb.seen = from
				tb.b.mu.Unlock()
				return
			}
		}
		tb.b.mu.Unlock()
		select {
		case <-tb.b.newEv:
		case <-deadline:
			t.Fatalf("no page load in 30s")
		case <-tb.b.done:
			t.Fatalf("chromium went away waiting for a page load")
		}
	}
}

func (tb *tab) navigate(t *testing.T, u string) {
	t.Helper()
	from := tb.mark()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	tb.b.call(t, tb.session, "Page.navigate", map[string]any{"url": u}, &nav)
	if nav.ErrorText != "" {
		t.Fatalf("navigate %s: %s", u, nav.ErrorText)
	}
	tb.waitLoad(t, from)
}

// submit runs an expression that submits a form and waits for the page
// it leads to (after redirects).
func (tb *tab) submit(t *testing.T, expr string) {
	t.Helper()
	from := tb.mark()
	tb.eval(t, expr, nil)
	tb.waitLoad(t, from)
}

func (tb *tab) eval(t *testing.T, expr string, out any) {
	t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	tb.b.call(t, tb.session, "Runtime.evaluate", map[string]any{
		"expression": expr, "returnByValue": true, "awaitPromise": true,
	}, &res)
	if res.ExceptionDetails != nil {
		t.Fatalf("evaluate: %s %s", res.ExceptionDetails.Text, res.ExceptionDetails.Exception.Description)
	}
	if out != nil {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			t.Fatalf("evaluate: %v (value %s)", err, res.Result.Value)
		}
	}
}

// assertClean fails on anything the current page logged as an error or
// warning (uncaught exceptions, CSP violations), on dialogs, and on any
// request that left the server's origin.
func (tb *tab) assertClean(t *testing.T, origin string) {
	t.Helper()
	var ping int
	tb.eval(t, `new Promise(r => setTimeout(() => r(1), 100))`, &ping)
	tb.b.mu.Lock()
	defer tb.b.mu.Unlock()
	for _, e := range tb.b.events[tb.seen:] {
		if e.SessionID != tb.session {
			continue
		}
		switch e.Method {
		case "Runtime.exceptionThrown":
			t.Errorf("uncaught exception: %s", e.Params)
		case "Runtime.consoleAPICalled":
			var p struct {
				Type string `json:"type"`
			}
			json.Unmarshal(e.Params, &p)
			if p.Type == "error" || p.Type == "warning" || p.Type == "assert" {
				t.Errorf("console.%s: %s", p.Type, e.Params)
			}
		case "Log.entryAdded":
			var p struct {
				Entry struct {
					Level  string `json:"level"`
					Source string `json:"source"`
					Text   string `json:"text"`
				} `json:"entry"`
			}
			json.Unmarshal(e.Params, &p)
			if p.Entry.Level == "error" || p.Entry.Level == "warning" {
				t.Errorf("console %s (%s): %s", p.Entry.Level, p.Entry.Source, p.Entry.Text)
			}
		case "Page.javascriptDialogOpening":
			t.Errorf("the page opened a dialog: %s", e.Params)
		case "Network.requestWillBeSent":
			var p struct {
				Request struct {
					URL string `json:"url"`
				} `json:"request"`
			}
			json.Unmarshal(e.Params, &p)
			if u := p.Request.URL; !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") && u != "about:blank" {
				t.Errorf("the page fetched %s", u)
			}
		}
	}
}
