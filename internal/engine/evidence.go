package engine

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/redact"
)

// evidenceBodyLimit keeps reports readable; the finding's message says what
// matters, the evidence shows enough to trust it.
const evidenceBodyLimit = 4096

// Redacted is what replaces a credential in evidence.
const Redacted = redact.Marker

// Evidence renders the exchange as redacted HTTP text: the credential
// headers by name (keeping the scheme and cookie names), then the request's
// secrets wherever and however encoded they occur (a token echoed in a body,
// a password in a login request). The scan redacts the finished report
// again with every identity's current secrets; this pass also covers the
// request's own (a forged token).
func (c *Client) Evidence(resp *Response, note string) rampart.Evidence {
	if resp == nil {
		return rampart.Evidence{Note: note}
	}
	set := secrets(resp.Request)
	return rampart.Evidence{
		Request:  set.String(c.requestText(resp)),
		Response: set.String(c.responseText(resp)),
		Note:     set.String(note),
	}
}

// secrets is the redaction set of a request's secrets.
func secrets(r *Request) *redact.Set {
	if r == nil {
		return nil
	}
	return redact.New(r.Secrets...)
}

func (c *Client) requestText(resp *Response) string {
	var b strings.Builder
	u, _ := url.Parse(resp.RequestURL)
	target := resp.RequestURL
	host := ""
	if u != nil {
		target = u.RequestURI()
		host = u.Host
	}
	b.WriteString(resp.Method + " " + target + " HTTP/1.1\r\n")
	if hh := resp.Request.Header.Get("Host"); hh != "" {
		host = hh
	}
	b.WriteString("Host: " + host + "\r\n")
	writeHeaders(&b, resp.Request.Header, c.redact, "Host")
	b.WriteString("\r\n")
	b.WriteString(clip(resp.Request.Body))
	return b.String()
}

func (c *Client) responseText(resp *Response) string {
	var b strings.Builder
	proto := resp.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	// net/http drops the reason phrase; the standard one is close enough.
	fmt.Fprintf(&b, "%s %d %s\r\n", proto, resp.Status, http.StatusText(resp.Status))
	writeHeaders(&b, resp.Header, c.redact)
	b.WriteString("\r\n")
	b.WriteString(clip(resp.Body))
	if resp.Truncated {
		b.WriteString("\n[body truncated at the scan's --max-body]")
	}
	return b.String()
}

func writeHeaders(b *strings.Builder, h http.Header, redact map[string]bool, skip ...string) {
	keys := slices.Sorted(maps.Keys(h))
	for _, k := range keys {
		if contains(skip, k) {
			continue
		}
		for _, v := range h[k] {
			if redact[http.CanonicalHeaderKey(k)] {
				v = redactHeaderValue(k, v)
			}
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// redactHeaderValue keeps the shape that helps a reader (the auth scheme,
// the cookie names and attributes) and drops the secret parts.
func redactHeaderValue(name, v string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		if i := strings.IndexByte(v, ' '); i > 0 {
			return v[:i+1] + Redacted
		}
		return Redacted
	case "Cookie":
		parts := strings.Split(v, ";")
		for i, p := range parts {
			if k, _, ok := strings.Cut(p, "="); ok {
				parts[i] = k + "=" + Redacted
			}
		}
		return strings.Join(parts, ";")
	case "Set-Cookie":
		first, rest, _ := strings.Cut(v, ";")
		if k, _, ok := strings.Cut(first, "="); ok {
			first = k + "=" + Redacted
		}
		if rest != "" {
			return first + ";" + rest
		}
		return first
	}
	return Redacted
}

func clip(b []byte) string {
	if len(b) <= evidenceBodyLimit {
		return toValidUTF8(b)
	}
	cut := b[:evidenceBodyLimit]
	// Do not split a multi-byte character at the cut.
	for i := 0; i < utf8.UTFMax-1 && len(cut) > 0; i++ {
		if r, _ := utf8.DecodeLastRune(cut); r != utf8.RuneError {
			break
		}
		cut = cut[:len(cut)-1]
	}
	return toValidUTF8(cut) + fmt.Sprintf("\n[… %d more bytes]", len(b)-len(cut))
}

func toValidUTF8(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

var envName = regexp.MustCompile(`[^A-Z0-9]+`)

// Curl renders a command that replays the request. Credentials become shell
// variables named after the identity (ALICE_AUTHORIZATION), so the line can
// be shared and replayed after `export`.
func (c *Client) Curl(resp *Response) string {
	if resp == nil || resp.Request == nil {
		return ""
	}
	r := resp.Request
	set := secrets(r)
	var parts []string
	parts = append(parts, "curl -i")
	if resp.Method != "GET" || len(r.Body) > 0 {
		parts = append(parts, "-X "+resp.Method)
	}
	parts = append(parts, shellQuote(set.String(resp.RequestURL)))
	keys := slices.Sorted(maps.Keys(r.Header))
	who := strings.Trim(envName.ReplaceAllString(strings.ToUpper(r.Identity), "_"), "_")
	if who == "" {
		who = "RAMPART"
	}
	for _, k := range keys {
		for _, v := range r.Header[k] {
			if c.redact[http.CanonicalHeaderKey(k)] {
				name := who + "_" + strings.Trim(envName.ReplaceAllString(strings.ToUpper(k), "_"), "_")
				parts = append(parts, `-H "`+k+`: $`+name+`"`)
				continue
			}
			parts = append(parts, "-H "+shellQuote(k+": "+set.String(v)))
		}
	}
	if len(r.Body) > 0 {
		parts = append(parts, "--data-raw "+shellQuote(set.String(toValidUTF8(r.Body))))
	}
	if c.cfg.Insecure {
		parts = append(parts, "-k")
	}
	return set.String(strings.Join(parts, " "))
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
