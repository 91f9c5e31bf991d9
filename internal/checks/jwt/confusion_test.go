package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
	token "github.com/rampart-sec/rampart/internal/jwt"
	"github.com/rampart-sec/rampart/internal/pubkey"
)

// Test keys are made once: RSA generation is slow under -race.
var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
)

func testKeys(t *testing.T) (*rsa.PrivateKey, *ecdsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	})
	return rsaKey, ecKey
}

// confusedAPI verifies its users' RS256 (RS512, ES256) tokens, and, when
// secret names a spelling of its public key, also HS tokens with that
// spelling as the HMAC secret: the verifier takes alg from the token. The
// orders read is gated; the key is published as publish says.
type confusedAPI struct {
	alg     string // RS256, RS512, ES256
	secret  string // pem, pem-nonl, bare, pkcs1; "": alg pinned (the secure twin)
	publish string // jwks, openid, page, linked (a page two links from the root), none
	// loggedOut: something fetched /logout, which the page walk must not.
	loggedOut bool
	noverify  bool // HS tokens are accepted whatever their signature
	base      string

	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

func (a *confusedAPI) public() crypto.PublicKey {
	if a.alg[:2] == "ES" {
		return &a.ec.PublicKey
	}
	return &a.rsa.PublicKey
}

func (a *confusedAPI) der() []byte {
	der, _ := x509.MarshalPKIXPublicKey(a.public())
	return der
}

func (a *confusedAPI) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: a.der()}))
}

func (a *confusedAPI) hmacSecret() []byte {
	switch a.secret {
	case "pem":
		return []byte(a.pem())
	case "pem-nonl":
		return []byte(strings.TrimRight(a.pem(), "\n"))
	case "bare":
		return []byte(base64.StdEncoding.EncodeToString(a.der()))
	case "pkcs1":
		return []byte(strings.TrimRight(string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&a.rsa.PublicKey)})), "\n"))
	}
	return nil
}

func (a *confusedAPI) jwk() map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	if a.alg[:2] == "ES" {
		pub := a.ec.PublicKey
		raw, _ := pub.Bytes() // 04 || x || y
		return map[string]any{"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "x": b64(raw[1:33]), "y": b64(raw[33:])}
	}
	return map[string]any{"kty": "RSA", "kid": "k1", "use": "sig", "alg": a.alg, "n": b64(a.rsa.N.Bytes()), "e": b64(big.NewInt(int64(a.rsa.E)).Bytes())}
}

func (a *confusedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/health":
		fmt.Fprint(w, `{"status":"ok"}`)
		return
	case r.URL.Path == "/.well-known/jwks.json" && a.publish == "jwks",
		r.URL.Path == "/oauth2/keys" && a.publish == "openid":
		json.NewEncoder(w).Encode(map[string]any{"keys": []any{a.jwk()}})
		return
	case r.URL.Path == "/.well-known/openid-configuration" && a.publish == "openid":
		json.NewEncoder(w).Encode(map[string]any{"issuer": a.base, "jwks_uri": a.base + "/oauth2/keys"})
		return
	case r.URL.Path == "/" && a.publish == "linked":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><body><a href="/logout">sign out</a> <a href="/guide">Developer guide</a></body></html>`)
		return
	case r.URL.Path == "/guide" && a.publish == "linked":
		http.Redirect(w, r, "/guide/", http.StatusMovedPermanently)
		return
	case r.URL.Path == "/guide/" && a.publish == "linked":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><a href="keys#verify">Verifying tokens</a></body></html>`)
		return
	case r.URL.Path == "/logout":
		a.loggedOut = true
		w.WriteHeader(http.StatusNoContent)
		return
	case r.URL.Path == "/docs/keys" && a.publish == "page", r.URL.Path == "/guide/keys" && a.publish == "linked":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><body><h2>Verifying tokens</h2><p>Our public key:</p><pre>\n      %s\n    </pre></body></html>", base64.StdEncoding.EncodeToString(a.der()))
		return
	case r.URL.Path != "/orders":
		http.NotFound(w, r)
		return
	}
	user := a.userOf(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if user == "" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"unauthorized"}`)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"owner": user, "orders": []any{map[string]any{"id": len(user) * 7, "item": "book for " + user}}})
}

func (a *confusedAPI) userOf(raw string) string {
	tok, err := token.Parse(raw)
	if err != nil {
		return ""
	}
	switch {
	case tok.Alg() == a.alg:
		if !verifyAsym(tok, a.public()) {
			return ""
		}
	case tok.HMAC() && a.noverify:
	case tok.HMAC() && a.secret != "":
		if !tok.Verify(a.hmacSecret()) {
			return ""
		}
	default:
		return ""
	}
	if exp, has := tok.Expiry(); !has || exp < time.Now().Unix() {
		return ""
	}
	sub, _ := tok.Claims["sub"].(string)
	return sub
}

func hashOf(alg string, msg string) (crypto.Hash, []byte) {
	if strings.HasSuffix(alg, "512") {
		s := sha512.Sum512([]byte(msg))
		return crypto.SHA512, s[:]
	}
	s := sha256.Sum256([]byte(msg))
	return crypto.SHA256, s[:]
}

func verifyAsym(tok *token.Token, pub crypto.PublicKey) bool {
	h, digest := hashOf(tok.Alg(), tok.SigningInput)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, h, digest, tok.Signature) == nil
	case *ecdsa.PublicKey:
		if len(tok.Signature) != 64 {
			return false
		}
		return ecdsa.Verify(k, digest, new(big.Int).SetBytes(tok.Signature[:32]), new(big.Int).SetBytes(tok.Signature[32:]))
	}
	return false
}

// issue signs a genuine token for sub with the API's private key.
func (a *confusedAPI) issue(t *testing.T, sub string) string {
	t.Helper()
	seg := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := seg(map[string]any{"alg": a.alg, "typ": "JWT", "kid": "k1"}) + "." +
		seg(map[string]any{"sub": sub, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	h, digest := hashOf(a.alg, input)
	var sig []byte
	var err error
	if a.alg[:2] == "ES" {
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, a.ec, digest)
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	} else {
		sig, err = rsa.SignPKCS1v15(rand.Reader, a.rsa, h, digest)
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestKeyConfusion: JWT-006 proves RS256→HS256 confusion by difference
// with the public key from each place it can come from, and finds nothing
// on the secure twin that pins the algorithm.
func TestKeyConfusion(t *testing.T) {
	rk, ek := testKeys(t)
	tests := []struct {
		name string
		api  confusedAPI
		// given: the key handed over as --jwt-public-key would (a PEM file);
		// seen: the API's /docs/keys page went past the collector.
		given, seen bool
		want        bool
		where       string // in the message: where the key came from
		variant     string // in the message: the spelling that worked
	}{
		{"JWKS, PKIX PEM secret", confusedAPI{alg: "RS256", secret: "pem", publish: "jwks"}, false, false, true, "JWKS at", "PKIX PEM (BEGIN PUBLIC KEY) with a trailing newline"},
		{"OpenID configuration's jwks_uri, PEM without newline", confusedAPI{alg: "RS256", secret: "pem-nonl", publish: "openid"}, false, false, true, "/oauth2/keys", "without a trailing newline"},
		{"JWKS, bare base64 secret", confusedAPI{alg: "RS256", secret: "bare", publish: "jwks"}, false, false, true, "JWKS at", "bare base64 body"},
		{"RS512 → HS512, PKCS#1 PEM secret", confusedAPI{alg: "RS512", secret: "pkcs1", publish: "jwks"}, false, false, true, "JWKS at", "PKCS#1 PEM"},
		{"ES256, EC key from the JWKS", confusedAPI{alg: "ES256", secret: "pem", publish: "jwks"}, false, false, true, "EC P-256 public key", "PKIX PEM"},
		{"key given by the user", confusedAPI{alg: "RS256", secret: "pem", publish: "none"}, true, false, true, "--jwt-public-key", "the key's text as found"},
		{"key shown on an HTML page, bare base64 secret", confusedAPI{alg: "RS256", secret: "bare", publish: "page"}, false, true, true, "answer to GET", "exactly as found"},
		{"key on a page two links from the root, found by the page walk", confusedAPI{alg: "RS256", secret: "bare", publish: "linked"}, false, false, true, "/guide/keys", "exactly as found"},
		{"secure twin: RS256 pinned", confusedAPI{alg: "RS256", publish: "jwks"}, false, false, false, "", ""},
		{"secure twin: RS256 pinned, key given", confusedAPI{alg: "RS256", publish: "page"}, true, true, false, "", ""},
		{"signatures never checked: JWT-003's, not this", confusedAPI{alg: "RS256", noverify: true, publish: "jwks"}, false, false, false, "", ""},
		{"no key anywhere", confusedAPI{alg: "RS256", secret: "pem", publish: "none"}, false, false, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := tt.api
			api.rsa, api.ec = rk, ek
			srv := checktest.NewServer(t, &api)
			api.base = srv.URL
			who := []*identity.Identity{checktest.User("alice", "user", api.issue(t, "alice")), checktest.User("bob", "admin", api.issue(t, "bob"))}
			ops := []*rampart.Operation{checktest.Op("GET", "/health", ""), checktest.Op("GET", "/orders", "bearer")}
			env := checktest.New(t, srv, rampart.Safe, ops, who...)
			keys := pubkey.NewCollector()
			if tt.given {
				given := pubkey.FromFile([]byte(api.pem()))
				for i := range given {
					given[i].Source, given[i].Where = pubkey.FromConfig, "--jwt-public-key public.pem"
				}
				keys.Add(given...)
			}
			if tt.seen {
				resp, err := http.Get(srv.URL + "/docs/keys")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				keys.Observe("GET "+srv.URL+"/docs/keys", body)
			}
			env.Pass.Settings.PublicKeys = keys
			before := len(srv.Requests())
			env.Run(t, &Confusion)
			got := env.Of("JWT-006")
			if (len(got) > 0) != tt.want {
				for _, f := range got {
					t.Logf("got: %s", f.Message)
				}
				t.Fatalf("%d findings, want %v", len(got), tt.want)
			}
			if tt.want {
				f := got[0]
				if f.Location.Path != "/orders" || f.Confidence != rampart.Confirmed {
					t.Errorf("at %s, %s", f.Location.Path, f.Confidence)
				}
				for _, s := range []string{tt.where, tt.variant, "random key was refused", "alice's own answer, not bob's"} {
					if !strings.Contains(f.Message, s) {
						t.Errorf("message lacks %q: %s", s, f.Message)
					}
				}
				if want := "forged " + confusionAlg(api.alg); !strings.Contains(f.Evidence[len(f.Evidence)-2].Note+f.Evidence[len(f.Evidence)-1].Note, want) {
					t.Errorf("evidence lacks %q", want)
				}
			}
			sent := srv.Requests()[before:]
			for _, r := range sent {
				if r.Method != http.MethodGet {
					t.Errorf("sent %s %s", r.Method, r.Path)
				}
			}
			if len(sent) > confusionBudget {
				t.Errorf("%d requests, over the budget of %d", len(sent), confusionBudget)
			}
			if tt.name == "no key anywhere" && len(sent) > len(jwksPaths)+1 {
				t.Errorf("no key, yet %d requests: only the JWKS paths and the start page should be read", len(sent))
			}
			if api.loggedOut {
				t.Error("the page walk followed a logout link")
			}
		})
	}
}

// TestKeyConfusionNeedsAnAsymmetricToken: identities holding HS256 tokens
// send nothing, not even the JWKS reads.
func TestKeyConfusionNeedsAnAsymmetricToken(t *testing.T) {
	api := &gatedAPI{key: []byte("0c4f2d9b7e1a86f35d0b9e4c7a2f1e68"), verify: "strict"}
	srv := checktest.NewServer(t, api)
	env := checktest.New(t, srv, rampart.Safe, []*rampart.Operation{checktest.Op("GET", "/orders", "bearer")},
		checktest.User("alice", "user", api.tokenFor(t, "alice")))
	env.Run(t, &Confusion)
	if n := len(srv.Requests()); n != 0 || len(env.Findings()) != 0 {
		t.Errorf("%d requests, %d findings; want none", n, len(env.Findings()))
	}
	units := env.Units(t, &Confusion)
	for _, u := range units {
		if u.State != rampart.CoverageNotApplicable {
			t.Errorf("coverage %+v, want not applicable", u)
		}
	}
}

func TestConfusionAlg(t *testing.T) {
	for alg, want := range map[string]string{"RS256": "HS256", "RS384": "HS384", "RS512": "HS512", "PS256": "HS256", "ES256": "HS256",
		"ES512": "HS512", "HS256": "", "none": "", "EdDSA": "", "RS1": "", "XS256": ""} {
		if got := confusionAlg(alg); got != want {
			t.Errorf("%s: %q, want %q", alg, got, want)
		}
	}
}
