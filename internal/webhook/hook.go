package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
)

// Hook is one destination.
type Hook struct {
	URL    string
	Format Format
	// Secret signs JSON requests (SignatureHeader); Slack's format is never
	// signed: Slack does not read the header, and its URL is the secret.
	Secret []byte
}

// NewHook checks a destination: an http or https URL with a host.
func NewHook(raw string, f Format, secret []byte) (Hook, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Never the URL itself: a Slack webhook URL is a credential.
		return Hook{}, fmt.Errorf("webhook URL: want http:// or https:// and a host")
	}
	if u.User != nil {
		return Hook{}, fmt.Errorf("webhook URL: credentials in the URL are not sent; use a secret to sign instead")
	}
	return Hook{URL: raw, Format: f, Secret: secret}, nil
}

// ID names a hook without showing its URL (which, for Slack, is itself a
// credential): queued deliveries carry it, and every worker given the same
// hook finds it again.
func (h Hook) ID() string {
	sum := sha256.Sum256([]byte(string(h.Format) + " " + h.URL))
	return string(h.Format) + "-" + hex.EncodeToString(sum[:6])
}
