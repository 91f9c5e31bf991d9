package mcp

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/rampart-sec/rampart"
)

// allowedHost is one --allow-active entry; an empty port allows every port.
type allowedHost struct{ host, port string }

// parseAllowed reads an --allow-active value: a host or host:port, as
// --scope takes them.
func parseAllowed(raw string) (allowedHost, error) {
	e := strings.TrimSpace(raw)
	form := "want a host or host:port, e.g. --allow-active staging.internal or --allow-active 10.0.0.5:8443"
	if e == "" {
		return allowedHost{}, fmt.Errorf("--allow-active: empty: %s", form)
	}
	if strings.Contains(e, "://") {
		return allowedHost{}, fmt.Errorf("--allow-active %q: a URL: %s", raw, form)
	}
	if strings.ContainsAny(e, "/?#@ \t*") {
		return allowedHost{}, fmt.Errorf("--allow-active %q: not a host name (no paths, wildcards or spaces): %s", raw, form)
	}
	host, port := e, ""
	if h, p, err := net.SplitHostPort(e); err == nil {
		host, port = h, p
	} else if ip := net.ParseIP(strings.Trim(e, "[]")); ip != nil {
		host = e // a bare IPv6 address
	} else if strings.Contains(e, ":") {
		return allowedHost{}, fmt.Errorf("--allow-active %q: %s", raw, form)
	}
	if host == "" {
		return allowedHost{}, fmt.Errorf("--allow-active %q: no host: %s", raw, form)
	}
	return allowedHost{host: canonHost(host), port: port}, nil
}

func canonHost(h string) string {
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// checkMode refuses an active scan of a target that is neither loopback nor
// allow-listed. Passive and safe scans may target anything: they only read.
func (s *server) checkMode(target string, mode rampart.Mode) error {
	if mode < rampart.Active {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("target %q: want an http:// or https:// URL such as http://127.0.0.1:8000", target)
	}
	host := canonHost(u.Hostname())
	if isLoopback(host) {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	for _, a := range s.allow {
		if a.host == host && (a.port == "" || a.port == port) {
			return nil
		}
	}
	return fmt.Errorf("active mode refused for %s: active scans send writes, request bursts and injection probes, "+
		"so this server runs them only on a loopback target (127.0.0.1, ::1, localhost) or a host the user started it with "+
		"--allow-active for (rampart mcp --allow-active %s); run a safe scan (mode \"safe\") instead, or ask the user to restart the server with that flag",
		u.Host, u.Host)
}

// isLoopback is a literal loopback address or localhost: a name that
// resolves to one is not trusted, since what it resolves to can change
// between this check and the scan.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
