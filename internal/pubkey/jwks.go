package pubkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
)

const (
	maxJWKS    = 256 << 10 // bytes of a JWKS read
	maxJWKKeys = 8         // keys kept from one JWKS
)

// jwk holds the members of a JSON Web Key that make an RSA or EC public
// key (RFC 7518 §6).
type jwk struct {
	Kty string   `json:"kty"`
	Kid string   `json:"kid"`
	Use string   `json:"use"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	Crv string   `json:"crv"`
	X   string   `json:"x"`
	Y   string   `json:"y"`
	X5c []string `json:"x5c"`
}

// ParseJWKS reads a JWK Set ({"keys":[...]}) or a single JWK and returns
// its RSA and EC public keys; encryption keys ("use": "enc") are left out.
// Source and Where are left to the caller.
func ParseJWKS(body []byte) []Key {
	if len(body) > maxJWKS {
		return nil
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	raws := []json.RawMessage{}
	if err := json.Unmarshal(body, &set); err == nil && len(set.Keys) > 0 {
		raws = set.Keys
	} else {
		raws = append(raws, body)
	}
	var out []Key
	seen := map[string]bool{}
	for _, raw := range raws {
		if len(out) >= maxJWKKeys {
			break
		}
		var j jwk
		if json.Unmarshal(raw, &j) != nil || j.Use == "enc" {
			continue
		}
		pk, ok := j.public()
		if !ok {
			continue
		}
		k := Key{Public: pk, KID: j.Kid}
		if der := k.DER(); der != nil && !seen[string(der)] {
			seen[string(der)] = true
			out = append(out, k)
		}
	}
	return out
}

func (j jwk) public() (any, bool) {
	switch j.Kty {
	case "RSA":
		n, ok1 := b64int(j.N, 2048)
		e, ok2 := b64int(j.E, 8)
		if !ok1 || !ok2 || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
			break
		}
		pk := &rsa.PublicKey{N: n, E: int(e.Int64())}
		if pk.N.BitLen() < 512 {
			break
		}
		return pk, true
	case "EC":
		var curve elliptic.Curve
		switch j.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, false
		}
		size := (curve.Params().BitSize + 7) / 8
		x, err1 := b64(j.X)
		y, err2 := b64(j.Y)
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, false
		}
		pk, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, false
		}
		return pk, true
	}
	// A JWK may carry its key only as a certificate chain.
	if len(j.X5c) > 0 && len(j.X5c[0]) <= 16384 {
		if der, err := base64.StdEncoding.DecodeString(j.X5c[0]); err == nil {
			if c, err := x509.ParseCertificate(der); err == nil {
				return usable(c.PublicKey)
			}
		}
	}
	return nil, false
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// b64int decodes a base64url big-endian integer of at most maxBytes.
func b64int(s string, maxBytes int) (*big.Int, bool) {
	b, err := b64(s)
	if err != nil || len(b) == 0 || len(b) > maxBytes {
		return nil, false
	}
	return new(big.Int).SetBytes(b), true
}
