package scan

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/redact"
	"github.com/rampart-sec/rampart/internal/redact/redacttest"
	htmlreport "github.com/rampart-sec/rampart/report/html"
	jsonreport "github.com/rampart-sec/rampart/report/json"
	junitreport "github.com/rampart-sec/rampart/report/junit"
	mdreport "github.com/rampart-sec/rampart/report/markdown"
	sarifreport "github.com/rampart-sec/rampart/report/sarif"
	textreport "github.com/rampart-sec/rampart/report/text"
)

// writeAll writes the report in the six formats through the real writers,
// with the options that show the most (text with evidence).
func writeAll(t *testing.T, rep *rampart.Report) map[string]string {
	t.Helper()
	var rules []rampart.Meta
	for _, c := range checks.All() {
		rules = append(rules, c.Meta)
	}
	writers := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return textreport.Write(b, rep, textreport.Options{Verbose: true}) },
		"json":     func(b *bytes.Buffer) error { return jsonreport.Write(b, rep) },
		"sarif":    func(b *bytes.Buffer) error { return sarifreport.Write(b, rep, sarifreport.Options{Rules: rules}) },
		"html":     func(b *bytes.Buffer) error { return htmlreport.Write(b, rep, htmlreport.Options{Rules: rules}) },
		"markdown": func(b *bytes.Buffer) error { return mdreport.Write(b, rep, mdreport.Options{Rules: rules}) },
		"junit": func(b *bytes.Buffer) error {
			return junitreport.Write(b, rep, junitreport.Options{FailOn: rampart.Info, MinConfidence: rampart.Tentative, Rules: rules})
		},
	}
	out := map[string]string{}
	for name, write := range writers {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s writer: %v", name, err)
		}
		out[name] = b.String()
	}
	return out
}

// TestNoCredentialLeavesTheScanner scans an API that echoes every
// identity's credentials (the tokens its login issues included) everywhere
// it can, in raw and encoded forms, with every check in safe and active
// mode, and looks for each secret in each encoding in all six formats.
func TestNoCredentialLeavesTheScanner(t *testing.T) {
	if testing.Short() {
		t.Skip("a full scan in two modes")
	}
	for _, mode := range []rampart.Mode{rampart.Safe, rampart.Active} {
		t.Run(mode.String(), func(t *testing.T) {
			srv := redacttest.New(t)
			var streamed []rampart.Finding
			rep, err := Run(context.Background(), Options{
				Target: srv.URL, Mode: mode, Identities: srv.Identities(),
				Concurrency: 4, Timeout: 5 * time.Second,
				OnFinding: func(f rampart.Finding) { streamed = append(streamed, f) },
			})
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			// The test proves something only if the scan met the hostile
			// answers: LEAK-001 quoted one (active mode), and dave's token
			// changed.
			var leak *rampart.Finding
			for i, f := range rep.Findings {
				if f.Check == "LEAK-001" {
					leak = &rep.Findings[i]
				}
			}
			// Safe mode sends no value meant to make the server fail, so
			// only active mode meets the database error.
			if leak == nil && mode == rampart.Active {
				t.Fatalf("no LEAK-001 finding: the database error was not seen; findings: %v", summary(rep))
			}
			if leak != nil && !strings.Contains(leak.Message, redact.Marker) {
				t.Errorf("LEAK-001 message %q: want the echoed credential replaced by %s", leak.Message, redact.Marker)
			}
			if srv.Logins() < 2 {
				t.Errorf("%d logins: the token never changed during the scan", srv.Logins())
			}
			secrets := srv.Secrets()
			for format, out := range writeAll(t, rep) {
				if leaks := redacttest.Leaks(out, secrets); len(leaks) > 0 {
					t.Errorf("%s report holds %d credentials: %v", format, len(leaks), leaks)
				}
			}
			for _, f := range streamed {
				var b bytes.Buffer
				if err := jsonreport.Write(&b, &rampart.Report{Mode: mode, Findings: []rampart.Finding{f}}); err != nil {
					t.Fatal(err)
				}
				if leaks := redacttest.Leaks(b.String(), secrets); len(leaks) > 0 {
					t.Errorf("finding %s given to OnFinding holds %v", f.Check, leaks)
				}
			}
			t.Logf("%s: %d findings, %d requests, %d logins, %d secrets looked for", mode, len(rep.Findings), rep.Stats.Requests, srv.Logins(), len(secrets))
		})
	}
}

func summary(rep *rampart.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Check+" "+f.Location.String())
	}
	return out
}

// TestInterruptedReportIsRedacted cancels the scan in the middle: the
// partial report, which the CLI writes on Ctrl-C, is redacted too.
func TestInterruptedReportIsRedacted(t *testing.T) {
	srv := redacttest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv.OnRequest = func(n int) {
		if n == 60 {
			cancel()
		}
	}
	rep, err := Run(ctx, Options{Target: srv.URL, Mode: rampart.Active, Identities: srv.Identities(), Concurrency: 4})
	if !errors.Is(err, context.Canceled) || rep == nil || !rep.Incomplete {
		t.Fatalf("err %v, report %v: want the partial report and context.Canceled", err, rep != nil)
	}
	secrets := srv.Secrets()
	for format, out := range writeAll(t, rep) {
		if leaks := redacttest.Leaks(out, secrets); len(leaks) > 0 {
			t.Errorf("partial %s report holds %v", format, leaks)
		}
	}
}

// TestErrorIsRedacted: a login that fails returns an error naming its URL,
// whose query holds a credential.
func TestErrorIsRedacted(t *testing.T) {
	srv := redacttest.New(t)
	srv.LoginFails = true
	red := redact.NewRedactor(nil)
	_, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Safe, Identities: srv.Identities(), Redactor: red})
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a ConfigError", err)
	}
	if !strings.Contains(err.Error(), "login") {
		t.Errorf("error %q does not say what failed", err)
	}
	if leaks := redacttest.Leaks(err.Error(), srv.Secrets()); len(leaks) > 0 {
		t.Errorf("error %q holds %v", err, leaks)
	}
	// The caller's redactor saw the configured secrets.
	if got := red.String("key " + redacttest.LoginKey); got != "key "+redact.Marker {
		t.Errorf("caller's redactor: %q", got)
	}
}
