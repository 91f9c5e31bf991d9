// Package server is `rampart serve`'s HTTP side: a REST API to upload
// reports and read the history (API keys, scoped), and server-rendered
// pages (targets, score trends, scans with their findings and evidence,
// diffs) behind a browser login.
//
// Every report holds what a scanned API answered, so every page treats it
// as hostile: html/template escapes it, and a strict Content-Security-Policy
// (no inline script at all) would stop a script that slipped through.
// Every route but /healthz refuses anonymous callers.
package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/store"
)

// Limits on request bodies.
const (
	// MaxUpload caps an uploaded report. A large scan's JSON report is a
	// few MB; 64 MiB leaves room without letting one request fill memory.
	MaxUpload = 64 << 20
	// maxForm caps the login and logout forms and the key requests.
	maxForm = 8 << 10
)

// SessionTTL is how long a browser login lasts.
const SessionTTL = 12 * time.Hour

// Options configure a Server.
type Options struct {
	// Rules is the metadata of the checks and rules, for the report
	// formats that name each finding's documentation; nil renders
	// findings without it.
	Rules []rampart.Meta
	// SecureCookies marks the session cookie Secure: set it when the
	// server is reached over HTTPS (a TLS-terminating proxy included).
	SecureCookies bool
	// Log receives one line per refused or failed request; nil: discard.
	Log *slog.Logger
	// MaxUpload caps an uploaded report; 0 means MaxUpload.
	MaxUpload int64
}

// Server serves the API and the pages from a store.
type Server struct {
	st  *store.Store
	opt Options
	log *slog.Logger
}

// New returns a Server on st.
func New(st *store.Store, opt Options) *Server {
	l := opt.Log
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = MaxUpload
	}
	return &Server{st: st, opt: opt, log: l}
}

// Handler is the whole server: routes, authentication, security headers,
// cross-origin protection and panic recovery.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.health)

	mux.Handle("GET /api/v1/openapi.json", s.api(store.ScopeRead, s.openAPI))
	mux.Handle("POST /api/v1/reports", s.api(store.ScopeUpload, s.uploadReport))
	mux.Handle("GET /api/v1/targets", s.api(store.ScopeRead, s.listTargets))
	mux.Handle("GET /api/v1/targets/{name}", s.api(store.ScopeRead, s.getTarget))
	mux.Handle("PUT /api/v1/targets/{name}", s.api(store.ScopeAdmin, s.putTarget))
	mux.Handle("GET /api/v1/targets/{name}/scans", s.api(store.ScopeRead, s.listScans))
	mux.Handle("GET /api/v1/scans/{id}", s.api(store.ScopeRead, s.getScan))
	mux.Handle("GET /api/v1/scans/{id}/diff", s.api(store.ScopeRead, s.getDiff))
	mux.Handle("GET /api/v1/keys", s.api(store.ScopeAdmin, s.listKeys))
	mux.Handle("POST /api/v1/keys", s.api(store.ScopeAdmin, s.createKey))
	mux.Handle("DELETE /api/v1/keys/{name}", s.api(store.ScopeAdmin, s.deleteKey))
	// Anything else under /api/ is a JSON 404 (after authentication, so
	// that an anonymous caller learns nothing of what exists).
	mux.Handle("/api/", s.api(store.ScopeRead, func(w http.ResponseWriter, r *http.Request, _ store.Key) {
		jsonError(w, http.StatusNotFound, "no such API route: see /api/v1/openapi.json")
	}))

	mux.HandleFunc("GET /static/dashboard.css", s.stylesheet)
	// Browsers ask for it on every page; an empty answer keeps a 404 out
	// of their consoles.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.Handle("POST /logout", s.page(s.logout))
	mux.Handle("GET /{$}", s.page(s.targetsPage))
	mux.Handle("GET /targets/{name}", s.page(s.targetPage))
	mux.Handle("GET /scans/{id}", s.page(s.scanPage))
	mux.Handle("GET /scans/{id}/diff", s.page(s.diffPage))
	mux.Handle("GET /scans/{id}/report", s.page(s.reportPage))
	mux.Handle("/", s.page(func(w http.ResponseWriter, r *http.Request, _ store.Session) {
		s.pageError(w, r, http.StatusNotFound, "No such page.")
	}))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jsonError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	return s.recover(securityHeaders(cop.Handler(mux)))
}

// securityHeaders sets what every answer carries. Pages replace the CSP
// only to allow a report page's own hashed script and style.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// pageCSP allows the dashboard's own stylesheet and nothing else: no
// script at all, no frame, forms only to itself.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// recover turns a panic into a 500 without a stack trace in the answer.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				jsonError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if err := s.st.DB().PingContext(r.Context()); err != nil {
		s.log.Error("health: database", "err", err)
		jsonError(w, http.StatusServiceUnavailable, "database unreachable")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		jsonError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}

// apiError is every error body.
type apiError struct {
	Error string `json:"error"`
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg})
}

// internalError logs err and answers 500 without saying what failed.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	jsonError(w, http.StatusInternalServerError, "internal error")
}

// storeError maps the store's errors to answers.
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		jsonError(w, http.StatusNotFound, "not found")
	case errors.Is(err, store.ErrInvalid):
		jsonError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, store.ErrExists):
		jsonError(w, http.StatusConflict, err.Error())
	default:
		s.internalError(w, r, err)
	}
}
