package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart/internal/store"
)

// Cookies the dashboard sets. Both are HttpOnly and SameSite=Strict.
const (
	sessionCookie = "rampart_session"
	// loginCSRFCookie holds the login form's CSRF token (double submit:
	// the form must post the value the cookie holds).
	loginCSRFCookie = "rampart_login_csrf"
)

type apiHandler func(w http.ResponseWriter, r *http.Request, k store.Key)

// api guards an API route: a key of at least scope, sent as
// "Authorization: Bearer KEY".
func (s *Server) api(scope string, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rampart"`)
			jsonError(w, http.StatusUnauthorized, "an API key is required: send Authorization: Bearer KEY")
			return
		}
		k, err := s.st.Authenticate(r.Context(), secret)
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rampart", error="invalid_token"`)
			jsonError(w, http.StatusUnauthorized, "unknown or deleted API key")
			return
		}
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		if !store.Allows(k.Scope, scope) {
			jsonError(w, http.StatusForbidden, "this key's scope ("+k.Scope+") does not allow this: it needs "+scope)
			return
		}
		h(w, r, k)
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}

type pageHandler func(w http.ResponseWriter, r *http.Request, sess store.Session)

// page guards a dashboard page: a live session cookie, else the login
// page.
func (s *Server) page(h pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			s.toLogin(w, r)
			return
		}
		sess, err := s.st.SessionBySecret(r.Context(), c.Value)
		if errors.Is(err, store.ErrNotFound) {
			s.clearCookie(w, sessionCookie)
			s.toLogin(w, r)
			return
		}
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		h(w, r, sess)
	})
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.pageError(w, r, http.StatusUnauthorized, "Log in first.")
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.opt.SecureCookies,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) { s.setCookie(w, name, "", -1) }

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.showLogin(w, r, http.StatusOK, "")
}

// showLogin renders the login form with a fresh CSRF token in its cookie
// and in the form.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, problem string) {
	tok, err := newToken()
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	s.setCookie(w, loginCSRFCookie, tok, 600)
	s.render(w, r, status, "login", loginView{CSRF: tok, Problem: problem})
}

type loginView struct {
	CSRF    string
	Problem string
}

// login trades an API key, posted in the form, for a session cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		s.pageError(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !store.ConstantTimeEqual(c.Value, r.PostForm.Get("csrf")) {
		s.showLogin(w, r, http.StatusForbidden, "The form expired: try again.")
		return
	}
	k, err := s.st.Authenticate(r.Context(), strings.TrimSpace(r.PostForm.Get("key")))
	if errors.Is(err, store.ErrNotFound) {
		s.showLogin(w, r, http.StatusUnauthorized, "Unknown or deleted API key.")
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	secret, _, err := s.st.CreateSession(r.Context(), k.ID, SessionTTL)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	s.clearCookie(w, loginCSRFCookie)
	s.setCookie(w, sessionCookie, secret, int(SessionTTL.Seconds()))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// checkCSRF verifies a dashboard form's token against the session's.
func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request, sess store.Session) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil || !store.ConstantTimeEqual(sess.CSRF, r.PostForm.Get("csrf")) {
		s.pageError(w, r, http.StatusForbidden, "The form's security token is missing or wrong: reload the page and try again.")
		return false
	}
	return true
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess store.Session) {
	if !s.checkCSRF(w, r, sess) {
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.st.DeleteSession(r.Context(), c.Value); err != nil {
			s.internalError(w, r, err)
			return
		}
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
