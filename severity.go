package rampart

import (
	"fmt"
	"strings"
)

// Severity ranks how much harm a finding allows. The zero value is Info so
// that an unset severity never gates a pipeline by accident.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts the lower-case names used on the command line and in
// reports, case-insensitively; "none" is a valid --fail-on value meaning
// "never fail", so it is handled by the CLI, not here.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Confidence says how a finding was established. Tentative findings are
// pattern matches; the default gate ignores them.
type Confidence int

const (
	Tentative Confidence = iota
	Firm
	Confirmed
)

var confidenceNames = [...]string{"tentative", "firm", "confirmed"}

func (c Confidence) String() string {
	if c < Tentative || c > Confirmed {
		return fmt.Sprintf("confidence(%d)", int(c))
	}
	return confidenceNames[c]
}

func ParseConfidence(s string) (Confidence, error) {
	for i, n := range confidenceNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Confidence(i), nil
		}
	}
	return Tentative, fmt.Errorf("unknown confidence %q (want one of %s)", s, strings.Join(confidenceNames[:], ", "))
}

func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

func (c *Confidence) UnmarshalText(b []byte) error {
	v, err := ParseConfidence(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Mode is how far a scan may go. Each check declares the least mode it needs.
type Mode int

const (
	Passive Mode = iota
	Safe
	Active
)

var modeNames = [...]string{"passive", "safe", "active"}

func (m Mode) String() string {
	if m < Passive || m > Active {
		return fmt.Sprintf("mode(%d)", int(m))
	}
	return modeNames[m]
}

func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Mode(i), nil
		}
	}
	return Safe, fmt.Errorf("unknown mode %q (want one of %s)", s, strings.Join(modeNames[:], ", "))
}

func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// AllowsMethod reports whether an HTTP method may be sent in this mode. Only
// active scans may send methods that change state.
func (m Mode) AllowsMethod(method string) bool {
	switch strings.ToUpper(method) {
	case "GET", "HEAD", "OPTIONS":
		return true
	default:
		return m >= Active
	}
}
