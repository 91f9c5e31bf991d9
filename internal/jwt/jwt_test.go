package jwt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

type fixture struct {
	PyJWT  string `json:"pyjwt"`
	Tokens []struct {
		Name      string         `json:"name"`
		Token     string         `json:"token"`
		Alg       string         `json:"alg"`
		KeyB64    string         `json:"key_b64"`
		Claims    map[string]any `json:"claims"`
		WrongKeys []string       `json:"wrong_keys_b64"`
	} `json:"tokens"`
}

func loadFixture(t testing.TB) fixture {
	t.Helper()
	data, err := os.ReadFile("testdata/tokens.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Tokens) == 0 {
		t.Fatal("empty fixture: run testdata/gen.py")
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

func norm(t *testing.T, v any) any {
	t.Helper()
	b, _ := json.Marshal(v)
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Tokens PyJWT made parse to their claims, verify with their key only, and
// re-signing the same header and claims in Go gives PyJWT's bytes.
func TestPyJWTTokens(t *testing.T) {
	for _, tc := range loadFixture(t).Tokens {
		t.Run(tc.Name, func(t *testing.T) {
			tok, err := Parse(tc.Token)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Alg() != tc.Alg {
				t.Errorf("alg %q, want %q", tok.Alg(), tc.Alg)
			}
			if got, want := norm(t, tok.Claims), norm(t, tc.Claims); !reflect.DeepEqual(got, want) {
				t.Errorf("claims %v, want %v", got, want)
			}
			if tc.Alg == "none" {
				if len(tok.Signature) != 0 || tok.HMAC() || tok.Tester() != nil {
					t.Fatal("alg=none token has a signature or an HMAC tester")
				}
				return
			}
			key := unb64(t, tc.KeyB64)
			test := tok.Tester()
			if !tok.Verify(key) || !test(key) {
				t.Fatal("signing key does not verify")
			}
			for _, w := range tc.WrongKeys {
				if wk := unb64(t, w); !bytes.Equal(wk, key) && (tok.Verify(wk) || test(wk)) {
					t.Errorf("wrong key %q verifies", wk)
				}
			}
			signed, err := Sign(tok.Header, tok.Claims, key)
			if err != nil {
				t.Fatal(err)
			}
			// Python escapes non-ASCII as \uXXXX and Go does not: the bytes
			// match for ASCII claims, and the token verifies either way.
			if !strings.HasSuffix(tc.Name, "/unicode") && signed != tc.Token {
				t.Errorf("Sign = %s\nwant  %s", signed, tc.Token)
			}
			if again, err := Parse(signed); err != nil || !again.Verify(key) || !reflect.DeepEqual(norm(t, again.Claims), norm(t, tok.Claims)) {
				t.Errorf("re-signed token does not round-trip: %v", err)
			}
		})
	}
}

func TestNoneMatchesPyJWT(t *testing.T) {
	for _, tc := range loadFixture(t).Tokens {
		if tc.Alg != "none" {
			continue
		}
		tok, _ := Parse(tc.Token)
		got, err := None("none", map[string]any{"typ": "JWT"}, tok.Claims)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.Token {
			t.Fatalf("None = %s, want PyJWT's %s", got, tc.Token)
		}
		return
	}
	t.Fatal("no alg=none token in the fixture")
}

func TestNoneSpellings(t *testing.T) {
	for _, alg := range NoneAlgs {
		s, err := None(alg, nil, map[string]any{"sub": "1"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(s, ".") {
			t.Errorf("%s: signature not empty: %s", alg, s)
		}
		tok, err := Parse(s)
		if err != nil || tok.Alg() != alg {
			t.Errorf("%s: parse %v alg %q", alg, err, tok.Alg())
		}
	}
}

func TestExpiry(t *testing.T) {
	for _, tc := range loadFixture(t).Tokens {
		tok, _ := Parse(tc.Token)
		_, has := tok.Expiry()
		if want := tc.Claims["exp"] != nil; has != want {
			t.Errorf("%s: has exp %v, want %v", tc.Name, has, want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"two parts", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0"},
		{"flask cookie", "eyJyb2xlIjoiYW5vbnltb3VzIn0.awlwhA.-28aYwiAnizTfeQ7v9ITSuPzPrY"},
		{"header not json", "eyJub3Rqc29u.eyJzdWIiOiIxIn0.sig"},
		{"header array", base64.RawURLEncoding.EncodeToString([]byte(`["a"]`)) + ".eyJzdWIiOiIxIn0."},
		{"claims null", "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(`null`)) + "."},
		{"too long", "eyJ" + strings.Repeat("a", MaxLen) + ".eyJ.x"},
	}
	for _, tt := range tests {
		if _, err := Parse(tt.in); !errors.Is(err, ErrShape) {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

func TestSignRejectsUnknownAlg(t *testing.T) {
	if _, err := Sign(map[string]any{"alg": "RS256"}, map[string]any{}, []byte("k")); !errors.Is(err, ErrAlg) {
		t.Fatalf("err = %v", err)
	}
}

func TestFind(t *testing.T) {
	tok := loadFixture(t).Tokens[0].Token
	body := `{"access_token":"` + tok + `","token_type":"Bearer"}`
	if got := Find.FindString(body); got != tok {
		t.Fatalf("Find = %q", got)
	}
}

func BenchmarkTesterHS256(b *testing.B) {
	var tok *Token
	for _, tc := range loadFixture(b).Tokens {
		if tc.Alg == "HS256" {
			tok, _ = Parse(tc.Token)
			break
		}
	}
	test := tok.Tester()
	key := []byte("not-the-key-but-a-typical-length")
	b.ReportAllocs()
	for b.Loop() {
		test(key)
	}
}
