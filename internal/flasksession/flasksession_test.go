package flasksession

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

type fixture struct {
	Flask   string `json:"flask"`
	Cookies []struct {
		Name       string   `json:"name"`
		Cookie     string   `json:"cookie"`
		KeyB64     string   `json:"key_b64"`
		Compressed bool     `json:"compressed"`
		Session    any      `json:"session"`
		WrongKeys  []string `json:"wrong_keys_b64"`
	} `json:"cookies"`
	Remember []struct {
		KeyB64 string `json:"key_b64"`
		UserID string `json:"user_id"`
		Token  string `json:"token"`
	} `json:"remember"`
}

func loadFixture(t testing.TB) fixture {
	t.Helper()
	data, err := os.ReadFile("testdata/cookies.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cookies) == 0 {
		t.Fatal("no cookies in the fixture: run testdata/gen.py")
	}
	return f
}

func unb64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plain turns decoded values into the JSON form gen.py writes, so the two
// can be compared: bytes and times are marked objects.
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case []byte:
		return map[string]any{"$bytes": base64.StdEncoding.EncodeToString(x)}
	case time.Time:
		return map[string]any{"$time": x.UTC().Format("2006-01-02T15:04:05Z")}
	default:
		return v
	}
}

func normalise(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Cookies set by a real Flask app decode to what Flask itself reads back,
// verify with the key that signed them and with no other.
func TestRealFlaskCookies(t *testing.T) {
	fx := loadFixture(t)
	compressed := 0
	for _, c := range fx.Cookies {
		t.Run(c.Name, func(t *testing.T) {
			if !Looks(c.Cookie) {
				t.Fatalf("Looks(%q) = false", c.Cookie)
			}
			ck, err := Parse(c.Cookie)
			if err != nil {
				t.Fatal(err)
			}
			if ck.Compressed != c.Compressed {
				t.Errorf("compressed = %v, want %v", ck.Compressed, c.Compressed)
			}
			if d := time.Since(ck.Time); d < 0 || d > 365*24*time.Hour*5 {
				t.Errorf("timestamp %v is not recent", ck.Time)
			}
			data, err := ck.Data()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := normalise(t, plain(data)), normalise(t, c.Session); !reflect.DeepEqual(got, want) {
				t.Errorf("session\n got %v\nwant %v", got, want)
			}
			key := unb64(t, c.KeyB64)
			test := ck.Tester()
			if !ck.Verify(key) || !test(key) {
				t.Errorf("the signing key does not verify")
			}
			for _, w := range c.WrongKeys {
				wk := unb64(t, w)
				if bytes.Equal(wk, key) {
					continue
				}
				if ck.Verify(wk) || test(wk) {
					t.Errorf("wrong key %q verifies", wk)
				}
			}
		})
		if c.Compressed {
			compressed++
		}
	}
	if compressed == 0 || compressed == len(fx.Cookies) {
		t.Fatalf("fixture must hold compressed and plain cookies (%d of %d compressed)", compressed, len(fx.Cookies))
	}
}

// Signing the JSON Flask signed, at the same second and with the same key,
// gives Flask's exact cookie (for the uncompressed ones).
func TestSignMatchesFlask(t *testing.T) {
	fx := loadFixture(t)
	n := 0
	for _, c := range fx.Cookies {
		if c.Compressed {
			continue
		}
		ck, err := Parse(c.Cookie)
		if err != nil {
			t.Fatal(err)
		}
		if got := Sign(ck.JSON, unb64(t, c.KeyB64), ck.Time); got != c.Cookie {
			t.Errorf("%s: Sign = %q, want %q", c.Name, got, c.Cookie)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no uncompressed cookie in the fixture")
	}
}

func TestForgedCookieRoundTrip(t *testing.T) {
	fx := loadFixture(t)
	ck, err := Parse(fx.Cookies[0].Cookie)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := ck.Fields()
	if err != nil {
		t.Fatal(err)
	}
	fields["user_id"] = Raw(3)
	fields["role"] = Raw("admin")
	payload, err := Encode(fields)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("dev")
	forged, err := Parse(Sign(payload, key, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if !forged.Verify(key) || forged.Verify([]byte("other")) {
		t.Fatal("forged cookie does not verify with its key only")
	}
	data, _ := forged.Data()
	if data["role"] != "admin" || data["user_id"].(json.Number).String() != "3" {
		t.Fatalf("forged data %v", data)
	}
}

func TestRememberTokenMatchesFlaskLogin(t *testing.T) {
	fx := loadFixture(t)
	if len(fx.Remember) == 0 {
		t.Skip("fixture made without flask_login")
	}
	for _, r := range fx.Remember {
		if got := RememberToken(r.UserID, unb64(t, r.KeyB64)); got != r.Token {
			t.Errorf("RememberToken(%s) = %s, want %s", r.UserID, got, r.Token)
		}
	}
}

func TestParseRejects(t *testing.T) {
	fx := loadFixture(t)
	good := fx.Cookies[0].Cookie
	i := strings.IndexByte(good, '.')
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrShape},
		{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU", ErrShape},
		{"short signature", good[:len(good)-2], ErrShape},
		{"opaque token", "d3b07384d113edec49eaa6238ad5ff00", ErrShape},
		{"payload not json", base64.RawURLEncoding.EncodeToString([]byte("not json")) + good[i:], ErrPayload},
		{"bad zlib", "." + base64.RawURLEncoding.EncodeToString([]byte("garbage")) + good[i:], ErrPayload},
		{"bad base64 payload", "a" + good[i:], ErrPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.in); !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) err = %v, want %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestTamperedCookieFails(t *testing.T) {
	fx := loadFixture(t)
	c := fx.Cookies[0]
	key := unb64(t, c.KeyB64)
	ck, _ := Parse(c.Cookie)
	fields, _ := ck.Fields()
	fields["role"] = Raw("admin")
	payload, _ := Encode(fields)
	// Same timestamp and signature, new payload: must not verify.
	parts := strings.Split(c.Cookie, ".")
	tampered := base64.RawURLEncoding.EncodeToString(payload) + "." + parts[len(parts)-2] + "." + parts[len(parts)-1]
	tk, err := Parse(tampered)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Verify(key) {
		t.Fatal("tampered cookie verifies")
	}
}

func TestDecompressionIsCapped(t *testing.T) {
	var buf bytes.Buffer
	zw := zlibWriter(&buf)
	zw.Write([]byte(`{"a":"`))
	zw.Write(bytes.Repeat([]byte("a"), MaxPayload+10))
	zw.Write([]byte(`"}`))
	zw.Close()
	v := "." + base64.RawURLEncoding.EncodeToString(buf.Bytes()) + ".ZXYzAA." + strings.Repeat("A", 27)
	if _, err := Parse(v); !errors.Is(err, ErrPayload) {
		t.Fatalf("a zlib bomb parses: %v", err)
	}
}

func BenchmarkTester(b *testing.B) {
	fx := loadFixture(b)
	ck, err := Parse(fx.Cookies[0].Cookie)
	if err != nil {
		b.Fatal(err)
	}
	test := ck.Tester()
	key := []byte("not-the-key-but-a-typical-length")
	b.ReportAllocs()
	for b.Loop() {
		test(key)
	}
}
