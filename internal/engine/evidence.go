package engine

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/redact"
)

// Evidence is bounded whatever the target sends: a body, a header value or
// a URL of megabytes becomes an excerpt with the cut marked. The finding's
// message says what matters, the evidence shows enough to trust it.
const (
	evidenceBodyLimit  = 4096 // a request or response body
	evidenceValueLimit = 2048 // one header value, a request target
)

// Redacted is what replaces a credential in evidence.
const Redacted = redact.Marker

// Evidence renders the exchange as redacted HTTP text: the credential
// headers by name (keeping the scheme and cookie names), then the request's
// secrets wherever and however encoded they occur (a token echoed in a body,
// a password in a login request). The scan redacts the finished report
// again with every identity's current secrets. A credential header that
// holds one of the request's Forged values is shown as sent: the scanner
// made it, and the reader needs it to replay the proof.
func (c *Client) Evidence(resp *Response, note string) rampart.Evidence {
	if resp == nil {
		return rampart.Evidence{Note: note}
	}
	set := secrets(resp.Request)
	return rampart.Evidence{
		Request:  set.String(c.requestText(resp, set)),
		Response: set.String(c.responseText(resp, set)),
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

func (c *Client) requestText(resp *Response, set *redact.Set) string {
	var b strings.Builder
	u, _ := url.Parse(resp.RequestURL)
	target := resp.RequestURL
	host := ""
	if u != nil {
		target = u.RequestURI()
		host = u.Host
	}
	b.WriteString(resp.Method + " " + clipValue(set.String(target)) + " HTTP/1.1\r\n")
	if hh := resp.Request.Header.Get("Host"); hh != "" {
		host = hh
	}
	b.WriteString("Host: " + clipValue(host) + "\r\n")
	c.writeHeaders(&b, resp.Request.Header, set, resp.Request, "Host")
	b.WriteString("\r\n")
	b.WriteString(clip(set.String(toValidUTF8(resp.Request.Body)), 0))
	return b.String()
}

func (c *Client) responseText(resp *Response, set *redact.Set) string {
	var b strings.Builder
	proto := resp.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	// net/http drops the reason phrase; the standard one is close enough.
	fmt.Fprintf(&b, "%s %d %s\r\n", proto, resp.Status, http.StatusText(resp.Status))
	c.writeHeaders(&b, resp.Header, set, nil)
	b.WriteString("\r\n")
	// Secrets go before the cut: one that straddles it would otherwise
	// survive in part.
	b.WriteString(clip(set.String(toValidUTF8(resp.Body)), resp.Omitted))
	if resp.Truncated {
		b.WriteString("\n[body truncated at the scan's --max-body]")
	}
	return b.String()
}

// writeHeaders writes header lines, credentials redacted unless the
// scanner forged them for sent (a request's), every value cut to the
// evidence limit.
func (c *Client) writeHeaders(b *strings.Builder, h http.Header, set *redact.Set, sent *Request, skip ...string) {
	keys := slices.Sorted(maps.Keys(h))
	for _, k := range keys {
		if contains(skip, k) {
			continue
		}
		for _, v := range h[k] {
			if c.redact[http.CanonicalHeaderKey(k)] && !sent.forged(v) {
				v = redactHeaderValue(k, v)
			}
			b.WriteString(clipValue(k) + ": " + clipValue(set.String(v)) + "\r\n")
		}
	}
}

// forged reports whether a header value holds a credential the scanner
// made for the request.
func (r *Request) forged(v string) bool {
	if r == nil {
		return false
	}
	for _, f := range r.Forged {
		if f != "" && strings.Contains(v, f) {
			return true
		}
	}
	return false
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

// clip cuts a body for evidence and says how much is left out: what is
// beyond the cut here, plus what an Excerpt already dropped.
func clip(s string, omitted int64) string {
	if len(s) <= evidenceBodyLimit && omitted == 0 {
		return s
	}
	cut := cutAt(s, evidenceBodyLimit)
	return cut + fmt.Sprintf("\n[… %d more bytes]", int64(len(s)-len(cut))+omitted)
}

// clipValue cuts a header value or a URL for evidence. Its output is
// never longer than its limit, so clipping twice (an Excerpt, then
// Evidence) changes nothing more.
func clipValue(s string) string {
	if len(s) <= evidenceValueLimit {
		return s
	}
	cut := cutAt(s, evidenceValueLimit-32)
	return cut + fmt.Sprintf("[… %d more bytes]", len(s)-len(cut))
}

// cutAt returns at most n bytes of s without splitting a character.
func cutAt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	for i := 0; i < utf8.UTFMax-1 && len(cut) > 0; i++ {
		if r, _ := utf8.DecodeLastRuneInString(cut); r != utf8.RuneError {
			break
		}
		cut = cut[:len(cut)-1]
	}
	return cut
}

// Excerpt returns a copy of the response that keeps what Evidence and Curl
// show of it: the body cut where Evidence cuts it, with the number of bytes
// left out (and room for the request's longest secret, so that redaction
// still sees a secret the cut would split), and header values cut as
// Evidence cuts them. A check that keeps an answer beyond its own unit,
// for a finding it may report later, keeps its excerpt and what it derived
// from the body, never the body itself.
func (c *Client) Excerpt(r *Response) *Response {
	if r == nil {
		return nil
	}
	e := *r
	keep := evidenceBodyLimit + utf8.UTFMax
	if r.Request != nil {
		for _, sec := range r.Request.Secrets {
			keep = max(keep, evidenceBodyLimit+utf8.UTFMax+len(sec))
		}
	}
	if len(r.Body) > keep {
		for keep > 0 && !utf8.RuneStart(r.Body[keep]) {
			keep--
		}
		e.Body = slices.Clone(r.Body[:keep])
		e.Omitted = r.Omitted + int64(len(r.Body)-keep)
	}
	long := false
	for _, vs := range r.Header {
		for _, v := range vs {
			long = long || len(v) > evidenceValueLimit
		}
	}
	if long {
		e.Header = r.Header.Clone()
		for _, vs := range e.Header {
			for i, v := range vs {
				if len(v) > evidenceValueLimit {
					vs[i] = clipValue(secrets(r.Request).String(v))
				}
			}
		}
	}
	return &e
}

func toValidUTF8(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

// Curl renders a command that replays the request. The identities'
// credential headers become shell variables named after the identity and
// the header (ALICE_AUTHORIZATION), so the line can be shared and replayed
// after `export`; the client remembers each one (Variables) for the
// report's legend. A credential the scanner forged is written as it is:
// the line replays the proof with nothing to set.
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
	var cuts []string
	target := set.String(resp.RequestURL)
	if len(target) > evidenceValueLimit {
		cuts = append(cuts, fmt.Sprintf("URL cut at %d of %d bytes", evidenceValueLimit, len(target)))
		target = cutAt(target, evidenceValueLimit)
	}
	parts = append(parts, shellQuote(target))
	keys := slices.Sorted(maps.Keys(r.Header))
	for _, k := range keys {
		for _, v := range r.Header[k] {
			if c.redact[http.CanonicalHeaderKey(k)] && !r.forged(v) {
				name := c.variable(r.Identity, k, v)
				parts = append(parts, `-H "`+k+`: $`+name+`"`)
				continue
			}
			parts = append(parts, "-H "+shellQuote(clipValue(k)+": "+clipValue(set.String(v))))
		}
	}
	if len(r.Body) > 0 {
		body := set.String(toValidUTF8(r.Body))
		if len(body) > evidenceBodyLimit {
			cuts = append(cuts, fmt.Sprintf("body cut at %d of %d bytes", evidenceBodyLimit, len(body)))
			body = cutAt(body, evidenceBodyLimit)
		}
		parts = append(parts, "--data-raw "+shellQuote(body))
	}
	if c.cfg.Insecure {
		parts = append(parts, "-k")
	}
	if len(cuts) > 0 {
		// A shell comment: the line stays a valid command and says it is
		// not the whole request.
		parts = append(parts, "# "+strings.Join(cuts, ", "))
	}
	return set.String(strings.Join(parts, " "))
}

// CurlNote adds to a curl line what else its proof needs than the one
// request it replays (the copies of a burst, an object the scan made for
// the proof), as a shell comment so the line still runs: the reader learns
// why the line alone answers otherwise.
func CurlNote(line, note string) string {
	note = strings.Join(strings.Fields(note), " ")
	if line == "" || note == "" {
		return line
	}
	if i := strings.LastIndex(line, " # "); i >= 0 && !strings.ContainsAny(line[i:], `'"`) {
		return line + "; " + note // the line already ends with a comment
	}
	return line + " # " + note
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
