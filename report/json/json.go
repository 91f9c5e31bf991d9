package json

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/inputfile"
)

// ErrUnsupportedVersion is returned (wrapped) by Read for a report whose
// major schemaVersion this build does not know.
var ErrUnsupportedVersion = errors.New("unsupported report schemaVersion")

// Write writes r as indented JSON. Field order is the order of the struct
// fields, so output is stable and diffs between runs stay small.
func Write(w io.Writer, r *rampart.Report) error {
	if r == nil {
		return errors.New("json report: nil report")
	}
	if err := check(r); err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	out := *r
	// The bytes follow this build's struct, so they are in this build's
	// format whatever version the report was read from.
	out.SchemaVersion = rampart.SchemaVersion
	if out.Findings == nil {
		// Consumers iterate over findings; null would make "no findings"
		// crash their scripts instead of passing.
		out.Findings = []rampart.Finding{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Evidence is full of <, > and &; \u003c would make it unreadable and
	// nobody embeds this file in HTML unescaped.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	// Indented as enc.SetIndent("", "  ") would, several times faster.
	// Buffered so that a failed encode never leaves half a report behind.
	compact := bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
	pretty := append(indent(make([]byte, 0, len(compact)*2), compact), '\n')
	_, err := w.Write(pretty)
	return err
}

// check refuses values that would encode as text Read cannot parse back
// (an out-of-range Severity marshals as "severity(9)"): a report Rampart
// writes must be one Rampart can read.
func check(r *rampart.Report) error {
	if r.Mode < rampart.Passive || r.Mode > rampart.Active {
		return fmt.Errorf("invalid mode %s", r.Mode)
	}
	for i, f := range r.Findings {
		if f.Severity < rampart.Info || f.Severity > rampart.Critical {
			return fmt.Errorf("finding %d (%s): invalid %s", i, f.Check, f.Severity)
		}
		if f.Confidence < rampart.Tentative || f.Confidence > rampart.Confirmed {
			return fmt.Errorf("finding %d (%s): invalid %s", i, f.Check, f.Confidence)
		}
	}
	return nil
}

// maxRead is Read's cap; a variable so that a test need not stream 256 MB.
var maxRead int64 = inputfile.MaxReport

// Read parses a report written by Write, by this version of Rampart or by
// any other that shares its major schemaVersion. Fields it does not know
// are ignored, so reports from newer minor versions still load.
// It reads at most inputfile.MaxReport bytes: a reader that goes on (a
// pipe from a device, an endless stream) is an error, not an exhausted
// machine. To read a report file, use ReadFile.
func Read(r io.Reader) (*rampart.Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRead+1))
	if err != nil {
		return nil, fmt.Errorf("json report: %w", err)
	}
	if int64(len(data)) > maxRead {
		return nil, fmt.Errorf("json report: more than the %d bytes a report may have: %w", maxRead, inputfile.ErrTooLarge)
	}
	return Parse(data)
}

// ReadFile reads a report file: only a regular file of at most
// inputfile.MaxReport bytes, so a FIFO, a device or an endless file is
// refused at once. Errors name the file and never quote its content.
func ReadFile(ctx context.Context, path string) (*rampart.Report, error) {
	data, err := inputfile.ReadContext(ctx, path, inputfile.MaxReport)
	if err != nil {
		return nil, err
	}
	rep, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// Parse is Read for a report already in memory.
func Parse(data []byte) (*rampart.Report, error) {
	// The version is checked before the body, so a future format whose
	// fields changed type fails with "upgrade Rampart", not a type error.
	var head struct {
		SchemaVersion *string `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("json report: not a Rampart JSON report: %w", err)
	}
	if head.SchemaVersion == nil {
		return nil, errors.New("json report: no schemaVersion: not a Rampart JSON report")
	}
	if err := compatible(*head.SchemaVersion); err != nil {
		return nil, err
	}
	var rep rampart.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("json report: %w", err)
	}
	if rep.Findings == nil {
		rep.Findings = []rampart.Finding{}
	}
	return &rep, nil
}

func compatible(v string) error {
	want := major(rampart.SchemaVersion)
	got := major(v)
	if got == "" {
		// Not quoted: it is the file's content, and may be anything.
		return fmt.Errorf("json report: %w: not MAJOR.MINOR such as %s (want %s.x)", ErrUnsupportedVersion, rampart.SchemaVersion, want)
	}
	if len(v) > 16 {
		v = v[:16] + "..."
	}
	if got != want {
		return fmt.Errorf("json report: %w %q: this Rampart reads version %s.x reports; use a Rampart release that writes version %s.x",
			ErrUnsupportedVersion, v, want, got)
	}
	return nil
}

// major returns the major part of "1.0", or "" when v is not MAJOR.MINOR
// with decimal numbers.
func major(v string) string {
	maj, minor, ok := strings.Cut(v, ".")
	if !ok || !digits(maj) || !digits(minor) {
		return ""
	}
	return maj
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
