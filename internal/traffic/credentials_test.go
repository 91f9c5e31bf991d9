package traffic

import (
	"encoding/json"
	"strings"
	"testing"
)

// secretsOf are the credential values of testdata/browser.har.
var secretsOf = []string{"tok-alice-4f8a9c2e7d", "s3ss10n-alice-0001", "qt-alice-77aa11", "wonderland-2024"}

// TestStripAll: every credential of a plain recording is removed from
// what the scan keeps (never sent, never reported) and warned of where it
// was, once per request.
func TestStripAll(t *testing.T) {
	rec := readHAR(t, "browser.har")
	n := len(rec.Warnings)
	removed := StripAll(rec, false)
	kept, _ := json.Marshal(rec.Exchanges)
	for _, s := range secretsOf {
		if strings.Contains(string(kept), s) {
			t.Errorf("%s is still in the exchanges", s)
		}
		found := false
		for _, r := range removed {
			found = found || strings.Contains(r, s)
		}
		if !found {
			t.Errorf("%s is not among the secrets returned for the redactor", s)
		}
	}
	var got []string
	for _, w := range rec.Warnings[n:] {
		got = append(got, w.Path+": "+w.Problem)
		if !strings.Contains(w.Repair, "--har-identity") {
			t.Errorf("%s: repair %q does not say how to keep the credentials", w.Path, w.Repair)
		}
	}
	want := []string{
		"log.entries[0].request.postData: recorded credentials: body password, cookie Set-Cookie",
		"log.entries[1].request.cookies: recorded credentials: cookie Cookie, header Authorization",
		"log.entries[2].request.cookies: recorded credentials: cookie Cookie, header Authorization",
		"log.entries[3].request.cookies: recorded credentials: cookie Cookie, header Authorization",
		"log.entries[4].request.headers: recorded credentials: header Authorization",
		"log.entries[5].request.headers: recorded credentials: header Authorization",
		"log.entries[6].request.headers: recorded credentials: header Authorization",
		"log.entries[7].request.queryString: recorded credentials: query access_token",
		"log.entries[9].request.headers: recorded credentials: header Authorization",
		"log.entries[10].request.headers: recorded credentials: header Authorization",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !rec.Exchanges[1].Credentialed || rec.Exchanges[8].Credentialed {
		t.Error("Credentialed should mark the requests that carried credentials, and only them")
	}
}

// TestStripAllAsIdentity: a --har-identity recording's header and cookie
// credentials are its identity's, so only what an identity cannot carry
// is warned of.
func TestStripAllAsIdentity(t *testing.T) {
	rec := readHAR(t, "browser.har")
	n := len(rec.Warnings)
	StripAll(rec, true)
	var got []string
	for _, w := range rec.Warnings[n:] {
		got = append(got, w.Path+": "+w.Problem)
	}
	want := "log.entries[0].request.postData: recorded credentials: body password\n" +
		"log.entries[7].request.queryString: recorded credentials: query access_token"
	if strings.Join(got, "\n") != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

func TestPostmanCredentials(t *testing.T) {
	rec := readPostman(t, "collection.postman.json")
	n := len(rec.Warnings)
	StripAll(rec, false)
	var got []string
	for _, w := range rec.Warnings[n:] {
		got = append(got, w.Path+": "+w.Problem)
	}
	want := "item[1].item[0].item[0].request.header: recorded credentials: header X-Admin-Key\n" +
		"item[1].item[0].item[1].request.body: recorded credentials: body password\n" +
		"item[3].request.header: recorded credentials: header Authorization"
	if strings.Join(got, "\n") != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

func TestSession(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ex       []*Exchange
		want     string
		cookieBy int // index of the exchange that set "session"; -1 none
	}{
		{
			name: "login answer sets the cookie, later requests carry a token",
			ex: []*Exchange{
				{Header: hdr(), RespHeader: hdr("Set-Cookie", "session=one; Path=/")},
				{Header: hdr("Authorization", "Bearer old", "Cookie", "session=one")},
				{Header: hdr("Authorization", "Bearer new", "X-Api-Key", "k-1")},
			},
			want:     "Authorization=Bearer new; Cookie=session=one; X-Api-Key=k-1",
			cookieBy: 0,
		},
		{
			name: "logout expires the cookie",
			ex: []*Exchange{
				{Header: hdr(), RespHeader: hdr("Set-Cookie", "session=one")},
				{Header: hdr("Cookie", "session=one; theme=dark"), RespHeader: hdr("Set-Cookie", "session=; Max-Age=0")},
			},
			want:     "Cookie=theme=dark",
			cookieBy: -1,
		},
		{
			name:     "nothing",
			ex:       []*Exchange{{Header: hdr("Accept", "*/*")}},
			want:     "",
			cookieBy: -1,
		},
	} {
		h, by := SessionOrigins(&Recording{Exchanges: tc.ex})
		var parts []string
		for _, k := range []string{"Authorization", "Cookie", "X-Api-Key"} {
			if v := h.Get(k); v != "" {
				parts = append(parts, k+"="+v)
			}
		}
		if got := strings.Join(parts, "; "); got != tc.want {
			t.Errorf("%s: session %q, want %q", tc.name, got, tc.want)
		}
		switch {
		case tc.cookieBy < 0 && by["session"] != nil:
			t.Errorf("%s: the session cookie has an origin", tc.name)
		case tc.cookieBy >= 0 && by["session"] != tc.ex[tc.cookieBy]:
			t.Errorf("%s: the session cookie was set by exchange %d", tc.name, tc.cookieBy)
		}
	}
}

func hdr(kv ...string) map[string][]string {
	h := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = append(h[kv[i]], kv[i+1])
	}
	return h
}
