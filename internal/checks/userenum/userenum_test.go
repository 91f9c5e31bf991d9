package userenum

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
)

// authAPI is a login (and a password reset) whose failures can tell the
// two cases apart in several ways, or not at all.
type authAPI struct {
	mode string // "message", "status", "timing", "same", "requestid", "echo"
	// throttle answers 429 after this many failures of one username (0: never).
	throttle int
	form     bool

	mu       sync.Mutex
	failures map[string]int
}

var users = map[string]string{"alice@example.com": "wonderland-zoo", "bob@example.com": "builder-zoo"}

func (a *authAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var email, password string
	if a.form {
		r.ParseForm()
		email, password = r.PostForm.Get("email"), r.PostForm.Get("password")
	} else {
		var body map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		email, password = body["email"], body["password"]
	}
	w.Header().Set("Content-Type", "application/json")
	a.mu.Lock()
	if a.failures == nil {
		a.failures = map[string]int{}
	}
	if a.throttle > 0 && a.failures[email] >= a.throttle {
		a.mu.Unlock()
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(429)
		w.Write([]byte(`{"error":"too many failed logins, retry later"}`))
		return
	}
	a.mu.Unlock()
	known, ok := users[email]
	if r.URL.Path == "/forgot" {
		if a.mode == "message" && !ok {
			w.WriteHeader(404)
			w.Write([]byte(`{"error":"no account with this address"}`))
			return
		}
		w.Write([]byte(`{"message":"if the account exists, we sent an e-mail"}`))
		return
	}
	if ok && known == password {
		w.Write([]byte(`{"token":"tok-` + email + `"}`))
		return
	}
	a.mu.Lock()
	a.failures[email]++
	a.mu.Unlock()
	switch a.mode {
	case "message":
		w.WriteHeader(401)
		if ok {
			w.Write([]byte(`{"error":"wrong password"}`))
		} else {
			w.Write([]byte(`{"error":"no account with this e-mail"}`))
		}
	case "status":
		if ok {
			w.WriteHeader(401)
			w.Write([]byte(`{"error":"invalid credentials"}`))
		} else {
			w.WriteHeader(404)
			w.Write([]byte(`{"error":"invalid credentials"}`))
		}
	case "timing", "slowunknown":
		if ok == (a.mode == "timing") {
			time.Sleep(200 * time.Millisecond) // the password hash, for users that exist (or only for others)
		}
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"invalid username or password"}`))
	case "requestid":
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":"invalid username or password","request_id":"%d-%x","at":"%s"}`,
			time.Now().UnixNano(), time.Now().UnixNano(), time.Now().Format(time.RFC3339Nano))
	case "echo":
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":"invalid password for %s"}`, email)
	default: // same
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"invalid username or password"}`))
	}
}

func flowUser(name, email, password string, form bool) *identity.Identity {
	id := identity.New(name, identity.RoleUser, nil)
	l := rampart.Login{Method: "POST", URL: "/login", Token: &rampart.TokenSource{From: "body", Path: "token"}}
	if form {
		l.Form = map[string]string{"email": email, "password": password}
	} else {
		l.JSON = map[string]any{"email": email, "password": password}
	}
	id.Login = &identity.Login{Login: l}
	return id
}

func loginOp(path string) *rampart.Operation {
	op := checktest.Op("POST", path, "")
	op.Body = &rampart.Body{ContentType: "application/json", Required: true, Schema: &rampart.Schema{
		Type: "object", Required: []string{"email", "password"},
		Properties: map[string]*rampart.Schema{"email": {Type: "string", Format: "email"}, "password": {Type: "string", Format: "password"}},
	}}
	return op
}

type result struct {
	findings []rampart.Finding
	srv      *checktest.Server
	api      *authAPI
}

func runOn(t *testing.T, api *authAPI, ops []*rampart.Operation, ids ...*identity.Identity) result {
	t.Helper()
	srv := checktest.NewServer(t, api)
	env := checktest.New(t, srv, rampart.Active, ops, ids...)
	env.Run(t, &Login)
	return result{env.Findings(), srv, api}
}

func TestUserEnumeration(t *testing.T) {
	tests := []struct {
		mode string
		form bool
		conf rampart.Confidence
		msg  []string
	}{
		{mode: "message", conf: rampart.Confirmed, msg: []string{"by its message", "no account with this e-mail", "wrong password", "alice's account"}},
		{mode: "message", form: true, conf: rampart.Confirmed, msg: []string{"by its message"}},
		{mode: "status", conf: rampart.Confirmed, msg: []string{"by its status", "answers 404", "401"}},
		{mode: "timing", conf: rampart.Firm, msg: []string{"by its time", "Timing alone is not proof"}},
		// Negatives: the same answer; an answer whose only difference is
		// a request id and a timestamp; an answer that echoes the name.
		{mode: "same"},
		{mode: "requestid"},
		{mode: "echo"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s form=%v", tt.mode, tt.form), func(t *testing.T) {
			ops := []*rampart.Operation{loginOp("/login")}
			r := runOn(t, &authAPI{mode: tt.mode, form: tt.form}, ops,
				flowUser("alice", "alice@example.com", "wonderland-zoo", tt.form), flowUser("bob", "bob@example.com", "builder-zoo", tt.form))
			// A stall of the test machine longer than the hash can hide a
			// timing difference for one run (rightly: the oracle then
			// refuses); a real one shows again.
			for try := 1; tt.mode == "timing" && len(r.findings) == 0 && try < 3; try++ {
				r = runOn(t, &authAPI{mode: tt.mode, form: tt.form}, ops,
					flowUser("alice", "alice@example.com", "wonderland-zoo", tt.form), flowUser("bob", "bob@example.com", "builder-zoo", tt.form))
			}
			if tt.conf == 0 {
				if len(r.findings) != 0 {
					t.Fatalf("finding on a login that answers alike: %s", r.findings[0].Message)
				}
				return
			}
			if len(r.findings) != 1 {
				t.Fatalf("findings: %+v", r.findings)
			}
			f := r.findings[0]
			if f.Confidence != tt.conf || f.Family != rampart.FamilyUserEnum || f.Check != "ENUM-001" || len(f.Evidence) != 2 {
				t.Errorf("finding: %+v", f)
			}
			for _, m := range tt.msg {
				if !strings.Contains(f.Message, m) {
					t.Errorf("message does not say %q: %s", m, f.Message)
				}
			}
			for _, e := range f.Evidence {
				if strings.Contains(e.Request, "wonderland-zoo") {
					t.Error("the real password in evidence")
				}
			}
		})
	}
}

// Failed logins of a real account stay below a lockout threshold: at most
// three wrong passwords per real username in the whole scan, however many
// login operations there are, and the check stops at the first 429.
func TestUserEnumerationNeverLocksOut(t *testing.T) {
	ops := []*rampart.Operation{loginOp("/login"), loginOp("/api/login"), loginOp("/v2/auth/login")}
	for _, mode := range []string{"same", "timing"} {
		r := runOn(t, &authAPI{mode: mode}, ops,
			flowUser("alice", "alice@example.com", "wonderland-zoo", false), flowUser("bob", "bob@example.com", "builder-zoo", false))
		perUser := map[string]int{}
		for _, req := range r.srv.Requests() {
			var body map[string]string
			json.Unmarshal(req.Body, &body)
			if body["password"] != users[body["email"]] {
				perUser[body["email"]]++
			}
		}
		for u, n := range perUser {
			if _, real := users[u]; real && n > maxWrongPasswords {
				t.Errorf("%s: %d wrong passwords for %s", mode, n, u)
			}
			if n > 4 {
				t.Errorf("%s: %d failures for %s", mode, n, u)
			}
		}
		if perUser["alice@example.com"] == 0 {
			t.Errorf("%s: the check sent nothing", mode)
		}
	}
	// A throttle after two failures: the check stops at the 429 and
	// reports nothing.
	r := runOn(t, &authAPI{mode: "message", throttle: 2}, []*rampart.Operation{loginOp("/login")},
		flowUser("alice", "alice@example.com", "wonderland-zoo", false))
	if len(r.findings) != 0 {
		t.Errorf("finding through a throttle: %s", r.findings[0].Message)
	}
	if n := r.api.failures["alice@example.com"]; n > 2 {
		t.Errorf("%d failures for alice after a 429", n)
	}
}

// Without a username of its own, the check sends nothing: it never guesses
// real accounts.
func TestUserEnumerationNeedsAKnownUser(t *testing.T) {
	r := runOn(t, &authAPI{mode: "message"}, []*rampart.Operation{loginOp("/login")},
		checktest.User("alice", "user", "tok-alice"))
	if n := len(r.srv.Requests()); n != 0 || len(r.findings) != 0 {
		t.Errorf("%d requests, %d findings", n, len(r.findings))
	}
}

// A password reset that says which addresses have an account; two requests
// at most for each real address.
func TestUserEnumerationPasswordReset(t *testing.T) {
	op := checktest.Op("POST", "/forgot", "")
	op.Body = &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object",
		Properties: map[string]*rampart.Schema{"email": {Type: "string", Format: "email"}}}}
	for _, mode := range []string{"message", "same"} {
		r := runOn(t, &authAPI{mode: mode}, []*rampart.Operation{op}, flowUser("alice", "alice@example.com", "wonderland-zoo", false))
		if got := len(r.findings); (mode == "message") != (got == 1) {
			t.Errorf("%s: %d findings", mode, got)
		}
		n := 0
		for _, req := range r.srv.Requests() {
			if strings.Contains(string(req.Body), "alice@example.com") {
				n++
			}
		}
		if n > maxResets {
			t.Errorf("%s: %d resets for alice", mode, n)
		}
	}
}

func TestNormalize(t *testing.T) {
	a := normalize(401, []byte(`{"error":"no account for alice@example.com","id":"3f2b9c1d-1111-4222-8333-944455556666","at":"2024-05-01T10:00:00Z"}`), "alice@example.com", "pw-123456")
	b := normalize(401, []byte(`{"error":"no account for RAMPART-NX-1234@example.com","id":"0b6f5e44-aaaa-4bbb-8ccc-dddd1111eeee","at":"2024-05-01T10:00:01.5Z"}`), "rampart-nx-1234@example.com", "pw-654321")
	if a != b {
		t.Errorf("%q != %q", a, b)
	}
	if normalize(401, []byte(`{"error":"wrong password"}`), "x", "y") == normalize(404, []byte(`{"error":"wrong password"}`), "x", "y") {
		t.Error("status ignored")
	}
	if s := normalize(200, []byte(url.QueryEscape("hello alice@example.com")), "alice@example.com", ""); strings.Contains(s, "alice") {
		t.Errorf("URL-encoded echo kept: %q", s)
	}
}

func TestTimingJudge(t *testing.T) {
	mk := func(known bool, ms ...float64) []sample {
		var out []sample
		for _, m := range ms {
			out = append(out, sample{known: known, secs: m / 1000})
		}
		return out
	}
	cases := []struct {
		name   string
		us, ks []sample
		ok     bool
	}{
		{"a hash only for known users", mk(false, 5, 6, 5, 7), mk(true, 150, 160, 149), true},
		{"one slow made-up answer", mk(false, 5, 170, 5, 7), mk(true, 150, 160, 149), false},
		{"one fast known answer", mk(false, 5, 6, 5, 7), mk(true, 150, 8, 149), false},
		{"a few ms apart", mk(false, 100, 102, 101, 99), mk(true, 110, 112, 111), false},
		{"too few samples", mk(false, 5, 6), mk(true, 150, 160), false},
	}
	for _, c := range cases {
		if _, ok := judgeTiming(c.us, c.ks); ok != c.ok {
			t.Errorf("%s: %v", c.name, ok)
		}
	}
}

func TestActiveOnly(t *testing.T) {
	if Login.Mode != rampart.Active || !Login.Exclusive {
		t.Errorf("ENUM-001: mode %s, exclusive %v", Login.Mode, Login.Exclusive)
	}
	if !Applies(loginOp("/login")) || Applies(checktest.Op("POST", "/register", "")) || Applies(checktest.Op("GET", "/login", "")) {
		t.Error("Applies")
	}
}

// A login whose made-up users are as slow as the real ones costs no timing
// series: once the two overlap, the check stops (here the made-up ones are
// slower from the start, so it stops after the warm-up and two pairs).
func TestUserEnumerationStopsEarly(t *testing.T) {
	r := runOn(t, &authAPI{mode: "slowunknown"}, []*rampart.Operation{loginOp("/login")},
		flowUser("alice", "alice@example.com", "wonderland-zoo", false), flowUser("bob", "bob@example.com", "builder-zoo", false))
	if n := len(r.srv.Requests()); n != 5 || len(r.findings) != 0 {
		t.Errorf("%d requests, %d findings on a login with nothing to tell", n, len(r.findings))
	}
}
