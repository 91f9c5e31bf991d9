package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed request. The signature covers the timestamp and
// the body, so a captured request cannot be replayed later with a new
// timestamp.
const (
	SignatureHeader = "X-Rampart-Signature"
	TimestampHeader = "X-Rampart-Timestamp"
	EventHeader     = "X-Rampart-Event"
)

// Sign is the value of the signature header for body sent at ts:
// "sha256=" and the hex HMAC-SHA256, under secret, of "<unix ts>.<body>".
func Sign(secret []byte, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "%d.", ts.Unix())
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is a request whose signature does not match.
var ErrBadSignature = errors.New("webhook signature does not match")

// Verify checks a received request's signature and timestamp headers, as a
// receiver should: the signature compared in constant time, the timestamp
// within tolerance of now.
func Verify(secret []byte, signature, timestamp string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook timestamp: want Unix seconds: %w", ErrBadSignature)
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook timestamp is %v away from now: %w", d.Round(time.Second), ErrBadSignature)
	}
	if !strings.HasPrefix(signature, "sha256=") {
		return ErrBadSignature
	}
	if !hmac.Equal([]byte(signature), []byte(Sign(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}
