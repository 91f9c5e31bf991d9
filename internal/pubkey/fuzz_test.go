package pubkey

import (
	"crypto/x509"
	"encoding/base64"
	"testing"
)

// Hostile bodies: Find and ParseJWKS never panic, stay within their
// bounds, and keep only keys that are real.
func FuzzFind(f *testing.F) {
	keys(f)
	short := base64.StdEncoding.EncodeToString(spki(&rsa1024.PublicKey))
	for _, s := range []string{
		short, "<pre>" + short + "</pre>", pemOf("PUBLIC KEY", spki(&ec256.PublicKey)), certPEM,
		`{"k":"-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEB\n-----END PUBLIC KEY-----"}`,
		"-----BEGIN PUBLIC KEY-----", "MIIBIjANBgkqhkiG9w0BAQEFAAOC", "MFkw" + short, "&#43;&#x2F;\\u002b<br>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := Find(body)
		if len(got) > maxPerText {
			t.Fatalf("%d keys from one text", len(got))
		}
		for _, k := range got {
			if _, err := x509.ParsePKIXPublicKey(k.DER()); err != nil {
				t.Fatalf("kept a key that does not parse: %v", err)
			}
			if len(k.Variants()) == 0 || len(k.Variants()) > 7 {
				t.Fatalf("%d variants", len(k.Variants()))
			}
		}
		for _, k := range ParseJWKS(body) {
			if k.DER() == nil {
				t.Fatal("kept a JWK that does not marshal")
			}
		}
	})
}
