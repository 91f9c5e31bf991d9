package pubkey

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"regexp"
	"strings"
)

// Bounds on what one text costs.
const (
	maxScan     = 1 << 20 // bytes of a text read
	maxPerText  = 8       // keys kept from one text
	maxAttempts = 64      // candidates decoded per text
	maxBlock    = 16384   // a PEM body: an 8192-bit key or a certificate
	maxBare     = 2800    // a base64 key on one line: up to 16384-bit RSA
)

// pemBlock is a PEM public key or certificate, whatever the line breaks
// and indentation (an HTML <pre>, a JSON string once unescaped).
var pemBlock = regexp.MustCompile(`-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----([A-Za-z0-9+/=\s]{40,}?)-----END (?:PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----`)

// bareKey is a base64 DER public key on one line: a SubjectPublicKeyInfo
// or PKCS#1 RSA key starts with a SEQUENCE of long-form length ("MIG",
// "MII"); EC P-256 and P-384 SubjectPublicKeyInfo with "MFkw" and "MHYw".
var bareKey = regexp.MustCompile(`(?:MI[GI]|MFkw|MHYw)[A-Za-z0-9+/]{60,}={0,2}`)

// unescape undoes the escapes a key's text wears inside JSON strings and
// HTML: "\n", "\/", "\u002b", "&#43;", "<br>".
var unescape = strings.NewReplacer(
	`\n`, "\n", `\r`, "\r", `\/`, "/", `\u002b`, "+", `\u002B`, "+", `\u002f`, "/", `\u002F`, "/", `\u003d`, "=", `\u003D`, "=",
	"&#43;", "+", "&#x2b;", "+", "&#x2B;", "+", "&#47;", "/", "&#x2f;", "/", "&#x2F;", "/", "&#61;", "=", "&#x3d;", "=", "&#x3D;", "=",
	"<br>", "\n", "<br/>", "\n", "<br />", "\n",
)

// Find returns the real public keys a text shows: PEM public keys, RSA
// public keys and certificates, and base64 DER keys on one line, in a
// JSON or HTML body or a file. Source and Where are left to the caller.
func Find(text []byte) []Key {
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	if !bytes.Contains(text, []byte("-----BEGIN ")) && !mayHoldBare(text) {
		return nil
	}
	s := string(text)
	if strings.ContainsAny(s, `\&<`) {
		s = unescape.Replace(s)
	}
	var out []Key
	seen := map[string]bool{}
	attempts := 0
	keep := func(k Key) {
		der := k.DER()
		if der == nil || seen[string(der)] || len(out) >= maxPerText {
			return
		}
		seen[string(der)] = true
		out = append(out, k)
	}
	for _, m := range pemBlock.FindAllStringSubmatchIndex(s, -1) {
		if attempts >= maxAttempts || len(out) >= maxPerText {
			break
		}
		if m[5]-m[4] > maxBlock {
			continue
		}
		attempts++
		kind, body := s[m[2]:m[3]], strings.Join(strings.Fields(s[m[4]:m[5]]), "")
		der, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			continue
		}
		var pk any
		switch kind {
		case "CERTIFICATE":
			if c, err := x509.ParseCertificate(der); err == nil {
				pk, _ = usable(c.PublicKey)
			}
		case "RSA PUBLIC KEY":
			if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
				pk, _ = usable(k)
			}
		default:
			if k, err := x509.ParsePKIXPublicKey(der); err == nil {
				pk, _ = usable(k)
			}
		}
		if pk != nil {
			keep(Key{Public: pk, Found: s[m[0]:m[1]]})
		}
	}
	for _, m := range bareKey.FindAllStringIndex(s, -1) {
		if attempts >= maxAttempts || len(out) >= maxPerText {
			break
		}
		// A run that goes on before the match is part of a longer text
		// (a PEM line, a blob), not a key of its own.
		if m[0] > 0 && isB64(s[m[0]-1]) {
			continue
		}
		if m[1]-m[0] > maxBare {
			continue
		}
		attempts++
		der, err := base64.StdEncoding.DecodeString(s[m[0]:m[1]])
		if err != nil {
			continue
		}
		if pk, ok := parseDER(der); ok {
			keep(Key{Public: pk, Found: s[m[0]:m[1]]})
		}
	}
	return out
}

func mayHoldBare(text []byte) bool {
	for _, p := range [][]byte{[]byte("MIG"), []byte("MII"), []byte("MFkw"), []byte("MHYw")} {
		if bytes.Contains(text, p) {
			return true
		}
	}
	return false
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}
