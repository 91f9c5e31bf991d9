// Package flaskkey finds, once per scan, the Flask session cookies the
// target sets or the scan's identities hold, and the SECRET_KEY that signs
// them when it is guessable. The session checks report on both; the JWT
// checks try the key, since Flask-JWT-Extended signs with SECRET_KEY when
// JWT_SECRET_KEY is unset. It lives outside the check packages so that no
// check imports another.
package flaskkey

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/flasksession"
	"github.com/rampart-sec/rampart/internal/secrets"
)

// Seen is one session cookie and where it came from.
type Seen struct {
	Name   string
	Cookie *flasksession.Cookie
	// Loc is the operation that set it; empty for an identity's cookie.
	Loc  rampart.Location
	From string // "set by GET /" or "held by identity alice"
	Resp *engine.Response
}

const maxCollectOps = 4

// Cookies collects the session cookies the API sets (root and a few read
// operations, anonymous) and the ones the identities hold, once per scan.
func Cookies(ctx context.Context, p *check.Pass) ([]*Seen, error) {
	v, err := p.Shared.Once("flask-session-cookies", func() (any, error) { return collect(ctx, p) })
	if v == nil {
		return nil, err
	}
	return v.([]*Seen), err
}

func collect(ctx context.Context, p *check.Pass) ([]*Seen, error) {
	var out []*Seen
	dup := map[string]bool{}
	add := func(s *Seen) {
		if dup[s.Cookie.Raw] {
			return
		}
		dup[s.Cookie.Raw] = true
		out = append(out, s)
	}
	for _, id := range p.Identities {
		// A cookie an identity's login flow collected was set by the login
		// operation: that is where the finding belongs.
		var loc rampart.Location
		from := "held by identity " + id.Name
		if id.Login != nil {
			m := strings.ToUpper(id.Login.Method)
			if m == "" {
				m = "POST"
			}
			if u, err := url.Parse(id.Login.URL); err == nil && u.Path != "" {
				loc = rampart.Location{Method: m, Path: u.Path}
				from = "set by " + m + " " + u.Path + " when identity " + id.Name + " logged in"
			}
		}
		for _, c := range parseCookieHeader(id.Header().Values("Cookie")) {
			if ck, err := flasksession.Parse(c.Value); err == nil {
				loc, from := loc, from
				if o, ok := id.CookieOrigins[c.Name]; ok && loc.Path == "" {
					loc, from = o, "set by "+o.Method+" "+o.Path+" in identity "+id.Name+"'s recording"
				}
				add(&Seen{Name: c.Name, Cookie: ck, From: from, Loc: loc})
			}
		}
	}
	type target struct {
		url string
		loc rampart.Location
	}
	base := p.Client.Base()
	root := *base
	root.Path = "/"
	targets := []target{{url: root.String(), loc: rampart.Location{Method: "GET", Path: "/"}}}
	n := 0
	for _, op := range p.Surface {
		if n >= maxCollectOps || op.Method != http.MethodGet || hasPathParams(op) || op.Path == "/" {
			continue
		}
		targets = append(targets, target{url: p.URL(op, nil), loc: rampart.Location{Method: op.Method, Path: op.Path}})
		n++
	}
	for _, t := range targets {
		resp, err := p.Get(ctx, nil, t.url, nil)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			continue
		}
		for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
			ck, err := flasksession.Parse(c.Value)
			if err != nil {
				continue
			}
			loc := t.loc
			loc.URL = resp.RequestURL
			add(&Seen{Name: c.Name, Cookie: ck, Loc: loc, From: "set by GET " + t.loc.Path, Resp: p.Excerpt(resp)})
		}
	}
	return out, nil
}

func hasPathParams(op *rampart.Operation) bool {
	for _, prm := range op.Params {
		if prm.In == "path" {
			return true
		}
	}
	return false
}

func parseCookieHeader(values []string) []*http.Cookie {
	var out []*http.Cookie
	for _, v := range values {
		cs, err := http.ParseCookie(v)
		if err != nil {
			continue
		}
		out = append(out, cs...)
	}
	return out
}

// Cracked is the outcome of cracking the first session cookie.
type Cracked struct {
	From   *Seen
	Key    []byte // nil when no candidate verified
	Result secrets.Result
}

// Crack verifies the candidate keys against the first cookie, once per
// scan. One cookie is enough: every session of an app has the same key.
func Crack(ctx context.Context, p *check.Pass) (*Cracked, error) {
	v, err := p.Shared.Once("flask-session-secret", func() (any, error) {
		all, err := Cookies(ctx, p)
		if len(all) == 0 {
			return (*Cracked)(nil), err
		}
		first := all[0]
		cands := &secrets.Candidates{First: append(p.Settings.CodeKeyValues(), secrets.Flask()...), Wordlist: p.Settings.Wordlist}
		res := secrets.Crack(ctx, cands.All(), first.Cookie.Tester, 0)
		if werr := cands.Err(); werr != nil && !res.Found {
			return &Cracked{From: first, Result: res}, werr
		}
		c := &Cracked{From: first, Result: res}
		if res.Found {
			c.Key = res.Key
		}
		return c, nil
	})
	if v == nil {
		return nil, err
	}
	return v.(*Cracked), err
}

// Key returns the cracked Flask SECRET_KEY, or nil.
func Key(ctx context.Context, p *check.Pass) []byte {
	c, _ := Crack(ctx, p)
	if c == nil {
		return nil
	}
	return c.Key
}
