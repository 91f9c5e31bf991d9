// Package cdp drives Debian's headless Chromium over the DevTools protocol
// for the browser tests: the HTML report opened from file:// and the
// dashboard served over http on loopback. Its only users are tests, so its
// functions take a testing.TB and fail the test instead of returning errors.
//
// The protocol runs on a pipe (--remote-debugging-pipe: JSON messages ended
// by a NUL byte on file descriptors 3 and 4), which needs no port and no
// WebSocket library.
package cdp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Generous bounds: CI runs the browser on 2 busy cores under -race.
const (
	lifetime    = 120 * time.Second // the whole browser, then it is killed
	callTimeout = 30 * time.Second  // one command's answer, one page load
)

// Browser is one headless Chromium process, closed when the test ends.
type Browser struct {
	w      *os.File
	stderr bytes.Buffer

	writeMu sync.Mutex // a message can exceed PIPE_BUF: one writer at a time

	mu      sync.Mutex
	nextID  int
	pending map[int]chan message
	events  []message // every event of every tab, in arrival order
	newEv   chan struct{}
	done    chan struct{}
}

type message struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

var errGone = errors.New("chromium went away")

// binary finds Debian's chromium. Without it the browser tests skip,
// except in CI (CI set), where a missing browser is a broken setup.
func binary(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI must run the browser test")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium)")
	return ""
}

// Launch starts a headless Chromium for the rest of the test. It skips the
// test in -short mode and when chromium is missing (fails instead when CI
// is set). When the test has failed, Chromium's stderr is logged.
func Launch(t testing.TB) *Browser {
	t.Helper()
	bin := binary(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	profile := filepath.Join(t.TempDir(), "profile")
	ctx, cancel := context.WithTimeout(context.Background(), lifetime)
	t.Cleanup(cancel)
	toChrome, ours, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromChrome, theirs, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-quic", "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
		"--remote-debugging-pipe",
		"--user-data-dir="+profile,
		"about:blank",
	)
	cmd.ExtraFiles = []*os.File{toChrome, theirs} // fd 3: Chromium reads; fd 4: Chromium writes
	b := &Browser{w: ours, pending: map[int]chan message{}, newEv: make(chan struct{}, 1), done: make(chan struct{})}
	cmd.Stderr = &b.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	toChrome.Close()
	theirs.Close()
	go b.read(fromChrome)
	t.Cleanup(func() {
		b.call("", "Browser.close", nil, nil) // best effort: killed below otherwise
		ours.Close()
		wait := make(chan struct{})
		go func() { cmd.Wait(); close(wait) }()
		select {
		case <-wait:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-wait
		}
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", tail(b.stderr.String(), 3000))
		}
	})
	return b
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (b *Browser) read(r *os.File) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m message
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		if m.Method == "Page.javascriptDialogOpening" {
			// A dialog blocks its page, and so every later command on it:
			// dismiss it so that AssertClean can report it instead of the
			// test stalling. Not from this goroutine, which reads the answer.
			go b.call(m.SessionID, "Page.handleJavaScriptDialog", map[string]any{"accept": false}, nil)
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				ch <- m
				delete(b.pending, m.ID)
			}
		} else {
			b.events = append(b.events, m)
			select {
			case b.newEv <- struct{}{}:
			default:
			}
		}
		b.mu.Unlock()
	}
}

// call sends a command (to a tab's session, or to the browser when session
// is empty), waits for its answer and decodes its result into result.
func (b *Browser) call(session, method string, params, result any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan message, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	b.writeMu.Lock()
	_, err = b.w.Write(append(data, 0))
	b.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
		}
		return nil
	case <-b.done:
		return fmt.Errorf("%s: %w", method, errGone)
	case <-time.After(callTimeout):
		return fmt.Errorf("%s: no answer in %v", method, callTimeout)
	}
}

// must is call for the test goroutine: a failed command ends the test.
func (b *Browser) must(t testing.TB, session, method string, params, result any) {
	t.Helper()
	if err := b.call(session, method, params, result); err != nil {
		t.Fatal(err)
	}
}
