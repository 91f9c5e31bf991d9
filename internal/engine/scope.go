package engine

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
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
		h, err := parseScopeHost(e)
		if err != nil {
			return nil, err
		}
		s.extra = append(s.extra, h)
	}
	return s, nil
}

// CheckScope reports whether s is a valid --scope value: a host name or IP
// address, optionally with a port ("api.test", "10.0.0.5:8443",
// "[::1]:9000"). The CLI calls it for flags and config alike, so a value
// that could never match (or would match more than was meant, as the host
// of a URL whose scheme and path would be dropped) is refused before
// anything is sent.
func CheckScope(s string) error {
	_, err := parseScopeHost(s)
	return err
}

const scopeForm = "want a host or host:port, e.g. --scope api.example.com or --scope 10.0.0.5:8443"

func parseScopeHost(raw string) (scopeHost, error) {
	e := strings.TrimSpace(raw)
	if e == "" {
		return scopeHost{}, fmt.Errorf("--scope %q: empty: %s", raw, scopeForm)
	}
	if strings.Contains(e, "://") {
		if u, err := url.Parse(e); err == nil && u.Host != "" {
			return scopeHost{}, fmt.Errorf("--scope %q: a URL, but --scope takes a host or host:port (every scheme and path on it is in scope): write --scope %s", u.Redacted(), u.Host)
		}
		return scopeHost{}, fmt.Errorf("--scope: a URL, not a host: %s", scopeForm)
	}
	if i := strings.IndexAny(e, "/?#@ \t"); i >= 0 {
		return scopeHost{}, fmt.Errorf("--scope %q: %q is not part of a host name: %s", raw, e[i], scopeForm)
	}
	host, port := e, ""
	switch {
	case strings.HasPrefix(e, "["):
		if h, p, err := net.SplitHostPort(e); err == nil {
			host, port = h, p
		} else if strings.HasSuffix(e, "]") {
			host = e[1 : len(e)-1]
		} else {
			return scopeHost{}, fmt.Errorf("--scope %q: an IPv6 address goes in brackets, with the port after them: [::1]:9000", raw)
		}
		if net.ParseIP(host) == nil {
			return scopeHost{}, fmt.Errorf("--scope %q: %q in brackets is not an IPv6 address", raw, host)
		}
	case strings.Count(e, ":") > 1:
		if net.ParseIP(e) == nil {
			return scopeHost{}, fmt.Errorf("--scope %q: not a host, host:port or IPv6 address: %s", raw, scopeForm)
		}
	case strings.Contains(e, ":"):
		h, p, err := net.SplitHostPort(e)
		if err != nil {
			return scopeHost{}, fmt.Errorf("--scope %q: %s", raw, scopeForm)
		}
		host, port = h, p
	}
	if port != "" || strings.HasSuffix(e, ":") {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strings.HasPrefix(port, "+") {
			return scopeHost{}, fmt.Errorf("--scope %q: port %q: want a number from 1 to 65535", raw, port)
		}
		port = strconv.Itoa(n)
	}
	if net.ParseIP(host) == nil && !hostName(host) {
		return scopeHost{}, fmt.Errorf("--scope %q: %q is not a host name: %s", raw, host, scopeForm)
	}
	return scopeHost{host: canonHost(host), port: port}, nil
}

// hostName reports whether h is a DNS name: dot-separated labels of
// letters, digits, '-' and '_' (seen in internal names), at most 253 bytes.
func hostName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
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
