// Package checktest builds check passes against httptest servers that
// record every request, for the unit tests of the check packages.
package checktest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// Request is what the server received.
type Request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// Server records requests and answers with a handler.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []Request
}

// NewServer starts a recording server; it is closed with the test.
func NewServer(t testing.TB, h http.Handler) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			buf := make([]byte, 0, 512)
			for {
				chunk := make([]byte, 512)
				n, err := r.Body.Read(chunk)
				buf = append(buf, chunk[:n]...)
				if err != nil {
					break
				}
			}
			body = buf
			r.Body = io.NopCloser(bytes.NewReader(body)) // the handler reads it too
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// Requests returns what the server has received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Count returns how many requests hit a path.
func (s *Server) Count(path string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// Env is a pass and what it reported.
type Env struct {
	Pass *check.Pass
	mu   sync.Mutex
	Out  []rampart.Finding
}

// Findings returns the findings reported so far.
func (e *Env) Findings() []rampart.Finding {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]rampart.Finding(nil), e.Out...)
}

// New builds a pass for the server with the given operations and
// identities (anonymous is added first).
func New(t testing.TB, s *Server, mode rampart.Mode, ops []*rampart.Operation, ids ...*identity.Identity) *Env {
	t.Helper()
	base, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	c, err := engine.New(engine.Config{Base: base, Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{}
	p := check.NewPassFor(check.Env{Client: c, Base: base, Surface: ops, Identities: ids}, func(f rampart.Finding) {
		e.mu.Lock()
		e.Out = append(e.Out, f)
		e.mu.Unlock()
	})
	e.Pass = p
	return e
}

// Run runs a check the way the scanner does: once, or once per operation
// it applies to.
func (e *Env) Run(t testing.TB, c *check.Check) {
	t.Helper()
	ctx := context.Background()
	if !c.PerOperation() {
		if err := c.Run(ctx, e.Pass.ForUnit(c, nil)); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		return
	}
	for _, op := range e.Pass.Surface {
		if c.Applies(op) {
			if err := c.Run(ctx, e.Pass.ForUnit(c, op)); err != nil {
				t.Fatalf("%s on %s: %v", c.ID, op.Key(), err)
			}
		}
	}
}

// Of returns the findings of one check.
func (e *Env) Of(id string) []rampart.Finding {
	var out []rampart.Finding
	for _, f := range e.Findings() {
		if f.Check == id {
			out = append(out, f)
		}
	}
	return out
}

// User is an identity with a bearer token.
func User(name, role, token string) *identity.Identity {
	return identity.New(name, role, http.Header{"Authorization": {"Bearer " + token}})
}

// Op is a shorthand for an operation; security nil means undeclared,
// an empty slice public, names secured.
func Op(method, path string, security ...string) *rampart.Operation {
	op := &rampart.Operation{Method: method, Path: path}
	if security != nil {
		if len(security) == 1 && security[0] == "" {
			op.Security = [][]string{{}}
		} else {
			op.Security = [][]string{security}
		}
	}
	return op
}
