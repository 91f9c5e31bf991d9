package scan

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/redact"
	"github.com/rampart-sec/rampart/internal/redact/redacttest"
)

// plainCookieAPI keeps who the caller is in an unsigned cookie, base64 of
// JSON: a cookie forged from one user's by editing the username is byte
// for byte the other user's.
func plainCookieAPI(t *testing.T) *httptest.Server {
	t.Helper()
	spec := `{"openapi":"3.0.3","info":{"title":"notes","version":"1"},"paths":{"/notes":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/openapi.json":
			fmt.Fprint(w, spec)
			return
		case "/notes":
		default:
			http.NotFound(w, r)
			return
		}
		var who struct{ Username string }
		if c, err := r.Cookie("app_session"); err == nil {
			text, _ := base64.StdEncoding.DecodeString(c.Value)
			json.Unmarshal(text, &who)
		}
		if who.Username == "" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"log in"}`)
			return
		}
		fmt.Fprintf(w, `{"owner":%q,"notes":[{"id":%d,"text":"note of %s"}]}`, who.Username, len(who.Username), who.Username)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func plainCookie(user string) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"username": %q, "theme": "dark"}`, user)))
}

// TestForgedValuesInReports: what the scanner forged is shown as sent,
// but a forged value that is byte for byte a user's credential (an
// unsigned cookie edited into another user's) is still redacted in every
// report format.
func TestForgedValuesInReports(t *testing.T) {
	srv := plainCookieAPI(t)
	var ids []rampart.Identity
	var secrets []string
	for _, u := range []string{"elliot", "tim"} {
		ids = append(ids, rampart.Identity{Name: u, Role: "user", Headers: http.Header{"Cookie": {"app_session=" + plainCookie(u)}}})
		secrets = append(secrets, plainCookie(u))
	}
	rep, err := Run(context.Background(), Options{
		Target: srv.URL, Spec: srv.URL + "/openapi.json", Mode: rampart.Safe, Identities: ids,
		Checks: []string{"SESS-003"}, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	var f *rampart.Finding
	for i := range rep.Findings {
		if rep.Findings[i].Check == "SESS-003" {
			f = &rep.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no SESS-003 finding: %v", summary(rep))
	}
	for format, out := range writeAll(t, rep) {
		if leaks := redacttest.Leaks(out, secrets); len(leaks) > 0 {
			t.Errorf("%s report holds %v", format, leaks)
		}
	}
	if !strings.Contains(f.Curl, "Cookie: app_session="+redact.Marker) {
		t.Errorf("the forged copy of a user's cookie is not redacted in the curl line: %s", f.Curl)
	}
	// The garbage cookie of the baseline is the scanner's: shown as sent.
	shown := false
	for _, ev := range f.Evidence {
		for _, line := range strings.Split(ev.Request, "\r\n") {
			if v, ok := strings.CutPrefix(line, "Cookie: app_session="); ok && v != redact.Marker {
				text, err := base64.StdEncoding.DecodeString(v)
				shown = shown || err == nil && strings.Contains(string(text), `"rampart"`)
			}
		}
	}
	if !shown {
		t.Errorf("the scanner's own garbage cookie is not shown in the evidence:\n%v", f.Evidence)
	}
}
