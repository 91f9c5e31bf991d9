package engine

import (
	"bufio"
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
	"time"
)

// ErrBurstTooLarge is returned, without sending anything, for a burst of
// more requests than the scan's concurrency allows: a burst holds one
// connection per request open at once, and --concurrency is the user's
// bound on that.
var ErrBurstTooLarge = errors.New("burst larger than the scan's concurrency")

// ErrBurstProxy is returned, without sending anything, when the scan goes
// through a proxy: last-byte synchronisation needs a direct connection per
// request, which a proxy would re-send on its own schedule.
var ErrBurstProxy = errors.New("synchronised bursts need a direct connection (a proxy is configured)")

// BurstResult is the outcome of one request of a burst.
type BurstResult struct {
	Resp *Response
	Err  error
}

// MaxBurst is the largest burst Burst accepts: the scan's concurrency.
func (c *Client) MaxBurst() int { return c.cfg.Concurrency }

// Burst sends every request at the same moment, the way race conditions are
// provoked by hand (Burp's "last-byte sync"): it opens one connection per
// request, writes each request except its final byte, and only when every
// request is waiting at the server does it write the final bytes, one right
// after the other. The server then starts handling all of them within
// microseconds, so check-then-act code sees them interleaved.
//
// The same guards as Do apply, to every request, before anything is sent:
// scope, excluded paths, mode (a safe scan cannot burst a POST) and open
// circuits. A burst counts its requests and bytes in Stats and its answers
// in Health, and holds one concurrency slot per request. With a rate set,
// it takes one token per request before it sends anything, then sends them
// all at once: the average rate holds, but a burst larger than the rate is
// that many requests in the same instant (a race needs them together).
// Responses are not
// retried on 429 (a retry would not be synchronised) and redirects are not
// followed. The returned slice has one result per request, in order; the
// error is set only when nothing could be sent.
func (c *Client) Burst(ctx context.Context, reqs []*Request) ([]BurstResult, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	if len(reqs) > c.cfg.Concurrency {
		return nil, fmt.Errorf("%d requests, --concurrency %d: %w", len(reqs), c.cfg.Concurrency, ErrBurstTooLarge)
	}
	if c.cfg.Proxy != nil {
		return nil, ErrBurstProxy
	}
	prepared := make([]*burstConn, len(reqs))
	for i, r := range reqs {
		bc, err := c.prepareBurst(r)
		if err != nil {
			return nil, err
		}
		prepared[i] = bc
	}

	// Acquire every slot under one lock: two bursts each holding half of
	// the slots would otherwise wait for each other forever.
	c.burstMu.Lock()
	held := 0
	for held < len(reqs) {
		select {
		case c.sem <- struct{}{}:
			held++
		case <-ctx.Done():
			c.burstMu.Unlock()
			for ; held > 0; held-- {
				<-c.sem
			}
			return nil, ctx.Err()
		}
	}
	c.burstMu.Unlock()
	defer func() {
		for i := 0; i < held; i++ {
			<-c.sem
		}
	}()
	if c.limiter != nil {
		for range reqs {
			if err := c.limiter.Wait(ctx); err != nil {
				return nil, fmt.Errorf("burst: %w", err)
			}
		}
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	// Open the connections and write everything but the last byte.
	var wg sync.WaitGroup
	for _, bc := range prepared {
		wg.Add(1)
		go func(bc *burstConn) {
			defer wg.Done()
			bc.open(ctx, parent, c, deadline)
		}(bc)
	}
	wg.Wait()
	closeAll := func() {
		for _, bc := range prepared {
			if bc.conn != nil {
				bc.conn.Close()
			}
		}
	}
	defer closeAll()
	// An interrupted scan must not wait for the deadline of a read: closing
	// the connections ends every pending read at once.
	stop := context.AfterFunc(ctx, closeAll)
	defer stop()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("burst: %w", err)
	}
	if c.burstHook != nil {
		c.burstHook()
	}

	// Release: the final bytes go out back to back, from one goroutine, so
	// the spread between the first and the last is a few write calls.
	start := time.Now()
	for _, bc := range prepared {
		if bc.err != nil {
			continue
		}
		if _, err := bc.conn.Write(bc.raw[len(bc.raw)-1:]); err != nil {
			bc.err = c.failure(parent.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded), bc.what(), nil, fmt.Errorf("write: %w", err))
			continue
		}
		bc.sent = true
		c.requests.Add(1)
		c.sent.Add(int64(len(bc.raw)))
	}

	for _, bc := range prepared {
		if bc.err != nil || !bc.sent {
			continue
		}
		wg.Add(1)
		go func(bc *burstConn) {
			defer wg.Done()
			bc.read(ctx, parent, c, start)
		}(bc)
	}
	wg.Wait()

	out := make([]BurstResult, len(prepared))
	sentAny := false
	for i, bc := range prepared {
		switch {
		case bc.resp != nil:
			c.breaker.leave(bc.route, false, answered)
		case bc.err != nil:
			c.breaker.leave(bc.route, false, outcomeOf(parent.Err(), bc.err))
		}
		out[i] = BurstResult{Resp: bc.resp, Err: bc.err}
		if bc.resp != nil {
			sentAny = true
			if c.cfg.Observe != nil {
				c.cfg.Observe(bc.resp)
			}
		}
	}
	if !sentAny {
		for _, r := range out {
			if r.Err != nil {
				return out, fmt.Errorf("burst: every request failed: %w", r.Err)
			}
		}
	}
	return out, nil
}

// burstConn is one request of a burst and its connection.
type burstConn struct {
	req    *Request
	method string
	route  string
	u      *url.URL
	hreq   *http.Request
	raw    []byte

	conn net.Conn
	sent bool
	resp *Response
	err  error
}

// prepareBurst applies Do's guards and serialises the request.
func (c *Client) prepareBurst(r *Request) (*burstConn, error) {
	// A login request is never burst: Login does not widen the mode here.
	u, method, err := c.guard(r, false)
	if err != nil {
		return nil, fmt.Errorf("burst: %w", err)
	}
	route := c.routeOf(method, u, r)
	if err := c.allow(route); err != nil {
		return nil, fmt.Errorf("burst: %w", err)
	}
	// A burst never waits on a Retry-After and its 429s do not count (it
	// provokes them), but it is not sent to a route given up unless its
	// requests want the 429.
	if !r.Want429 {
		if err := c.throttle.allow(route); err != nil {
			return nil, fmt.Errorf("burst: %w", err)
		}
	}
	hreq, err := c.build(context.Background(), method, u, r)
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Accept-Encoding", "identity")
	// One request per connection: the response ends when the server closes
	// it or when Content-Length says so, whichever the server does.
	hreq.Close = true
	var buf bytes.Buffer
	if err := hreq.Write(&buf); err != nil {
		return nil, fmt.Errorf("serialise request: %w", err)
	}
	if buf.Len() < 2 {
		return nil, fmt.Errorf("serialise request: %d bytes", buf.Len())
	}
	return &burstConn{req: r, method: method, route: route, u: u, hreq: hreq, raw: buf.Bytes()}, nil
}

// open dials and writes all but the last byte.
func (bc *burstConn) open(ctx, parent context.Context, c *Client, deadline time.Time) {
	addr := net.JoinHostPort(bc.u.Hostname(), effectivePort(bc.u))
	d := net.Dialer{Timeout: c.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		bc.err = c.failure(parent.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded), bc.what(), nil, err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		// The final byte must leave at once, not wait for Nagle's timer.
		_ = tc.SetNoDelay(true)
	}
	if strings.EqualFold(bc.u.Scheme, "https") {
		tconn := tls.Client(conn, &tls.Config{
			ServerName:         bc.u.Hostname(),
			InsecureSkipVerify: c.cfg.Insecure, //nolint:gosec // the user asked for --insecure
			NextProtos:         []string{"http/1.1"},
		})
		if err := tconn.HandshakeContext(ctx); err != nil {
			conn.Close()
			bc.err = c.failure(parent.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded), bc.what(), nil, fmt.Errorf("TLS: %w", err))
			return
		}
		conn = tconn
	}
	_ = conn.SetDeadline(deadline)
	bc.conn = conn
	if _, err := conn.Write(bc.raw[:len(bc.raw)-1]); err != nil {
		bc.err = c.failure(parent.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded), bc.what(), nil, fmt.Errorf("write: %w", err))
	}
}

// read reads the response up to the body cap. The connection's deadline
// is the burst's timeout, so a read that runs out of time is a timeout.
func (bc *burstConn) read(ctx, parent context.Context, c *Client, start time.Time) {
	br := bufio.NewReader(bc.conn)
	hr, err := http.ReadResponse(br, bc.hreq)
	if err != nil {
		bc.err = c.failure(parent.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded), bc.what(), nil, fmt.Errorf("read response: %w", err))
		return
	}
	defer hr.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hr.Body, c.cfg.MaxBody+1))
	elapsed := time.Since(start)
	if err != nil {
		bc.err = c.failure(parent.Err(), errors.Is(ctx.Err(), context.DeadlineExceeded), bc.what(), &bodyRead{n: len(data), of: hr.ContentLength}, err)
		return
	}
	c.health.answered(hr.StatusCode, hr.Header, bc.u)
	truncated := int64(len(data)) > c.cfg.MaxBody
	if truncated {
		data = data[:c.cfg.MaxBody]
	}
	c.recv.Add(int64(len(data)) + headerSize(hr.Header))
	bc.resp = &Response{
		Request:    bc.req,
		Method:     bc.method,
		RequestURL: bc.u.String(),
		Status:     hr.StatusCode,
		Proto:      hr.Proto,
		Header:     hr.Header,
		Body:       data,
		Truncated:  truncated,
		Duration:   elapsed,
		URL:        bc.u.String(),
	}
}

func (bc *burstConn) what() string { return bc.method + " " + bc.u.Path }
