// Package whoami learns who the scan's identities are (their user id,
// name and role) from a "me"-like read operation, and tells whether an
// answer names a given person. Forgery checks use it for their proof: a
// forged cookie or token is accepted when the API's own "who am I" answer
// names the identity the forgery claimed.
package whoami

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// Person is what an API says about one account.
type Person struct {
	Identity string // the scan identity it was learned from ("" when guessed)
	Role     string // the scan role: user or admin (or the API's role when known)
	ID       string // the user id as text
	Numeric  bool   // the API writes the id as a JSON number
	Username string
	Email    string
	// APIRole is the role the API itself reports ("admin", "user"), if any.
	APIRole string
}

// Label names the person for messages.
func (p Person) Label() string {
	var parts []string
	if p.Username != "" {
		parts = append(parts, p.Username)
	}
	if p.ID != "" {
		parts = append(parts, "id "+p.ID)
	}
	if p.APIRole != "" {
		parts = append(parts, "role "+p.APIRole)
	}
	if len(parts) == 0 {
		return "an unknown user"
	}
	return strings.Join(parts, ", ")
}

// IDValue is the id as the API writes it (a number or a string).
func (p Person) IDValue() any {
	if p.Numeric {
		if n, err := strconv.ParseInt(p.ID, 10, 64); err == nil {
			return n
		}
	}
	return p.ID
}

// Result is what Learn found.
type Result struct {
	People []Person
	// Endpoints are read operations that answered an identity with its own
	// record: where a forged credential can prove who it makes you.
	Endpoints []*rampart.Operation
}

// Privileged returns the people ordered for a forgery: admins first (the
// most telling proof), then users.
func (r *Result) Privileged() []Person {
	out := append([]Person(nil), r.People...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) > rank(out[j]) })
	return out
}

func rank(p Person) int {
	if p.Role == identity.RoleAdmin || strings.EqualFold(p.APIRole, "admin") {
		return 1
	}
	return 0
}

// meWords name a "who am I" resource in a path's last segment.
var meWords = map[string]int{
	"me": 10, "whoami": 10, "self": 8, "current": 6, "current_user": 9, "currentuser": 9, "current-user": 9,
	"userinfo": 9, "user": 5, "profile": 7, "account": 4, "session": 4, "myself": 8, "my": 3, "identity": 5,
}

// Score says how much an operation looks like "who am I": a GET whose path
// ends in me/whoami/profile/…, or whose summary says it returns the caller.
// Zero means it does not.
func Score(op *rampart.Operation) int {
	if op.Method != http.MethodGet {
		return 0
	}
	for _, p := range op.Params {
		if p.In == "path" {
			return 0 // /users/{id} is someone, not "me"
		}
	}
	segs := strings.Split(strings.Trim(strings.ToLower(op.Path), "/"), "/")
	s := meWords[segs[len(segs)-1]]
	text := strings.ToLower(op.Summary + " " + op.Description + " " + op.ID)
	for _, w := range []string{"current user", "the caller", "authenticated user", "logged-in user", "logged in user", "yourself", "whoami", "getme", "get_me", "current_user"} {
		if strings.Contains(text, w) {
			s += 4
			break
		}
	}
	return s
}

// Candidates returns the operations that look like "who am I", best first.
func Candidates(ops []*rampart.Operation) []*rampart.Operation {
	var out []*rampart.Operation
	for _, op := range ops {
		if Score(op) > 0 {
			out = append(out, op)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return Score(out[i]) > Score(out[j]) })
	return out
}

const (
	maxCandidates = 4
	maxIdentities = 4
	maxEndpoints  = 2
)

// Learn asks up to four "who am I" candidates as up to four identities,
// once per scan: at most 16 GETs, usually 2-4.
func Learn(ctx context.Context, p *check.Pass) (*Result, error) {
	v, err := p.Shared.Once("whoami", func() (any, error) { return learn(ctx, p) })
	if err != nil {
		return nil, err
	}
	return v.(*Result), nil
}

func learn(ctx context.Context, p *check.Pass) (*Result, error) {
	res := &Result{}
	ids := p.Authenticated()
	if len(ids) > maxIdentities {
		ids = ids[:maxIdentities]
	}
	if len(ids) == 0 {
		return res, nil
	}
	byName := map[string]Person{}
	cands := Candidates(p.Surface)
	if len(cands) > maxCandidates {
		cands = cands[:maxCandidates]
	}
	for _, op := range cands {
		if len(res.Endpoints) >= maxEndpoints {
			break
		}
		var found []Person
		for _, id := range ids {
			resp, err := p.Send(ctx, id, &engine.Request{Method: http.MethodGet, URL: p.URL(op, nil)})
			if err != nil {
				if ctx.Err() != nil {
					return res, ctx.Err()
				}
				continue
			}
			if resp.Status < 200 || resp.Status > 299 {
				continue
			}
			who, ok := Extract(resp.Body)
			if !ok {
				continue
			}
			who.Identity, who.Role = id.Name, id.Role
			found = append(found, who)
		}
		if len(found) == 0 || !distinct(found) {
			continue // the same record for everyone is not "me"
		}
		res.Endpoints = append(res.Endpoints, op)
		for _, who := range found {
			if _, seen := byName[who.Identity]; !seen {
				byName[who.Identity] = who
				res.People = append(res.People, who)
			}
		}
	}
	return res, nil
}

func distinct(ps []Person) bool {
	seen := map[string]bool{}
	for _, p := range ps {
		k := p.ID + "\x00" + strings.ToLower(p.Username)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

var (
	idKeys   = []string{"id", "user_id", "userid", "userId", "uid", "sub", "user_pk", "account_id", "accountId", "_id"}
	nameKeys = []string{"username", "user_name", "userName", "login", "handle", "preferred_username", "screen_name", "name"}
	mailKeys = []string{"email", "mail", "email_address", "emailAddress"}
	roleKeys = []string{"role", "roles", "user_role", "type", "group"}
	wrappers = []string{"user", "data", "me", "account", "profile", "result", "current_user", "identity"}
)

// Extract reads a person from a JSON object (or an object under a
// wrapper key such as "user" or "data"). It needs an id or a username.
func Extract(body []byte) (Person, bool) {
	m := object(body)
	if m == nil {
		return Person{}, false
	}
	if p, ok := fromMap(m); ok {
		return p, true
	}
	for _, w := range wrappers {
		if inner, ok := m[w].(map[string]any); ok {
			if p, ok := fromMap(inner); ok {
				return p, true
			}
		}
	}
	return Person{}, false
}

func object(body []byte) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

func fromMap(m map[string]any) (Person, bool) {
	var p Person
	for _, k := range idKeys {
		switch v := m[k].(type) {
		case json.Number:
			p.ID, p.Numeric = v.String(), true
		case string:
			if v != "" && len(v) <= 128 {
				p.ID = v
			}
		}
		if p.ID != "" {
			break
		}
	}
	for _, k := range nameKeys {
		if v, ok := m[k].(string); ok && v != "" && len(v) <= 256 {
			p.Username = v
			break
		}
	}
	for _, k := range mailKeys {
		if v, ok := m[k].(string); ok && strings.Contains(v, "@") {
			p.Email = v
			break
		}
	}
	for _, k := range roleKeys {
		switch v := m[k].(type) {
		case string:
			p.APIRole = v
		case []any:
			if len(v) > 0 {
				p.APIRole = fmt.Sprint(v[0])
			}
		}
		if p.APIRole != "" {
			break
		}
	}
	if p.APIRole == "" {
		if b, ok := m["is_admin"].(bool); ok && b {
			p.APIRole = "admin"
		}
	}
	return p, p.ID != "" || p.Username != ""
}

// Reveals reports whether an answer is the record of who: its id, or
// failing that its username or email, matches.
func Reveals(body []byte, who Person) bool {
	got, ok := Extract(body)
	if !ok {
		return false
	}
	if who.ID != "" && got.ID != "" {
		return got.ID == who.ID
	}
	if who.Username != "" && got.Username != "" {
		return strings.EqualFold(got.Username, who.Username)
	}
	return who.Email != "" && strings.EqualFold(got.Email, who.Email)
}

// Guesses are the people a forgery claims to be when the scan has no
// identity to learn from: the first two user ids, which on most schemas
// are the first accounts created (often an administrator).
func Guesses() []Person {
	return []Person{{ID: "1", Numeric: true}, {ID: "2", Numeric: true}}
}
