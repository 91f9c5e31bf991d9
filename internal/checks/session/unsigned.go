package session

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// Unsigned is SESS-003.
var Unsigned = check.Check{
	Meta: rampart.Meta{
		ID:       "SESS-003",
		Family:   rampart.FamilySessionSecret,
		Title:    "Session cookie without a signature: the client edits who it is",
		Severity: rampart.Critical,
		CWE:      "CWE-565",
		OWASP:    "API2:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "the session cookie is plain (base64) JSON; a cookie computed from another user's name logs in as them",
		Detects: "Session cookies that are a JSON object, as is or base64-encoded, with no signature: whoever edits " +
			"the user field is that user. With two identities holding such cookies, the check takes the first " +
			"one's cookie, replaces the values that differ from the second's (the user name, id, e-mail) in the " +
			"decoded text, encodes it the same way and sends it alone to a read that answers the second identity's " +
			"genuine cookie and refuses no cookie and a made-up one. The same answer as the second identity's own " +
			"is the proof (confirmed).",
		Requests: "Up to eight reads probed for one that only a genuine cookie opens (the cookie twice, none, a " +
			"made-up one: 4 GETs each), then one GET with the forged cookie. At most 40 requests.",
		Budget: 40,
		Fix: "Never trust a cookie the client can write. Use Flask's signed session (`session[\"user_id\"] = ...` " +
			"with a random SECRET_KEY from the environment) or server-side sessions (Flask-Session with a " +
			"CockroachDB/PostgreSQL or Redis store) so the cookie is only a random id, and load the user from the " +
			"database on every request.",
		Doc: "docs/checks.md#sess-003",
	},
	Run: runUnsigned,
}

// plainCookie is a session cookie an identity holds that decodes to JSON.
type plainCookie struct {
	id      *identity.Identity
	name    string
	text    string // the decoded JSON, as the server wrote it
	fields  map[string]any
	encode  func(string) string
	escaped bool // the value was URL-escaped in the Cookie header
}

// decodePlain reads a cookie value as JSON, raw or base64 in one of its
// alphabets, and returns how to encode an edited text the same way.
func decodePlain(v string) (string, func(string) string, bool) {
	if strings.HasPrefix(v, "{") {
		return v, func(s string) string { return s }, true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(v)
		if err != nil || len(b) < 2 || b[0] != '{' {
			continue
		}
		e := enc
		return string(b), func(s string) string { return e.EncodeToString([]byte(s)) }, true
	}
	return "", nil, false
}

func plainCookies(p *check.Pass) []*plainCookie {
	var out []*plainCookie
	for _, id := range p.Authenticated() {
		for _, line := range id.Header().Values("Cookie") {
			for _, part := range strings.Split(line, ";") {
				name, raw, ok := strings.Cut(strings.TrimSpace(part), "=")
				if !ok || raw == "" {
					continue
				}
				v, escaped := strings.Trim(raw, `"`), false
				if u, err := url.QueryUnescape(v); err == nil && u != v {
					v, escaped = u, true
				}
				text, encode, ok := decodePlain(v)
				if !ok {
					continue
				}
				var fields map[string]any
				dec := json.NewDecoder(strings.NewReader(text))
				dec.UseNumber()
				if dec.Decode(&fields) != nil || len(fields) == 0 {
					continue
				}
				out = append(out, &plainCookie{id: id, name: name, text: text, fields: fields, encode: encode, escaped: escaped})
			}
		}
	}
	return out
}

// forgeAs edits a's decoded text so that every scalar field whose value
// differs in b's takes b's value, and encodes it as a's was. It works on
// the text, so the server's own formatting is kept.
func forgeAs(a, b *plainCookie) (string, []string) {
	text := a.text
	var changed []string
	keys := make([]string, 0, len(a.fields))
	for k := range a.fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		av, bv := a.fields[k], b.fields[k]
		if bv == nil || fmt.Sprint(av) == fmt.Sprint(bv) {
			continue
		}
		aj, err1 := json.Marshal(av)
		bj, err2 := json.Marshal(bv)
		if err1 != nil || err2 != nil || !scalar(av) || !scalar(bv) {
			continue
		}
		if strings.Count(text, string(aj)) != 1 {
			continue // the value is elsewhere too: an edit would not be surgical
		}
		text = strings.Replace(text, string(aj), string(bj), 1)
		changed = append(changed, k)
	}
	v := a.encode(text)
	if a.escaped {
		v = url.QueryEscape(v)
	}
	return v, changed
}

func scalar(v any) bool {
	switch v.(type) {
	case string, json.Number, bool:
		return true
	}
	return false
}

func runUnsigned(ctx context.Context, p *check.Pass) error {
	cookies := plainCookies(p)
	if len(cookies) == 0 {
		p.NotApplicable("no identity holds a cookie that is plain JSON")
		return nil
	}
	byID := map[string]*plainCookie{}
	var ids []*identity.Identity
	for _, c := range cookies {
		if byID[c.id.Name] == nil {
			byID[c.id.Name] = c
			ids = append(ids, c.id)
		}
	}
	if len(ids) < 2 {
		p.NotTested(rampart.ReasonNeedsSecondUser, fmt.Sprintf("a forgery is computed from one identity's cookie and "+
			"another's values: only %s holds a plain JSON cookie", ids[0].Name))
		return nil
	}
	// The victim's genuine cookie opens the gated read; the forgery is
	// computed from another identity's cookie.
	victims := []*identity.Identity{ids[1], ids[0]}
	garbage := func(ctx context.Context, id *identity.Identity, u string) (*engine.Response, error) {
		c := byID[id.Name]
		made := c.encode(`{"rampart":"` + randomWord() + `"}`)
		return p.Send(ctx, nil, &engine.Request{Method: http.MethodGet, URL: u, Header: http.Header{"Cookie": {c.name + "=" + made}}, Forged: []string{made}})
	}
	gated := p.FindGated(ctx, victims, garbage, 1)
	if len(gated) == 0 {
		p.NotApplicable("no read answers an identity's JSON cookie alone and refuses a made-up one: the cookie carries no session")
	}
	for _, g := range gated {
		victim := byID[g.Identity.Name]
		var from *plainCookie
		for _, id := range ids {
			if id.Name != victim.id.Name {
				from = byID[id.Name]
				break
			}
		}
		forged, changed := forgeAs(from, victim)
		if len(changed) == 0 {
			p.NotApplicable(fmt.Sprintf("%s's and %s's cookies differ in no value a forgery could edit", from.id.Name, victim.id.Name))
			return nil
		}
		r, err := p.Send(ctx, nil, &engine.Request{Method: http.MethodGet, URL: g.URL,
			Header: http.Header{"Cookie": {victim.name + "=" + forged}}, Forged: []string{forged}})
		if err != nil {
			return ctx.Err()
		}
		p.Tested()
		if !check.SameAnswer(check.AnswerOf(r), g.Genuine) {
			return nil
		}
		same := ""
		if bytes.Equal([]byte(forged), []byte(strings.Trim(cookieValue(victim.id, victim.name), `"`))) {
			same = fmt.Sprintf(" The computed cookie is byte for byte the one %s was given: anyone who knows a user's %s can compute that user's session.", victim.id.Name, strings.Join(changed, ", "))
		}
		f := p.Finding(fmt.Sprintf(
			"The %s cookie is JSON with no signature (%s): a cookie made from %s's by setting %s to %s's values, sent "+
				"alone, got the same answer as %s's genuine cookie on %s (%s).%s Anyone can be any user.",
			victim.name, describeEncoding(victim), from.id.Name, strings.Join(changed, ", "), victim.id.Name,
			victim.id.Name, g.Op.Key(), g.Refused, same))
		f.Location = rampart.Location{Method: g.Op.Method, Path: g.Op.Path, URL: r.RequestURL}
		f.Confidence = rampart.Confirmed
		f.Evidence = append(append([]rampart.Evidence(nil), g.Base...),
			p.Evidence(r, fmt.Sprintf("forged %s cookie (%s edited to %s's values)", victim.name, strings.Join(changed, ", "), victim.id.Name)))
		f.Curl = p.Curl(r)
		p.Report(f)
	}
	return nil
}

func describeEncoding(c *plainCookie) string {
	if strings.HasPrefix(c.encode("{}"), "{") {
		return "readable as is"
	}
	return "base64 of the JSON"
}

func cookieValue(id *identity.Identity, name string) string {
	for _, line := range id.Header().Values("Cookie") {
		for _, part := range strings.Split(line, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && k == name {
				return v
			}
		}
	}
	return ""
}

func randomWord() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
