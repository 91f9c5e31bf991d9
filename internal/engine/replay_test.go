package engine

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestForgedCredentialsAreShown: a credential the scanner made is written
// out in evidence and the curl line, so the line replays the proof; the
// identities' credentials stay a variable, and a user's secret inside a
// forged value is still redacted.
func TestForgedCredentialsAreShown(t *testing.T) {
	const (
		userTok = "user-token-0123456789abcdef"
		forged  = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIzIn0."
	)
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Safe})
	if err != nil {
		t.Fatal(err)
	}
	send := func(r *Request) *Response {
		t.Helper()
		resp, err := c.Do(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	tests := []struct {
		name           string
		req            *Request
		curlHas, evHas []string
		curlNot, evNot []string
		vars           []string
	}{
		{
			name:    "forged bearer as anonymous",
			req:     &Request{Method: "GET", URL: "/me", Identity: "anonymous", Header: http.Header{"Authorization": {"Bearer " + forged}}, Forged: []string{forged}},
			curlHas: []string{`-H 'Authorization: Bearer ` + forged + `'`},
			evHas:   []string{"Authorization: Bearer " + forged},
			curlNot: []string{"$"},
		},
		{
			name:    "forged cookie",
			req:     &Request{Method: "GET", URL: "/me", Identity: "anonymous", Header: http.Header{"Cookie": {"session=" + forged}}, Forged: []string{forged}},
			curlHas: []string{`-H 'Cookie: session=` + forged + `'`},
			evHas:   []string{"Cookie: session=" + forged},
			curlNot: []string{"$"},
		},
		{
			name:    "an identity's token stays a variable",
			req:     &Request{Method: "GET", URL: "/me", Identity: "alice", Header: http.Header{"Authorization": {"Bearer " + userTok}}, Secrets: []string{userTok}},
			curlHas: []string{`-H "Authorization: $ALICE_AUTHORIZATION"`},
			evHas:   []string{"Authorization: Bearer " + Redacted},
			curlNot: []string{userTok[:12]},
			evNot:   []string{userTok[:12]},
			vars:    []string{"$ALICE_AUTHORIZATION = alice's Authorization header (Bearer …)"},
		},
		{
			name:    "a user's secret inside a forged value",
			req:     &Request{Method: "GET", URL: "/me", Identity: "bob", Header: http.Header{"Cookie": {"session=" + forged + userTok}}, Secrets: []string{userTok}, Forged: []string{forged + userTok}},
			curlHas: []string{"session=" + forged + Redacted},
			evHas:   []string{"Cookie: session=" + forged + Redacted},
			curlNot: []string{userTok[:12]},
			evNot:   []string{userTok[:12]},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := send(tt.req)
			curl, ev := c.Curl(resp), c.Evidence(resp, "")
			for _, s := range tt.curlHas {
				if !strings.Contains(curl, s) {
					t.Errorf("curl line lacks %q:\n%s", s, curl)
				}
			}
			for _, s := range tt.curlNot {
				if strings.Contains(curl, s) {
					t.Errorf("curl line holds %q:\n%s", s, curl)
				}
			}
			for _, s := range tt.evHas {
				if !strings.Contains(ev.Request, s) {
					t.Errorf("evidence lacks %q:\n%s", s, ev.Request)
				}
			}
			for _, s := range tt.evNot {
				if strings.Contains(ev.Request, s) {
					t.Errorf("evidence holds %q:\n%s", s, ev.Request)
				}
			}
			for _, want := range tt.vars {
				found := false
				for _, v := range c.Variables() {
					found = found || v.String() == want
				}
				if !found {
					t.Errorf("variables %v lack %q", c.Variables(), want)
				}
			}
		})
	}
}

func TestVariableShapes(t *testing.T) {
	tests := []struct{ header, value, want string }{
		{"Authorization", "Bearer abc.def", "Bearer …"},
		{"Authorization", "opaque-token", "…"},
		{"Cookie", "session=abc; csrf_token=def", "session=…; csrf_token=…"},
		{"X-Api-Key", "k-123456", "…"},
	}
	for _, tt := range tests {
		if got := shape(tt.header, tt.value); got != tt.want {
			t.Errorf("shape(%s: %s) = %q, want %q", tt.header, tt.value, got, tt.want)
		}
	}
}

func TestCurlNote(t *testing.T) {
	tests := []struct{ line, note, want string }{
		{"curl -i 'http://x/'", "one of 8 copies sent at once", "curl -i 'http://x/' # one of 8 copies sent at once"},
		{"curl -i 'http://x/' # body cut at 4096 of 9000 bytes", "needs note 7", "curl -i 'http://x/' # body cut at 4096 of 9000 bytes; needs note 7"},
		{"curl -i 'http://x/?q=a # b'", "needs\nnote 7", "curl -i 'http://x/?q=a # b' # needs note 7"},
		{"curl -i 'http://x/'", "  ", "curl -i 'http://x/'"},
		{"", "needs note 7", ""},
	}
	for _, tt := range tests {
		if got := CurlNote(tt.line, tt.note); got != tt.want {
			t.Errorf("CurlNote(%q, %q) = %q, want %q", tt.line, tt.note, got, tt.want)
		}
	}
}
