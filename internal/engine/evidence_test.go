package engine

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// TestEvidenceRedactsEchoedSecretsInEveryForm: an API that echoes the
// request's secrets escaped (a redirect target, a JSON body, an HTML page)
// or cut where evidence clips the body shows none of them.
func TestEvidenceRedactsEchoedSecretsInEveryForm(t *testing.T) {
	const token = "tok/en+with=escapes~0123456789"
	const password = `pa"ss<w&rd>-42`
	jsonTok, _ := json.Marshal(token)
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/landing?t="+url.QueryEscape(token))
		w.Header().Set("X-Echo", strings.ReplaceAll(string(jsonTok), "/", `\/`))
		w.WriteHeader(http.StatusFound)
		// The token straddles the clip: its first 15 bytes are kept.
		head := html.EscapeString(password) + " "
		w.Write([]byte(head + strings.Repeat("x", evidenceBodyLimit-len(head)-15) + token))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), &Request{
		Method: "POST", URL: "/p/" + url.PathEscape(token), Identity: "alice",
		Header:  http.Header{"Authorization": {"Bearer " + token}},
		Body:    []byte(`{"password":` + string(mustJSON(password)) + `}`),
		Secrets: []string{token, password},
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := c.Evidence(resp, "note with "+token)
	curl := c.Curl(resp)
	for _, out := range []string{ev.Request, ev.Response, ev.Note, curl} {
		for _, leak := range []string{token, url.QueryEscape(token), url.PathEscape(token), "tok\\/en", html.EscapeString(password), password,
			string(mustJSON(password)), token[:12]} {
			if strings.Contains(out, leak) {
				t.Errorf("%q leaked into:\n%s", leak, out)
			}
		}
	}
	for _, want := range []string{"Location: /landing?t=" + Redacted, "POST /p/" + Redacted + " HTTP/1.1", "Authorization: Bearer " + Redacted} {
		if !strings.Contains(ev.Request+ev.Response, want) {
			t.Errorf("evidence lacks %q:\n%s\n%s", want, ev.Request, ev.Response)
		}
	}
}

func mustJSON(s string) []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return b
}
