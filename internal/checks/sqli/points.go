package sqli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Where an injection point's value travels.
const (
	inPath   = "path"
	inQuery  = "query"
	inHeader = "header"
	inCookie = "cookie"
	inJSON   = "json" // a field of a JSON request body
	inForm   = "form" // a field of an url-encoded request body
)

// maxPoints bounds the points tested per operation, so that an operation
// with a huge body schema cannot multiply the request budget.
const maxPoints = 12

// point is one place a value reaches the server: a parameter or a body
// field, with the value the baseline request sends there.
type point struct {
	In   string
	Name string // parameter name, or dotted path of a body field
	// field is the path of a JSON body field: string keys and int indexes.
	field []any
	// Base is the value the baseline request sends.
	Base string
	// Numeric says the value is a number in the request (schema or literal),
	// so a numeric SQL context is worth trying.
	Numeric bool
	Schema  *rampart.Schema
	// Desc is the parameter's description (spec text), for identifier hints.
	Desc string
	// Enum and Alt are documented values (schema enum, example, default).
	Alt []string
}

// Key names the point in a scan: operation, location and name.
func (pt *point) Key(op *rampart.Operation) string {
	return op.Key() + " " + pt.In + ":" + pt.Name
}

// label is how a finding names the point: `q` (query), `name` (JSON
// body).
func (pt *point) label() string {
	switch pt.In {
	case inJSON:
		return fmt.Sprintf("%s (JSON body field)", pt.Name)
	case inForm:
		return fmt.Sprintf("%s (form field)", pt.Name)
	}
	return fmt.Sprintf("%s (%s parameter)", pt.Name, pt.In)
}

// target is an operation's baseline request, from which every probe is
// derived by changing the value of one point.
type target struct {
	op      *rampart.Operation
	who     *identity.Identity
	values  map[string]string // path and query parameters
	headers http.Header       // header parameters
	cookies [][2]string       // cookie parameters, in spec order
	// body is the baseline body: decoded JSON (bodyJSON) or form values.
	bodyJSON    []byte
	bodyForm    url.Values
	contentType string
	// multipart sends bodyForm as multipart/form-data, fileFields as
	// files.
	multipart  bool
	fileFields map[string]bool
	points     []point
}

// readMethods are the methods whose parameters a safe scan may inject into.
func readMethod(m string) bool { return m == http.MethodGet }

// applicable reports whether an operation has anything worth injecting into
// in some mode: parameters of a read operation, the body of a POST that
// reads (login, token, search), and in active mode every parameter and
// body field of the writes writeCandidate allows.
func applicable(op *rampart.Operation) bool {
	if readMethod(op.Method) {
		for _, p := range op.Params {
			if injectableParam(p) {
				return true
			}
		}
		return false
	}
	if op.Method == http.MethodPost && readLikePost(op) {
		return op.Body != nil || hasInjectableParams(op)
	}
	return accept.WriteCandidate(op) && (op.Body != nil || hasInjectableParams(op))
}

func hasInjectableParams(op *rampart.Operation) bool {
	for _, p := range op.Params {
		if injectableParam(p) {
			return true
		}
	}
	return false
}

// credentialHeaders are never injection points: they carry the scan's
// identities, and the engine redacts them.
var credentialHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "X-Api-Key": true,
	"Api-Key": true, "X-Auth-Token": true, "X-Access-Token": true, "X-Csrf-Token": true,
	"Host": true, "Content-Type": true, "Content-Length": true,
}

func injectableParam(p rampart.Param) bool {
	switch p.In {
	case inPath, inQuery, inCookie:
		return true
	case inHeader:
		// An idempotency key must be new on every request: it is the
		// request's identity, not a value the server reads into SQL.
		return !credentialHeaders[http.CanonicalHeaderKey(p.Name)] && !accept.Fresh(p.Name)
	}
	return false
}

// Words that make a POST a read: a login or token exchange reads the users
// table, a search reads everything. Words that mark a change win.
var (
	readWords = map[string]bool{
		"login": true, "logon": true, "signin": true, "authenticate": true, "auth": true,
		"token": true, "tokens": true, "session": true, "sessions": true, "oauth": true,
		"search": true, "query": true, "find": true, "lookup": true, "filter": true,
		"verify": true, "validate": true, "check": true, "exists": true, "count": true,
	}
	changeWords = map[string]bool{
		"logout": true, "logoff": true, "signout": true, "register": true, "signup": true,
		"create": true, "delete": true, "remove": true, "update": true, "reset": true,
		"redeem": true, "transfer": true, "transfers": true, "pay": true, "payment": true,
		"send": true, "upload": true, "import": true, "revoke": true, "refund": true,
		"purchase": true, "order": true, "orders": true, "invite": true, "approve": true,
	}
	authWords = map[string]bool{
		"login": true, "logon": true, "signin": true, "authenticate": true, "auth": true,
		"token": true, "tokens": true, "session": true, "sessions": true, "oauth": true,
	}
)

// readLikePost reports whether a POST only reads (so that injecting into it
// in an active scan changes nothing a login would not).
func readLikePost(op *rampart.Operation) bool {
	read := false
	for _, w := range accept.OpWords(op) {
		if changeWords[w] {
			return false
		}
		if readWords[w] {
			read = true
		}
	}
	return read
}

// authLike reports whether an operation checks credentials: its baseline
// must use a user that does not exist, so that probes never count as
// failed logins of a real account (and never lock out the scan's own).
func authLike(op *rampart.Operation) bool {
	for _, w := range accept.OpWords(op) {
		if authWords[w] {
			return true
		}
	}
	return false
}

// credentialField reports whether a body field names the account in a
// login: it gets a user name that does not exist.
func credentialField(name string) bool {
	w := surface.Words(name)
	if len(w) == 0 {
		return false
	}
	l := w[len(w)-1]
	return l == "username" || l == "user" || l == "login" || l == "email" || l == "mail" ||
		(l == "name" && len(w) > 1 && (w[0] == "user" || w[0] == "login" || w[0] == "account"))
}

// probeUser is a user name that does not exist, stable per operation and
// check, so that the failed logins of one check on one operation (a
// baseline or two, and the probes of the other fields) count against their
// own name and stay below a per-user lockout threshold of five.
func probeUser(op *rampart.Operation, checkID string, email bool) string {
	h := sha256.Sum256([]byte(op.Key() + " " + checkID))
	tag := hex.EncodeToString(h[:])[:6]
	if email {
		return "rampart-probe-" + tag + "@example.com"
	}
	return "rampart_probe_" + tag
}

// errNoTarget means the operation has no point to test in this scan's mode.
var errNoTarget = errors.New("no injection point in this mode")

// noTarget is errNoTarget with what the unit's coverage says of it: a
// reason it could not be tested, or none when nothing applies (detail says
// why).
type noTarget struct {
	reason rampart.Reason
	detail string
}

func (e *noTarget) Error() string { return errNoTarget.Error() + ": " + e.detail }
func (e *noTarget) Unwrap() error { return errNoTarget }

func skip(r rampart.Reason, format string, args ...any) error {
	return &noTarget{reason: r, detail: fmt.Sprintf(format, args...)}
}

// declareNoTarget says in the unit's coverage why newTarget found nothing
// to probe.
func declareNoTarget(p *check.Pass, err error) {
	var nt *noTarget
	if !errors.As(err, &nt) {
		p.NotApplicable("no value to inject into")
		return
	}
	if nt.reason == "" {
		p.NotApplicable(nt.detail)
		return
	}
	p.NotTested(nt.reason, nt.detail)
}

// newTarget builds an operation's baseline request and its injection
// points for the scan's mode: parameters of read operations in any mode;
// in active mode also body fields and parameters of read-like POSTs and of
// the writes writeCandidate allows. A write's baseline is a request the API
// accepts (check.Pass.Accepted), so that a probe is judged against an
// answer past validation, and an update's baseline writes back the
// object's current values (see update.go).
func newTarget(ctx context.Context, p *check.Pass, op *rampart.Operation) (*target, error) {
	t := &target{op: op, who: p.FirstUser(), values: map[string]string{}, headers: http.Header{}}
	if readMethod(op.Method) {
		return t.fromSpec(p, op)
	}
	if p.Mode < rampart.Active {
		return nil, skip(rampart.ReasonNeedsActive, "each probe of a write performs it")
	}
	if readLikePost(op) {
		return t.fromSpec(p, op)
	}
	if !accept.WriteCandidate(op) {
		return nil, skip("", "a write a probe must not perform (delete, logout, password change, cancellation)")
	}
	return t.fromAccepted(ctx, p, op)
}

// fromSpec builds a read's target from the spec's values, as every scan
// mode has done.
func (t *target) fromSpec(p *check.Pass, op *rampart.Operation) (*target, error) {
	auth := authLike(op)
	if auth || op.Public() {
		// Anonymous: a login needs no credentials, and its expected 401
		// must not make an identity with a login flow log in again and
		// resend the probe (one more failed attempt per probe).
		t.who = nil
	}
	for i := range op.Params {
		prm := &op.Params[i]
		if !injectableParam(*prm) {
			continue
		}
		t.addParam(prm, surface.PathValue(op, prm))
	}
	if op.Body != nil && op.Method != http.MethodGet {
		raw, ct := p.Body(op)
		if err := t.addBody(p, op, auth, raw, ct); err != nil {
			return nil, err
		}
	}
	return t.done()
}

// fromAccepted builds a write's target from the request the API accepts.
func (t *target) fromAccepted(ctx context.Context, p *check.Pass, op *rampart.Operation) (*target, error) {
	if op.Public() {
		t.who = nil
	}
	var snap *snapshot
	if accept.UpdateLike(op) {
		// Read the object first, so that the baseline can write back what
		// it holds and the object can be restored after the probes.
		var err error
		if snap, err = takeSnapshot(ctx, p, t.who, op, p.Request(op)); err != nil {
			return nil, err
		}
	}
	req, resp, err := p.Accepted(ctx, t.who, op)
	if err != nil {
		return nil, fmt.Errorf("learn an accepted request: %w", err)
	}
	login := false
	if st := p.AcceptStatus(op); st != accept.Accepted && st != accept.Passed {
		// A write that needs no credentials, takes a user name and a
		// password and refuses them (POST /api/key answering 403 "invalid
		// login") checked them in its query: it is probed as a login, with
		// a user that does not exist. Anything else refused (an admin-only
		// create refusing a user) would refuse every probe.
		if snap != nil || resp == nil || (resp.Status != http.StatusUnauthorized && resp.Status != http.StatusForbidden) ||
			op.Secured() || !credentialBody(op, req) {
			return nil, rejected(op, t.who, resp)
		}
		login, t.who = true, nil
	}
	if snap != nil {
		req = snap.overlay(req)
		snap.restoreLater(p, t.who, req)
	}
	for k, v := range req.Path {
		t.values[k] = v
	}
	for k, v := range req.Query {
		t.values[k] = v
	}
	for k, vs := range req.Header {
		t.headers[k] = append([]string(nil), vs...)
	}
	for i := range op.Params {
		prm := &op.Params[i]
		if !injectableParam(*prm) {
			continue
		}
		v := surface.PathValue(op, prm)
		switch prm.In {
		case inPath, inQuery:
			if x, ok := t.values[prm.Name]; ok {
				v = x
			}
		case inHeader:
			if x := t.headers.Get(prm.Name); x != "" {
				v = x
			}
		}
		t.addParam(prm, v)
	}
	if req.Body != nil {
		if req.Form() && strings.Contains(strings.ToLower(req.ContentType), "multipart") {
			t.addMultipart(req)
		} else {
			raw, ct := req.Encode()
			if err := t.addBody(p, op, login, raw, ct); err != nil {
				return nil, err
			}
		}
	}
	return t.done()
}

func (t *target) addParam(prm *rampart.Param, v string) {
	switch prm.In {
	case inPath, inQuery:
		t.values[prm.Name] = v
	case inHeader:
		t.headers.Set(prm.Name, v)
	case inCookie:
		t.cookies = append(t.cookies, [2]string{prm.Name, v})
	}
	pt := point{In: prm.In, Name: prm.Name, Base: v, Schema: prm.Schema, Numeric: numeric(prm.Schema, v)}
	pt.Desc, pt.Alt = describe(prm)
	t.points = append(t.points, pt)
}

// rejected is why a write whose request the API never accepted is not
// probed: its last answer says (refused, body rejected, ...); without one
// (learned by another check of the scan) the learner's verdict.
func rejected(op *rampart.Operation, who *identity.Identity, resp *engine.Response) error {
	if resp == nil {
		return skip(rampart.ReasonBodyRejected, "the API rejected every request the scan built for %s %s", op.Method, op.Path)
	}
	r, d := check.AnswerReason(op, who, resp.Status, resp.Body)
	return skip(r, "%s", d)
}

func (t *target) done() (*target, error) {
	if len(t.points) == 0 {
		return nil, skip("", "no parameter or body field to inject into")
	}
	if len(t.points) > maxPoints {
		t.points = t.points[:maxPoints]
	}
	return t, nil
}

func describe(prm *rampart.Param) (string, []string) {
	desc := ""
	var alt []string
	add := func(v any) {
		if v == nil {
			return
		}
		s := surface.Format(v)
		for _, a := range alt {
			if a == s {
				return
			}
		}
		alt = append(alt, s)
	}
	add(prm.Example)
	if s := prm.Schema; s != nil {
		desc = s.Description
		add(s.Example)
		add(s.Default)
		for _, e := range s.Enum {
			add(e)
		}
	}
	return desc, alt
}

func numeric(s *rampart.Schema, v string) bool {
	if s != nil && (s.Type == "integer" || s.Type == "number") {
		return true
	}
	if v == "" {
		return false
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}

func (t *target) addBody(p *check.Pass, op *rampart.Operation, auth bool, raw []byte, ct string) error {
	base := strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	switch {
	case strings.HasSuffix(base, "json"):
		var doc any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil // not an object we can edit; parameters only
		}
		var schema *rampart.Schema
		if op.Body != nil {
			schema = op.Body.Schema
		}
		if auth {
			doc = replaceCredentials(op, p.Meta.ID, doc, schema)
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("re-encode body: %w", err)
		}
		t.bodyJSON, t.contentType = b, ct
		walkLeaves(doc, nil, schema, 0, func(path []any, v string, num bool, s *rampart.Schema) {
			t.points = append(t.points, point{In: inJSON, Name: dotted(path), field: path, Base: v, Numeric: num, Schema: s})
		})
	case base == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil
		}
		keys := slices.Sorted(maps.Keys(vals))
		var schema *rampart.Schema
		if op.Body != nil {
			schema = op.Body.Schema
		}
		for _, k := range keys {
			var fs *rampart.Schema
			if schema != nil {
				fs = schema.Properties[k]
			}
			if auth && credentialField(k) {
				vals.Set(k, probeUser(op, p.Meta.ID, isEmail(k, fs)))
			}
			v := vals.Get(k)
			t.points = append(t.points, point{In: inForm, Name: k, Base: v, Numeric: numeric(fs, v), Schema: fs})
		}
		t.bodyForm, t.contentType = vals, ct
	}
	return nil
}

func isEmail(name string, s *rampart.Schema) bool {
	if s != nil && strings.Contains(strings.ToLower(s.Format), "email") {
		return true
	}
	for _, w := range surface.Words(name) {
		if w == "email" || w == "mail" {
			return true
		}
	}
	return false
}

// replaceCredentials gives a login body a user that does not exist.
func replaceCredentials(op *rampart.Operation, checkID string, doc any, s *rampart.Schema) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	for k, v := range m {
		if _, isStr := v.(string); !isStr || !credentialField(k) {
			continue
		}
		var fs *rampart.Schema
		if s != nil {
			fs = s.Properties[k]
		}
		m[k] = probeUser(op, checkID, isEmail(k, fs))
	}
	return m
}

// walkLeaves calls fn for every string or number in a JSON document (maps
// in key order, the first item of arrays), to a small depth.
func walkLeaves(v any, path []any, s *rampart.Schema, depth int, fn func([]any, string, bool, *rampart.Schema)) {
	if depth > 4 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			var fs *rampart.Schema
			if s != nil {
				fs = s.Properties[k]
			}
			walkLeaves(x[k], append(append([]any(nil), path...), k), fs, depth+1, fn)
		}
	case []any:
		if len(x) > 0 {
			var is *rampart.Schema
			if s != nil {
				is = s.Items
			}
			walkLeaves(x[0], append(append([]any(nil), path...), 0), is, depth+1, fn)
		}
	case string:
		// A number sent as a JSON string ("month": "1") often lands in
		// SQL unquoted all the same: try the numeric context too.
		if len(path) > 0 {
			fn(path, x, numeric(s, x), s)
		}
	case json.Number:
		if len(path) > 0 {
			fn(path, x.String(), true, s)
		}
	}
}

func dotted(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// request builds the baseline request (pt nil) or the baseline with one
// point's value replaced.
func (t *target) request(p *check.Pass, pt *point, value string) (*engine.Request, error) {
	values := make(map[string]string, len(t.values))
	for k, v := range t.values {
		values[k] = v
	}
	h := t.headers.Clone()
	cookies := append([][2]string(nil), t.cookies...)
	var body []byte
	form := url.Values{}
	for k, v := range t.bodyForm {
		form[k] = append([]string(nil), v...)
	}
	if t.bodyJSON != nil {
		body = t.bodyJSON
	}
	if pt != nil {
		switch pt.In {
		case inPath, inQuery:
			values[pt.Name] = value
		case inHeader:
			h.Set(pt.Name, value)
		case inCookie:
			for i := range cookies {
				if cookies[i][0] == pt.Name {
					cookies[i][1] = value
				}
			}
		case inJSON:
			b, err := setJSON(t.bodyJSON, pt.field, value)
			if err != nil {
				return nil, err
			}
			body = b
		case inForm:
			form.Set(pt.Name, value)
		}
	}
	if p.Accept != nil && (t.bodyJSON != nil || t.bodyForm != nil) {
		// A field an answer said was taken gets a value of its own on
		// every request but the probe of that very field: the baseline's
		// create took the value, and each probe is a create too.
		for i := range t.points {
			u := &t.points[i]
			if u == pt || (u.In != inJSON && u.In != inForm) {
				continue
			}
			v, ok := p.Accept.UniqueValue(t.op, strings.Split(u.Name, "."), u.Base)
			if !ok {
				continue
			}
			if u.In == inForm {
				form.Set(u.Name, v)
				continue
			}
			b, err := setJSON(body, u.field, v)
			if err != nil {
				return nil, err
			}
			body = b
		}
	}
	if t.bodyForm != nil {
		body = []byte(form.Encode())
		if t.multipart {
			body = t.encodeMultipart(form, h)
		}
	}
	if p.Accept != nil {
		// An idempotency key must be new on every probe: with the same
		// key the API would replay the first answer, or refuse.
		p.Accept.Refresh(h)
	}
	if body != nil && h.Get("Content-Type") == "" {
		h.Set("Content-Type", t.contentType)
	}
	if len(cookies) > 0 {
		// A request header replaces the identity's, so keep its cookies.
		var parts []string
		if t.who != nil {
			if c := t.who.Header().Get("Cookie"); c != "" {
				parts = append(parts, c)
			}
		}
		for _, c := range cookies {
			// Sent as typed (servers rarely decode cookie values); only a
			// separator is escaped, since it would end the cookie.
			parts = append(parts, c[0]+"="+strings.ReplaceAll(c[1], ";", "%3B"))
		}
		h.Set("Cookie", strings.Join(parts, "; "))
	}
	return &engine.Request{
		Method: t.op.Method,
		URL:    p.URL(t.op, values),
		Header: h,
		Body:   body,
		// A throttled answer is returned as it is: the check stops probing
		// the operation instead of waiting out Retry-After.
		Want429: true,
	}, nil
}

// setJSON returns the body with the field at path replaced by a string.
func setJSON(base []byte, path []any, value string) ([]byte, error) {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(base))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode body: %w", err)
	}
	if len(path) == 0 {
		return nil, errors.New("empty field path")
	}
	cur := doc
	for i, k := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			key, _ := k.(string)
			if last {
				c[key] = value
			} else {
				cur = c[key]
			}
		case []any:
			idx, _ := k.(int)
			if idx >= len(c) {
				return nil, fmt.Errorf("field %s: index out of range", dotted(path))
			}
			if last {
				c[idx] = value
			} else {
				cur = c[idx]
			}
		default:
			return nil, fmt.Errorf("field %s: not a container", dotted(path))
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return b, nil
}

// errThrottled stops probing an operation that answers 429; it is an
// engine.ErrThrottled, so the unit's coverage says throttled.
var errThrottled = fmt.Errorf("the target answers this operation 429: %w", engine.ErrThrottled)

// send sends the baseline (pt nil) or a probe as the target's identity.
func (t *target) send(ctx context.Context, p *check.Pass, pt *point, value string) (*engine.Response, error) {
	r, err := t.request(p, pt, value)
	if err != nil {
		return nil, err
	}
	resp, err := p.Send(ctx, t.who, r)
	if err != nil {
		return nil, err
	}
	if pt == nil && resp.Status >= 400 && accept.Taken(resp.Body) {
		// The baseline refused for a value an earlier create took: the
		// learner read that answer, and the request built now carries
		// values of its own where it can.
		if r, err = t.request(p, pt, value); err != nil {
			return nil, err
		}
		if resp, err = p.Send(ctx, t.who, r); err != nil {
			return nil, err
		}
	}
	if resp.Status == http.StatusTooManyRequests {
		return resp, errThrottled
	}
	return resp, nil
}

// addMultipart takes a multipart body's text fields as points; file
// fields travel as they are.
func (t *target) addMultipart(req *accept.Request) {
	m, ok := req.Body.(map[string]any)
	if !ok {
		return
	}
	t.bodyForm, t.multipart, t.fileFields = url.Values{}, true, map[string]bool{}
	var schema *rampart.Schema
	if t.op.Body != nil {
		schema = t.op.Body.Schema
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := surface.Format(m[k])
		t.bodyForm.Set(k, v)
		var fs *rampart.Schema
		if schema != nil {
			fs = schema.Properties[k]
		}
		if fs != nil && fs.Format == "binary" {
			t.fileFields[k] = true
			continue
		}
		t.points = append(t.points, point{In: inForm, Name: k, Base: v, Numeric: numeric(fs, v), Schema: fs})
	}
	t.contentType = "multipart/form-data"
}

// encodeMultipart encodes form fields (files as files) and sets the
// Content-Type with its boundary.
func (t *target) encodeMultipart(form url.Values, h http.Header) []byte {
	m := map[string]any{}
	for k := range form {
		m[k] = form.Get(k)
	}
	var schema *rampart.Schema
	if t.op.Body != nil {
		schema = t.op.Body.Schema
	}
	body, ct := surface.EncodeBody(m, "multipart/form-data", schema)
	h.Set("Content-Type", ct)
	return body
}
