package jwt

import (
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
	token "github.com/rampart-sec/rampart/internal/jwt"
	"github.com/rampart-sec/rampart/internal/surface"
)

var accounts = []checktest.Account{
	{ID: 1, Username: "ann", Role: "user", Token: "tok-ann-0001"},
	{ID: 2, Username: "ben", Role: "user", Token: "tok-ben-0002"},
	{ID: 7, Username: "root", Role: "admin", Token: "tok-root-0007"},
}

var all = []*check.Check{&None, &WeakKey, &NoVerify, &Expired, &NoExp}

func ops() []*rampart.Operation {
	return []*rampart.Operation{
		checktest.Op("GET", "/", ""),
		checktest.Op("GET", "/me", "bearerAuth"),
		checktest.Op("GET", "/api/me", "apiAuth"),
	}
}

func run(t *testing.T, app *checktest.App, who []*identity.Identity, schemes map[string]surface.Scheme) (*checktest.Env, *checktest.Server) {
	t.Helper()
	app.Accounts = accounts
	srv := checktest.NewServer(t, app)
	env := checktest.New(t, srv, rampart.Safe, ops(), who...)
	env.Pass.Schemes = schemes
	for _, c := range all {
		env.Run(t, c)
	}
	return env, srv
}

func ids() []*identity.Identity {
	return []*identity.Identity{checktest.User("ann", "user", "tok-ann-0001"), checktest.User("root", "admin", "tok-root-0007")}
}

var jwtSchemes = map[string]surface.Scheme{
	"bearerAuth": {Type: "http", Scheme: "bearer"},
	"apiAuth":    {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
}

func checks(env *checktest.Env) map[string]rampart.Finding {
	m := map[string]rampart.Finding{}
	for _, f := range env.Findings() {
		m[f.Check] = f
	}
	return m
}

func TestJWTAttacks(t *testing.T) {
	tests := []struct {
		name    string
		app     checktest.App
		schemes map[string]surface.Scheme
		want    []string
		maxReqs int
	}{
		{"alg=none trusted, weak key, exp optional", checktest.App{JWTMode: checktest.JWTNone, JWTKey: []byte("secret")}, jwtSchemes,
			[]string{"JWT-001", "JWT-002", "JWT-005"}, 60},
		{"signature never checked", checktest.App{JWTMode: checktest.JWTNoVerify}, jwtSchemes,
			[]string{"JWT-003", "JWT-004", "JWT-005"}, 30},
		{"weak key, exp ignored", checktest.App{JWTMode: checktest.JWTNoExpiry, JWTKey: []byte("your-256-bit-secret")}, jwtSchemes,
			[]string{"JWT-002", "JWT-004", "JWT-005"}, 60},
		{"strong key, exp required: nothing", checktest.App{JWTMode: checktest.JWTStrict, JWTKey: []byte("f00d-a-strong-random-secret-4f2")}, jwtSchemes,
			nil, 60},
		{"weak key but the spec does not say JWT: no online guessing", checktest.App{JWTMode: checktest.JWTStrict, JWTKey: []byte("secret")},
			map[string]surface.Scheme{"bearerAuth": {Type: "http", Scheme: "bearer"}, "apiAuth": {Type: "http", Scheme: "bearer"}}, nil, 30},
		{"any bearer accepted: not a JWT flaw", checktest.App{AnyBearer: true}, jwtSchemes, nil, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, srv := run(t, &tt.app, ids(), tt.schemes)
			got := checks(env)
			for _, id := range tt.want {
				f, ok := got[id]
				if !ok {
					t.Errorf("missing %s", id)
					continue
				}
				if f.Location.Path != "/api/me" || f.Confidence != rampart.Confirmed {
					t.Errorf("%s at %s, %s", id, f.Location, f.Confidence)
				}
				if id != "JWT-005" && id != "JWT-004" && !strings.Contains(f.Message, "root, id 7") {
					t.Errorf("%s does not claim the admin: %s", id, f.Message)
				}
			}
			if len(got) != len(tt.want) {
				for id, f := range got {
					t.Logf("got %s: %s", id, f.Message)
				}
				t.Errorf("%d findings, want %d", len(got), len(tt.want))
			}
			if n := len(srv.Requests()); n > tt.maxReqs {
				t.Errorf("%d requests, want at most %d", n, tt.maxReqs)
			}
			for _, r := range srv.Requests() {
				if r.Method != "GET" {
					t.Errorf("a safe check sent %s", r.Method)
				}
			}
		})
	}
}

func TestWeakKeyMaskedUnlessShowSecrets(t *testing.T) {
	for _, show := range []bool{false, true} {
		app := &checktest.App{JWTMode: checktest.JWTWeak, JWTKey: []byte("your-256-bit-secret"), Accounts: accounts}
		srv := checktest.NewServer(t, app)
		env := checktest.New(t, srv, rampart.Safe, ops(), ids()...)
		env.Pass.Schemes = jwtSchemes
		env.Pass.Settings.ShowSecrets = show
		env.Run(t, &WeakKey)
		fs := env.Of("JWT-002")
		if len(fs) != 1 {
			t.Fatalf("show=%v: %d findings", show, len(fs))
		}
		if got := strings.Contains(fs[0].Message, "your-256-bit-secret"); got != show {
			t.Errorf("show=%v: key in message = %v: %s", show, got, fs[0].Message)
		}
	}
}

// An identity that holds an HMAC JWT: the key is cracked offline, so the
// API sees no guessing.
func TestOfflineCrackFromHeldToken(t *testing.T) {
	key := []byte("shhhhh")
	tok, err := token.Sign(map[string]any{"alg": "HS256"}, map[string]any{"sub": "1", "exp": time.Now().Add(time.Hour).Unix()}, key)
	if err != nil {
		t.Fatal(err)
	}
	ann := identity.New("ann", "user", map[string][]string{"Authorization": {"Bearer " + tok}})
	app := &checktest.App{JWTMode: checktest.JWTWeak, JWTKey: key}
	// /api/me is this API's "who am I", and the spec says nothing about JWTs.
	env, srv := run(t, app, []*identity.Identity{ann}, map[string]surface.Scheme{})
	_ = env
	got := checks(env)
	f, ok := got["JWT-002"]
	if !ok || !strings.Contains(f.Message, "cracked offline from ann's token") {
		t.Fatalf("findings %v", got)
	}
	if n := srv.Count("/api/me"); n > 12 {
		t.Errorf("%d requests to /api/me: the key should come from offline cracking", n)
	}
}

func TestHeldTokenWithoutExp(t *testing.T) {
	key := []byte("a-strong-unknown-secret-1c8e77f0")
	tok, _ := token.Sign(map[string]any{"alg": "HS256"}, map[string]any{"sub": "1"}, key)
	ann := identity.New("ann", "user", map[string][]string{"Authorization": {"Bearer " + tok}})
	env, _ := run(t, &checktest.App{JWTMode: checktest.JWTWeak, JWTKey: key}, []*identity.Identity{ann}, map[string]surface.Scheme{})
	got := checks(env)
	if f, ok := got["JWT-005"]; !ok || f.Confidence != rampart.Firm || len(got) != 1 {
		t.Fatalf("findings %v", got)
	}
}

func TestJWTSchemeDetection(t *testing.T) {
	schemes := map[string]surface.Scheme{
		"bearer": {Type: "http", Scheme: "bearer"},
		"jwt":    {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
		"cookie": {Type: "apiKey", In: "cookie", Name: "jwt_token"},
		"oidc":   {Type: "openIdConnect"},
	}
	tests := []struct {
		scheme         string
		marked, online bool
		cookie         string
	}{
		{"bearer", false, false, ""},
		{"jwt", true, true, ""},
		{"cookie", true, true, "jwt_token"},
		{"oidc", true, false, ""},
		{"myJwtAuth", true, true, ""},
	}
	for _, tt := range tests {
		via, online, marked := jwtScheme(checktest.Op("GET", "/x", tt.scheme), schemes)
		if marked != tt.marked || online != tt.online || via.cookie != tt.cookie {
			t.Errorf("%s: marked %v online %v cookie %q", tt.scheme, marked, online, via.cookie)
		}
	}
}

// TestKeyOnlyInTheCode: a key in no list, written in the --source tree, is
// tried first, cracks the token, proves the forgery, and the finding says
// where the source writes it. Without the source's keys it is not found.
func TestKeyOnlyInTheCode(t *testing.T) {
	key := []byte("k3y-only-in-this-code-7731")
	tok, err := token.Sign(map[string]any{"alg": "HS256"}, map[string]any{"sub": "1", "exp": time.Now().Add(time.Hour).Unix()}, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, withCode := range []bool{true, false} {
		ann := identity.New("ann", "user", map[string][]string{"Authorization": {"Bearer " + tok}})
		app := &checktest.App{JWTMode: checktest.JWTWeak, JWTKey: key, Accounts: accounts}
		srv := checktest.NewServer(t, app)
		env := checktest.New(t, srv, rampart.Safe, ops(), ann)
		if withCode {
			env.Pass.Settings.CodeKeys = []check.CodeKey{{Value: key, Where: "app/config.py:12"}}
		}
		env.Run(t, &WeakKey)
		fs := env.Of("JWT-002")
		switch {
		case withCode && (len(fs) != 1 || !strings.Contains(fs[0].Message, "the key is written in the source at app/config.py:12")):
			t.Errorf("with the source's key: %+v", fs)
		case !withCode && len(fs) != 0:
			t.Errorf("a key in no list was found without the source: %+v", fs)
		}
	}
}
