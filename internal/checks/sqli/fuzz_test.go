package sqli

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Answers are hostile input: the normaliser must never panic, must find
// an answer the same as itself, and must stay bounded.
func FuzzView(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,2,{"b":"c"}],"d":null,"e":true}`, `[]`, `{}`, `<p>x&#39;y</p>`, "",
		`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
		`{"query":"lamp' AND 'a'='a"}`, "\xff\xfe{\"a\":1}",
	} {
		f.Add([]byte(s), "lamp' AND 'a'='a", "lamp")
	}
	f.Fuzz(func(t *testing.T, body []byte, sent, base string) {
		v := newView(200, body, sent, base)
		w := newView(200, body, sent, base)
		nz, _ := learnNoise(v, w)
		if !same(v, w, nz) || !same(v, w, noise{}) {
			t.Fatalf("an answer differs from itself: %q", body)
		}
		if len(v.leaves) > maxLeaves+1 {
			t.Fatalf("%d leaves", len(v.leaves))
		}
	})
}

// Error texts come from the target: matching must not panic, and what it
// quotes back must be printable and short.
func FuzzFindDBError(f *testing.F) {
	for _, s := range []string{
		`{"message": "operator is not unique: unknown % unknown\nLINE 1: x"}`,
		`at or near "x": syntax error`, `\`, `\\n`, `"\u0000"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := findDBError(body)
		if !e.OK {
			return
		}
		s := errText(e.Hit)
		if len(s) > 200+len("…")+4 || strings.ContainsAny(s, "\n\r\x00") || !utf8.ValidString(s) && utf8.ValidString(string(body)) {
			t.Fatalf("errText %q", s)
		}
	})
}

// Sort and name values come from specs: parsing round-trips.
func FuzzParseIdent(f *testing.F) {
	for _, s := range []string{"-created", "name desc", "a,b", "", "1", `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		s, ok := parseIdent(v)
		if ok && s.with(s.name) != v {
			t.Fatalf("parseIdent(%q) = %+v", v, s)
		}
	})
}
