package checktest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/internal/flasksession"
	"github.com/rampart-sec/rampart/internal/jwt"
)

// User is one account of the fake app.
type Account struct {
	ID       int
	Username string
	Role     string
	Token    string // opaque bearer token
	Email    string
}

// JWT verification behaviours of the fake app.
const (
	JWTStrict   = "strict"   // HS256 with Key, exp required
	JWTNone     = "none"     // trusts the header: alg none skips verification
	JWTNoVerify = "noverify" // never checks signatures
	JWTWeak     = "weak"     // HS256 with Key, exp optional and checked when present
	JWTNoExpiry = "noexpiry" // HS256 with Key, exp ignored
)

// App is a fake Flask-like API: GET / sets a session cookie, GET /me
// answers the caller (bearer token or session cookie), GET /api/me the
// caller of a JWT.
type App struct {
	Accounts   []Account
	SessionKey []byte
	Session    string // JSON of the session GET / sets; default {"role":"anonymous"}
	// SessionAuth: GET /me accepts the session cookie (user_id).
	SessionAuth bool
	// Remember: GET /me accepts a Flask-Login remember_token.
	Remember bool
	// FirstUserForAnySession: a broken app that answers user 1 for any
	// valid session, whatever it says.
	FirstUserForAnySession bool
	JWTMode                string
	JWTKey                 []byte
	// AnyBearer: /api/me accepts any bearer value as user 1.
	AnyBearer bool
}

func (a *App) find(f func(Account) bool) *Account {
	for i := range a.Accounts {
		if f(a.Accounts[i]) {
			return &a.Accounts[i]
		}
	}
	return nil
}

func (a *App) record(w http.ResponseWriter, u *Account) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"id": u.ID, "username": u.Username, "role": u.Role, "email": u.Email})
}

func deny(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	w.Write([]byte(`{"error":"unauthorized","message":"authentication required"}`))
}

func bearer(r *http.Request) string {
	s, t, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(s, "bearer") {
		return ""
	}
	return strings.TrimSpace(t)
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		if a.SessionKey != nil {
			s := a.Session
			if s == "" {
				s = `{"role":"anonymous"}`
			}
			http.SetCookie(w, &http.Cookie{Name: "session", Value: flasksession.Sign([]byte(s), a.SessionKey, time.Now()), HttpOnly: true, Path: "/"})
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"service":"fake","status":"ok"}`))
	case "/me":
		if tok := bearer(r); tok != "" {
			if u := a.find(func(x Account) bool { return x.Token == tok }); u != nil {
				a.record(w, u)
				return
			}
			deny(w)
			return
		}
		if c, err := r.Cookie("session"); err == nil && a.SessionAuth {
			ck, err := flasksession.Parse(c.Value)
			if err == nil && ck.Verify(a.SessionKey) {
				data, _ := ck.Data()
				if a.FirstUserForAnySession {
					a.record(w, &a.Accounts[0])
					return
				}
				if n, ok := data["user_id"].(json.Number); ok {
					if u := a.find(func(x Account) bool { return json.Number(itoa(x.ID)) == n }); u != nil {
						a.record(w, u)
						return
					}
				}
			}
		}
		if c, err := r.Cookie("remember_token"); err == nil && a.Remember {
			id, _, _ := strings.Cut(c.Value, "|")
			if flasksession.RememberToken(id, a.SessionKey) == c.Value {
				if u := a.find(func(x Account) bool { return itoa(x.ID) == id }); u != nil {
					a.record(w, u)
					return
				}
			}
		}
		deny(w)
	case "/api/me":
		tok := bearer(r)
		if tok == "" {
			deny(w)
			return
		}
		if a.AnyBearer {
			a.record(w, &a.Accounts[0])
			return
		}
		t, err := jwt.Parse(tok)
		if err != nil {
			deny(w)
			return
		}
		ok := false
		switch a.JWTMode {
		case JWTNoVerify:
			ok = true
		case JWTNone:
			ok = strings.EqualFold(t.Alg(), "none") || (t.Alg() == "HS256" && t.Verify(a.JWTKey))
		default:
			ok = t.Alg() == "HS256" && t.Verify(a.JWTKey)
		}
		if !ok {
			deny(w)
			return
		}
		exp, has := t.Expiry()
		switch {
		case a.JWTMode == JWTStrict && !has:
			ok = false
		case has && exp <= time.Now().Unix() && a.JWTMode != JWTNoExpiry && a.JWTMode != JWTNoVerify:
			ok = false
		}
		sub, _ := t.Claims["sub"].(string)
		u := a.find(func(x Account) bool { return itoa(x.ID) == sub })
		if !ok || u == nil {
			deny(w)
			return
		}
		a.record(w, u)
	default:
		http.NotFound(w, r)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
