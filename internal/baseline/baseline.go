// Package baseline removes known findings from a report: those of an
// earlier report (a baseline), and those a config file's ignore list
// accepts with a reason.
//
// A baseline says "only tell me what is new": a finding is suppressed when
// its ID (the stable fingerprint) is in the earlier report. An ignore says
// "we know, and this is why": it matches one finding by ID, or every finding
// of a check (optionally only at some paths), must give a reason, and may
// expire, after which it no longer suppresses anything and is reported so
// that somebody looks again.
package baseline

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// DateLayout is the format of Ignore.Expires.
const DateLayout = "2006-01-02"

// Read loads a baseline: a JSON report written by an earlier run, read as
// every report file is (a regular file, at most inputfile.MaxReport bytes).
// Errors name the file, and never quote it.
func Read(ctx context.Context, path string) (*rampart.Report, error) {
	return jsonreport.ReadFile(ctx, path)
}

// Apply removes from rep every finding whose ID is also in base and returns
// how many it removed. A finding without an ID (an old or hand-written
// report) is compared by the fingerprint computed from it. The score is not
// recomputed: that is the caller's choice.
func Apply(rep, base *rampart.Report) (suppressed int) {
	if rep == nil || base == nil {
		return 0
	}
	known := make(map[string]bool, len(base.Findings))
	for i := range base.Findings {
		known[id(&base.Findings[i])] = true
	}
	kept := rep.Findings[:0]
	for i := range rep.Findings {
		if known[id(&rep.Findings[i])] {
			suppressed++
			continue
		}
		kept = append(kept, rep.Findings[i])
	}
	clear(rep.Findings[len(kept):])
	rep.Findings = kept
	return suppressed
}

func id(f *rampart.Finding) string {
	if f.ID != "" {
		return strings.ToLower(f.ID)
	}
	return f.Fingerprint()
}

// Ignore accepts known findings. It matches a finding by ID, or by Check
// (an ID, case-insensitive, globs allowed: "HDR-*") optionally narrowed by
// Path, a glob on the finding's path template or source file ("/admin/**",
// "/notes/{note_id}", "tests/*.py"; * stays within one path segment, **
// crosses them). When both ID and Check are set, both must match.
type Ignore struct {
	ID      string `yaml:"id,omitempty" json:"id,omitempty"`
	Check   string `yaml:"check,omitempty" json:"check,omitempty"`
	Path    string `yaml:"path,omitempty" json:"path,omitempty"`
	Reason  string `yaml:"reason" json:"reason"`
	Expires string `yaml:"expires,omitempty" json:"expires,omitempty"` // YYYY-MM-DD, the last day it applies
}

// String names an ignore in messages: "HDR-001 at /health (expires 2025-06-30)".
func (ig Ignore) String() string {
	var parts []string
	if ig.ID != "" {
		parts = append(parts, "id "+ig.ID)
	}
	if ig.Check != "" {
		parts = append(parts, ig.Check)
	}
	if ig.Path != "" {
		parts = append(parts, "at "+ig.Path)
	}
	s := strings.Join(parts, " ")
	if ig.Expires != "" {
		s += " (expires " + ig.Expires + ")"
	}
	return s
}

// Validate says what is wrong with an ignore entry.
func (ig Ignore) Validate() error {
	if strings.TrimSpace(ig.ID) == "" && strings.TrimSpace(ig.Check) == "" {
		return errors.New("needs an id or a check")
	}
	if strings.TrimSpace(ig.Reason) == "" {
		return errors.New("needs a reason: say why the finding is accepted")
	}
	if ig.Check != "" {
		if _, err := globRegexp(strings.ToLower(strings.TrimSpace(ig.Check)), false); err != nil {
			return fmt.Errorf("check %q: %w", ig.Check, err)
		}
	}
	if ig.Path != "" {
		if _, err := globRegexp(strings.TrimSpace(ig.Path), true); err != nil {
			return fmt.Errorf("path %q: %w", ig.Path, err)
		}
	}
	if ig.Expires != "" {
		if _, err := time.Parse(DateLayout, strings.TrimSpace(ig.Expires)); err != nil {
			return fmt.Errorf("expires %q: want a date such as 2025-06-30", ig.Expires)
		}
	}
	return nil
}

// Expired reports whether the ignore no longer applies at now: it applies
// through its Expires date (in UTC) and stops the day after.
func (ig Ignore) Expired(now time.Time) bool {
	if ig.Expires == "" {
		return false
	}
	d, err := time.Parse(DateLayout, strings.TrimSpace(ig.Expires))
	if err != nil {
		return false
	}
	return !now.UTC().Before(d.AddDate(0, 0, 1))
}

// Result says what an ignore list did.
type Result struct {
	Suppressed int      // findings removed
	Unused     []Ignore // in force but matched nothing: stale, or mistyped
	Expired    []Ignore // past their date: they suppressed nothing
}

// ApplyIgnores removes the findings that an ignore in force matches. It
// validates the whole list first and changes nothing when an entry is
// invalid; the error names the entry (ignore[2]: ...).
func ApplyIgnores(rep *rampart.Report, ignores []Ignore, now time.Time) (Result, error) {
	var res Result
	ms := make([]*matcher, 0, len(ignores))
	for i, ig := range ignores {
		if err := ig.Validate(); err != nil {
			return Result{}, fmt.Errorf("ignore[%d]: %w", i, err)
		}
		if ig.Expired(now) {
			res.Expired = append(res.Expired, ig)
			continue
		}
		ms = append(ms, newMatcher(ig))
	}
	if rep != nil {
		kept := rep.Findings[:0]
		for _, f := range rep.Findings {
			hit := false
			for _, m := range ms {
				if m.match(&f) {
					m.used = true
					hit = true // keep looking: every matching entry is used
				}
			}
			if hit {
				res.Suppressed++
				continue
			}
			kept = append(kept, f)
		}
		clear(rep.Findings[len(kept):])
		rep.Findings = kept
	}
	for _, m := range ms {
		if !m.used {
			res.Unused = append(res.Unused, m.ig)
		}
	}
	return res, nil
}

type matcher struct {
	ig    Ignore
	check *regexp.Regexp
	path  *regexp.Regexp
	used  bool
}

func newMatcher(ig Ignore) *matcher {
	m := &matcher{ig: ig}
	if c := strings.ToLower(strings.TrimSpace(ig.Check)); c != "" {
		m.check, _ = globRegexp(c, false) // validated
	}
	if p := strings.TrimSpace(ig.Path); p != "" {
		m.path, _ = globRegexp(p, true)
	}
	return m
}

func (m *matcher) match(f *rampart.Finding) bool {
	if id := strings.TrimSpace(m.ig.ID); id != "" && !strings.EqualFold(id, f.ID) {
		return false
	}
	if m.check != nil && !m.check.MatchString(strings.ToLower(f.Check)) {
		return false
	}
	if m.path != nil {
		targets := []string{f.Location.Path, f.Location.File}
		if f.Location.Path == "" && f.Location.URL != "" {
			targets = append(targets, urlPath(f.Location.URL))
		}
		if !slices.ContainsFunc(targets, func(s string) bool { return s != "" && m.path.MatchString(s) }) {
			return false
		}
	}
	return true
}

func urlPath(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = "/"
		}
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

// globRegexp compiles a glob. With segments, * and ? stay within one
// slash-separated segment and ** crosses them (and "/**/" also matches
// "/"); without, * matches anything. Braces are literal, so a path template
// such as /notes/{note_id} matches itself.
func globRegexp(glob string, segments bool) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	star, one := ".*", "."
	if segments {
		star, one = "[^/]*", "[^/]"
	}
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch {
		case segments && strings.HasPrefix(glob[i:], "/**/"):
			b.WriteString("(?:/|/.*/)")
			i += 3
		case segments && strings.HasPrefix(glob[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString(star)
		case c == '?':
			b.WriteString(one)
		case c == '[':
			j := strings.IndexByte(glob[i+1:], ']')
			if j < 0 {
				return nil, errors.New("unclosed [")
			}
			class := glob[i+1 : i+1+j]
			if class == "" || strings.ContainsAny(class, `\[`) {
				return nil, errors.New("bad character class")
			}
			if class[0] == '!' {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}
