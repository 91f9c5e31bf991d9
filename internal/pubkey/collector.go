package pubkey

import "sync"

// maxKeys bounds the keys one scan keeps.
const maxKeys = 16

// Collector keeps the public keys one scan meets: those the user gave,
// those in the source tree, and those answers show (fed by Observe from
// the engine's observer, so that pages read while discovering the surface
// count too). Safe for concurrent use; a nil Collector keeps nothing.
type Collector struct {
	mu   sync.Mutex
	keys []Key
	seen map[string]bool
}

// NewCollector returns an empty collector.
func NewCollector() *Collector { return &Collector{seen: map[string]bool{}} }

// Add keeps keys not seen before, up to the scan's bound; the first
// origin of a key is the one kept.
func (c *Collector) Add(keys ...Key) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		der := k.DER()
		if der == nil || c.seen[string(der)] || len(c.keys) >= maxKeys {
			continue
		}
		c.seen[string(der)] = true
		c.keys = append(c.keys, k)
	}
}

// Observe keeps the keys an answer's body shows; where is the request
// ("GET http://host/page").
func (c *Collector) Observe(where string, body []byte) {
	if c == nil || len(body) == 0 {
		return
	}
	keys := Find(body)
	for i := range keys {
		keys[i].Source, keys[i].Where = FromAnswer, where
	}
	c.Add(keys...)
}

// Keys returns the keys kept, in the order of Source's preference: those
// the user gave, then the tree's, the JWKS', the answers'.
func (c *Collector) Keys() []Key {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Key
	for _, s := range []Source{FromConfig, FromTree, FromJWKS, FromAnswer} {
		for _, k := range c.keys {
			if k.Source == s {
				out = append(out, k)
			}
		}
	}
	return out
}
