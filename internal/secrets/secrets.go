// Package secrets holds the candidate keys Rampart tries against Flask
// session cookies and JWTs (a short embedded list of documented defaults
// and tutorial placeholders, plus the user's --wordlist), a cracker that
// tests them on every core, and the masking that keeps a cracked key out
// of reports unless --show-secrets is given.
package secrets

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"iter"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/internal/inputfile"
)

//go:embed flask.txt jwt.txt
var lists embed.FS

var (
	flaskOnce, jwtOnce sync.Once
	flaskKeys, jwtKeys [][]byte
)

func parseList(name string) [][]byte {
	data, err := lists.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time
	}
	var out [][]byte
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, Line(line))
	}
	return out
}

// Flask returns the embedded Flask SECRET_KEY candidates, most likely first.
func Flask() [][]byte {
	flaskOnce.Do(func() { flaskKeys = dedupe(parseList("flask.txt")) })
	return flaskKeys
}

// JWT returns the embedded JWT candidates followed by the Flask ones
// (Flask-JWT-Extended signs with SECRET_KEY when JWT_SECRET_KEY is unset).
func JWT() [][]byte {
	jwtOnce.Do(func() { jwtKeys = dedupe(append(parseList("jwt.txt"), Flask()...)) })
	return jwtKeys
}

func dedupe(in [][]byte) [][]byte {
	seen := map[string]bool{}
	var out [][]byte
	for _, k := range in {
		if !seen[string(k)] {
			seen[string(k)] = true
			out = append(out, k)
		}
	}
	return out
}

// Candidates is an ordered source of keys: First (the embedded list and
// anything learned during the scan), then each line of Wordlist.
type Candidates struct {
	First    [][]byte
	Wordlist string

	mu  sync.Mutex
	err error
}

// All yields every candidate. A wordlist that cannot be read ends the
// sequence early; Err says why.
func (c *Candidates) All() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for _, k := range c.First {
			if !yield(k) {
				return
			}
		}
		if c.Wordlist == "" {
			return
		}
		f, err := inputfile.Open(c.Wordlist, inputfile.MaxWordlist)
		if err != nil {
			c.setErr(fmt.Errorf("wordlist: %w", err))
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				continue
			}
			if !yield(Line(line)) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			c.setErr(fmt.Errorf("wordlist %s: %w", c.Wordlist, err))
		}
	}
}

func (c *Candidates) setErr(err error) {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
}

// Err is the error that ended All early, if any.
func (c *Candidates) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// CheckWordlist reports whether a wordlist file can be read, so a scan
// fails on a typo, a FIFO, a device or an oversized file before sending a
// request. Opening (not only stat-ing) also catches a file we may not read;
// inputfile opens without blocking, so a FIFO is refused, not waited on.
func CheckWordlist(path string) error {
	f, err := inputfile.Open(path, inputfile.MaxWordlist)
	if err != nil {
		return err
	}
	return f.Close()
}

// Repr writes a key as Python would: readable text in quotes, or a bytes
// literal when it is not printable UTF-8.
func Repr(key []byte) string {
	printable := utf8.Valid(key)
	if printable {
		for _, r := range string(key) {
			if !unicode.IsPrint(r) {
				printable = false
				break
			}
		}
	}
	if printable {
		return "'" + strings.ReplaceAll(strings.ReplaceAll(string(key), `\`, `\\`), "'", `\'`) + "'"
	}
	var b bytes.Buffer
	b.WriteString("b'")
	for _, c := range key {
		switch {
		case c == '\\' || c == '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Mask shows enough of a key to recognise it (its first quarter, at most
// four characters, and its length) and hides the rest.
func Mask(key []byte) string {
	r := []rune(string(key))
	if !utf8.Valid(key) {
		r = []rune(strings.ToValidUTF8(string(key), "?"))
	}
	show := len(r) / 4
	if show < 1 && len(r) >= 3 {
		show = 1
	}
	if show > 4 {
		show = 4
	}
	var b strings.Builder
	for _, c := range r[:show] {
		if unicode.IsPrint(c) {
			b.WriteRune(c)
		} else {
			b.WriteByte('?')
		}
	}
	stars := len(r) - show
	if stars > 8 {
		stars = 8
	}
	b.WriteString(strings.Repeat("*", stars))
	return fmt.Sprintf("%s (%d bytes)", b.String(), len(key))
}

// Show renders a key for a report: in full with showSecrets, masked otherwise.
func Show(key []byte, showSecrets bool) string {
	if showSecrets {
		return Repr(key)
	}
	return Mask(key)
}

// ctxDone is a small helper for loops that poll cancellation.
func ctxDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}
