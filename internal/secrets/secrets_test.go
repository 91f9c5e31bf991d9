package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/flasksession"
	"github.com/rampart-sec/rampart/internal/inputfile"
)

// Literals decode exactly as Python's ast.literal_eval (testdata made by it).
func TestPyLiteralMatchesPython(t *testing.T) {
	data, err := os.ReadFile("testdata/literals.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Literal, B64 string }
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		want, _ := base64.StdEncoding.DecodeString(c.B64)
		got, err := PyLiteral(c.Literal)
		if err != nil {
			t.Errorf("PyLiteral(%s): %v", c.Literal, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("PyLiteral(%s) = %q, want %q", c.Literal, got, want)
		}
	}
}

func TestLineKeepsNonLiterals(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          "plain",
		"it's":           "it's",
		"'unterminated":  "'unterminated",
		"'a'b'":          "'a'b'",
		`'ends with \'`:  `'ends with \'`,
		"  spaced  \r\n": "  spaced  ",
		`'\xZZ'`:         `'\xZZ'`,
		`'\x4'`:          `'\x4'`,
	} {
		if got := string(Line(in)); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmbeddedLists(t *testing.T) {
	fl := Flask()
	if len(fl) < 40 || len(fl) > 500 {
		t.Fatalf("%d Flask keys: the list is meant to be short and curated", len(fl))
	}
	for _, want := range [][]byte{[]byte("dev"), []byte("_5#y2L\"F4Q8z\n\xec]/"), []byte("\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h")} {
		if !slices.ContainsFunc(fl, func(k []byte) bool { return bytes.Equal(k, want) }) {
			t.Errorf("Flask list lacks %q", want)
		}
	}
	if !bytes.Equal(fl[0], []byte("dev")) {
		t.Errorf("the tutorial key should be tried first, got %q", fl[0])
	}
	j := JWT()
	if !bytes.Equal(j[0], []byte("secret")) || len(j) <= len(fl) {
		t.Errorf("JWT list: first %q, %d keys", j[0], len(j))
	}
	seen := map[string]bool{}
	for _, k := range j {
		if seen[string(k)] {
			t.Errorf("duplicate %q", k)
		}
		seen[string(k)] = true
	}
}

func TestCandidatesReadWordlist(t *testing.T) {
	c := &Candidates{First: [][]byte{[]byte("x")}, Wordlist: "testdata/wordlist.txt"}
	var got []string
	for k := range c.All() {
		got = append(got, string(k))
	}
	want := []string{"x", "first-plain-line", "a python literal", "bytes\x00literal", "#not-a-comment-in-user-wordlists", "needle-key-42"}
	if !slices.Equal(got, want) || c.Err() != nil {
		t.Fatalf("got %q (err %v), want %q", got, c.Err(), want)
	}
	missing := &Candidates{Wordlist: "testdata/nope.txt"}
	for range missing.All() {
	}
	if missing.Err() == nil || CheckWordlist("testdata/nope.txt") == nil || CheckWordlist("testdata") == nil {
		t.Fatal("a missing wordlist or a directory is not an error")
	}
}

// A wordlist that is a FIFO, a device, a directory or larger than the cap is
// refused up front and while cracking, at once and without quoting it.
func TestWordlistMustBeABoundedRegularFile(t *testing.T) {
	const planted = "planted-wordlist-content"
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.txt")
	if err := os.WriteFile(huge, []byte(planted+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Sparse: the file "has" more than the cap without using the disk.
	if err := os.Truncate(huge, inputfile.MaxWordlist+1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       error
	}{
		{"fifo", fifo, inputfile.ErrNotRegular},
		{"device", "/dev/zero", inputfile.ErrNotRegular},
		{"directory", dir, inputfile.ErrNotRegular},
		{"over the cap", huge, inputfile.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var checkErr error
			var got []string
			c := &Candidates{First: [][]byte{[]byte("first")}, Wordlist: tc.path}
			go func() {
				defer close(done)
				checkErr = CheckWordlist(tc.path)
				for k := range c.All() {
					got = append(got, string(k))
				}
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("reading the wordlist hangs")
			}
			for _, err := range []error{checkErr, c.Err()} {
				if !errors.Is(err, tc.want) {
					t.Errorf("err = %v, want %v", err, tc.want)
				}
				if err != nil && strings.Contains(err.Error(), planted) {
					t.Errorf("error quotes the file: %v", err)
				}
			}
			if !slices.Equal(got, []string{"first"}) {
				t.Errorf("candidates %q: the wordlist should give none", got)
			}
		})
	}
}

func bigWordlist(t testing.TB, n int, needle string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "candidate-%d\n", i)
		if i == n*3/4 && needle != "" {
			b.WriteString(needle + "\n")
		}
	}
	p := filepath.Join(t.TempDir(), "words.txt")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCrackFindsKeyInWordlist(t *testing.T) {
	key := []byte("wordlist-only-key")
	cookie, err := flasksession.Parse(flasksession.Sign([]byte(`{"user_id":7}`), key, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		wordlist  string
		wantFound bool
		workers   int
	}{
		{"needle in 20k lines", bigWordlist(t, 20000, string(key)), true, 0},
		{"needle, one worker", bigWordlist(t, 3000, string(key)), true, 1},
		{"no needle", bigWordlist(t, 5000, ""), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Candidates{First: Flask(), Wordlist: tt.wordlist}
			res := Crack(context.Background(), c.All(), cookie.Tester, tt.workers)
			if res.Found != tt.wantFound {
				t.Fatalf("found = %v", res.Found)
			}
			if tt.wantFound && !bytes.Equal(res.Key, key) {
				t.Fatalf("key %q", res.Key)
			}
			if !tt.wantFound && res.Tried != int64(len(Flask())+5000) {
				t.Fatalf("tried %d keys, want every one (%d)", res.Tried, len(Flask())+5000)
			}
		})
	}
}

func TestCrackStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	endless := func(yield func([]byte) bool) {
		for i := 0; ; i++ {
			if !yield([]byte(fmt.Sprint(i))) {
				return
			}
		}
	}
	res := Crack(ctx, endless, func() func([]byte) bool { return func([]byte) bool { return false } }, 2)
	if res.Found {
		t.Fatal("found a key after cancel")
	}
}

func TestMaskAndRepr(t *testing.T) {
	tests := []struct {
		key        string
		mask, repr string
	}{
		{"dev", "d** (3 bytes)", "'dev'"},
		{"secret", "s***** (6 bytes)", "'secret'"},
		{"your-256-bit-secret", "your******** (19 bytes)", "'your-256-bit-secret'"},
		{"_5#y2L\"F4Q8z\n\xec]/", "_5#y******** (16 bytes)", `b'_5#y2L"F4Q8z\n\xec]/'`},
		{"ab", "** (2 bytes)", "'ab'"},
	}
	for _, tt := range tests {
		if got := Mask([]byte(tt.key)); got != tt.mask {
			t.Errorf("Mask(%q) = %q, want %q", tt.key, got, tt.mask)
		}
		if got := Repr([]byte(tt.key)); got != tt.repr {
			t.Errorf("Repr(%q) = %q, want %q", tt.key, got, tt.repr)
		}
		if strings.Contains(Show([]byte(tt.key), false), tt.key) && len(tt.key) > 2 {
			t.Errorf("Show without --show-secrets reveals %q", tt.key)
		}
	}
}

func FuzzPyLiteral(f *testing.F) {
	for _, s := range []string{`'a'`, `b'\xff'`, `'\u2603'`, `r'\'`, `'\777'`, `"x"`, `rb"\x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		PyLiteral(s)
		Line(s)
	})
}

// BenchmarkCrackFlaskCookie measures the cracking rate (keys/s) on every
// core against a real Flask cookie, and reports how long the embedded list
// takes to exhaust.
func BenchmarkCrackFlaskCookie(b *testing.B) {
	cookie, err := flasksession.Parse(flasksession.Sign([]byte(`{"role":"anonymous","visits":1}`), []byte("not-in-any-list-0123456789abcdef"), time.Now()))
	if err != nil {
		b.Fatal(err)
	}
	keys := make([][]byte, 200000)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("candidate-key-%08d", i))
	}
	var tried int64
	var elapsed time.Duration
	for b.Loop() {
		res := Crack(context.Background(), slices.Values(keys), cookie.Tester, 0)
		tried += res.Tried
		elapsed += res.Elapsed
	}
	rate := float64(tried) / elapsed.Seconds()
	b.ReportMetric(rate, "keys/s")
	b.ReportMetric(float64(len(Flask()))/rate*1e6, "µs/embedded-flask-list")
	b.ReportMetric(float64(len(JWT()))/rate*1e6, "µs/embedded-jwt-list")
}
