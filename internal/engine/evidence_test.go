package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// hugeExchange sends a request with a long URL, header and body to a server
// that answers with a long header value and a body of size bytes in which
// the request's secret straddles the evidence cut.
func hugeExchange(t *testing.T, size int, secret string) (*Client, *Response) {
	t.Helper()
	_, srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Long", strings.Repeat("h", 100_000)+secret)
		w.Header().Set("Content-Type", "text/plain")
		body := strings.Repeat("é", (evidenceBodyLimit-10)/2) + secret + strings.Repeat("b", max(0, size-evidenceBodyLimit))
		w.Write([]byte(body[:min(len(body), size)]))
	})
	c, err := New(Config{Base: mustURL(t, srv.URL), Mode: rampart.Active, MaxBody: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), &Request{
		Method:  "POST",
		URL:     "/x?q=" + strings.Repeat("u", 100_000) + secret,
		Header:  http.Header{"X-Big": {strings.Repeat("v", 100_000) + secret}},
		Body:    []byte(strings.Repeat("d", 100_000) + secret),
		Secrets: []string{secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, resp
}

func TestEvidenceIsBoundedAndMarksEveryCut(t *testing.T) {
	const secret = "0123456789-straddling-secret-value"
	c, resp := hugeExchange(t, 1<<20, secret)
	ev := c.Evidence(resp, "note")
	curl := c.Curl(resp)
	for name, s := range map[string]string{"request": ev.Request, "response": ev.Response, "curl": curl} {
		if len(s) > 16<<10 {
			t.Errorf("%s evidence is %d bytes", name, len(s))
		}
		if strings.Contains(s, secret[:8]) {
			t.Errorf("%s evidence holds part of the secret", name)
		}
	}
	for _, want := range []string{"/x?q=uuu", "more bytes]", "X-Big: vvv"} {
		if !strings.Contains(ev.Request, want) {
			t.Errorf("request evidence lacks %q", want)
		}
	}
	if n := strings.Count(ev.Request, "more bytes]"); n != 3 {
		t.Errorf("request evidence marks %d cuts, want 3 (URL, header, body):\n%.300s", n, ev.Request)
	}
	if n := strings.Count(ev.Response, "more bytes]"); n != 2 {
		t.Errorf("response evidence marks %d cuts, want 2 (header, body)", n)
	}
	if !strings.Contains(curl, "# URL cut at 2048 of") || !strings.Contains(curl, "body cut at 4096 of") {
		t.Errorf("curl line does not say what it cut: …%s", curl[max(0, len(curl)-200):])
	}
}

// TestExcerptRendersAsTheResponse: what a check keeps of an answer must
// give the same evidence and replay line as the answer itself.
func TestExcerptRendersAsTheResponse(t *testing.T) {
	const secret = "0123456789-straddling-secret-value"
	for _, size := range []int{10, evidenceBodyLimit - 1, evidenceBodyLimit, evidenceBodyLimit + 1, evidenceBodyLimit + 3, evidenceBodyLimit + 40, 1 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			c, resp := hugeExchange(t, size, secret)
			ex := c.Excerpt(resp)
			if len(ex.Body) > evidenceBodyLimit+100 {
				t.Errorf("the excerpt keeps %d bytes of body", len(ex.Body))
			}
			if v := ex.Header.Get("X-Long"); len(v) > evidenceValueLimit {
				t.Errorf("the excerpt keeps a %d-byte header value", len(v))
			}
			if len(resp.Header.Get("X-Long")) < 100_000 || (size > evidenceBodyLimit && len(resp.Body) != size) {
				t.Fatal("Excerpt changed the response it was given")
			}
			want, got := c.Evidence(resp, "n"), c.Evidence(ex, "n")
			if want != got {
				t.Errorf("evidence differs:\nresponse: …%s\nexcerpt:  …%s", tail(want.Response), tail(got.Response))
			}
			if c.Curl(resp) != c.Curl(ex) {
				t.Error("curl lines differ")
			}
			if again := c.Excerpt(ex); c.Evidence(again, "n") != want {
				t.Error("an excerpt of an excerpt renders differently")
			}
		})
	}
}

func tail(s string) string { return s[max(0, len(s)-120):] }

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
