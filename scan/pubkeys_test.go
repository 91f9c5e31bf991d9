package scan

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	token "github.com/rampart-sec/rampart/internal/jwt"
)

// confusedAPI verifies RS256 tokens and, wrongly, HS256 ones with the bare
// base64 of its public key as the HMAC secret (Tiredful's flaw). It shows
// the key on an HTML page only when page is set.
type confusedAPI struct {
	key  *rsa.PrivateKey
	page bool
}

func (a *confusedAPI) bare() string {
	der, _ := x509.MarshalPKIXPublicKey(&a.key.PublicKey)
	return base64.StdEncoding.EncodeToString(der)
}

func (a *confusedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/openapi.json":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}},
"paths":{"/orders":{"get":{"security":[{"bearer":[]}],"responses":{"200":{"description":"ok"}}}},
"/docs/keys":{"get":{"responses":{"200":{"description":"ok"}}}}}}`)
		return
	case "/docs/keys":
		if a.page {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, "<html><body><p>Public key (use content only):</p><pre>\n      %s\n    </pre></body></html>", a.bare())
			return
		}
	case "/orders":
		tok, err := token.Parse(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		ok := err == nil
		if ok && tok.Alg() == "RS256" {
			d := sha256.Sum256([]byte(tok.SigningInput))
			ok = rsa.VerifyPKCS1v15(&a.key.PublicKey, crypto.SHA256, d[:], tok.Signature) == nil
		} else if ok {
			ok = tok.Alg() == "HS256" && tok.Verify([]byte(a.bare()))
		}
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"unauthorized"}`)
			return
		}
		sub, _ := tok.Claims["sub"].(string)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"owner":%q,"orders":[{"id":%d,"item":"book for %s"}]}`, sub, len(sub), sub)
		return
	}
	http.NotFound(w, r)
}

func (a *confusedAPI) issue(t *testing.T, sub string) string {
	t.Helper()
	seg := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	in := seg(map[string]any{"alg": "RS256", "typ": "JWT"}) + "." + seg(map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()})
	d := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, a.key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestPublicKeySources: the key-confusion check gets its key from an
// answer the scan saw, from --source and from --jwt-public-key, wired
// through Run.
func TestPublicKeySources(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	tests := []struct {
		name  string
		page  bool
		setup func(t *testing.T, o *Options)
		want  string // where the finding says the key came from; "" none
	}{
		{"shown on a page the scan read", true, func(*testing.T, *Options) {}, "answer to GET"},
		{"a file of the --source tree", false, func(t *testing.T, o *Options) {
			o.Source = t.TempDir()
			os.MkdirAll(filepath.Join(o.Source, "keys"), 0o755)
			os.WriteFile(filepath.Join(o.Source, "keys", "public.pem"), pemKey, 0o600)
		}, "source file keys/public.pem"},
		{"--jwt-public-key", false, func(t *testing.T, o *Options) {
			p := filepath.Join(t.TempDir(), "public.pem")
			os.WriteFile(p, pemKey, 0o600)
			o.JWTPublicKeys = []string{p}
		}, "--jwt-public-key"},
		{"no key anywhere", false, func(*testing.T, *Options) {}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &confusedAPI{key: key, page: tt.page}
			srv := httptest.NewServer(api)
			defer srv.Close()
			opt := Options{Target: srv.URL, Mode: rampart.Safe, Checks: []string{"JWT-006"}, Identities: []rampart.Identity{
				{Name: "alice", Role: "user", Headers: map[string][]string{"Authorization": {"Bearer " + api.issue(t, "alice")}}},
				{Name: "bob", Role: "admin", Headers: map[string][]string{"Authorization": {"Bearer " + api.issue(t, "bob")}}},
			}}
			tt.setup(t, &opt)
			rep, err := Run(context.Background(), opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []rampart.Finding
			for _, f := range rep.Findings {
				if f.Check == "JWT-006" {
					got = append(got, f)
				}
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Errorf("finding without a key: %s", got[0].Message)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0].Message, tt.want) || !(strings.Contains(got[0].Message, "bare base64 body") || tt.page && strings.Contains(got[0].Message, "exactly as found")) {
				t.Fatalf("findings %+v, want one naming %q", got, tt.want)
			}
		})
	}
}

// A --jwt-public-key file without a key is a configuration error.
func TestJWTPublicKeyWithoutKey(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notakey.pem")
	os.WriteFile(p, []byte("-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"), 0o600)
	err := Options{Target: "http://127.0.0.1:1", JWTPublicKeys: []string{p}}.Validate()
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "no RSA or EC public key") {
		t.Errorf("err %v, want a config error", err)
	}
}
