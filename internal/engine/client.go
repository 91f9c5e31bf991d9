package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"github.com/rampart-sec/rampart"
)

// Request is what a check asks the engine to send.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Identity names who sends it, for evidence ("as alice").
	Identity string
	// Secrets are values (tokens, passwords, cookie values) that must never
	// appear in evidence, wherever they occur.
	Secrets []string
	// Forged are credentials the scanner made itself (an alg=none JWT, a
	// token or cookie signed with a cracked key, an edited unsigned
	// cookie). They are nobody's secret, and the proof is worthless without
	// them: a credential header holding one is shown as it is in evidence
	// and curl lines, with only the identities' secrets (Secrets) redacted
	// out of it.
	Forged []string
	// Login marks a request of a login flow the user configured; it is the
	// one kind of state-changing request a safe scan may send, because the
	// user would send it anyway.
	Login bool
	// FollowRedirects follows in-scope redirects (at most 5). Off by
	// default: a redirect is itself an answer checks want to see.
	FollowRedirects bool
	// Want429 returns a 429 as it is instead of waiting and retrying, for
	// checks that measure throttling: such a request never waits on its
	// route's Retry-After, its 429 does not count towards giving the route
	// up, and it is sent even to a route given up.
	Want429 bool
	// NoWait429 returns a throttling answer at once, without waiting out
	// its Retry-After, for a first look at the API (the model's
	// exploration) that must not cost the scan a wait per route. Unlike
	// Want429 the answer counts towards giving the route up, and the
	// request is refused once it is.
	NoWait429 bool
	// Route names the route the request belongs to for the circuit
	// breaker and the throttle back-off, e.g. "GET /items/{id}", so that /items/1 and /items/2 share
	// one; empty means the method and the URL's path.
	Route string
}

// Response is what came back, with the body read up to the cap.
type Response struct {
	Request *Request
	// Method and RequestURL are what was actually sent (the URL resolved
	// against the base).
	Method     string
	RequestURL string
	Status     int
	Proto      string
	Header     http.Header
	Body       []byte
	Truncated  bool
	// Omitted counts the body bytes an Excerpt left out.
	Omitted  int64
	Duration time.Duration
	URL      string // final URL after in-scope redirects
}

// Client sends requests within the configured limits. It is safe for
// concurrent use.
type Client struct {
	cfg     Config
	scope   *scope
	http    *http.Client
	sem     chan struct{}
	limiter *rate.Limiter
	redact  map[string]bool
	exclude excluder
	// vars are the shell variables curl lines used for credential headers,
	// by name (replay.go).
	vars sync.Map

	requests, sent, recv, refused atomic.Int64
	health                        health
	breaker                       breaker
	throttle                      throttle
	routes                        routeNames

	// burstMu serialises bursts while they take their slots (burst.go).
	burstMu sync.Mutex
	// burstHook, set by tests only, runs when every request of a burst is
	// at the server but for its last byte.
	burstHook func()
}

// New returns a client for the configured target.
func New(cfg Config) (*Client, error) {
	cfg.defaults()
	sc, err := newScope(cfg.Base, cfg.Scope)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Concurrency * 2,
		MaxIdleConnsPerHost: cfg.Concurrency,
		IdleConnTimeout:     30 * time.Second,
		TLSHandshakeTimeout: cfg.Timeout,
		// Compressed bodies would hide the byte count and the cap; ask for
		// identity encoding.
		DisableCompression: true,
		TLSClientConfig:    &tls.Config{InsecureSkipVerify: cfg.Insecure}, //nolint:gosec // the user asked for --insecure
	}
	if cfg.Proxy != nil {
		tr.Proxy = http.ProxyURL(cfg.Proxy)
	}
	ex, err := newExcluder(cfg.Exclude)
	if err != nil {
		return nil, err
	}
	c := &Client{
		exclude:  ex,
		cfg:      cfg,
		scope:    sc,
		sem:      make(chan struct{}, cfg.Concurrency),
		redact:   map[string]bool{},
		breaker:  breaker{limit: cfg.CircuitTimeouts, timeout: cfg.Timeout},
		throttle: throttle{limit: cfg.Throttle429s, maxWait: cfg.MaxRetryWait},
	}
	for _, h := range append([]string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token", "X-Access-Token", "X-Csrf-Token"}, cfg.Redact...) {
		c.redact[http.CanonicalHeaderKey(h)] = true
	}
	if cfg.Rate > 0 {
		// A bucket of one token: a bucket of Rate tokens starts full and
		// lets the first second see twice the rate the user asked for.
		c.limiter = rate.NewLimiter(rate.Limit(cfg.Rate), 1)
	}
	c.http = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			follow, _ := req.Context().Value(followKey{}).(bool)
			if !follow || len(via) >= 5 {
				return http.ErrUseLastResponse
			}
			if !c.scope.allows(req.URL) {
				c.refused.Add(1)
				return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), ErrOutOfScope)
			}
			if c.exclude.match(req.URL.Path) {
				c.refused.Add(1)
				return fmt.Errorf("redirect to %s: %w", req.URL.Path, ErrExcluded)
			}
			if !c.cfg.Mode.AllowsMethod(req.Method) {
				c.refused.Add(1)
				return fmt.Errorf("redirect as %s: %w", req.Method, ErrModeForbids)
			}
			return nil
		},
	}
	return c, nil
}

type followKey struct{}

// Base returns the target URL.
func (c *Client) Base() *url.URL { u := *c.cfg.Base; return &u }

// Mode returns the scan mode the client enforces.
func (c *Client) Mode() rampart.Mode { return c.cfg.Mode }

// InScope reports whether a URL may be requested.
func (c *Client) InScope(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && c.scope.allows(u)
}

// Stats returns counts so far.
func (c *Client) Stats() rampart.Stats {
	return rampart.Stats{
		Requests:  c.requests.Load(),
		BytesSent: c.sent.Load(),
		BytesRecv: c.recv.Load(),
		Refused:   c.refused.Load(),
	}
}

// Resolve turns a path or URL into an absolute URL against the base.
func (c *Client) Resolve(ref string) string {
	u, err := c.cfg.Base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// Do sends one request within the limits and reads the response.
// Transport errors are returned; HTTP error statuses are not errors. A
// throttling answer (429, or 503 with Retry-After) is retried after its
// Retry-After, waiting on its route (see throttle), unless the request
// wants it; a route that keeps throttling is given up with ErrThrottled.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	u, method, err := c.guard(r, r.Login)
	if err != nil {
		return nil, err
	}
	route := c.routeOf(method, u, r)
	for attempt := 0; ; attempt++ {
		switch {
		case paced(r) && r.NoWait429:
			if err := c.throttle.allow(route); err != nil {
				return nil, err
			}
		case paced(r):
			if err := c.throttle.wait(ctx, route); err != nil {
				return nil, err
			}
		}
		resp, err := c.once(ctx, method, u, r, route)
		if err != nil {
			return nil, err
		}
		var (
			retry bool
			alone time.Duration
		)
		if r.Login && !r.Want429 {
			alone, retry = retryWait(resp, attempt)
			alone = min(alone, c.cfg.MaxRetryWait)
		} else if retry, alone, err = c.throttle.answered(route, resp, attempt, r.Want429, r.NoWait429); err != nil {
			return nil, err
		}
		if !retry || attempt >= c.cfg.Retries429 {
			return resp, nil
		}
		if alone > 0 {
			t := time.NewTimer(alone)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
	}
}

// paced reports whether a request waits on its route's Retry-After and
// is refused once the route is given up (see throttle).
func paced(r *Request) bool { return !r.Want429 && !r.Login }

// guard is the one place that decides whether a request may be sent: in
// scope, not excluded, and a method the mode allows (a configured login
// request is the only write a safe scan may send). It counts refusals.
func (c *Client) guard(r *Request, allowLogin bool) (*url.URL, string, error) {
	u, err := url.Parse(c.Resolve(r.URL))
	if err != nil {
		return nil, "", fmt.Errorf("request URL %q: %w", r.URL, err)
	}
	if !c.scope.allows(u) {
		c.refused.Add(1)
		return nil, "", fmt.Errorf("%s %s: %w", r.Method, u.Redacted(), ErrOutOfScope)
	}
	if c.exclude.match(u.Path) {
		c.refused.Add(1)
		return nil, "", fmt.Errorf("%s %s: %w", r.Method, u.Path, ErrExcluded)
	}
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = http.MethodGet
	}
	if !allowLogin && !c.cfg.Mode.AllowsMethod(method) {
		c.refused.Add(1)
		return nil, "", fmt.Errorf("%s %s in %s mode: %w", method, u.Path, c.cfg.Mode, ErrModeForbids)
	}
	return u, method, nil
}

func (c *Client) once(ctx context.Context, method string, u *url.URL, r *Request, route string) (*Response, error) {
	lone, err := c.breaker.enter(ctx, route)
	if err != nil {
		if errors.Is(err, ErrCircuitOpen) {
			c.health.gaveUp.Add(1)
		}
		return nil, err
	}
	how := notSent
	defer func() { c.breaker.leave(route, lone, how) }()
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, err
		}
	}
	// The circuit may have opened, or the route been given up, while this
	// request waited for its turn.
	if err := c.allow(route); err != nil {
		return nil, err
	}
	if paced(r) {
		if err := c.throttle.allow(route); err != nil {
			return nil, err
		}
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	if r.FollowRedirects {
		ctx = context.WithValue(ctx, followKey{}, true)
	}
	req, err := c.build(ctx, method, u, r)
	if err != nil {
		return nil, err
	}
	c.requests.Add(1)
	c.sent.Add(int64(len(r.Body)) + headerSize(req.Header) + int64(len(u.RequestURI())) + int64(len(method)) + 12)
	start := time.Now()
	what := method + " " + u.Path
	hr, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, ErrOutOfScope) || errors.Is(err, ErrModeForbids) || errors.Is(err, ErrExcluded) {
			return nil, err
		}
		err = c.failure(parent.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded), what, nil, err)
		how = outcomeOf(parent.Err(), err)
		return nil, err
	}
	defer hr.Body.Close()
	// The cap ends the read early on purpose (Truncated); anything else
	// that ends it before the body is complete is an error, never an answer.
	data, err := readBody(hr.Body, hr.ContentLength, c.cfg.MaxBody+1)
	elapsed := time.Since(start)
	if err != nil {
		err = c.failure(parent.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded), what, &bodyRead{n: len(data), of: hr.ContentLength}, err)
		how = outcomeOf(parent.Err(), err)
		return nil, err
	}
	c.health.answered(hr.StatusCode, hr.Header, hr.Request.URL)
	how = answered
	truncated := int64(len(data)) > c.cfg.MaxBody
	if truncated {
		data = data[:c.cfg.MaxBody]
	}
	c.recv.Add(int64(len(data)) + headerSize(hr.Header))
	resp := &Response{
		Request:    r,
		Method:     method,
		RequestURL: u.String(),
		Status:     hr.StatusCode,
		Proto:      hr.Proto,
		Header:     hr.Header,
		Body:       data,
		Truncated:  truncated,
		Duration:   elapsed,
		URL:        hr.Request.URL.String(),
	}
	if c.cfg.Observe != nil {
		c.cfg.Observe(resp)
	}
	return resp, nil
}

// build turns a checked Request into an http.Request: the same headers,
// default User-Agent and Host override for single requests and bursts.
func (c *Client) build(ctx context.Context, method string, u *url.URL, r *Request) (*http.Request, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
		req.Header.Del("Host")
	}
	return req, nil
}

func headerSize(h http.Header) int64 {
	var n int64
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

// allow refuses a request to a route whose circuit is open, and counts it.
func (c *Client) allow(route string) error {
	if err := c.breaker.allow(route); err != nil {
		c.health.gaveUp.Add(1)
		return err
	}
	return nil
}

// outcomeOf is how a failed request ended, for the breaker.
func outcomeOf(parentErr, err error) outcome {
	switch {
	case parentErr != nil:
		return notSent
	case errors.Is(err, ErrTimeout):
		return timedOut
	}
	return failed
}

// ErrTimeout is wrapped by the error of a request that ran out of time,
// before the answer began or while its body was being read.
var ErrTimeout = errors.New("timed out")

// ErrCutShort is wrapped by the error of an answer whose body ended before
// it was complete: the connection closed before Content-Length was
// reached, a chunked body broke off, the connection was reset.
var ErrCutShort = errors.New("body cut short")

// bodyRead says how far a body was read when it failed.
type bodyRead struct {
	n  int
	of int64 // Content-Length, -1 when unknown
}

func (b *bodyRead) String() string {
	if b.of >= 0 {
		return fmt.Sprintf("%d of %d bytes", b.n, b.of)
	}
	return fmt.Sprintf("%d bytes", b.n)
}

// failure turns a transport error into the request's error and counts it
// against the target, unless the scan itself was stopped (parentErr): an
// interrupt is not the target's failure. body is set when the answer had
// begun. Messages name the method and path, never the query.
func (c *Client) failure(parentErr error, timedOut bool, what string, body *bodyRead, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the whole URL
	}
	if parentErr != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	c.health.failed.Add(1)
	var ne net.Error
	if timedOut || (errors.As(err, &ne) && ne.Timeout()) {
		c.health.timeouts.Add(1)
		if body != nil {
			return fmt.Errorf("%s: %w after %s, %s of the body read", what, ErrTimeout, c.cfg.Timeout, body)
		}
		return fmt.Errorf("%s: %w after %s", what, ErrTimeout, c.cfg.Timeout)
	}
	if body != nil {
		return fmt.Errorf("%s: %w after %s (%w)", what, ErrCutShort, body, short(err))
	}
	return fmt.Errorf("%s: %w", what, short(err))
}

// shortErr keeps a transport error for errors.Is and gives it a short
// message: Go's names both ends' addresses, which differ on every run and
// say nothing to the reader.
type shortErr struct {
	msg string
	err error
}

func (e *shortErr) Error() string { return e.msg }
func (e *shortErr) Unwrap() error { return e.err }

func short(err error) error {
	var op *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return &shortErr{"connection reset", err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &shortErr{"connection refused", err}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &shortErr{"connection closed", err}
	case errors.As(err, &op) && op.Err != nil:
		return &shortErr{op.Err.Error(), err}
	}
	return err
}
