package html

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/internal/cdp"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

var screenshot = flag.String("screenshot", "", "also save the Chromium screenshot of the sample report here (e.g. testdata/screenshot.png)")

// TestChromium opens the sample report in a real headless Chromium, checks
// that the findings render and the filters work, that nothing was logged
// as an error (a CSP violation included) and nothing was fetched, and saves
// a screenshot.
func TestChromium(t *testing.T) {
	b := cdp.Launch(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	r := sample.Report()
	if err := os.WriteFile(page, render(t, r, Options{Rules: rules}), 0o644); err != nil {
		t.Fatal(err)
	}

	tab := b.Open(t, cdp.FileURL(page))

	// The filters initialised and every finding is on the page.
	var state struct {
		Ready    string   `json:"ready"`
		Titles   []string `json:"titles"`
		Visible  int      `json:"visible"`
		FormOpen bool     `json:"formOpen"`
	}
	tab.Eval(t, `({
		ready: document.body.getAttribute('data-filters'),
		titles: Array.from(document.querySelectorAll('article.finding h3')).map(h => h.textContent),
		visible: Array.from(document.querySelectorAll('article.finding')).filter(a => a.offsetParent !== null).length,
		formOpen: !document.getElementById('filters').hidden,
	})`, &state)
	if state.Ready != "ready" || !state.FormOpen {
		t.Errorf("filters did not initialise: data-filters=%q form shown=%v", state.Ready, state.FormOpen)
	}
	for _, f := range r.Findings {
		if !slices.Contains(state.Titles, f.Title) {
			t.Errorf("finding %q is not on the page (titles: %q)", f.Title, state.Titles)
		}
	}
	if state.Visible != len(r.Findings) {
		t.Errorf("%d findings visible, want %d", state.Visible, len(r.Findings))
	}

	// Take the screenshot before the filters change what is shown.
	png := tab.Screenshot(t)
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
		tab.Eval(t, `(() => { `+tt.action+`; return {
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
	tab.Eval(t, `(() => {
		const q = document.querySelector('input[name=q]'); q.value = ''; q.dispatchEvent(new Event('input', {bubbles: true}));
		document.querySelector('button[data-details=open]').click();
		return document.querySelectorAll('article.finding:not([hidden]) details[open]').length })()`, &open)
	if open == 0 {
		t.Errorf("Expand all opened nothing")
	}

	tab.AssertClean(t, "file://")

	// A clean run has no findings and no filter form: the script copes.
	empty := filepath.Join(dir, "empty.html")
	if err := os.WriteFile(empty, render(t, sample.Empty(), Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	etab := b.Open(t, cdp.FileURL(empty))
	var ready string
	etab.Eval(t, `document.body.getAttribute('data-filters') + ' ' + document.querySelector('.empty').textContent`, &ready)
	if ready != "ready No findings." {
		t.Errorf("empty report: %q", ready)
	}
	etab.AssertClean(t, "file://")
}

// TestChromiumCoverage opens the sample report and uses the coverage
// matrix's filters as a user would: the rows and cells left visible are
// the ones each filter asks for.
func TestChromiumCoverage(t *testing.T) {
	b := cdp.Launch(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, sample.Report(), Options{Rules: rules}), 0o644); err != nil {
		t.Fatal(err)
	}
	tab := b.Open(t, cdp.FileURL(page))

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
		tab.Eval(t, `(() => { `+helpers+tt.action+`; return `+read+` })()`, &got)
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
	tab.Eval(t, `(() => { const s = document.getElementById('input-warnings');
		return { visible: s.offsetParent !== null, items: Array.from(s.querySelectorAll('li')).map(l => l.textContent),
			above: s.getBoundingClientRect().top < document.getElementById('findings').getBoundingClientRect().top } })()`, &warn)
	if !warn.Visible || !warn.Above || len(warn.Items) != 5 ||
		warn.Items[1] != "api.yaml:42 paths./notes/{id}.get.parameters[0]: required is a boolean on a property → read as required: [title]" {
		t.Errorf("input warnings: %+v", warn)
	}
	// A click on a cell with detail opens it.
	var opened string
	tab.Eval(t, `(() => { const c = document.querySelector('td.cell[data-reason=no-values] summary'); c.click();
		return c.parentElement.open ? c.parentElement.querySelector('p').textContent : '' })()`, &opened)
	if opened != "no values for {id}" {
		t.Errorf("clicking the cell showed %q", opened)
	}
	tab.AssertClean(t, "file://")

	// A report without findings still gets its coverage filters (the
	// findings' script returns early there).
	unc := filepath.Join(dir, "uncovered.html")
	if err := os.WriteFile(unc, render(t, sample.Uncovered(), Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	utab := b.Open(t, cdp.FileURL(unc))
	var u struct {
		Ready  string `json:"ready"`
		Rows   int    `json:"rows"`
		Banner string `json:"banner"`
	}
	utab.Eval(t, `(() => { const form = document.getElementById('coverage-filters');
		const s = form.querySelector('select[name=reason]'); s.value = 'body-rejected'; s.dispatchEvent(new Event('change', {bubbles: true}));
		return { ready: document.body.getAttribute('data-coverage'),
			rows: Array.from(document.querySelectorAll('table.matrix tbody tr')).filter(r => r.offsetParent !== null).length,
			banner: document.getElementById('incomplete').textContent } })()`, &u)
	if u.Ready != "ready" || u.Rows != 1 || !strings.HasPrefix(u.Banner, "INCOMPLETE: only 40%") {
		t.Errorf("uncovered report: %+v", u)
	}
	utab.AssertClean(t, "file://")
}

// TestChromiumHostile loads a report full of script injections: none runs.
func TestChromiumHostile(t *testing.T) {
	b := cdp.Launch(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "hostile.html")
	if err := os.WriteFile(page, render(t, hostile(), Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	tab := b.Open(t, cdp.FileURL(page))
	// Focus and hover everything, in case a handler slipped into an attribute.
	var pwned string
	tab.Eval(t, `(() => {
		document.querySelectorAll('*').forEach(e => {
			['mouseover', 'focus', 'click'].forEach(ev => { try { e.dispatchEvent(new Event(ev)) } catch (x) {} });
		});
		document.querySelectorAll('details').forEach(d => d.open = true);
		return String(window.__pwned) })()`, &pwned)
	if pwned != "undefined" {
		t.Errorf("a script from the report ran: window.__pwned = %s", pwned)
	}
	var ready string
	tab.Eval(t, `document.body.getAttribute('data-filters')`, &ready)
	if ready != "ready" {
		t.Errorf("the page's own script did not run on a hostile report")
	}
	tab.AssertClean(t, "file://")
}
