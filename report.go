package rampart

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// SchemaVersion is the version of the JSON report format (docs/report.schema.json).
const SchemaVersion = "1.4"

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Fingerprint is what Rampart learned about the target's stack.
type Fingerprint struct {
	Framework        string   `json:"framework,omitempty"` // Flask
	FrameworkVersion string   `json:"frameworkVersion,omitempty"`
	Server           string   `json:"server,omitempty"` // Werkzeug/2.2.2 Python/3.11.2
	ServerVersion    string   `json:"serverVersion,omitempty"`
	Language         string   `json:"language,omitempty"`
	LanguageVersion  string   `json:"languageVersion,omitempty"`
	Database         string   `json:"database,omitempty"` // CockroachDB, PostgreSQL
	DatabaseVersion  string   `json:"databaseVersion,omitempty"`
	Driver           string   `json:"driver,omitempty"` // psycopg2, psycopg, asyncpg
	ORM              string   `json:"orm,omitempty"`    // SQLAlchemy
	Evidence         []string `json:"evidence,omitempty"`
}

// Summary describes the stack on one line for people: "Flask 2.2.2 on
// Werkzeug 2.2.2 · PostgreSQL 15 · psycopg2"; "" when nothing is known.
// Writers clean it for their format.
func (f Fingerprint) Summary() string {
	app := joinNonEmpty(" ", f.Framework, f.FrameworkVersion)
	if app == "" {
		app = joinNonEmpty(" ", f.Language, f.LanguageVersion)
	}
	// Server holds the raw banner ("Werkzeug/2.2.2 Python/3.11.2"); its
	// first product is the server.
	if banner := strings.Fields(f.Server); len(banner) > 0 {
		name, ver, _ := strings.Cut(banner[0], "/")
		server := joinNonEmpty(" ", name, cmp.Or(f.ServerVersion, ver))
		if app != "" {
			app += " on " + server
		} else {
			app = server
		}
	}
	return joinNonEmpty(" · ", app, joinNonEmpty(" ", f.Database, f.DatabaseVersion), f.Driver, f.ORM)
}

// joinNonEmpty joins the parts that are not blank.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// CategoryScore is the score of one family.
type CategoryScore struct {
	Family   Family `json:"family"`
	Score    int    `json:"score"`
	Findings int    `json:"findings"`
}

// CheckError is a check that could not run, or requests of a check that
// got no complete answer (a timeout, a reset, a body cut short): either way
// the check's flaws may be missing. It is never a finding.
type CheckError struct {
	Check     string `json:"check"`
	Operation string `json:"operation,omitempty"`
	Error     string `json:"error"`
}

// Skipped is a check that was not run, and why.
type Skipped struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// CheckRun is what one check sent during a scan, against the budget it
// announces (Meta.Budget, per unit: per operation, or per scan for a
// target-level check).
type CheckRun struct {
	Check string `json:"check"`
	// Units is how many times the check ran (operations it applied to).
	Units int `json:"units"`
	// Requests is what its units sent in total; MaxUnitRequests the most
	// one unit sent.
	Requests        int `json:"requests"`
	MaxUnitRequests int `json:"maxUnitRequests"`
	// Budget is the announced per-unit budget, 0 when none is declared.
	Budget int `json:"budget,omitempty"`
	// OverBudget counts units whose requests were refused because they
	// reached the budget.
	OverBudget int `json:"overBudget,omitempty"`
	// DurationMS is the time its units took, summed (units run in
	// parallel, so the sum can exceed the scan's duration); MaxUnitMS the
	// longest one unit took. They say where a slow scan spent its time.
	DurationMS int64 `json:"durationMs"`
	MaxUnitMS  int64 `json:"maxUnitMs"`
}

// Stats counts what a scan sent.
type Stats struct {
	Requests  int64 `json:"requests"`
	BytesSent int64 `json:"bytesSent"`
	BytesRecv int64 `json:"bytesReceived"`
	Refused   int64 `json:"refused,omitempty"` // requests the scope or mode guard refused
}

// Health is how the target answered a black-box scan, counted over every
// exchange the scan attempted. A scan whose answers are mostly server
// errors, redirects or failures proves little: it says so in Warning, its
// grade is capped (docs/scoring.md), and an unusable one makes `rampart
// scan` exit 3.
type Health struct {
	Verdict      HealthVerdict `json:"verdict"`
	Warning      string        `json:"warning,omitempty"`
	Success      int64         `json:"success"`      // 1xx and 2xx answers
	Redirects    int64         `json:"redirects"`    // 3xx
	ClientErrors int64         `json:"clientErrors"` // 4xx
	ServerErrors int64         `json:"serverErrors"` // 5xx
	// Failed counts requests without a complete answer: refused or reset
	// connections, bodies cut short, timeouts.
	Failed   int64 `json:"failed"`
	Timeouts int64 `json:"timeouts,omitempty"` // of Failed
	// GaveUp counts requests not sent because their route had timed out
	// repeatedly (the circuit breaker).
	GaveUp int64 `json:"gaveUp,omitempty"`
	// RoutesGivenUp counts the routes given up that way.
	RoutesGivenUp int64 `json:"routesGivenUp,omitempty"`
	// ThrottledRoutes counts the routes given up after repeated 429s (or a
	// Retry-After longer than the scan waits), and Throttled the requests
	// not sent to them; the coverage names what went untested.
	ThrottledRoutes int64 `json:"throttledRoutes,omitempty"`
	Throttled       int64 `json:"throttled,omitempty"`
	// ThrottleWaitMS is the time during which at least one request waited
	// out a Retry-After (the other routes carried on meanwhile).
	ThrottleWaitMS int64 `json:"throttleWaitMs,omitempty"`
	// RedirectTo is where most redirects pointed (scheme, host and path).
	RedirectTo string `json:"redirectTo,omitempty"`
}

// ThrottleSummary says in one line how the target's throttling cost the
// scan, or "" when it did not.
func (h *Health) ThrottleSummary() string {
	if h == nil || (h.ThrottledRoutes == 0 && h.ThrottleWaitMS == 0) {
		return ""
	}
	var parts []string
	if h.ThrottledRoutes > 0 {
		s := fmt.Sprintf("%d route%s given up after repeated 429s", h.ThrottledRoutes, plural(int(h.ThrottledRoutes)))
		if h.Throttled > 0 {
			s += fmt.Sprintf(" (%d request%s not sent)", h.Throttled, plural(int(h.Throttled)))
		}
		parts = append(parts, s)
	}
	if h.ThrottleWaitMS > 0 {
		parts = append(parts, (time.Duration(h.ThrottleWaitMS)*time.Millisecond).Round(100*time.Millisecond).String()+" waiting on Retry-After")
	}
	return strings.Join(parts, "; ")
}

// HealthVerdict sums up a target's health.
type HealthVerdict string

// Verdicts, from the share of exchanges that were server errors, redirects
// or failures (docs/scoring.md).
const (
	HealthOK       HealthVerdict = "ok"
	HealthDegraded HealthVerdict = "degraded" // at least half: the grade is at best C
	HealthUnusable HealthVerdict = "unusable" // nearly all: the results are not meaningful
)

// Report is everything one run produced.
type Report struct {
	SchemaVersion string          `json:"schemaVersion"`
	Tool          Tool            `json:"tool"`
	Target        string          `json:"target,omitempty"`
	Source        string          `json:"source,omitempty"`
	Mode          Mode            `json:"mode"`
	Started       time.Time       `json:"started"`
	DurationMS    int64           `json:"durationMs"`
	Incomplete    bool            `json:"incomplete,omitempty"`
	Stats         Stats           `json:"stats"`
	Health        *Health         `json:"health,omitempty"`
	Operations    int             `json:"operations"`
	Identities    []string        `json:"identities,omitempty"`
	Fingerprint   Fingerprint     `json:"fingerprint"`
	Score         int             `json:"score"`
	Grade         string          `json:"grade"`
	Categories    []CategoryScore `json:"categories,omitempty"`
	Findings      []Finding       `json:"findings"`
	Errors        []CheckError    `json:"errors,omitempty"`
	Skipped       []Skipped       `json:"skipped,omitempty"`
	Checks        []CheckRun      `json:"checks,omitempty"`
	// Coverage says, operation by operation and family by family, what
	// was tested and why the rest was not (black-box scans only).
	Coverage *Coverage `json:"coverage,omitempty"`
	// Replay is the legend of the curl lines: the variables they use for
	// the identities' credential headers, only those they use.
	Replay []ReplayVariable `json:"replay,omitempty"`
	Notes  []string         `json:"notes,omitempty"`
	// InputWarnings are what was wrong in the documents the scan read (the
	// spec, a HAR file, a Postman collection) and how it was worked around.
	InputWarnings []InputWarning `json:"inputWarnings,omitempty"`
	Footprint     *Footprint     `json:"footprint,omitempty"`
}

// Counts returns the number of findings at each severity.
func (r *Report) Counts() map[Severity]int {
	m := make(map[Severity]int, 5)
	for _, f := range r.Findings {
		m[f.Severity]++
	}
	return m
}

// AtOrAbove returns the findings at or above both sev and conf.
func (r *Report) AtOrAbove(sev Severity, conf Confidence) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity >= sev && f.Confidence >= conf {
			out = append(out, f)
		}
	}
	return out
}

// Footprint is what an active scan did to the target's data: the accounts
// it signed up, and every object it created or changed, with what became of
// each (removed, restored, or left behind and why). Docs: docs/safety.md.
type Footprint struct {
	Accounts []Account `json:"accounts,omitempty"`
	Changes  []Change  `json:"changes,omitempty"`
	// Omitted counts changes past the report's cap (docs/safety.md).
	Omitted int `json:"omitted,omitempty"`
}

// Empty reports whether the scan left no footprint.
func (f *Footprint) Empty() bool {
	return f == nil || (len(f.Accounts) == 0 && len(f.Changes) == 0 && f.Omitted == 0)
}

// Account is a throwaway account the scan signed up.
type Account struct {
	Name  string `json:"name"` // rampart-tmp-…
	Email string `json:"email,omitempty"`
	Via   string `json:"via"` // the sign-up request: "POST /signup"
	// Use is how the scan used it: "identity" (a user the scan acts as) or
	// "victim" (the target of destructive tests).
	Use     string `json:"use"`
	Removed bool   `json:"removed"`
	Note    string `json:"note,omitempty"` // how it was removed, or why not
}

// Change is one object the scan created or changed.
type Change struct {
	Check  string `json:"check,omitempty"`
	Action string `json:"action"` // created, changed
	// Object is where it lives: an item URL path (/notes/1043), or what the
	// answer said of it when it has no URL.
	Object string   `json:"object"`
	Via    string   `json:"via"` // the request that made it: "POST /notes"
	Owner  string   `json:"owner,omitempty"`
	Fields []string `json:"fields,omitempty"` // changed fields
	// State is what became of it: removed, restored, or left (then Note
	// says why: no DELETE operation, a refused delete...).
	State string `json:"state"`
	Note  string `json:"note,omitempty"`
}

// States of a Change.
const (
	StateRemoved  = "removed"
	StateRestored = "restored"
	StateLeft     = "left"
)

// Left returns the changes the scan could not undo: objects it could not
// remove, values it could not restore.
func (f *Footprint) Left() []Change {
	if f == nil {
		return nil
	}
	var out []Change
	for _, c := range f.Changes {
		if c.State != StateRemoved && c.State != StateRestored {
			out = append(out, c)
		}
	}
	return out
}

// Summary counts the footprint for people: "2 throwaway accounts (2
// removed); 14 objects created (13 removed); 1 changed (1 restored)".
func (f *Footprint) Summary() string {
	if f.Empty() {
		return ""
	}
	var parts []string
	if n := len(f.Accounts); n > 0 {
		removed := 0
		for _, a := range f.Accounts {
			if a.Removed {
				removed++
			}
		}
		parts = append(parts, fmt.Sprintf("%d throwaway account%s (%d removed)", n, plural(n), removed))
	}
	count := func(action, state string) (n, done int) {
		for _, c := range f.Changes {
			if c.Action == action {
				n++
				if c.State == state {
					done++
				}
			}
		}
		return n, done
	}
	if n, done := count("created", StateRemoved); n > 0 {
		parts = append(parts, fmt.Sprintf("%d object%s created (%d removed)", n, plural(n), done))
	}
	if n, done := count("changed", StateRestored); n > 0 {
		parts = append(parts, fmt.Sprintf("%d object%s changed (%d restored)", n, plural(n), done))
	}
	if f.Omitted > 0 {
		parts = append(parts, fmt.Sprintf("%d more not listed", f.Omitted))
	}
	return strings.Join(parts, "; ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// String describes the change on one line: "created /notes/1043 as alice
// with POST /notes (BOLA-002): removed, deleted by alice".
func (c Change) String() string {
	s := c.Action + " " + c.Object
	if len(c.Fields) > 0 {
		s += " (" + strings.Join(c.Fields, ", ") + ")"
	}
	if c.Owner != "" {
		if c.Action == "created" {
			s += " as " + c.Owner
		} else {
			s += ", " + c.Owner + "'s"
		}
	}
	s += " with " + c.Via
	if c.Check != "" {
		s += " [" + c.Check + "]"
	}
	s += ": " + c.State
	if c.Note != "" {
		s += ", " + c.Note
	}
	return s
}

// String describes the account on one line.
func (a Account) String() string {
	s := a.Name + " (" + a.Use + ", signed up with " + a.Via + "): "
	if a.Removed {
		s += "removed"
	} else {
		s += "left"
	}
	if a.Note != "" {
		s += ", " + a.Note
	}
	return s
}
