package engine

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrOutOfScope is returned, without sending anything, for a request or a
// redirect whose target is not in scope.
var ErrOutOfScope = errors.New("out of scope")

// ErrModeForbids is returned, without sending anything, for a method the
// scan mode does not allow (a safe scan never sends POST, PUT, PATCH or DELETE).
var ErrModeForbids = errors.New("method not allowed in this scan mode")

// scope decides which URLs may be requested. The target's exact
// scheme+host+port is in scope; extra hosts may name a port or not.
type scope struct {
	scheme, host, port string
	extra              []scopeHost
}

type scopeHost struct{ host, port string }

func newScope(base *url.URL, extra []string) (*scope, error) {
	if base == nil || base.Host == "" {
		return nil, errors.New("target URL has no host")
	}
	s := &scope{scheme: strings.ToLower(base.Scheme), host: canonHost(base.Hostname()), port: effectivePort(base)}
	for _, e := range extra {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if strings.Contains(e, "://") {
			u, err := url.Parse(e)
			if err != nil {
				return nil, fmt.Errorf("scope %q: %w", e, err)
			}
			e = u.Host
		}
		h, p, err := net.SplitHostPort(e)
		if err != nil {
			h, p = strings.Trim(e, "[]"), ""
		}
		if h == "" {
			return nil, fmt.Errorf("scope %q: no host", e)
		}
		s.extra = append(s.extra, scopeHost{host: canonHost(h), port: p})
	}
	return s, nil
}

func (s *scope) allows(u *url.URL) bool {
	if u == nil {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return false
	}
	h, p := canonHost(u.Hostname()), effectivePort(u)
	if scheme == s.scheme && h == s.host && p == s.port {
		return true
	}
	for _, e := range s.extra {
		if e.host == h && (e.port == "" || e.port == p) {
			return true
		}
	}
	return false
}

func canonHost(h string) string {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	return h
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
