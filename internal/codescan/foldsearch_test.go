package codescan

import (
	"bytes"
	"testing"
)

// lowered is what hasFold replaced: a lower-cased copy searched with
// bytes.Contains. The two must agree.
func lowered(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func TestContainsFold(t *testing.T) {
	for _, c := range []struct {
		s, w string
	}{
		{"import cockroachdb", "cockroach"}, {"COCKROACH", "cockroach"}, {"CoCkRoAcH", "cockroach"},
		{"port 26257", "26257"}, {"cockroac", "cockroach"}, {"", "crdb"}, {"crd", "crdb"},
		{"xCxCRDB", "crdb"}, {"cCcCcCRDB", "crdb"}, {"db.commit( )", ".commit("}, {".COMMIT(", ".commit("},
		{"Ke\u212a", "kek"}, {"rate_LIMIT", "rate_limit"}, {"rate-limit", "rate_limit"},
		// The search starts from the word's rarest byte (the k here): an
		// anchor too near the start, or too near the end, is no match.
		{"heck_password(", "check_password("}, {"k", "check"}, {"CHECK", "check"}, {"chec", "check"},
		{"if not Check_Password_Hash(a, b):", "check_password_hash("}, {"checkpw checkpw(", "checkpw("},
	} {
		want := bytes.Contains(lowered([]byte(c.s)), []byte(c.w))
		if got := containsFold([]byte(c.s), []byte(c.w)); got != want {
			t.Errorf("containsFold(%q, %q) = %v, want %v", c.s, c.w, got, want)
		}
	}
}

func FuzzContainsFold(f *testing.F) {
	f.Add([]byte("import CockroachDB"), []byte("cockroach"))
	f.Add([]byte("aAaAab"), []byte("ab"))
	f.Fuzz(func(t *testing.T, s, w []byte) {
		w = lowered(w)
		if len(w) == 0 {
			return
		}
		want := bytes.Contains(lowered(s), w)
		if got := containsFold(s, w); got != want {
			t.Fatalf("containsFold(%q, %q) = %v, want %v", s, w, got, want)
		}
	})
}

func TestRarest(t *testing.T) {
	for _, c := range []struct {
		w    string
		want int
	}{
		{"check_password(", 4}, // k
		{"argon2", 5},          // 2
		{"passlib", 6},         // b
		{"crdb", 3},            // b
		{"eee", 0},             // the first of equals
		{"e\x00", 1},           // unlisted: rarest
	} {
		if got := rarest([]byte(c.w)); got != c.want {
			t.Errorf("rarest(%q) = %d, want %d", c.w, got, c.want)
		}
	}
}
