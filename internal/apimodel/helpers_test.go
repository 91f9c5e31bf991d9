package apimodel

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/flasksession"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/jwt"
)

// ex is one exchange fed to a model in a test.
type ex struct {
	method, path, who string
	status            int
	body              string // the answer
	sent, sentType    string // the request body and its content type
	login, exploring  bool
	gate              bool        // an anonymous gate probe (see explorer.gates)
	header            http.Header // the answer's
}

func (e ex) response() *engine.Response {
	method := cmpOr(e.method, "GET")
	u := "http://api.test" + e.path
	req := &engine.Request{Method: method, URL: u, Identity: e.who, Login: e.login, Header: http.Header{}}
	if e.sent != "" {
		req.Body = []byte(e.sent)
		req.Header.Set("Content-Type", cmpOr(e.sentType, "application/json"))
	}
	h := e.header
	if h == nil {
		h = http.Header{"Content-Type": {"application/json"}}
	}
	return &engine.Response{Request: req, Method: method, RequestURL: u, Status: cmpOrInt(e.status, 200), Header: h, Body: []byte(e.body)}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cmpOrInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// feed builds a model of the operations (keys such as "GET /notes/{id}")
// and feeds it the exchanges in order.
func feed(t *testing.T, opKeys []string, roles map[string]string, exs ...ex) (*Model, map[string]*identity.Identity) {
	t.Helper()
	var ops []*rampart.Operation
	for _, k := range opKeys {
		method, path, _ := strings.Cut(k, " ")
		op := &rampart.Operation{Method: method, Path: path}
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				op.Params = append(op.Params, rampart.Param{Name: strings.Trim(seg, "{}"), In: "path", Required: true})
			}
		}
		ops = append(ops, op)
	}
	m := New(Config{Surface: ops})
	ids := map[string]*identity.Identity{"anonymous": identity.Anonymous()}
	var reg []*identity.Identity
	for name, role := range roles {
		id := identity.New(name, role, http.Header{"X-Test": {"x-" + name}})
		ids[name] = id
		reg = append(reg, id)
	}
	m.Register(reg...)
	for _, e := range exs {
		r := e.response()
		mark := nameOf(r.Request) + "\x00" + r.Request.URL
		if e.exploring || e.gate {
			m.mu.Lock()
			m.exploring[mark] = probeExplore
			if e.gate {
				m.exploring[mark] = probeGate
			}
			m.mu.Unlock()
		}
		m.Observe(r)
		if e.exploring || e.gate {
			m.mu.Lock()
			delete(m.exploring, mark)
			m.mu.Unlock()
		}
	}
	return m, ids
}

// withParams adds query parameters to an operation of m.
func withParams(m *Model, key string, ps ...rampart.Param) {
	op := m.Operation(key)
	op.Params = append(op.Params, ps...)
}

func signJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	tok, err := jwt.Sign(map[string]any{"alg": "HS256", "typ": "JWT"}, claims, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func flaskCookie(payload string) string {
	return flasksession.Sign([]byte(payload), []byte("secret"), time.Unix(1700000000, 0))
}

var users = map[string]string{"alice": "user", "bob": "user", "carol": "admin"}

func ownerOfValue(m *Model, v string) ownership {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e := m.values[v]
	if e == nil {
		return ownership{owner: "<not kept>"}
	}
	return m.ownerLocked(e, m.knownPeopleLocked(), "")
}
