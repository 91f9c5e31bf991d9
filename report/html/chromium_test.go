package html

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/report/internal/sample"
)

var screenshot = flag.String("screenshot", "", "also save the Chromium screenshot of the sample report here (e.g. testdata/screenshot.png)")

// chromiumPath finds Debian's chromium. Without it the browser tests skip,
// except in CI (CI set), where a missing browser is a broken setup.
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

// TestChromium opens the sample report in a real headless Chromium, checks
// that the findings render and the filters work, that nothing was logged
// as an error (a CSP violation included) and nothing was fetched, and saves
// a screenshot.
func TestChromium(t *testing.T) {
	bin := chromiumPath(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	r := sample.Report()
	if err := os.WriteFile(page, render(t, r, Options{Rules: rules}), 0o644); err != nil {
		t.Fatal(err)
	}

	b := launch(t, bin, dir)
	tab := b.open(t, page)

	// The filters initialised and every finding is on the page.
	var state struct {
		Ready    string   `json:"ready"`
		Titles   []string `json:"titles"`
		Visible  int      `json:"visible"`
		FormOpen bool     `json:"formOpen"`
	}
	tab.eval(t, `({
		ready: document.body.getAttribute('data-filters'),
		titles: Array.from(document.querySelectorAll('article.finding h3')).map(h => h.textContent),
		visible: Array.from(document.querySelectorAll('article.finding')).filter(a => a.offsetParent !== null).length,
		formOpen: !document.getElementById('filters').hidden,
	})`, &state)
	if state.Ready != "ready" || !state.FormOpen {
		t.Errorf("filters did not initialise: data-filters=%q form shown=%v", state.Ready, state.FormOpen)
	}
	for _, f := range r.Findings {
		if !contains(state.Titles, f.Title) {
			t.Errorf("finding %q is not on the page (titles: %q)", f.Title, state.Titles)
		}
	}
	if state.Visible != len(r.Findings) {
		t.Errorf("%d findings visible, want %d", state.Visible, len(r.Findings))
	}

	// Take the screenshot before the filters change what is shown.
	png := tab.screenshot(t)
	shot := filepath.Join(dir, "screenshot.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", *screenshot)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Errorf("screenshot is not a real PNG (%d bytes)", len(png))
	}

	// The filters work, as a user would use them.
	tests := []struct {
		name   string
		action string
		want   int
	}{
		{"hide critical", `document.querySelector('input[name=severity][value=critical]').click()`, 6},
		{"and high", `document.querySelector('input[name=severity][value=high]').click()`, 4},
		{"show all again", `document.querySelectorAll('input[name=severity]').forEach(b => { if (!b.checked) b.click() })`, 8},
		{"family", `(() => { const s = document.querySelector('select[name=family]'); s.value = 'cors'; s.dispatchEvent(new Event('change', {bubbles: true})) })()`, 1},
		{"all families", `(() => { const s = document.querySelector('select[name=family]'); s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true})) })()`, 8},
		{"hide tentative", `document.querySelector('input[name=tentative]').click()`, 7},
		{"search", `(() => { const q = document.querySelector('input[name=q]'); q.value = 'psycopg2'; q.dispatchEvent(new Event('input', {bubbles: true})) })()`, 2},
		{"search nothing", `(() => { const q = document.querySelector('input[name=q]'); q.value = 'no such thing'; q.dispatchEvent(new Event('input', {bubbles: true})) })()`, 0},
	}
	for _, tt := range tests {
		var got struct {
			Visible int    `json:"visible"`
			Shown   string `json:"shown"`
			Empty   bool   `json:"empty"`
		}
		tab.eval(t, `(() => { `+tt.action+`; return {
			visible: Array.from(document.querySelectorAll('article.finding')).filter(a => !a.hidden).length,
			shown: document.getElementById('shown').textContent,
			empty: !document.getElementById('no-match').hidden,
		} })()`, &got)
		if got.Visible != tt.want {
			t.Errorf("%s: %d findings visible, want %d (%q)", tt.name, got.Visible, tt.want, got.Shown)
		}
		if got.Empty != (tt.want == 0) {
			t.Errorf("%s: 'no finding matches' shown=%v with %d visible", tt.name, got.Empty, got.Visible)
		}
	}
	// Expand all opens the evidence of the visible findings.
	var open int
	tab.eval(t, `(() => {
		const q = document.querySelector('input[name=q]'); q.value = ''; q.dispatchEvent(new Event('input', {bubbles: true}));
		document.querySelector('button[data-details=open]').click();
		return document.querySelectorAll('article.finding:not([hidden]) details[open]').length })()`, &open)
	if open == 0 {
		t.Errorf("Expand all opened nothing")
	}

	tab.assertClean(t)

	// A clean run has no findings and no filter form: the script copes.
	empty := filepath.Join(dir, "empty.html")
	if err := os.WriteFile(empty, render(t, sample.Empty(), Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	etab := b.open(t, empty)
	var ready string
	etab.eval(t, `document.body.getAttribute('data-filters') + ' ' + document.querySelector('.empty').textContent`, &ready)
	if ready != "ready No findings." {
		t.Errorf("empty report: %q", ready)
	}
	etab.assertClean(t)
}

// TestChromiumCoverage opens the sample report and uses the coverage
// matrix's filters as a user would: the rows and cells left visible are
// the ones each filter asks for.
func TestChromiumCoverage(t *testing.T) {
	bin := chromiumPath(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, sample.Report(), Options{Rules: rules}), 0o644); err != nil {
		t.Fatal(err)
	}
	b := launch(t, bin, dir)
	tab := b.open(t, page)

	type view struct {
		Ready   string   `json:"ready"`
		Rows    []string `json:"rows"`    // operations of the visible rows
		Cells   []string `json:"cells"`   // family=state of the visible, matching cells
		Columns []string `json:"columns"` // visible family headers
		Shown   string   `json:"shown"`
		Empty   bool     `json:"empty"`
		Tooltip string   `json:"tooltip"`
		Visible bool     `json:"visible"` // the matrix is laid out (not display: none)
	}
	// setSelect and setText change a control and fire the event a user's
	// change would.
	const helpers = `
		const form = document.getElementById('coverage-filters');
		const setSelect = (name, v) => { const s = form.querySelector('select[name=' + name + ']'); s.value = v; s.dispatchEvent(new Event('change', {bubbles: true})) };
		const setText = v => { const q = form.querySelector('input[name=op]'); q.value = v; q.dispatchEvent(new Event('input', {bubbles: true})) };
		const state = (v, on) => { const b = form.querySelector('input[name=state][value="' + v + '"]'); if (b.checked !== on) b.click() };`
	const read = `({
		ready: document.body.getAttribute('data-coverage'),
		rows: Array.from(document.querySelectorAll('table.matrix tbody tr')).filter(r => r.offsetParent !== null).map(r => r.querySelector('th').textContent),
		cells: Array.from(document.querySelectorAll('table.matrix td.cell[data-state]')).filter(c => c.offsetParent !== null && !c.classList.contains('dim')).map(c => c.getAttribute('data-family') + '=' + c.getAttribute('data-state')),
		columns: Array.from(document.querySelectorAll('table.matrix thead th[data-family]')).filter(h => h.offsetParent !== null).map(h => h.textContent),
		shown: document.getElementById('coverage-shown').textContent,
		empty: !document.getElementById('coverage-no-match').hidden,
		tooltip: document.querySelector('td.cell[data-reason=no-values]').title,
		visible: document.querySelector('table.matrix').offsetParent !== null,
	})`
	all := []string{"(whole API)", "GET /search", "GET /notes/{id}", "POST /notes", "POST /login"}
	tests := []struct {
		name    string
		action  string
		rows    []string
		cells   []string // nil: not checked
		columns int      // 0: not checked
	}{
		{"as loaded", ``, all, nil, 7},
		{"only not tested", `state('proved', false); state('tested', false); state('chosen', false); state('not-applicable', false)`,
			[]string{"GET /notes/{id}", "POST /notes"}, []string{"sqli=not-tested", "bola=not-tested"}, 7},
		{"and one reason", `setSelect('reason', 'needs-second-user')`, []string{"POST /notes"}, []string{"bola=not-tested"}, 7},
		{"a reason the states hide", `setSelect('reason', 'needs-active')`, nil, []string{}, 7},
		{"the user's choices", `state('chosen', true)`, []string{"POST /notes", "POST /login"}, []string{"mass-assignment=chosen", "rate-limit=chosen"}, 7},
		{"every state, any reason", `setSelect('reason', ''); ['proved', 'tested', 'not-tested', 'not-applicable'].forEach(s => state(s, true))`, all, nil, 7},
		{"one family", `setSelect('family', 'sqli')`, []string{"GET /search", "GET /notes/{id}", "POST /notes"},
			[]string{"sqli=proved", "sqli=not-tested", "sqli=tested"}, 1},
		{"family and proved only", `['tested', 'not-tested', 'chosen', 'not-applicable'].forEach(s => state(s, false))`,
			[]string{"GET /search"}, []string{"sqli=proved"}, 1},
		{"all families, proved", `setSelect('family', '')`, []string{"GET /search", "GET /notes/{id}"}, []string{"sqli=proved", "bola=proved"}, 7},
		{"text", `['tested', 'not-tested', 'chosen', 'not-applicable'].forEach(s => state(s, true)); setText('NOTES')`,
			[]string{"GET /notes/{id}", "POST /notes"}, nil, 7},
		{"text nothing", `setText('no such operation')`, nil, nil, 7},
		{"found in HAR traffic", `setText(''); setSelect('source', 'har')`, []string{"POST /notes"}, nil, 7},
		{"found in the spec", `setSelect('source', 'spec')`, []string{"GET /search", "GET /notes/{id}"}, nil, 7},
		{"found in the spec, one family", `setSelect('family', 'bola')`, []string{"GET /notes/{id}"}, []string{"bola=proved"}, 1},
		{"found any way", `setSelect('family', ''); setSelect('source', '')`, all, nil, 7},
	}
	for _, tt := range tests {
		var got view
		tab.eval(t, `(() => { `+helpers+tt.action+`; return `+read+` })()`, &got)
		if got.Ready != "ready" || !got.Visible {
			t.Fatalf("%s: the coverage script did not initialise (data-coverage=%q, matrix shown %v)", tt.name, got.Ready, got.Visible)
		}
		if strings.Join(got.Rows, "|") != strings.Join(tt.rows, "|") {
			t.Errorf("%s: rows %q, want %q (%s)", tt.name, got.Rows, tt.rows, got.Shown)
		}
		if tt.cells != nil && strings.Join(got.Cells, " ") != strings.Join(tt.cells, " ") {
			t.Errorf("%s: cells %q, want %q", tt.name, got.Cells, tt.cells)
		}
		if tt.columns != 0 && len(got.Columns) != tt.columns {
			t.Errorf("%s: columns %q, want %d", tt.name, got.Columns, tt.columns)
		}
		if got.Empty != (len(tt.rows) == 0) {
			t.Errorf("%s: 'no operation matches' shown=%v with %d rows", tt.name, got.Empty, len(got.Rows))
		}
		if want := fmt.Sprintf("showing %d of 5 operations", len(tt.rows)); len(tt.rows) != 5 && got.Shown != want {
			t.Errorf("%s: counter %q, want %q", tt.name, got.Shown, want)
		}
		if got.Tooltip != "sqli: not tested, no values for a parameter · no values for {id}" {
			t.Errorf("%s: tooltip %q", tt.name, got.Tooltip)
		}
	}
	// The input warnings are shown, one item each, above the findings.
	var warn struct {
		Visible bool     `json:"visible"`
		Items   []string `json:"items"`
		Above   bool     `json:"above"`
	}
	tab.eval(t, `(() => { const s = document.getElementById('input-warnings');
		return { visible: s.offsetParent !== null, items: Array.from(s.querySelectorAll('li')).map(l => l.textContent),
			above: s.getBoundingClientRect().top < document.getElementById('findings').getBoundingClientRect().top } })()`, &warn)
	if !warn.Visible || !warn.Above || len(warn.Items) != 5 ||
		warn.Items[1] != "api.yaml:42 paths./notes/{id}.get.parameters[0]: required is a boolean on a property → read as required: [title]" {
		t.Errorf("input warnings: %+v", warn)
	}
	// A click on a cell with detail opens it.
	var opened string
	tab.eval(t, `(() => { const c = document.querySelector('td.cell[data-reason=no-values] summary'); c.click();
		return c.parentElement.open ? c.parentElement.querySelector('p').textContent : '' })()`, &opened)
	if opened != "no values for {id}" {
		t.Errorf("clicking the cell showed %q", opened)
	}
	tab.assertClean(t)

	// A report without findings still gets its coverage filters (the
	// findings' script returns early there).
	unc := filepath.Join(dir, "uncovered.html")
	if err := os.WriteFile(unc, render(t, sample.Uncovered(), Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	utab := b.open(t, unc)
	var u struct {
		Ready  string `json:"ready"`
		Rows   int    `json:"rows"`
		Banner string `json:"banner"`
	}
	utab.eval(t, `(() => { const form = document.getElementById('coverage-filters');
		const s = form.querySelector('select[name=reason]'); s.value = 'body-rejected'; s.dispatchEvent(new Event('change', {bubbles: true}));
		return { ready: document.body.getAttribute('data-coverage'),
			rows: Array.from(document.querySelectorAll('table.matrix tbody tr')).filter(r => r.offsetParent !== null).length,
			banner: document.getElementById('incomplete').textContent } })()`, &u)
	if u.Ready != "ready" || u.Rows != 1 || !strings.HasPrefix(u.Banner, "INCOMPLETE: only 40%") {
		t.Errorf("uncovered report: %+v", u)
	}
	utab.assertClean(t)
}

// TestChromiumHostile loads a report full of script injections: none runs.
func TestChromiumHostile(t *testing.T) {
	bin := chromiumPath(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "hostile.html")
	if err := os.WriteFile(page, render(t, hostile(), Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	b := launch(t, bin, dir)
	tab := b.open(t, page)
	// Focus and hover everything, in case a handler slipped into an attribute.
	var pwned string
	tab.eval(t, `(() => {
		document.querySelectorAll('*').forEach(e => {
			['mouseover', 'focus', 'click'].forEach(ev => { try { e.dispatchEvent(new Event(ev)) } catch (x) {} });
		});
		document.querySelectorAll('details').forEach(d => d.open = true);
		return String(window.__pwned) })()`, &pwned)
	if pwned != "undefined" {
		t.Errorf("a script from the report ran: window.__pwned = %s", pwned)
	}
	var ready string
	tab.eval(t, `document.body.getAttribute('data-filters')`, &ready)
	if ready != "ready" {
		t.Errorf("the page's own script did not run on a hostile report")
	}
	tab.assertClean(t)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// browser is a headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe: JSON messages separated by NUL on file
// descriptors 3 and 4), which needs no port and no WebSocket library.
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
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
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
	cmd.ExtraFiles = []*os.File{toChrome, theirs} // fd 3: Chromium reads; fd 4: Chromium writes
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
			t.Logf("chromium stderr:\n%s", tail(b.stderr.String(), 3000))
		}
	})
	return b
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
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

// call sends a command and waits for its answer. With t nil, failures are
// ignored (cleanup).
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
	case <-time.After(20 * time.Second):
		if t != nil {
			t.Fatalf("%s: no answer in 20s", method)
		}
	}
}

// waitEvent waits for an event of a session.
func (b *browser) waitEvent(t *testing.T, session, method string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		b.mu.Lock()
		for _, e := range b.events {
			if e.Method == method && e.SessionID == session {
				b.mu.Unlock()
				return
			}
		}
		b.mu.Unlock()
		select {
		case <-b.newEv:
		case <-deadline:
			t.Fatalf("no %s in 20s", method)
		case <-b.done:
			t.Fatalf("chromium went away waiting for %s", method)
		}
	}
}

type tab struct {
	b       *browser
	session string
}

// open loads a file in a new 1280×2000 tab with console, log and network
// events on, and waits for it to load.
func (b *browser) open(t *testing.T, path string) *tab {
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
		"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": false,
	}, nil)
	u := (&url.URL{Scheme: "file", Path: path}).String()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	b.call(t, tb.session, "Page.navigate", map[string]any{"url": u}, &nav)
	if nav.ErrorText != "" {
		t.Fatalf("navigate %s: %s", u, nav.ErrorText)
	}
	b.waitEvent(t, tb.session, "Page.loadEventFired")
	return tb
}

// eval runs an expression in the page and decodes its value into out.
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

func (tb *tab) screenshot(t *testing.T) []byte {
	t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	tb.b.call(t, tb.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	return png
}

// assertClean fails on anything the page logged as an error or warning
// (uncaught exceptions, console.error, CSP violations), on JavaScript
// dialogs, and on any request that left the file.
func (tb *tab) assertClean(t *testing.T) {
	t.Helper()
	// Let late events (a CSP report, a deferred error) arrive.
	var ping int
	tb.eval(t, `new Promise(r => setTimeout(() => r(1), 100))`, &ping)
	tb.b.mu.Lock()
	defer tb.b.mu.Unlock()
	for _, e := range tb.b.events {
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
			if u := p.Request.URL; !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") && u != "about:blank" {
				t.Errorf("the page fetched %s", u)
			}
		}
	}
}
