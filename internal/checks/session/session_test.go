package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
)

var accounts = []checktest.Account{
	{ID: 1, Username: "ann", Role: "user", Token: "tok-ann-0001", Email: "ann@corp.example"},
	{ID: 2, Username: "ben", Role: "user", Token: "tok-ben-0002", Email: "ben@corp.example"},
	{ID: 7, Username: "root", Role: "admin", Token: "tok-root-0007", Email: "root@corp.example"},
}

func ops() []*rampart.Operation {
	return []*rampart.Operation{checktest.Op("GET", "/", ""), checktest.Op("GET", "/me", "bearer")}
}

func ids() []*identity.Identity {
	return []*identity.Identity{
		checktest.User("ann", "user", "tok-ann-0001"),
		checktest.User("ben", "user", "tok-ben-0002"),
		checktest.User("root", "admin", "tok-root-0007"),
	}
}

func TestSessionSecret(t *testing.T) {
	words := filepath.Join(t.TempDir(), "words.txt")
	os.WriteFile(words, []byte("a\nb\nonly-in-my-wordlist\n"), 0o600)
	tests := []struct {
		name     string
		app      checktest.App
		noIDs    bool
		wordlist string
		codeKeys []check.CodeKey
		show     bool
		want     rampart.Severity // -1: no finding
		wantIn   []string
		wantOut  []string
	}{
		{name: "tutorial key, forged admin accepted", app: checktest.App{SessionKey: []byte("dev"), SessionAuth: true},
			want: rampart.Critical, wantIn: []string{"d** (3 bytes)", "root, id 7", "GET /me"}, wantOut: []string{"'dev'"}},
		{name: "show secrets prints the key", app: checktest.App{SessionKey: []byte("dev"), SessionAuth: true}, show: true,
			want: rampart.Critical, wantIn: []string{"'dev'"}},
		{name: "strong key: nothing", app: checktest.App{SessionKey: []byte("5f1c9e0b-strong-random-key-9a7d"), SessionAuth: true}, want: -1},
		{name: "key in the wordlist only", app: checktest.App{SessionKey: []byte("only-in-my-wordlist"), SessionAuth: true},
			wordlist: words, want: rampart.Critical},
		{name: "key only in the source, written where it says", app: checktest.App{SessionKey: []byte("k3y-only-in-this-code-7731"), SessionAuth: true},
			codeKeys: []check.CodeKey{{Value: []byte("k3y-only-in-this-code-7731"), Where: "app/config.py:12"}},
			want:     rampart.Critical, wantIn: []string{"written in the source at app/config.py:12"}, wantOut: []string{"k3y-only-in-this-code-7731"}},
		{name: "key known but sessions not used for auth: high, not proven", app: checktest.App{SessionKey: []byte("dev")},
			want: rampart.High, wantIn: []string{"not demonstrated"}},
		{name: "remember_token forged", app: checktest.App{SessionKey: []byte("super-secret"), Remember: true},
			want: rampart.Critical, wantIn: []string{"remember_token"}},
		{name: "no identities: guessed ids 1 and 2 both named", app: checktest.App{SessionKey: []byte("dev"), SessionAuth: true},
			noIDs: true, want: rampart.Critical, wantIn: []string{"id 1"}},
		{name: "no identities, app answers user 1 for any session: not proven", noIDs: true,
			app: checktest.App{SessionKey: []byte("dev"), SessionAuth: true, FirstUserForAnySession: true}, want: rampart.High},
		{name: "no session cookie at all", app: checktest.App{SessionAuth: true}, want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.app.Accounts = accounts
			srv := checktest.NewServer(t, &tt.app)
			var who []*identity.Identity
			if !tt.noIDs {
				who = ids()
			}
			env := checktest.New(t, srv, rampart.Safe, ops(), who...)
			env.Pass.Settings.Wordlist = tt.wordlist
			env.Pass.Settings.CodeKeys = tt.codeKeys
			env.Pass.Settings.ShowSecrets = tt.show
			env.Run(t, &Secret)
			fs := env.Of("SESS-001")
			if tt.want < 0 {
				if len(fs) != 0 {
					t.Fatalf("unexpected finding: %s", fs[0].Message)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1", len(fs))
			}
			f := fs[0]
			if f.Severity != tt.want || f.Confidence != rampart.Confirmed {
				t.Fatalf("%s/%s: %s", f.Severity, f.Confidence, f.Message)
			}
			all := f.Message
			for _, e := range f.Evidence {
				all += e.Note + e.Request + e.Response
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(all, s) {
					t.Errorf("finding lacks %q: %s", s, f.Message)
				}
			}
			for _, s := range tt.wantOut {
				if strings.Contains(all, s) {
					t.Errorf("finding shows %q", s)
				}
			}
			// The forged requests carry the cookie and nothing else: the
			// identities' tokens are never what makes them succeed.
			for _, r := range srv.Requests() {
				if strings.Contains(r.Header.Get("Cookie"), "session=") && r.Header.Get("Authorization") != "" {
					t.Errorf("forged cookie sent with credentials to %s", r.Path)
				}
				if r.Method != "GET" {
					t.Errorf("a safe check sent %s", r.Method)
				}
			}
			if n := len(srv.Requests()); n > Secret.Budget {
				t.Errorf("%d requests, budget %d", n, Secret.Budget)
			}
		})
	}
}

func TestSessionExposure(t *testing.T) {
	tests := []struct {
		name    string
		session string
		want    rampart.Severity // -1: none
		wantIn  []string
		leak    string
	}{
		{"role only: authorization state", `{"role":"anonymous","visits":1}`, rampart.Low, []string{"role (authorization state: anonymous)"}, ""},
		{"e-mail: personal data", `{"user_id":4,"email":"ann@corp.example","role":"user"}`, rampart.Medium, []string{"email (personal data: a***@corp.example)"}, "ann@corp.example"},
		{"password: secret", `{"user":"ann","password":"hunter2-hunter2"}`, rampart.High, []string{"password (credential or secret"}, "hunter2-hunter2"},
		{"nested token", `{"oauth":{"access_token":"ya29.abcdefghijkl"}}`, rampart.High, []string{"oauth.access_token"}, "ya29.abcdefghijkl"},
		{"framework bookkeeping only", `{"_user_id":"4","_fresh":true,"_id":"abcd","csrf_token":"0123456789abcdef","_permanent":true}`, -1, nil, ""},
		{"user id only", `{"uid":4}`, -1, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := checktest.NewServer(t, &checktest.App{Accounts: accounts, SessionKey: []byte("a-strong-key-that-is-unknown-1234"), Session: tt.session})
			env := checktest.New(t, srv, rampart.Safe, ops())
			env.Run(t, &Exposure)
			fs := env.Of("SESS-002")
			if tt.want < 0 {
				if len(fs) != 0 {
					t.Fatalf("unexpected: %s", fs[0].Message)
				}
				return
			}
			if len(fs) != 1 || fs[0].Severity != tt.want {
				t.Fatalf("findings %+v", fs)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(fs[0].Message, s) {
					t.Errorf("message lacks %q: %s", s, fs[0].Message)
				}
			}
			if tt.leak != "" {
				for _, e := range fs[0].Evidence {
					if strings.Contains(fs[0].Message+e.Note+e.Response, tt.leak) {
						t.Errorf("the report repeats the value %q", tt.leak)
					}
				}
			}
		})
	}
}

// A cookie an identity holds (from a login flow) is decoded and cracked too.
func TestIdentityCookie(t *testing.T) {
	app := &checktest.App{Accounts: accounts, SessionKey: []byte("dev"), SessionAuth: true}
	srv := checktest.NewServer(t, app)
	cookieApp := &checktest.App{Accounts: accounts, SessionKey: []byte("dev"), Session: `{"user_id":1,"email":"ann@corp.example"}`}
	rec := checktest.NewServer(t, cookieApp)
	resp, err := rec.Client().Get(rec.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := resp.Cookies()[0]
	ann := identity.New("ann", "user", map[string][]string{"Cookie": {"session=" + c.Value}})
	env := checktest.New(t, srv, rampart.Safe, []*rampart.Operation{checktest.Op("GET", "/me", "cookie")}, ann)
	env.Run(t, &Exposure)
	for _, f := range env.Of("SESS-002") {
		if strings.Contains(f.Message, "held by identity ann") && f.Severity == rampart.Medium {
			return
		}
	}
	t.Fatalf("no finding for the identity's cookie: %+v", env.Of("SESS-002"))
}
