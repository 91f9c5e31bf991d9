package html

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/report/internal/sample"
)

func TestInputWarnings(t *testing.T) {
	out := string(render(t, sample.Report(), Options{}))
	for _, want := range []string{
		`<h2 id="input-warnings-title">Input warnings</h2>
  <p>5 problems in your documents, repaired instead of refused:</p>`,
		`<li><code class="where">api.yaml:42</code> <code class="path">paths./notes/{id}.get.parameters[0]</code>: required is a boolean on a property <span class="repair">→ read as required: [title]</span></li>`,
		`<li><code class="where">traffic.har</code> <code class="path">log.entries[40].request</code>: host cdn.example is out of scope</li>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Near the top: in the page's first section, before the findings.
	if i, j := strings.Index(out, `id="input-warnings"`), strings.Index(out, `id="findings"`); i < 0 || i > j || i < strings.Index(out, "<main>") {
		t.Errorf("the warnings section is not first in <main> (%d, findings %d)", i, j)
	}
	if strings.Contains(string(render(t, sample.Empty(), Options{})), `id="input-warnings"`) {
		t.Errorf("a report without warnings has the section")
	}
	// Hostile text is text: a newline and a | are nothing special in HTML.
	h := string(render(t, hostile(), Options{}))
	if !strings.Contains(h, `<code class="where">x.har&#34;&gt;&lt;script&gt;window.__pwned=21&lt;/script&gt;:1</code>`) ||
		!strings.Contains(h, `: &lt;script&gt;window.__pwned=23&lt;/script&gt; | a b <span class="repair">→ &lt;/li&gt;&lt;/ul&gt;&lt;svg onload=window.__pwned=24&gt;</span></li>`) {
		t.Errorf("hostile warning not shown as escaped text")
	}
}

func TestOperationsFound(t *testing.T) {
	out := string(render(t, sample.Report(), Options{}))
	for _, want := range []string{
		`<dt>Operations</dt><dd>4 — 2 from the spec, 1 from HAR traffic, 1 by probing common paths</dd>`,
		`<th scope="col">Operation</th><th scope="col" class="found">Found</th><th scope="col" data-family="bola">`,
		`<tr data-op="post /notes" data-source="har"><th scope="row"><code>POST /notes</code></th><td class="found" title="HAR: traffic.har (3 requests)">HAR <span class="origin">traffic.har (3 requests)</span></td>`,
		`<option value="probe">by probing common paths (1)</option>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Rows that do not say (older reports): no column, no filter, no
	// "unknown".
	old := string(render(t, sample.Uncovered(), Options{}))
	if strings.Contains(old, `class="found"`) || strings.Contains(old, `name="source"`) || strings.Contains(old, "unknown") ||
		!strings.Contains(old, `<dt>Operations</dt><dd>18</dd>`) {
		t.Errorf("a report without sources shows them")
	}
	h := string(render(t, hostile(), Options{}))
	for _, bad := range []string{`onmouseover="window.__pwned=19`, `<script>window.__pwned=20`} {
		if strings.Contains(h, bad) {
			t.Errorf("hostile source survived: %s", bad)
		}
	}
}
