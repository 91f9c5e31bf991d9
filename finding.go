package rampart

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Location is where a finding is: an HTTP operation (method and the spec's
// path template), a source line, or both once correlated.
type Location struct {
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	URL    string `json:"url,omitempty"`
	Param  string `json:"param,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// IsHTTP reports whether the location names an HTTP operation.
func (l Location) IsHTTP() bool { return l.Method != "" || l.Path != "" || l.URL != "" }

// IsSource reports whether the location names a source line.
func (l Location) IsSource() bool { return l.File != "" }

func (l Location) String() string {
	var parts []string
	if l.Method != "" || l.Path != "" {
		s := strings.TrimSpace(l.Method + " " + l.Path)
		if l.Param != "" {
			s += " [" + l.Param + "]"
		}
		parts = append(parts, s)
	}
	if l.File != "" {
		s := l.File
		if l.Line > 0 {
			s += ":" + strconv.Itoa(l.Line)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// Evidence is one redacted request/response pair, or a note, that supports a
// finding. Credentials are removed before it is stored.
type Evidence struct {
	Request  string `json:"request,omitempty"`
	Response string `json:"response,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Related is another place that matters to a finding: the other identity's
// request, or the line of code that causes it.
type Related struct {
	Location Location `json:"location"`
	Note     string   `json:"note,omitempty"`
	Curl     string   `json:"curl,omitempty"`
}

// Finding is one proven or suspected flaw.
type Finding struct {
	ID          string     `json:"id"`
	Check       string     `json:"check"`
	Family      Family     `json:"family"`
	Title       string     `json:"title"`
	Message     string     `json:"message"`
	Severity    Severity   `json:"severity"`
	Confidence  Confidence `json:"confidence"`
	CWE         string     `json:"cwe,omitempty"`
	OWASP       string     `json:"owasp,omitempty"`
	Location    Location   `json:"location"`
	Evidence    []Evidence `json:"evidence,omitempty"`
	Curl        string     `json:"curl,omitempty"`
	Remediation string     `json:"remediation,omitempty"`
	Related     []Related  `json:"related,omitempty"`
	// Origin says how the finding was established: "runtime" (proved over
	// HTTP), "code" (seen in source) or "runtime+code" (both, correlated).
	Origin string `json:"origin,omitempty"`
	// Key distinguishes several findings of one check at one location (for
	// example two different leaked secrets); it feeds the fingerprint.
	Key string `json:"-"`
}

// Fingerprint is stable across runs: it depends on what was found and
// where, never on evidence, timing or the target's host, so baselines and
// SARIF keep matching when a staging host changes. A source finding that
// sets Key (the white-box analysis puts the offending code there) is
// located by it instead of its line number, so an edit elsewhere in the
// file does not make every finding below it look new.
func (f *Finding) Fingerprint() string {
	line := strconv.Itoa(f.Location.Line)
	if f.Key != "" {
		line = ""
	}
	h := sha256.New()
	for _, s := range []string{
		f.Check, string(f.Family), strings.ToUpper(f.Location.Method), f.Location.Path,
		f.Location.Param, f.Location.File, line, f.Key,
	} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// CompareFindings orders findings worst first, proof before suspicion, then
// by check and place, so that the scan and every writer list them alike and
// two runs diff cleanly.
func CompareFindings(a, b Finding) int {
	// Key by key, stopping at the first that differs (cmp.Or would compare
	// every string of both findings first: a report sorts thousands).
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Confidence, a.Confidence); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Check, b.Check); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Location.Path, b.Location.Path); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Location.Method, b.Location.Method); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Location.File, b.Location.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Location.Line, b.Location.Line); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
