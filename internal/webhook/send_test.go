package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestSendSigned: a JSON delivery carries the event, the event header and
// a signature the receiver can check with the shared secret.
func TestSendSigned(t *testing.T) {
	secret := []byte("shared")
	var got Event
	var verr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verr = Verify(secret, r.Header.Get(SignatureHeader), r.Header.Get(TimestampHeader), body, time.Now(), time.Minute)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get(EventHeader) != EventScanCompleted {
			verr = errors.New("not a JSON POST of scan.completed: " + r.Method + " " + r.Header.Get("Content-Type"))
		}
		json.Unmarshal(body, &got)
	}))
	defer srv.Close()
	h, err := NewHook(srv.URL, JSON, secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := NewSender(time.Minute, "rampart/test").Send(context.Background(), h, sampleEvent()); err != nil {
		t.Fatal(err)
	}
	if verr != nil {
		t.Fatalf("receiver: %v", verr)
	}
	if got != sampleEvent() {
		t.Errorf("received %+v, want %+v", got, sampleEvent())
	}
}

// TestSendUnsigned: without a secret, and for Slack, no signature headers.
func TestSendUnsigned(t *testing.T) {
	var headers http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { headers = r.Header.Clone() }))
	defer srv.Close()
	for _, h := range []Hook{{URL: srv.URL, Format: JSON}, {URL: srv.URL, Format: Slack, Secret: []byte("ignored")}} {
		if err := NewSender(time.Minute, "").Send(context.Background(), h, sampleEvent()); err != nil {
			t.Fatal(err)
		}
		if headers.Get(SignatureHeader) != "" || headers.Get(TimestampHeader) != "" {
			t.Errorf("%s hook: signature headers sent: %v", h.Format, headers)
		}
	}
}

func TestSendErrors(t *testing.T) {
	hold := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "secret internals", 500) })
	mux.HandleFunc("/429", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) })
	mux.HandleFunc("/404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		// Read, so that the server notices the client hanging up.
		io.ReadAll(r.Body)
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	})
	var other atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { other.Add(1) }))
	defer elsewhere.Close()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/x", http.StatusTemporaryRedirect)
	})
	var here atomic.Int32
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusPermanentRedirect) })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			here.Add(1)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(hold)
	s := NewSender(500*time.Millisecond, "")
	for _, tc := range []struct {
		path      string
		ok        bool
		status    int
		temporary bool
	}{
		{"/ok", true, 0, false},
		{"/moved", true, 0, false}, // same host: followed, still a POST
		{"/500", false, 500, true},
		{"/429", false, 429, true},
		{"/404", false, 404, false},
		{"/slow", false, 0, true},
		{"/away", false, 0, false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			err := s.Send(context.Background(), Hook{URL: srv.URL + tc.path, Format: JSON}, sampleEvent())
			if tc.ok {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("Send = %v, want a *webhook.Error", err)
			}
			if we.Status != tc.status || we.Temporary != tc.temporary {
				t.Errorf("Send = %+v, want status %d temporary %v", we, tc.status, tc.temporary)
			}
			// Errors are shown to users: never the answer's body, never the
			// URL (a Slack URL is a credential).
			for _, leak := range []string{"secret internals", srv.URL, "127.0.0.1"} {
				if msg := err.Error(); contains(msg, leak) {
					t.Errorf("error %q shows %q", msg, leak)
				}
			}
		})
	}
	if other.Load() != 0 {
		t.Error("a redirect to another host was followed")
	}
	if here.Load() != 2 {
		t.Errorf("/ok got %d POSTs, want 2 (direct and after the same-host redirect)", here.Load())
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestNewHook(t *testing.T) {
	for _, bad := range []string{"", "ftp://x/y", "http://", "/relative", "http://user:pw@127.0.0.1/"} {
		if _, err := NewHook(bad, JSON, nil); err == nil {
			t.Errorf("NewHook(%q): no error", bad)
		} else if len(bad) > len("https://") && contains(err.Error(), bad) {
			t.Errorf("NewHook(%q): error %q shows the URL", bad, err)
		}
	}
	a, _ := NewHook("https://hooks.slack.test/T/B/secret", Slack, nil)
	b, _ := NewHook("https://hooks.slack.test/T/B/secret", Slack, []byte("x"))
	c, _ := NewHook("https://hooks.slack.test/T/B/secret", JSON, nil)
	if a.ID() != b.ID() || a.ID() == c.ID() {
		t.Errorf("IDs %s %s %s: want the same for the same URL and format, another for another format", a.ID(), b.ID(), c.ID())
	}
	if contains(a.ID(), "secret") {
		t.Errorf("ID %s shows the URL", a.ID())
	}
}
