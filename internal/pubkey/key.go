// Package pubkey finds the RSA and EC public keys an API publishes or a
// user hands over (PEM blocks, bare base64 SubjectPublicKeyInfo, JWKS, key
// files in a source tree) and spells each the ways JWT libraries feed a
// key to HMAC. A verifier that takes the algorithm from the token and
// verifies with "the key" accepts an HS256 token whose secret is one of
// those spellings (RS256→HS256 key confusion, CVE-2015-9235).
//
// Every input is hostile: answers, files and JWKS are read with caps, and
// only what crypto/x509 parses as a real key is kept.
package pubkey

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
)

// Source says where a key came from.
type Source string

// Where keys come from, most deliberate first.
const (
	FromConfig Source = "config" // --jwt-public-key, jwt.public_keys
	FromTree   Source = "source" // a key file in the --source tree
	FromJWKS   Source = "jwks"   // a JWKS the API publishes
	FromAnswer Source = "answer" // a PEM block or base64 key in an answer
)

// Key is a public key and where it was found.
type Key struct {
	Public crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey
	// Found is the key's text exactly as found (a PEM block, a base64
	// body); empty for a JWK, which has no text form.
	Found  string
	Source Source
	Where  string // the URL, file or flag it came from
	KID    string // a JWK's kid
}

// Describe names the key and its origin for a finding.
func (k Key) Describe() string {
	what := "public key"
	switch pk := k.Public.(type) {
	case *rsa.PublicKey:
		what = fmt.Sprintf("RSA-%d public key", pk.N.BitLen())
	case *ecdsa.PublicKey:
		what = fmt.Sprintf("EC %s public key", pk.Curve.Params().Name)
	}
	switch k.Source {
	case FromConfig:
		return fmt.Sprintf("the %s given by %s", what, k.Where)
	case FromTree:
		return fmt.Sprintf("the %s in the source file %s", what, k.Where)
	case FromJWKS:
		s := fmt.Sprintf("the %s the API publishes in its JWKS at %s", what, k.Where)
		if k.KID != "" {
			s += fmt.Sprintf(" (kid %q)", k.KID)
		}
		return s
	}
	return fmt.Sprintf("the %s the API shows in its answer to %s", what, k.Where)
}

// DER is the key's SubjectPublicKeyInfo, which identifies it.
func (k Key) DER() []byte {
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return nil
	}
	return der
}

// RSA reports whether the key is an RSA key.
func (k Key) RSA() bool {
	_, ok := k.Public.(*rsa.PublicKey)
	return ok
}

// Variant is one spelling of a key used as an HMAC secret.
type Variant struct {
	Secret []byte
	Name   string
}

// Variants are the spellings libraries hand to HMAC when they verify with
// "the key": the text as found, with and without a trailing newline; the
// PKIX ("BEGIN PUBLIC KEY") and, for RSA, PKCS#1 ("BEGIN RSA PUBLIC KEY")
// PEM forms, each with and without one; and the base64 body on one line.
// Duplicates are dropped, so at most seven.
func (k Key) Variants() []Variant {
	der := k.DER()
	if der == nil {
		return nil
	}
	var out []Variant
	seen := map[string]bool{}
	add := func(secret []byte, name string) {
		if len(secret) == 0 || seen[string(secret)] {
			return
		}
		seen[string(secret)] = true
		out = append(out, Variant{Secret: secret, Name: name})
	}
	bare := base64.StdEncoding.EncodeToString(der)
	if k.Found != "" {
		found := []byte(k.Found)
		if k.Found == bare {
			add(found, "the bare base64 body on one line, exactly as found")
		}
		add(found, "the key's text exactly as found")
		if bytes.HasSuffix(found, []byte("\n")) {
			add(bytes.TrimRight(found, "\r\n"), "the key's text as found, without its trailing newline")
		} else {
			add(append(found[:len(found):len(found)], '\n'), "the key's text as found, with a trailing newline")
		}
	}
	pkix := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	add(pkix, "the PKIX PEM (BEGIN PUBLIC KEY) with a trailing newline")
	add(bytes.TrimRight(pkix, "\n"), "the PKIX PEM (BEGIN PUBLIC KEY) without a trailing newline")
	add([]byte(bare), "the bare base64 body on one line")
	if pk, ok := k.Public.(*rsa.PublicKey); ok {
		p1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pk)})
		add(p1, "the PKCS#1 PEM (BEGIN RSA PUBLIC KEY) with a trailing newline")
		add(bytes.TrimRight(p1, "\n"), "the PKCS#1 PEM (BEGIN RSA PUBLIC KEY) without a trailing newline")
	}
	return out
}

// parseDER accepts a SubjectPublicKeyInfo or a PKCS#1 RSA public key, and
// only RSA (512 bits or more) and EC keys: what RS*, PS* and ES* tokens
// are signed with.
func parseDER(der []byte) (crypto.PublicKey, bool) {
	if pk, err := x509.ParsePKIXPublicKey(der); err == nil {
		return usable(pk)
	}
	if pk, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return usable(pk)
	}
	return nil, false
}

func usable(pk any) (crypto.PublicKey, bool) {
	switch k := pk.(type) {
	case *rsa.PublicKey:
		return k, k.N.BitLen() >= 512
	case *ecdsa.PublicKey:
		return k, true
	}
	return nil, false
}
