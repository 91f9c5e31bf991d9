package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultTimeout bounds one delivery, the answer's body included.
const DefaultTimeout = 10 * time.Second

// maxDrain is what is read of an answer's body, so that the connection can
// be reused; the body itself is never shown.
const maxDrain = 64 << 10

// Sender posts events.
type Sender struct {
	client    *http.Client
	userAgent string
	now       func() time.Time
}

// NewSender returns a sender whose requests time out after timeout and
// follow redirects only on the hook's own scheme and host: a receiver
// cannot bounce the event, and its signature, to somewhere else.
func NewSender(timeout time.Duration, userAgent string) *Sender {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c := &http.Client{
		Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("more than 3 redirects")
			}
			if req.URL.Scheme != via[0].URL.Scheme || req.URL.Host != via[0].URL.Host {
				return errRedirect
			}
			return nil
		},
	}
	return &Sender{client: c, userAgent: userAgent, now: time.Now}
}

// errRedirect is a redirect to another scheme or host: the receiver is
// misconfigured, and trying again will not change it.
var errRedirect = errors.New("redirect to another host refused")

// Error is a failed delivery. Temporary ones (a timeout, a refused
// connection, 5xx, 429) are worth retrying; others (a 4xx: the receiver
// refuses this request) are not.
type Error struct {
	Status    int // 0 when there was no answer
	Temporary bool
	Err       error
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("webhook answered %d", e.Status)
	}
	return "webhook: " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Send posts ev to h. A nil error means a 2xx answer.
func (s *Sender) Send(ctx context.Context, h Hook, ev Event) error {
	body, err := Body(h.Format, ev)
	if err != nil {
		return &Error{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return &Error{Err: errors.New("cannot build the request: check the webhook URL")}
	}
	req.Header.Set("Content-Type", "application/json")
	if s.userAgent != "" {
		req.Header.Set("User-Agent", s.userAgent)
	}
	if h.Format == JSON {
		req.Header.Set(EventHeader, ev.Event)
		if len(h.Secret) > 0 {
			now := s.now()
			req.Header.Set(TimestampHeader, fmt.Sprint(now.Unix()))
			req.Header.Set(SignatureHeader, Sign(h.Secret, now, body))
		}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// *url.Error names the URL, which may be a credential: keep only
		// what went wrong.
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && ue.Unwrap() != nil {
			err = ue.Unwrap()
		}
		return &Error{Temporary: ctx.Err() == nil && !errors.Is(err, errRedirect), Err: err}
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return &Error{Status: resp.StatusCode, Temporary: true, Err: errors.New(resp.Status)}
	}
	return &Error{Status: resp.StatusCode, Err: errors.New(resp.Status)}
}
