package cdp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// AssertClean fails the test, once per problem, when the page the tab
// shows now logged an error or a warning (uncaught exceptions,
// console.error, CSP violations), opened a dialog, or sent a request
// outside origin. origin is scheme://host:port for a served page, "file://"
// for a page opened from a file; data: URLs and about:blank are allowed.
func (tb *Tab) AssertClean(t testing.TB, origin string) {
	t.Helper()
	for _, p := range tb.Problems(t, origin) {
		t.Error(p)
	}
}

// Problems lists what AssertClean fails on, one line each.
func (tb *Tab) Problems(t testing.TB, origin string) []string {
	t.Helper()
	// Let late events (a CSP report, a deferred error) arrive.
	var ping int
	tb.Eval(t, `new Promise(r => setTimeout(() => r(1), 100))`, &ping)
	tb.b.mu.Lock()
	defer tb.b.mu.Unlock()
	var problems []string
	for _, e := range tb.b.events[tb.seen:] {
		if e.SessionID != tb.session {
			continue
		}
		if p := problem(e, origin); p != "" {
			problems = append(problems, p)
		}
	}
	return problems
}

// problem says what is wrong with one event, or "" when nothing is.
func problem(e message, origin string) string {
	switch e.Method {
	case "Runtime.exceptionThrown":
		return fmt.Sprintf("uncaught exception: %s", e.Params)
	case "Runtime.consoleAPICalled":
		var p struct {
			Type string `json:"type"`
		}
		json.Unmarshal(e.Params, &p)
		if p.Type == "error" || p.Type == "warning" || p.Type == "assert" {
			return fmt.Sprintf("console.%s: %s", p.Type, e.Params)
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
			return fmt.Sprintf("console %s (%s): %s", p.Entry.Level, p.Entry.Source, p.Entry.Text)
		}
	case "Page.javascriptDialogOpening":
		return fmt.Sprintf("the page opened a dialog: %s", e.Params)
	case "Network.requestWillBeSent":
		var p struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		json.Unmarshal(e.Params, &p)
		if u := p.Request.URL; !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") && u != "about:blank" {
			return fmt.Sprintf("the page fetched %s", u)
		}
	}
	return ""
}
