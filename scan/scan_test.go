package scan

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func alice() rampart.Identity {
	return rampart.Identity{Name: "alice", Role: "user", Headers: http.Header{"Authorization": {"Bearer " + goodToken}}}
}

func findingsByCheck(rep *rampart.Report) map[string][]rampart.Finding {
	m := map[string][]rampart.Finding{}
	for _, f := range rep.Findings {
		m[f.Check] = append(m[f.Check], f)
	}
	return m
}

func TestSafeScanFindsFlawsAndStaysSafe(t *testing.T) {
	api, srv, other := startFake(t, true)
	rep, err := Run(context.Background(), Options{
		Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{alice()},
		Exclude: []string{"/reset"}, Concurrency: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := findingsByCheck(rep)
	for _, want := range []struct {
		check string
		sev   rampart.Severity
		path  string
	}{
		{"AUTH-001", rampart.High, "/export"},
		{"DEBUG-001", rampart.Critical, "/console"},
		{"CORS-001", rampart.High, "*"},
		{"HDR-003", rampart.Info, "*"},
	} {
		fs := got[want.check]
		if len(fs) == 0 {
			t.Errorf("no %s finding; findings: %v", want.check, rep.Findings)
			continue
		}
		if fs[0].Severity != want.sev || fs[0].Location.Path != want.path {
			t.Errorf("%s: severity %s path %s, want %s %s", want.check, fs[0].Severity, fs[0].Location.Path, want.sev, want.path)
		}
		if fs[0].ID == "" || (fs[0].Curl == "" && want.check != "HDR-003") {
			t.Errorf("%s: id %q curl %q", want.check, fs[0].ID, fs[0].Curl)
		}
	}
	// The database error /items gives to a quote is active mode's to
	// provoke: the safe scan says so in its coverage instead.
	if c := rep.Coverage.Cell("GET /items", rampart.FamilyErrorLeak); c == nil || c.Reason != rampart.ReasonNeedsActive {
		t.Errorf("error-leak on GET /items: %+v, want not tested: needs --mode active", c)
	}
	// Safety, from what the server actually received.
	for _, s := range api.seen() {
		if !rampart.Safe.AllowsMethod(s.Method) {
			t.Errorf("safe scan sent %s %s", s.Method, s.Path)
		}
		if strings.HasPrefix(s.Path, "/reset") {
			t.Errorf("excluded path requested: %s", s.Path)
		}
		// No value meant to make the server fail: quotes, backslashes and
		// SQL keywords are active mode's (docs/safety.md).
		if u, err := url.QueryUnescape(s.Path); err == nil && strings.ContainsAny(u, "'\"\\") {
			t.Errorf("safe scan sent a malformed value: %s %s", s.Method, s.Path)
		}
	}
	if n := len(other.seen()); n != 0 {
		t.Errorf("off-scope server received %d requests (after a redirect?)", n)
	}
	// No credential in any evidence or curl line.
	for _, f := range rep.Findings {
		for _, e := range f.Evidence {
			if strings.Contains(e.Request+e.Response+e.Note, goodToken) {
				t.Errorf("%s evidence leaks the token", f.Check)
			}
		}
		if strings.Contains(f.Curl, goodToken) {
			t.Errorf("%s curl leaks the token", f.Check)
		}
	}
	if rep.Stats.Requests != int64(len(api.seen())) {
		t.Errorf("report counts %d requests, server saw %d", rep.Stats.Requests, len(api.seen()))
	}
	if rep.Grade == "" || rep.Score >= 70 {
		t.Errorf("grade %s score %d for a critical flaw", rep.Grade, rep.Score)
	}
}

func TestSecureTwinHasNothingAboveLow(t *testing.T) {
	_, srv, _ := startFake(t, false)
	rep, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{alice()}, Exclude: []string{"/reset"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Severity > rampart.Low {
			t.Errorf("unexpected %s %s at %s: %s", f.Severity, f.Check, f.Location, f.Message)
		}
	}
}

func TestActiveChecksAreSkippedInSafeMode(t *testing.T) {
	_, srv, _ := startFake(t, false)
	rep, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Passive, Checks: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) == 0 {
		t.Fatal("a passive scan skipped nothing")
	}
	for _, s := range rep.Skipped {
		if !strings.HasPrefix(s.Reason, "needs --mode") {
			t.Errorf("skip reason %q", s.Reason)
		}
	}
}

func TestBadInput(t *testing.T) {
	_, srv, _ := startFake(t, false)
	tests := []struct {
		name   string
		opt    Options
		config bool // a ConfigError, else ErrUnreachable
		msg    string
	}{
		{"no target", Options{}, true, "no target"},
		{"not http", Options{Target: "ftp://127.0.0.1/"}, true, "http://"},
		{"unknown check", Options{Target: srv.URL, Checks: []string{"NOPE-9"}}, true, "unknown check"},
		{"missing spec file", Options{Target: srv.URL, Spec: "testdata/none.yaml"}, true, "no such file"},
		{"malformed spec", Options{Target: srv.URL, Spec: "testdata/malformed.yaml"}, true, "malformed.yaml"},
		{"unreachable", Options{Target: "http://127.0.0.1:1"}, false, "unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.opt)
			if err == nil {
				t.Fatal("no error")
			}
			var ce *ConfigError
			if errors.As(err, &ce) != tt.config {
				t.Errorf("config error %v: %v", !tt.config, err)
			}
			if !tt.config && !errors.Is(err, ErrUnreachable) {
				t.Errorf("not ErrUnreachable: %v", err)
			}
			if !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q should be one line mentioning %q", err, tt.msg)
			}
		})
	}
}

func TestInterruptedScanReturnsPartialReport(t *testing.T) {
	_, srv, _ := startFake(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	rep, err := Run(ctx, Options{Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{alice()}, Concurrency: 1,
		Progress: func(done, total int) {
			n++
			if n == 2 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if rep == nil || !rep.Incomplete {
		t.Fatalf("report %v, want a partial one", rep)
	}
}
