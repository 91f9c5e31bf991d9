package txn

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// defaultKeyHeader is the de facto standard name (IETF draft
// "The Idempotency-Key HTTP Header Field", Stripe, PayPal, Adyen).
const defaultKeyHeader = "Idempotency-Key"

func hasWord(name string, set map[string]bool) bool {
	for _, w := range surface.Words(name) {
		if set[w] {
			return true
		}
	}
	return false
}

// isIDName reports whether a field names an identifier: ids are labels, not
// state, so a changed id is never an "effect".
func isIDName(name string) bool {
	w := surface.Words(name)
	if len(w) == 0 {
		return false
	}
	l := w[len(w)-1]
	return l == "id" || l == "pk" || l == "uuid" || l == "guid"
}

// authWords mark operations that log in, issue credentials or reset them:
// replaying or bursting them would lock out or log out the scan's own
// identities, and their "effects" (a new token) are the documented contract.
var authWords = map[string]bool{
	"login": true, "logout": true, "signin": true, "signout": true, "signup": true, "register": true,
	"token": true, "tokens": true, "oauth": true, "oauth2": true, "auth": true, "authenticate": true,
	"session": true, "sessions": true, "password": true, "passwords": true, "otp": true, "mfa": true,
	"2fa": true, "verify": true, "refresh": true, "logon": true, "sso": true, "saml": true,
}

func isAuthOp(op *rampart.Operation) bool {
	for _, seg := range strings.Split(op.Path, "/") {
		if strings.HasPrefix(seg, "{") {
			continue
		}
		if hasWord(seg, authWords) {
			return true
		}
	}
	if op.Body != nil && op.Body.Schema != nil {
		for name, s := range op.Body.Schema.Properties {
			if s != nil && (s.Format == "password" || hasWord(name, map[string]bool{"password": true, "passwd": true})) {
				return true
			}
		}
	}
	return false
}

// writes reports whether an operation changes state and is one the
// transaction checks may send: a write that is not part of an
// authentication flow.
func writes(op *rampart.Operation) bool {
	switch op.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return !isAuthOp(op)
	}
	return false
}

// keyParam returns the idempotency-key header the operation documents, or
// nil.
func keyParam(op *rampart.Operation) *rampart.Param {
	for i := range op.Params {
		prm := &op.Params[i]
		if prm.In == "header" && strings.Contains(strings.ToLower(prm.Name), "idempot") {
			return prm
		}
	}
	return nil
}

// keyHeader is the header a request carries its idempotency key in.
func keyHeader(op *rampart.Operation) string {
	if prm := keyParam(op); prm != nil {
		return prm.Name
	}
	return defaultKeyHeader
}

// newKey returns a fresh idempotency key: unique per request intent and per
// run, so a key of an earlier scan is never replayed by accident.
func newKey(tag string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "rampart-" + tag + "-" + hex.EncodeToString(b)
}

// pathParams returns the operation's path parameter names in template order.
func pathParams(op *rampart.Operation) []string {
	var out []string
	for _, seg := range strings.Split(op.Path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, seg[1:len(seg)-1])
		}
	}
	return out
}

var versionSeg = lazyre.New(`^v[0-9]+(\.[0-9]+)*$`)

// firstSegment is the first meaningful path segment ("reports" of
// /api/v2/reports/summary): routes under it usually share a blueprint, and
// so its connection handling.
func firstSegment(path string) string {
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if seg == "api" || versionSeg.MatchString(seg) {
			continue
		}
		return seg
	}
	return ""
}

// moneyWords name quantities whose change is value moving, not a record
// being added: a repeated change of one of these is a duplicated effect.
var moneyWords = map[string]bool{
	"amount": true, "balance": true, "total": true, "price": true, "cost": true, "fee": true,
	"credit": true, "credits": true, "debit": true, "points": true, "value": true, "sum": true,
	"funds": true, "money": true, "cash": true, "subtotal": true, "quantity": true, "qty": true,
	"stock": true, "remaining": true, "available": true, "inventory": true, "limit": true,
}

// request is one prepared write: URL, body and headers, as a client would
// send it.
type request struct {
	op     *rampart.Operation
	url    string
	body   []byte
	ct     string
	fields map[string]any // the JSON body as an object, nil otherwise
	values map[string]string
}

// prepare builds the request for op with the given path values. Amounts
// are lowered to the smallest value the spec allows, so that a scan moves
// cents, not the example's hundreds.
func prepare(p *check.Pass, op *rampart.Operation, values map[string]string) *request {
	r := &request{op: op, url: p.URL(op, values), values: values}
	if op.Body == nil {
		return r
	}
	body, ct := p.Body(op)
	r.body, r.ct = body, ct
	var obj map[string]any
	if strings.Contains(ct, "json") && json.Unmarshal(body, &obj) == nil && obj != nil {
		if op.Body.Schema != nil {
			for name, s := range op.Body.Schema.Properties {
				if s == nil || s.Minimum == nil || *s.Minimum <= 0 || isIDName(name) || !hasWord(name, moneyWords) {
					continue
				}
				if _, ok := obj[name]; ok && (s.Type == "number" || s.Type == "integer") {
					obj[name] = *s.Minimum
				}
			}
		}
		if b, err := json.Marshal(obj); err == nil {
			r.body = b
		}
		r.fields = obj
	}
	return r
}

// with returns a copy of r with other JSON fields.
func (r *request) with(fields map[string]any) *request {
	q := *r
	q.fields = fields
	if b, err := json.Marshal(fields); err == nil {
		q.body = b
	}
	return &q
}

// engineRequest is the request with an idempotency key ("" for none).
func (r *request) engineRequest(keyName, key string) *engine.Request {
	h := http.Header{}
	if r.ct != "" {
		h.Set("Content-Type", r.ct)
	}
	h.Set("Accept", "application/json")
	if key != "" {
		h.Set(keyName, key)
	}
	return &engine.Request{Method: r.op.Method, URL: r.url, Header: h, Body: r.body}
}

func ok2xx(r *engine.Response) bool { return r != nil && r.Status >= 200 && r.Status <= 299 }

// refused reports a client-error answer: the server declined the request
// on purpose (a conflict, a used key, a business rule).
func refused(r *engine.Response) bool { return r != nil && r.Status >= 400 && r.Status <= 499 }

func scalar(v any) bool {
	switch v.(type) {
	case string, float64, bool, json.Number:
		return true
	}
	return false
}

// replayed reports whether an answer says it is the stored result of an
// earlier request (Idempotent-Replayed, Stripe's Idempotent-Replayed, or
// an X- variant).
func replayed(r *engine.Response) bool {
	if r == nil {
		return false
	}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "idempot") && strings.Contains(lk, "replay") {
			for _, v := range vs {
				if strings.EqualFold(strings.TrimSpace(v), "true") || v == "1" {
					return true
				}
			}
		}
	}
	return false
}

// statusCounts renders statuses as "6 × 201, 4 × 500".
func statusCounts(statuses []int) string {
	m := map[int]int{}
	for _, s := range statuses {
		m[s]++
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%d × %s", m[k], name))
	}
	return strings.Join(parts, ", ")
}

var jsonKeyPrefix = lazyre.New(`^\s*"?[A-Za-z_][A-Za-z0-9_]*"\s*:\s*"?`)

// snippet makes a database error snippet readable in a message: JSON
// escapes undone, a leading `"message": "` dropped, whitespace collapsed.
func snippet(s string) string {
	s = strings.NewReplacer(`\"`, `"`, `\n`, " ", `\t`, " ").Replace(s)
	s = jsonKeyPrefix.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(s), " ")
	return strings.Trim(s, `" ,}`)
}

// fmtNum renders a measured value without float noise.
func fmtNum(v float64) string {
	s := fmt.Sprintf("%.6f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}
