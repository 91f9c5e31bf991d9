package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
)

// Credentials of gatedAPI.
const (
	aliceTok = "tok-alice-2f6c1e0b9d"
	carolTok = "tok-carol-8a71d3e5c4"
	wrongTok = "tok-mistyped-00000000"
)

// gatedAPI answers GET /notes, /me and /accounts to a known bearer token
// only, GET /admin/stats to the admin only, and GET /status to anyone. It
// records every request, so a test can tell exploration and the
// credential check from a check's traffic.
type gatedAPI struct {
	// open answers everything to everyone: an API with no protected
	// operation.
	open bool
	// anon403 refuses a missing or unknown credential with 403 (as some
	// gateways do) rather than 401.
	anon403 bool
	// leaky answers /accounts to anyone, though the spec secures it.
	leaky bool
	// adminOnly answers everything but /admin/stats to anyone.
	adminOnly bool
	// accountsRefused refuses /accounts to alice: roles or objects differ,
	// her credential is fine.
	accountsRefused bool
	// login answers POST /login, without a token unless loginToken.
	loginToken bool

	mu       sync.Mutex
	requests []gatedRequest
}

type gatedRequest struct {
	Method, URI, Auth, Origin string
}

func (g *gatedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.requests = append(g.requests, gatedRequest{Method: r.Method, URI: r.URL.RequestURI(), Auth: r.Header.Get("Authorization"), Origin: r.Header.Get("Origin")})
	g.mu.Unlock()
	answer := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	who := map[string]string{"Bearer " + aliceTok: "alice", "Bearer " + carolTok: "carol"}[r.Header.Get("Authorization")]
	refuse := func() {
		if g.anon403 {
			answer(403, map[string]string{"error": "forbidden"})
			return
		}
		answer(401, map[string]string{"error": "authentication required"})
	}
	switch {
	case r.URL.Path == "/login" && r.Method == http.MethodPost:
		if g.loginToken {
			answer(200, map[string]string{"token": aliceTok})
			return
		}
		answer(200, map[string]any{"ok": true})
	case r.URL.Path == "/status" || r.URL.Path == "/":
		answer(200, map[string]string{"status": "up"})
	case g.open, g.adminOnly && r.URL.Path != "/admin/stats", g.leaky && r.URL.Path == "/accounts":
		answer(200, []map[string]any{{"id": 1, "title": "hello"}})
	case who == "":
		refuse()
	case r.URL.Path == "/admin/stats":
		if who != "carol" {
			answer(403, map[string]string{"error": "administrator role required"})
			return
		}
		answer(200, map[string]int{"users": 3})
	case r.URL.Path == "/accounts" && g.accountsRefused && who == "alice":
		answer(403, map[string]string{"error": "not allowed"})
	case r.URL.Path == "/notes" || r.URL.Path == "/me" || r.URL.Path == "/accounts":
		answer(200, []map[string]any{{"id": 1, "owner": who, "title": "mine"}})
	default:
		answer(404, map[string]string{"error": "not found"})
	}
}

func (g *gatedAPI) seen() []gatedRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.requests)
}

// beforeChecks reports whether a request is one that loading the surface,
// logging in, exploring or trying credentials sends: a plain GET of a
// documented read (or the root), with no credential but the configured
// ones. Checks send more: forged tokens, other paths, origins, writes.
func beforeChecks(r gatedRequest, auths ...string) bool {
	paths := []string{"/", "/notes", "/me", "/accounts", "/admin/stats", "/status"}
	return r.Method == http.MethodGet && slices.Contains(paths, r.URI) && r.Origin == "" &&
		(r.Auth == "" || slices.Contains(auths, r.Auth))
}

// gatedSpec writes the API's description; secured says the spec declares
// bearer security on everything but /status.
func gatedSpec(t *testing.T, secured bool) string {
	t.Helper()
	get := `{"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}}}`
	sec := ""
	if secured {
		sec = `"components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}],`
	}
	doc := fmt.Sprintf(`{"openapi": "3.0.3", "info": {"title": "gated", "version": "1"}, %s
  "paths": {"/notes": %s, "/me": %s, "/accounts": %s, "/admin/stats": %s,
    "/status": {"get": {"security": [], "responses": {"200": {"description": "up"}}}}}}`, sec, get, get, get, get)
	p := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func bearer(name, role, tok string) rampart.Identity {
	return rampart.Identity{Name: name, Role: role, Headers: http.Header{"Authorization": {"Bearer " + tok}}}
}

// gatedScan runs a scan of api and says whether any check unit ran, and
// how many requests the API had received when the scan left an identity
// out (-1 when it did not).
func gatedScan(t *testing.T, api *gatedAPI, opt Options) (rep *rampart.Report, err error, checked bool, atLeaveOut int) {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	opt.Target = srv.URL
	var ran atomic.Bool
	opt.Progress = func(done, total int) { ran.Store(true) }
	atLeaveOut = -1
	opt.OnNote = func(msg string) {
		if strings.Contains(msg, "scanned without it") && atLeaveOut < 0 {
			atLeaveOut = len(api.seen())
		}
	}
	rep, err = Run(context.Background(), opt)
	return rep, err, ran.Load(), atLeaveOut
}

// A mistyped token stops the scan before any check runs, with an error
// that names the identity and what it was answered, and never the token.
func TestRefusedIdentityStopsTheScanBeforeAnyCheck(t *testing.T) {
	for _, tt := range []struct {
		mode  rampart.Mode
		leaky bool // a read the spec secures answers anyone: it tells nothing
		seen  string
	}{
		{rampart.Passive, false, "401 on GET /accounts, GET /admin/stats, GET /me)"},
		{rampart.Safe, false, "401 on GET /accounts, GET /admin/stats, GET /me, GET /notes)"},
		{rampart.Active, false, "401 on GET /accounts, GET /admin/stats, GET /me, GET /notes)"},
		{rampart.Passive, true, "401 on GET /admin/stats, GET /me, GET /notes)"},
		{rampart.Safe, true, "401 on GET /admin/stats, GET /me, GET /notes)"},
	} {
		mode := tt.mode
		t.Run(fmt.Sprintf("%s leaky=%v", mode, tt.leaky), func(t *testing.T) {
			api := &gatedAPI{leaky: tt.leaky}
			rep, err, checked, _ := gatedScan(t, api, Options{Mode: mode, Spec: gatedSpec(t, true),
				Identities: []rampart.Identity{bearer("alice", "user", aliceTok), bearer("bob", "user", wrongTok)}})
			var ce *ConfigError
			if !errors.As(err, &ce) || rep != nil {
				t.Fatalf("want a ConfigError and no report, got %v (report %v)", err, rep != nil)
			}
			msg := err.Error()
			for _, want := range []string{"identity bob: refused on every operation that needs credentials (" + tt.seen, "--keep-going"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, wrongTok) || strings.Contains(msg, "alice") {
				t.Errorf("error names the token or the wrong identity: %q", msg)
			}
			if checked {
				t.Error("a check ran")
			}
			bob := 0
			for _, r := range api.seen() {
				if !beforeChecks(r, "Bearer "+aliceTok, "Bearer "+wrongTok) {
					t.Errorf("a check's request was sent: %+v", r)
				}
				if r.Auth == "Bearer "+wrongTok {
					bob++
				}
			}
			if bob == 0 {
				t.Error("bob's credential was never tried")
			}
			if mode == rampart.Passive && bob > maxCredentialTries {
				t.Errorf("bob was tried %d times in passive mode, want at most %d", bob, maxCredentialTries)
			}
		})
	}
}

// The same scans with good tokens go on to the checks, and the checks'
// requests are told from what comes before them (so the test above can
// fail).
func TestAcceptedIdentitiesGoOn(t *testing.T) {
	tests := []struct {
		name string
		api  *gatedAPI
		spec bool
		ids  []rampart.Identity
	}{
		{"good tokens", &gatedAPI{}, true, []rampart.Identity{bearer("alice", "user", aliceTok), bearer("carol", "admin", carolTok)}},
		// Refused on some operations, answered on others: roles differ.
		{"refused somewhere only", &gatedAPI{accountsRefused: true}, true, []rampart.Identity{bearer("alice", "user", aliceTok)}},
		// The only read that needs credentials is the admin's, and the API
		// refuses a missing credential with the 403 it gives the user
		// there: the admin was answered, so roles differ.
		{"user refused where the admin is answered", &gatedAPI{anon403: true, adminOnly: true}, false, []rampart.Identity{bearer("alice", "user", aliceTok), bearer("carol", "admin", carolTok)}},
		// A user answered 403 where the anonymous caller got 401: an
		// authorization decision about a credential that was accepted.
		{"user refused on the admin's read only", &gatedAPI{adminOnly: true}, false, []rampart.Identity{bearer("alice", "user", aliceTok)}},
		// Nothing needs credentials: nothing tells a bad token apart.
		{"no protected operation", &gatedAPI{open: true}, false, []rampart.Identity{bearer("bob", "user", wrongTok)}},
		// The spec secures everything, the API lets anyone in.
		{"security declared, not enforced", &gatedAPI{open: true}, true, []rampart.Identity{bearer("bob", "user", wrongTok)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err, checked, _ := gatedScan(t, tt.api, Options{Mode: rampart.Safe, Spec: gatedSpec(t, tt.spec), Identities: tt.ids})
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			if !checked {
				t.Error("no check ran")
			}
			if len(rep.Identities) != len(tt.ids) {
				t.Errorf("identities %v, want all %d", rep.Identities, len(tt.ids))
			}
			for _, n := range rep.Notes {
				if strings.Contains(n, "refused on every") {
					t.Errorf("note %q", n)
				}
			}
			var auths []string
			for _, id := range tt.ids {
				auths = append(auths, id.Headers.Get("Authorization"))
			}
			if !slices.ContainsFunc(tt.api.seen(), func(r gatedRequest) bool { return !beforeChecks(r, auths...) }) {
				t.Error("no request told apart as a check's: the test of refused identities proves nothing")
			}
		})
	}
}

// --keep-going scans without the refused identity and says so first among
// the notes; the identity sends nothing once it is left out.
func TestKeepGoingScansWithoutTheRefusedIdentity(t *testing.T) {
	api := &gatedAPI{}
	rep, err, checked, at := gatedScan(t, api, Options{Mode: rampart.Safe, Spec: gatedSpec(t, true), KeepGoing: true,
		Identities: []rampart.Identity{bearer("alice", "user", aliceTok), bearer("bob", "user", wrongTok)}})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	if !checked {
		t.Error("no check ran")
	}
	if len(rep.Notes) == 0 || !strings.HasPrefix(rep.Notes[0], "identity bob: refused on every operation that needs credentials (401 on ") ||
		!strings.HasSuffix(rep.Notes[0], "scanned without it (--keep-going)") {
		t.Errorf("first note %q", rep.Notes)
	}
	if !slices.Equal(rep.Identities, []string{"alice (user)"}) {
		t.Errorf("identities %v, want alice only", rep.Identities)
	}
	if at < 0 {
		t.Fatal("OnNote was not told")
	}
	for _, r := range api.seen()[at:] {
		if r.Auth == "Bearer "+wrongTok {
			t.Errorf("bob's credential sent after he was left out: %+v", r)
		}
	}
}

// A login that answers without the credential it names stops the scan,
// or with --keep-going leaves the identity out.
func TestLoginWithoutCredential(t *testing.T) {
	login := rampart.Identity{Name: "dave", Role: "user", Login: &rampart.Login{
		Method: "POST", URL: "/login", JSON: map[string]any{"username": "dave", "password": "pw-dave-5521"},
		Token: &rampart.TokenSource{Path: "token"}}}
	t.Run("stops", func(t *testing.T) {
		rep, err, checked, _ := gatedScan(t, &gatedAPI{}, Options{Mode: rampart.Safe, Spec: gatedSpec(t, true), Identities: []rampart.Identity{login}})
		var ce *ConfigError
		if !errors.As(err, &ce) || rep != nil || checked {
			t.Fatalf("want a ConfigError before any check, got %v", err)
		}
		if msg := err.Error(); !strings.Contains(msg, `identity dave: login: no token at "token"`) || !strings.Contains(msg, "--keep-going") || strings.Contains(msg, "pw-dave") {
			t.Errorf("error %q", msg)
		}
	})
	t.Run("keep going", func(t *testing.T) {
		rep, err, checked, _ := gatedScan(t, &gatedAPI{}, Options{Mode: rampart.Safe, Spec: gatedSpec(t, true), KeepGoing: true,
			Identities: []rampart.Identity{login, bearer("alice", "user", aliceTok)}})
		if err != nil || !checked {
			t.Fatalf("scan: %v (checks ran: %v)", err, checked)
		}
		if !strings.HasPrefix(rep.Notes[0], "identity dave: login: ") || !slices.Equal(rep.Identities, []string{"alice (user)"}) {
			t.Errorf("notes %q, identities %v", rep.Notes, rep.Identities)
		}
	})
	t.Run("login with a token", func(t *testing.T) {
		_, err, checked, _ := gatedScan(t, &gatedAPI{loginToken: true}, Options{Mode: rampart.Safe, Spec: gatedSpec(t, true), Identities: []rampart.Identity{login}})
		if err != nil || !checked {
			t.Fatalf("scan: %v (checks ran: %v)", err, checked)
		}
	})
}

// A library caller gets the role rule the CLI enforces.
func TestOptionsRequireARole(t *testing.T) {
	for _, role := range []string{"", "root", "User"} {
		opt := Options{Identities: []rampart.Identity{{Name: "alice", Role: role, Headers: http.Header{"Authorization": {"Bearer " + aliceTok}}}}}
		var ce *ConfigError
		if err := opt.Validate(); !errors.As(err, &ce) || !strings.Contains(err.Error(), "identity alice") || !strings.Contains(err.Error(), "want user or admin") {
			t.Errorf("role %q: %v", role, err)
		}
	}
}

// On both twins of the testbed, a mistyped token is caught before any
// check, in every mode, and the accounts' real tokens are not.
func TestTestbedMistypedToken(t *testing.T) {
	tb := tbtest.Require(t)
	tb.Lock(t)
	spec := filepath.Join(tb.Root, "testbed", "openapi.yaml")
	for _, twin := range []string{tb.Vuln, tb.Secure} {
		for _, mode := range []rampart.Mode{rampart.Passive, rampart.Safe, rampart.Active} {
			ids := tb.TokenIdentities()
			ids[1].Headers = http.Header{"Authorization": {"Bearer " + tb.BobToken + "x"}}
			var checked atomic.Bool
			rep, err := Run(context.Background(), Options{Target: twin, Spec: spec, Mode: mode, Identities: ids,
				Progress: func(int, int) { checked.Store(true) }})
			var ce *ConfigError
			if !errors.As(err, &ce) || rep != nil || checked.Load() || !strings.HasPrefix(err.Error(), "identity bob: refused on every operation that needs credentials (401 on GET /") {
				t.Errorf("%s scan of %s: %v (a check ran: %v)", mode, twin, err, checked.Load())
			}
			if strings.Contains(fmt.Sprint(err), tb.BobToken) {
				t.Errorf("the error holds the token: %v", err)
			}
		}
	}
}

// An identity made for one of the spec's schemes (a raw JWT in
// Authorization, as some endpoints want) is not refused by the operations
// of another scheme (Authorization: Bearer with an OAuth token): the scan
// goes on. One whose credential fits and is refused still stops it.
func TestIdentityOfAnotherSchemeIsNotRefused(t *testing.T) {
	spec := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
"components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"},"jwt":{"type":"apiKey","in":"header","name":"Authorization"}}},
"paths":{"/ads":{"get":{"security":[{"bearer":[]}],"responses":{"200":{"description":"ok"}}}},
"/plans":{"post":{"security":[{"jwt":[]}],"responses":{"200":{"description":"ok"}}}}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/openapi.json":
			w.Write([]byte(spec))
		case r.URL.Path == "/ads" && r.Header.Get("Authorization") == "Bearer oauth-token-0123456789":
			w.Write([]byte(`[{"id":1}]`))
		case r.URL.Path == "/ads":
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid token"}`))
		default:
			w.Write([]byte(`{}`))
		}
	}))
	t.Cleanup(srv.Close)
	raw := rampart.Identity{Name: "joker-jwt", Role: "user", Headers: http.Header{"Authorization": {"eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"}}}
	if _, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{raw}}); err != nil {
		t.Errorf("an identity of the jwt scheme, refused only where the bearer scheme is wanted: %v", err)
	}
	wrong := bearer("bob", "user", "mistyped-0123456789")
	if _, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{wrong}}); err == nil || !strings.Contains(err.Error(), "identity bob: refused") {
		t.Errorf("a mistyped bearer token: %v, want the scan stopped", err)
	}
}

// TestDiscoveredSurfaceKeepsAnIdentityOfAnotherKind: with no spec to say
// which credentials each operation takes, an identity refused where
// another's credentials of another kind were accepted may be for other
// operations: it is kept, with a note. One of the same kind as an accepted
// one is still a mistake, and stops the scan.
func TestDiscoveredSurfaceKeepsAnIdentityOfAnotherKind(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/users" && r.Header.Get("Authorization") == "Bearer oauth-token-0123456789":
			w.Write([]byte(`[{"id":1}]`))
		case r.URL.Path == "/users":
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid token"}`))
		case r.URL.Path == "/":
			w.Write([]byte(`{"users": "/users"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"not found"}`))
		}
	}))
	t.Cleanup(srv.Close)
	alice := bearer("alice", "user", "oauth-token-0123456789")
	raw := rampart.Identity{Name: "joker-jwt", Role: "user", Headers: http.Header{"Authorization": {"eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"}}}
	rep, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{alice, raw}})
	if err != nil {
		t.Fatalf("an identity of another kind on a discovered surface: %v", err)
	}
	if !slices.ContainsFunc(rep.Notes, func(n string) bool {
		return strings.Contains(n, "identity joker-jwt: refused on every operation tried")
	}) {
		t.Errorf("no note says joker-jwt was refused and kept: %q", rep.Notes)
	}
	wrong := bearer("bob", "user", "mistyped-0123456789")
	if _, err := Run(context.Background(), Options{Target: srv.URL, Mode: rampart.Safe, Identities: []rampart.Identity{alice, wrong}}); err == nil || !strings.Contains(err.Error(), "identity bob: refused") {
		t.Errorf("a mistyped bearer token beside an accepted one: %v, want the scan stopped", err)
	}
}
