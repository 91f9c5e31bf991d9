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
	Concurrency int           // requests in flight at once; default 8
	Rate        float64       // requests per second; 0 means no pacing
	Timeout     time.Duration // per request; default 10s
	MaxBody     int64         // bytes of a response body kept; default 2 MiB
	Insecure    bool          // skip TLS verification
	Proxy       *url.URL
	UserAgent   string
	// Exclude lists path globs never to request (see excluder).
	Exclude []string
	// Redact names extra headers whose values never appear in evidence.
	Redact []string
	// Retries429 is how many times a 429 or 503 with Retry-After is retried;
	// default 3. Retry waits are capped by MaxRetryWait (default 30s).
	Retries429   int
	MaxRetryWait time.Duration
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
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = 30 * time.Second
	}
	if c.UserAgent == "" {
		c.UserAgent = "rampart"
	}
}
