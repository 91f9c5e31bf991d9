package jwt

import "testing"

// FuzzParse: hostile tokens never panic the decoder, and what parses can
// be verified, tested and re-signed safely.
func FuzzParse(f *testing.F) {
	for _, tc := range loadFixture(f).Tokens {
		f.Add(tc.Token)
	}
	f.Add("eyJhbGciOiJub25lIn0.eyJ9.")
	f.Add("eyJhbGciOjF9.eyJleHAiOjFlOTk5fQ.AA")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			return
		}
		tok.Alg()
		tok.Expiry()
		tok.Verify([]byte("secret"))
		if test := tok.Tester(); test != nil {
			test([]byte("secret"))
		}
		if _, err := Sign(map[string]any{"alg": "HS256"}, tok.Claims, []byte("k")); err != nil {
			t.Fatalf("re-sign parsed claims: %v", err)
		}
	})
}
