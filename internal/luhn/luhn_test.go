package luhn

import "testing"

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"4012888888881881": true, "4111111111111111": true, "5555555555554444": true, "0": true, "18": true,
		"4012888888881882": false, "4111 1111 1111 1111": false, "": false, "4a12": false, "1": false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzValid(f *testing.F) {
	f.Add("4012888888881881")
	f.Fuzz(func(t *testing.T, s string) {
		if !Valid(s) {
			return
		}
		// A valid number stays valid with a leading zero and fails with its
		// last digit changed by one.
		if !Valid("0" + s) {
			t.Errorf("%q valid, 0%q not", s, s)
		}
		last := s[len(s)-1]
		next := byte('0' + (last-'0'+1)%10)
		if Valid(s[:len(s)-1] + string(next)) {
			t.Errorf("%q and its last digit changed both valid", s)
		}
	})
}
