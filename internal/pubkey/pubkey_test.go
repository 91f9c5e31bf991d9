package pubkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	once    sync.Once
	rsa1024 *rsa.PrivateKey
	rsa2048 *rsa.PrivateKey
	ec256   *ecdsa.PrivateKey
	certPEM string
)

func keys(t testing.TB) {
	t.Helper()
	once.Do(func() {
		var err error
		if rsa1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
			panic(err)
		}
		if rsa2048, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ec256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "api"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rsa2048.PublicKey, rsa2048)
		if err != nil {
			panic(err)
		}
		certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	})
}

func spki(pub any) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return der
}

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestFind(t *testing.T) {
	keys(t)
	b64 := base64.StdEncoding.EncodeToString
	pkixPEM := pemOf("PUBLIC KEY", spki(&rsa2048.PublicKey))
	jsonPEM, _ := json.Marshal(map[string]string{"public_key": pkixPEM})
	privPEM := pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsa2048))
	short := b64(spki(&rsa1024.PublicKey))
	tests := []struct {
		name  string
		body  string
		want  []any // the public keys, in order
		found string
	}{
		{"PEM in a JSON string, escaped newlines", string(jsonPEM), []any{&rsa2048.PublicKey}, strings.TrimRight(pkixPEM, "\n")},
		{"PEM indented in an HTML pre", "<pre>\n    " + strings.ReplaceAll(pkixPEM, "\n", "\n    ") + "</pre>", []any{&rsa2048.PublicKey}, ""},
		{"PKCS#1 PEM", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsa1024.PublicKey)), []any{&rsa1024.PublicKey}, ""},
		{"certificate", certPEM, []any{&rsa2048.PublicKey}, ""},
		{"bare 1024-bit SPKI in HTML (Tiredful's page)", "<pre>\n      " + short + "\n    </pre>", []any{&rsa1024.PublicKey}, short},
		{"bare SPKI in JSON with escaped slashes", `{"key":"` + strings.ReplaceAll(b64(spki(&rsa2048.PublicKey)), "/", `\/`) + `"}`, []any{&rsa2048.PublicKey}, b64(spki(&rsa2048.PublicKey))},
		{"bare EC P-256 SPKI", "key=" + b64(spki(&ec256.PublicKey)), []any{&ec256.PublicKey}, ""},
		{"bare PKCS#1", b64(x509.MarshalPKCS1PublicKey(&rsa2048.PublicKey)), []any{&rsa2048.PublicKey}, ""},
		{"two keys, one twice", pkixPEM + "\n" + short + "\n" + pkixPEM, []any{&rsa2048.PublicKey, &rsa1024.PublicKey}, ""},
		{"a private key is not a public key", privPEM, nil, ""},
		{"a truncated key", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0", nil, ""},
		{"inside a longer base64 run", "QUFB" + short, nil, ""},
		{"a JWT", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.MIIBsig", nil, ""},
		{"nothing", `{"status":"ok"}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Find([]byte(tt.body))
			if len(got) != len(tt.want) {
				t.Fatalf("%d keys, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				if string(got[i].DER()) != string(spki(w)) {
					t.Errorf("key %d is another key", i)
				}
			}
			if tt.found != "" && got[0].Found != tt.found {
				t.Errorf("found %q, want %q", got[0].Found, tt.found)
			}
		})
	}
}

func TestParseJWKS(t *testing.T) {
	keys(t)
	b := base64.RawURLEncoding.EncodeToString
	raw, _ := ec256.PublicKey.Bytes()
	rsaJWK := fmt.Sprintf(`{"kty":"RSA","kid":"r1","use":"sig","n":%q,"e":"AQAB"}`, b(rsa2048.N.Bytes()))
	ecJWK := fmt.Sprintf(`{"kty":"EC","kid":"e1","crv":"P-256","x":%q,"y":%q}`, b(raw[1:33]), b(raw[33:]))
	offCurve := fmt.Sprintf(`{"kty":"EC","crv":"P-256","x":%q,"y":%q}`, b(raw[1:33]), b(raw[1:33]))
	encJWK := fmt.Sprintf(`{"kty":"RSA","use":"enc","n":%q,"e":"AQAB"}`, b(rsa1024.N.Bytes()))
	block, _ := pem.Decode([]byte(certPEM))
	x5c := fmt.Sprintf(`{"kty":"RSA","kid":"c1","x5c":[%q]}`, base64.StdEncoding.EncodeToString(block.Bytes))
	tests := []struct {
		name string
		body string
		want []any
		kids []string
	}{
		{"RSA and EC", `{"keys":[` + rsaJWK + `,` + ecJWK + `]}`, []any{&rsa2048.PublicKey, &ec256.PublicKey}, []string{"r1", "e1"}},
		{"a single JWK", rsaJWK, []any{&rsa2048.PublicKey}, []string{"r1"}},
		{"a point off the curve", `{"keys":[` + offCurve + `]}`, nil, nil},
		{"encryption keys left out", `{"keys":[` + encJWK + `]}`, nil, nil},
		{"only a certificate chain", `{"keys":[` + x5c + `]}`, []any{&rsa2048.PublicKey}, []string{"c1"}},
		{"a tiny modulus", `{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`, nil, nil},
		{"not JSON", `<html>`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseJWKS([]byte(tt.body))
			if len(got) != len(tt.want) {
				t.Fatalf("%d keys, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				if string(got[i].DER()) != string(spki(w)) || got[i].KID != tt.kids[i] {
					t.Errorf("key %d: another key or kid %q", i, got[i].KID)
				}
			}
		})
	}
}

func TestVariants(t *testing.T) {
	keys(t)
	der := spki(&rsa2048.PublicKey)
	pkixPEM := pemOf("PUBLIC KEY", der)
	p1 := pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsa2048.PublicKey))
	bare := base64.StdEncoding.EncodeToString(der)
	indented := "  " + strings.ReplaceAll(strings.TrimRight(pkixPEM, "\n"), "\n", "\n  ")
	tests := []struct {
		name  string
		key   Key
		want  []string
		count int
	}{
		{"a JWK (no text)", Key{Public: &rsa2048.PublicKey}, []string{pkixPEM, strings.TrimRight(pkixPEM, "\n"), bare, p1, strings.TrimRight(p1, "\n")}, 5},
		{"found as the PKIX PEM without newline: no duplicates", Key{Public: &rsa2048.PublicKey, Found: strings.TrimRight(pkixPEM, "\n")}, []string{pkixPEM, bare}, 5},
		{"found indented", Key{Public: &rsa2048.PublicKey, Found: indented}, []string{indented, indented + "\n", pkixPEM}, 7},
		{"EC: no PKCS#1", Key{Public: &ec256.PublicKey}, []string{pemOf("PUBLIC KEY", spki(&ec256.PublicKey))}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := tt.key.Variants()
			have := map[string]bool{}
			for _, v := range vs {
				if have[string(v.Secret)] || v.Name == "" {
					t.Errorf("duplicate or unnamed variant %q", v.Name)
				}
				have[string(v.Secret)] = true
			}
			for _, w := range tt.want {
				if !have[w] {
					t.Errorf("no variant %q", w)
				}
			}
			if len(vs) != tt.count {
				t.Errorf("%d variants, want %d", len(vs), tt.count)
			}
		})
	}
}

func TestFromDir(t *testing.T) {
	keys(t)
	dir := t.TempDir()
	outside := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		p := filepath.Join(dir, path)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("lib/tiredful_public", base64.StdEncoding.EncodeToString(spki(&rsa1024.PublicKey))+"\n")
	write("keys/api.pem", pemOf("PUBLIC KEY", spki(&ec256.PublicKey)))
	write("app.py", "KEY = '''"+pemOf("PUBLIC KEY", spki(&rsa2048.PublicKey))+"'''") // code is not a key file
	write("node_modules/x/test.pem", pemOf("PUBLIC KEY", spki(&rsa2048.PublicKey)))
	write("big.pem", pemOf("PUBLIC KEY", spki(&rsa2048.PublicKey))+strings.Repeat("#", maxFileSize))
	os.WriteFile(filepath.Join(outside, "other.pem"), []byte(pemOf("PUBLIC KEY", spki(&rsa2048.PublicKey))), 0o600)
	if err := os.Symlink(filepath.Join(outside, "other.pem"), filepath.Join(dir, "link.pem")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	got, err := FromDir(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]bool{}
	for _, k := range got {
		where[k.Where] = true
		if k.Source != FromTree {
			t.Errorf("%s: source %s", k.Where, k.Source)
		}
	}
	if len(got) != 2 || !where["lib/tiredful_public"] || !where["keys/api.pem"] {
		t.Errorf("keys from %v, want lib/tiredful_public and keys/api.pem only", where)
	}
}

func TestCollector(t *testing.T) {
	keys(t)
	c := NewCollector()
	page := "<pre>" + base64.StdEncoding.EncodeToString(spki(&rsa1024.PublicKey)) + "</pre>"
	c.Observe("GET http://api/page", []byte(page))
	c.Observe("GET http://api/again", []byte(page))
	c.Add(Key{Public: &rsa2048.PublicKey, Source: FromConfig, Where: "--jwt-public-key a.pem"})
	c.Add(Key{Public: &rsa1024.PublicKey, Source: FromConfig, Where: "--jwt-public-key b.pem"})
	got := c.Keys()
	if len(got) != 2 || got[0].Source != FromConfig || got[1].Where != "GET http://api/page" {
		t.Fatalf("keys %+v", got)
	}
	if !strings.Contains(got[1].Describe(), "RSA-1024 public key the API shows in its answer to GET http://api/page") {
		t.Errorf("describe: %s", got[1].Describe())
	}
	var nilc *Collector
	nilc.Observe("x", []byte(page))
	if nilc.Keys() != nil {
		t.Error("a nil collector kept a key")
	}
}
