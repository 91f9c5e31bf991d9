package webhook

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	secret := []byte("s3cret")
	body := []byte(`{"event":"scan.completed"}`)
	now := time.Unix(1_800_000_000, 0)
	sig := Sign(secret, now, body)
	// Known answer, computed apart (Python's hmac): HMAC-SHA256 of
	// "<unix ts>.<body>", as docs/worker.md tells receivers.
	if want := "sha256=5f4381397856ca9ba864ba223adcb3428662f6c7c7f2e4004f4b5fa1b26ddf2b"; sig != want {
		t.Fatalf("signature %q, want %q", sig, want)
	}
	ts := "1800000000"
	for _, tc := range []struct {
		name    string
		secret  []byte
		sig, ts string
		body    []byte
		now     time.Time
		ok      bool
	}{
		{"valid", secret, sig, ts, body, now, true},
		{"valid within tolerance", secret, sig, ts, body, now.Add(4 * time.Minute), true},
		{"other secret", []byte("other"), sig, ts, body, now, false},
		{"body changed", secret, sig, ts, []byte(`{"event":"scan.completed "}`), now, false},
		{"timestamp changed", secret, sig, "1800000001", body, now, false},
		{"too old", secret, sig, ts, body, now.Add(6 * time.Minute), false},
		{"from the future", secret, sig, ts, body, now.Add(-6 * time.Minute), false},
		{"no prefix", secret, sig[len("sha256="):], ts, body, now, false},
		{"not a timestamp", secret, sig, "yesterday", body, now, false},
		{"empty", secret, "", "", body, now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.sig, tc.ts, tc.body, tc.now, 5*time.Minute)
			if tc.ok && err != nil {
				t.Errorf("Verify: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify = %v, want ErrBadSignature", err)
			}
		})
	}
}

// FuzzVerify: a receiver's headers are whatever reached it; Verify never
// panics and accepts only the signature Sign makes.
func FuzzVerify(f *testing.F) {
	secret := []byte("k")
	now := time.Unix(1_800_000_000, 0)
	f.Add(Sign(secret, now, []byte("{}")), "1800000000", []byte("{}"))
	f.Add("sha256=", "-1", []byte(""))
	f.Add("sha256=zz", "99999999999999999999", []byte("x"))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		if Verify(secret, sig, ts, body, now, time.Hour) != nil {
			return
		}
		// Accepted: it must be the signature of this body at the
		// timestamp given.
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || sig != Sign(secret, time.Unix(sec, 0), body) {
			t.Errorf("Verify accepted %q for %q at %q", sig, body, ts)
		}
	})
}
