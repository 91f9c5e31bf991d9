package authz

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/internal/engine"
)

// What an API answers to a failing request, and the values it showed, are
// hostile input: reading a refusal never panics, its quote stays short and
// never carries the values in clear, and a made-up twin keeps the
// sample's length.
func FuzzRefusalOf(f *testing.F) {
	f.Add([]byte(`{"detail":"from_account NL55ZOOB0987654321 holds EUR"}`), "NL55ZOOB0987654321")
	f.Add([]byte(`{"detail":[{"loc":["body","amount","value"],"msg":"too many digits"}]}`), "4111111111111111")
	f.Add([]byte(`<html>oops</html>`), "")
	f.Fuzz(func(t *testing.T, body []byte, value string) {
		r := refusalOf(&engine.Response{Status: 422, Body: body}, value)
		if utf8.RuneCountInString(r.shown) > 80 {
			t.Errorf("quote of %d runes", utf8.RuneCountInString(r.shown))
		}
		if len(value) >= 12 && strings.Contains(r.shown, value) {
			t.Errorf("quote %q carries %q in clear", r.shown, value)
		}
		if !r.same(refusalOf(&engine.Response{Status: 422, Body: body}, value)) {
			t.Error("a refusal differs from itself")
		}
	})
}

func FuzzMadeUp(f *testing.F) {
	for _, s := range []string{"NL55ZOOB0987654321", "4012888888881881", "42", "", "ab-Ω-9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sample string) {
		got := madeUp(sample, func(v string) bool { return v == sample })
		if got == sample {
			t.Errorf("madeUp(%q) returned the sample", sample)
		}
		if got != "rampart-no-such-object" && got != "987654321" && got != "987654329" && got != "876543219" &&
			utf8.RuneCountInString(got) != utf8.RuneCountInString(sample) {
			t.Errorf("madeUp(%q) = %q: another length", sample, got)
		}
	})
}
