package redact

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Redactor redacts the current secrets of a scan's identities. Tokens and
// cookies a login flow obtains change during a scan, so the secrets are
// read from their sources each time a snapshot is taken: the report when
// it is finished, a message when it is printed. It is safe for concurrent
// use.
type Redactor struct {
	warn func(msg string)

	mu      sync.Mutex
	sources []source
	key     string // the secrets of the last snapshot, joined
	last    *Set
	warned  map[string]bool // identities already warned about
	notes   []string        // the warnings, for the report
}

type source struct {
	name    string
	secrets func() []string
}

// NewRedactor returns a redactor with no sources. warn, when not nil, is
// told once per identity that it holds a secret too short to be redacted.
func NewRedactor(warn func(msg string)) *Redactor {
	return &Redactor{warn: warn, warned: map[string]bool{}}
}

// Add registers the secrets of one identity; secrets is called at every
// snapshot, so it must return the identity's current values (and the
// earlier ones: a token from before a re-login may already be in the
// evidence).
func (r *Redactor) Add(name string, secrets func() []string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sources = append(r.sources, source{name: name, secrets: secrets})
}

// Snapshot returns the set of every secret the sources hold now.
func (r *Redactor) Snapshot() *Set {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	var all, warnings []string
	for _, src := range r.sources {
		vals := src.secrets()
		if short := Short(vals); len(short) > 0 && !r.warned[src.name] {
			r.warned[src.name] = true
			msg := fmt.Sprintf("identity %s: %s shorter than %d characters cannot be redacted reliably and may appear in the report",
				src.name, plural(len(dedupe(short)), "credential value"), MinLen)
			r.notes = append(r.notes, msg)
			warnings = append(warnings, msg)
		}
		all = append(all, vals...)
	}
	all = dedupe(all)
	if key := strings.Join(all, "\x00"); r.last == nil || key != r.key {
		r.key, r.last = key, New(all...)
	}
	set := r.last
	r.mu.Unlock()
	// Outside the lock: warn may write to a redacting writer.
	if r.warn != nil {
		for _, msg := range warnings {
			r.warn(msg)
		}
	}
	return set
}

// Notes returns the warnings given so far, for the report's notes.
func (r *Redactor) Notes() []string {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.notes)
}

// String redacts one message with the current secrets.
func (r *Redactor) String(s string) string { return r.Snapshot().String(s) }

// Error wraps err so that its message is redacted, with the secrets current
// when it is printed; errors.Is and errors.As still see err.
func (r *Redactor) Error(err error) error {
	var re *redactedError
	if err == nil || r == nil || (errors.As(err, &re) && re.r == r) {
		return err
	}
	return &redactedError{err: err, r: r}
}

type redactedError struct {
	err error
	r   *Redactor
}

func (e *redactedError) Error() string { return e.r.String(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// Writer returns a writer that redacts each write before passing it to w.
// A secret split across two writes is not seen: write whole lines.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &writer{r: r, w: w} }

type writer struct {
	r *Redactor
	w io.Writer
}

func (w *writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func dedupe(vals []string) []string {
	out := slices.Clone(vals)
	slices.Sort(out)
	return slices.Compact(out)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
