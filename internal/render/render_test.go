package render

import (
	"bytes"
	"io"
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"json", "json", true}, {" MD ", "markdown", true}, {"xml", "junit", true}, {"txt", "text", true},
		{"Sarif", "sarif", true}, {"pdf", "", false}, {"", "", false},
	} {
		got, ok := Normalize(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	for _, f := range Formats {
		if ContentType(f) == "" {
			t.Errorf("format %s has no content type", f)
		}
	}
}

func TestWriteEveryFormat(t *testing.T) {
	rep := &rampart.Report{Target: "http://127.0.0.1:1", Findings: []rampart.Finding{{
		ID: "x", Check: "HDR-001", Family: rampart.FamilyHeaders, Severity: rampart.High, Confidence: rampart.Confirmed,
		Title: "t", Message: "m",
	}}}
	seen := map[string]string{}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := Write(&b, f, rep, Options{FailOn: rampart.High}); err != nil || b.Len() == 0 {
			t.Fatalf("%s: %d bytes, %v", f, b.Len(), err)
		}
		if other, dup := seen[b.String()]; dup {
			t.Errorf("%s writes what %s writes", f, other)
		}
		seen[b.String()] = f
	}
	if err := Write(io.Discard, "pdf", rep, Options{}); err == nil {
		t.Error("an unknown format was written")
	}
}
