package cdp

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

// Tab is one page of a Browser, with its console, log and network events
// recorded from the moment it opens.
type Tab struct {
	b       *Browser
	session string
	// seen is where the events of the current page start in b.events:
	// AssertClean looks only at the page the tab shows now.
	seen int
}

// NewTab opens an about:blank tab, 1280×2000 CSS pixels, with the Page,
// Runtime, Log and Network events on.
func (b *Browser) NewTab(t testing.TB) *Tab {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	b.must(t, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	b.must(t, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	tb := &Tab{b: b, session: att.SessionID}
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		b.must(t, tb.session, domain+".enable", nil, nil)
	}
	tb.Resize(t, 1280, 2000)
	return tb
}

// Open is NewTab then Navigate.
func (b *Browser) Open(t testing.TB, u string) *Tab {
	t.Helper()
	tb := b.NewTab(t)
	tb.Navigate(t, u)
	return tb
}

// FileURL is the file:// URL of an absolute path.
func FileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// Resize sets the viewport, in CSS pixels at a device scale of 1.
func (tb *Tab) Resize(t testing.TB, width, height int) {
	t.Helper()
	tb.b.must(t, tb.session, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
	}, nil)
}

// Navigate loads u and waits for its load event (after redirects).
func (tb *Tab) Navigate(t testing.TB, u string) {
	t.Helper()
	from := tb.mark()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	tb.b.must(t, tb.session, "Page.navigate", map[string]any{"url": u}, &nav)
	if nav.ErrorText != "" {
		t.Fatalf("navigate %s: %s", u, nav.ErrorText)
	}
	tb.waitLoad(t, from)
}

// Submit runs an expression that submits a form (or otherwise navigates)
// and waits for the page it leads to, after redirects.
func (tb *Tab) Submit(t testing.TB, expr string) {
	t.Helper()
	from := tb.mark()
	tb.Eval(t, expr, nil)
	tb.waitLoad(t, from)
}

// mark is the number of events so far: waitLoad waits for a load event
// after it.
func (tb *Tab) mark() int {
	tb.b.mu.Lock()
	defer tb.b.mu.Unlock()
	return len(tb.b.events)
}

func (tb *Tab) waitLoad(t testing.TB, from int) {
	t.Helper()
	deadline := time.After(callTimeout)
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
			t.Fatalf("no page load in %v", callTimeout)
		case <-tb.b.done:
			t.Fatalf("chromium went away waiting for a page load")
		}
	}
}

// Eval runs a JavaScript expression in the page, awaiting it if it is a
// promise, and decodes its value into out (unless out is nil). An
// exception fails the test.
func (tb *Tab) Eval(t testing.TB, expr string, out any) {
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
	tb.b.must(t, tb.session, "Runtime.evaluate", map[string]any{
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

// Screenshot returns a PNG of the viewport.
func (tb *Tab) Screenshot(t testing.TB) []byte {
	t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	tb.b.must(t, tb.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return png
}

// JSString quotes s as a JavaScript string literal, to splice a Go value
// into an expression for Eval or Submit.
func JSString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
