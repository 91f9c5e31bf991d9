package engine

import (
	"net/url"
	"time"

	"github.com/rampart-sec/rampart"
)

// Config sets the client's limits. Zero values get safe defaults.
type Config struct {
	// Base is the target; its scheme, host and port are always in scope.
	Base *url.URL
	// Scope lists extra hosts: "host" (any port) or "host:port".
	Scope []string
	// Mode decides which methods may be sent; see rampart.Mode.AllowsMethod.
	Mode        rampart.Mode
	Concurrency int // requests in flight at once; default 8
	// Rate is requests per second; 0 means no pacing. The pacing is exact
	// from the first request: the token bucket holds one token, so no
	// second sees more than Rate+1 requests, except that a burst (see
	// Client.Burst) sends the tokens it waited for all at once.
	Rate float64
	// Timeout bounds a whole exchange, from dialling to the last byte of
	// the body; default 10s.
	Timeout   time.Duration
	MaxBody   int64 // bytes of a response body kept; default 2 MiB
	Insecure  bool  // skip TLS verification
	Proxy     *url.URL
	UserAgent string
	// Exclude lists path globs never to request (see excluder).
	Exclude []string
	// Redact names extra headers whose values never appear in evidence.
	Redact []string
	// Retries429 is how many times one request is retried after a 429 or a
	// 503 with Retry-After; default 3. A Retry-After longer than
	// MaxRetryWait (default 30s) is not waited for: the route is given up
	// at once (ErrThrottled).
	Retries429   int
	MaxRetryWait time.Duration
	// Throttle429s is how many consecutive 429s (or 503s with Retry-After)
	// on one route (see Request.Route), whichever requests got them, stop
	// further requests to it with ErrThrottled; default 3, negative: never.
	Throttle429s int
	// CircuitTimeouts is how many consecutive timeouts on one route (see
	// Request.Route) stop further requests to it with ErrCircuitOpen;
	// default 3, negative: never.
	CircuitTimeouts int
	// Observe, when set, sees every response (the fingerprint learns from
	// all traffic, not only from what a check looks at).
	Observe func(*Response)
}

func (c *Config) defaults() {
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 2 << 20
	}
	if c.Retries429 < 0 {
		c.Retries429 = 0
	} else if c.Retries429 == 0 {
		c.Retries429 = 3
	}
	if c.CircuitTimeouts < 0 {
		c.CircuitTimeouts = 0
	} else if c.CircuitTimeouts == 0 {
		c.CircuitTimeouts = 3
	}
	if c.Throttle429s < 0 {
		c.Throttle429s = 0
	} else if c.Throttle429s == 0 {
		c.Throttle429s = 3
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = 30 * time.Second
	}
	if c.UserAgent == "" {
		c.UserAgent = "rampart"
	}
}
