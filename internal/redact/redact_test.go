package redact

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"sync"
	"testing"
)

const tok = "eyJhbGciOi.Tok/en+v=1~x" // 24 bytes, with the characters encoders touch

func TestString(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"raw", []string{tok}, "you sent " + tok + ", bye", "you sent [REDACTED], bye"},
		{"query escaped", []string{tok}, "/landing?t=" + url.QueryEscape(tok) + "&x=1", "/landing?t=[REDACTED]&x=1"},
		{"path escaped", []string{tok}, "/u/" + url.PathEscape(tok) + "/x", "/u/[REDACTED]/x"},
		{"lower-case hex", []string{tok}, "t=eyJhbGciOi.Tok%2fen%2bv%3d1~x!", "t=[REDACTED]!"},
		{"every byte escaped", []string{"secret-value"}, "v=%73%65%63%72%65%74%2d%76%61%6c%75%65.", "v=[REDACTED]."},
		{"json \\/", []string{tok}, `{"t":"eyJhbGciOi.Tok\/en+v=1~x"}`, `{"t":"[REDACTED]"}`},
		{"json \\u002f", []string{tok}, `{"t":"eyJhbGciOi.Tok\u002Fen\u002bv\u003d1~x"}`, `{"t":"[REDACTED]"}`},
		{"json marshal", []string{`pa"ss<w&rd>42`}, mustJSON(`pa"ss<w&rd>42`), `"[REDACTED]"`},
		{"html escaped", []string{`pa"ss<w&rd>42`}, "<p>" + html.EscapeString(`pa"ss<w&rd>42`) + "</p>", "<p>[REDACTED]</p>"},
		{"html numeric", []string{tok}, "eyJhbGciOi.Tok&#47;en&#x2b;v&#X3D;1~x", "[REDACTED]"},
		{"html named", []string{tok}, "eyJhbGciOi.Tok&sol;en&plus;v&equals;1~x", "[REDACTED]"},
		{"nested: url in json in html", []string{tok}, html.EscapeString(mustJSON(url.QueryEscape(tok))), "&#34;[REDACTED]&#34;"},
		{"double url escaped", []string{tok}, url.QueryEscape(url.QueryEscape(tok)), "[REDACTED]"},
		{"space as +", []string{"Bearer " + tok}, "h=" + url.QueryEscape("Bearer "+tok), "h=[REDACTED]"},
		{"white space folded", []string{"pass phrase\twith gaps"}, "msg: pass+phrase\nwith gaps.", "msg: [REDACTED]."},
		{"python \\x", []string{"secret-value"}, `'secret\x2dvalue'`, `'[REDACTED]'`},
		{"surrogate pair", []string{"key-😀-value"}, `"key-\ud83d\ude00-value"`, `"[REDACTED]"`},
		{"every occurrence", []string{"abcdefgh"}, "abcdefgh abcdefgh", "[REDACTED] [REDACTED]"},
		{"secret inside another", []string{"inner-secret", "outer-inner-secret-x"}, "a outer-inner-secret-x b inner-secret c",
			"a [REDACTED] b [REDACTED] c"},
		{"overlapping secrets merge", []string{"abcdefgh", "efghijkl"}, "-abcdefghijkl-", "-[REDACTED]-"},
		{"self-overlap", []string{"abcabc"}, "xabcabcabcx", "x[REDACTED]x"},
		{"cut at the end", []string{tok}, "snippet: …" + tok[:FragmentLen+2], "snippet: …[REDACTED]"},
		{"cut at the start", []string{tok}, tok[len(tok)-FragmentLen:] + " rest", "[REDACTED] rest"},
		{"short fragment stays", []string{tok}, "…" + tok[:FragmentLen-1], "…" + tok[:FragmentLen-1]},
		{"below minimum", []string{"a", "12345"}, "a 12345 banana", "a 12345 banana"},
		{"at minimum", []string{"123456"}, "id 123456.", "id [REDACTED]."},
		{"secret that looks escaped", []string{"ab%41cdefgh"}, "1 ab%41cdefgh 2 abAcdefgh 3 ab%2541cdefgh", "1 [REDACTED] 2 [REDACTED] 3 [REDACTED]"},
		{"no secret", []string{tok}, "nothing to see here, 100% & \\ +", "nothing to see here, 100% & \\ +"},
		{"no secrets", nil, tok, tok},
		{"base64", []string{tok}, "state=" + base64.URLEncoding.EncodeToString([]byte(tok)) + "&x", "state=[REDACTED]&x"},
		{"markdown escapes", []string{tok}, `eyJhbGciOi\.Tok/en\+v\=1\~x`, "[REDACTED]"},
		{"invalid escapes left alone", []string{"secret-value"}, "%zz \\q &bogus; &#xZZ; secret-value", "%zz \\q &bogus; &#xZZ; [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.secrets...).String(tt.in); got != tt.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func mustJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestHeaderSecrets(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte("carol:p4ss/w0rd?"))
	tests := []struct {
		name, header, value string
		want                []string
	}{
		{"bearer", "authorization", "Bearer " + tok, []string{tok}},
		{"bearer with padding", "Authorization", "Bearer abc.def==", []string{"abc.def=="}},
		{"basic", "Authorization", "Basic " + b64, []string{b64, "carol:p4ss/w0rd?", "p4ss/w0rd?"}},
		{"digest", "Authorization", `Digest username="u", response="6629fae49393a05397450978507c4ef1"`,
			[]string{"u", "6629fae49393a05397450978507c4ef1"}},
		{"scheme-less", "Authorization", tok, []string{tok}},
		{"cookie", "Cookie", `session=abc.def.ghi; theme="darkest"`, []string{"abc.def.ghi", "darkest"}},
		{"api key", "X-Api-Key", " k-123456 ", []string{"k-123456"}},
		{"plain header", "Content-Type", "application/json", nil},
		{"empty", "Authorization", "  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HeaderSecrets(tt.header, tt.value)
			for _, w := range tt.want {
				if !contains(got, w) {
					t.Errorf("HeaderSecrets(%s: %s) = %q, lacks %q", tt.header, tt.value, got, w)
				}
			}
			if tt.want == nil && got != nil {
				t.Errorf("HeaderSecrets(%s: %s) = %q, want none", tt.header, tt.value, got)
			}
		})
	}
	// The base64 of user:pass is found in all its alphabets once the
	// header's secrets are redacted, and a message that quotes the header
	// keeps its scheme.
	set := New(HeaderSecrets("Authorization", "Basic "+b64)...)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		in := "echo " + enc.EncodeToString([]byte("carol:p4ss/w0rd?")) + " end"
		if got := set.String(in); got != "echo [REDACTED] end" {
			t.Errorf("%q -> %q", in, got)
		}
	}
	if got := New(HeaderSecrets("Authorization", "Bearer "+tok)...).String("sent Authorization: Bearer " + tok); got != "sent Authorization: Bearer [REDACTED]" {
		t.Errorf("got %q", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestShort(t *testing.T) {
	if got := Short([]string{"", "a", "12345", "123456"}); len(got) != 2 || got[0] != "a" || got[1] != "12345" {
		t.Errorf("Short = %q", got)
	}
}

func TestRedactorFollowsSecretsThatChange(t *testing.T) {
	var mu sync.Mutex
	cur := []string{"first-token-111"}
	var warnings []string
	r := NewRedactor(func(msg string) { warnings = append(warnings, msg) })
	r.Add("dave", func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), cur...) })
	r.Add("erin", func() []string { return []string{"abc", "longer-secret-1"} })
	if got := r.String("a first-token-111 b"); got != "a [REDACTED] b" {
		t.Errorf("got %q", got)
	}
	err := r.Error(fmt.Errorf("login: %w", errors.New("echo second-token-222")))
	mu.Lock()
	cur = append(cur, "second-token-222") // a re-login
	mu.Unlock()
	// The error is redacted with the secrets current when it is printed.
	if got := err.Error(); got != "login: echo [REDACTED]" {
		t.Errorf("error %q", got)
	}
	var w strings.Builder
	fmt_ := r.Writer(&w)
	fmt.Fprintln(fmt_, "rampart: first-token-111 second-token-222 longer-secret-1 abc")
	if got := w.String(); got != "rampart: [REDACTED] [REDACTED] [REDACTED] abc\n" {
		t.Errorf("writer wrote %q", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "identity erin: 1 credential value shorter than 6") || strings.Contains(warnings[0], "abc") {
		t.Errorf("warnings %q (want one, for erin, without the value)", warnings)
	}
	if n := r.Notes(); len(n) != 1 {
		t.Errorf("notes %q", n)
	}
	if !errors.Is(err, err.(interface{ Unwrap() error }).Unwrap()) || r.Error(err) != err {
		t.Error("Error does not wrap once and unwrap")
	}
}
