package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/inputfile"
	"github.com/rampart-sec/rampart/report/internal/found"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const schemaPath = "../../docs/report.schema.json"

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/json -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./report/json -update\n--- got\n%s", path, got)
	}
}

func write(t *testing.T, r *rampart.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // date-time and uri must hold, not just annotate
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

func validate(s *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

func TestGolden(t *testing.T) {
	for name, r := range map[string]*rampart.Report{
		"report":     sample.Report(),
		"empty":      sample.Empty(),
		"incomplete": sample.Incomplete(),
		"unhealthy":  sample.Unhealthy(),
	} {
		t.Run(name, func(t *testing.T) { golden(t, name, write(t, r)) })
	}
}

func TestSchemaAcceptsWrittenReports(t *testing.T) {
	s := compileSchema(t)
	for name, r := range map[string]*rampart.Report{
		"report":     sample.Report(),
		"empty":      sample.Empty(),
		"incomplete": sample.Incomplete(),
		"unhealthy":  sample.Unhealthy(),
	} {
		t.Run(name, func(t *testing.T) {
			if err := validate(s, write(t, r)); err != nil {
				t.Errorf("a report written by Write fails the schema:\n%v", err)
			}
		})
	}
}

// The schema must reject what is wrong, or the test above proves nothing.
func TestSchemaRejects(t *testing.T) {
	s := compileSchema(t)
	tests := []struct {
		name   string
		mutate func(m map[string]any)
	}{
		{"bad severity", func(m map[string]any) { finding(m, 0)["severity"] = "catastrophic" }},
		{"severity as a number", func(m map[string]any) { finding(m, 0)["severity"] = 4 }},
		{"bad confidence", func(m map[string]any) { finding(m, 0)["confidence"] = "likely" }},
		{"unknown family", func(m map[string]any) { finding(m, 0)["family"] = "xss" }},
		{"finding without check", func(m map[string]any) { delete(finding(m, 0), "check") }},
		{"null findings", func(m map[string]any) { m["findings"] = nil }},
		{"missing findings", func(m map[string]any) { delete(m, "findings") }},
		{"score above 100", func(m map[string]any) { m["score"] = 101 }},
		{"grade E", func(m map[string]any) { m["grade"] = "E" }},
		{"unknown mode", func(m map[string]any) { m["mode"] = "aggressive" }},
		{"major version 2", func(m map[string]any) { m["schemaVersion"] = "2.0" }},
		{"started not a date-time", func(m map[string]any) { m["started"] = "yesterday" }},
		{"undocumented property", func(m map[string]any) { m["extra"] = true }},
		{"undocumented finding property", func(m map[string]any) { finding(m, 0)["fingerprint"] = "abc" }},
		{"line zero", func(m map[string]any) { finding(m, 0)["location"].(map[string]any)["line"] = 0 }},
		{"bad cwe", func(m map[string]any) { finding(m, 0)["cwe"] = "89" }},
		{"unknown operation source", func(m map[string]any) { coverageRow(m, 1)["source"] = "guess" }},
		{"operation origin not a string", func(m map[string]any) { coverageRow(m, 1)["origin"] = 3 }},
		{"input warning without file", func(m map[string]any) { delete(inputWarning(m, 0), "file") }},
		{"input warning without problem", func(m map[string]any) { delete(inputWarning(m, 0), "problem") }},
		{"input warning at line zero", func(m map[string]any) { inputWarning(m, 0)["line"] = 0 }},
		{"undocumented input warning property", func(m map[string]any) { inputWarning(m, 0)["content"] = "x" }},
		{"unknown health verdict", func(m map[string]any) {
			m["health"] = map[string]any{"verdict": "fine", "success": 1, "redirects": 0, "clientErrors": 0, "serverErrors": 0, "failed": 0}
		}},
	}
	valid := write(t, sample.Report())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(valid, &m); err != nil {
				t.Fatal(err)
			}
			tt.mutate(m)
			data, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(s, data); err == nil {
				t.Errorf("schema accepted a report with %s", tt.name)
			}
		})
	}
}

func finding(m map[string]any, i int) map[string]any {
	return m["findings"].([]any)[i].(map[string]any)
}

func coverageRow(m map[string]any, i int) map[string]any {
	return m["coverage"].(map[string]any)["operations"].([]any)[i].(map[string]any)
}

func inputWarning(m map[string]any, i int) map[string]any {
	return m["inputWarnings"].([]any)[i].(map[string]any)
}

// Every family, severity and confidence the Go model knows must be in the
// schema's enums, so a new family cannot ship without updating the schema.
func TestSchemaEnumsMatchModel(t *testing.T) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs map[string]struct {
			Enum []string `json:"enum"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var fams, sevs, confs []string
	for _, f := range rampart.Families {
		fams = append(fams, string(f))
	}
	for s := rampart.Info; s <= rampart.Critical; s++ {
		sevs = append(sevs, s.String())
	}
	for c := rampart.Tentative; c <= rampart.Confirmed; c++ {
		confs = append(confs, c.String())
	}
	for def, want := range map[string][]string{"family": fams, "severity": sevs, "confidence": confs, "operationSource": found.Sources} {
		if got := doc.Defs[def].Enum; !reflect.DeepEqual(got, want) {
			t.Errorf("$defs.%s.enum = %v, want %v", def, got, want)
		}
	}
}

func TestFindingsNeverNull(t *testing.T) {
	r := sample.Empty()
	r.Findings = nil
	out := write(t, r)
	if !bytes.Contains(out, []byte(`"findings": []`)) {
		t.Errorf("nil findings not written as []:\n%s", out)
	}
	if r.Findings != nil {
		t.Errorf("Write changed the caller's report")
	}
}

func TestWriteStampsSchemaVersion(t *testing.T) {
	r := sample.Empty()
	r.SchemaVersion = ""
	out := write(t, r)
	if !bytes.Contains(out, []byte(`"schemaVersion": "`+rampart.SchemaVersion+`"`)) {
		t.Errorf("schemaVersion not written:\n%s", out)
	}
	if r.SchemaVersion != "" {
		t.Errorf("Write changed the caller's report")
	}
}

func TestWriteDoesNotEscapeHTML(t *testing.T) {
	out := write(t, sample.Report())
	if bytes.Contains(out, []byte(`\u003c`)) || !bytes.Contains(out, []byte(`<b>alice's</b> & nobody`)) {
		t.Errorf("evidence HTML was escaped")
	}
}

func TestWriteRefuses(t *testing.T) {
	bad := func(mut func(r *rampart.Report)) *rampart.Report {
		r := sample.Report()
		mut(r)
		return r
	}
	tests := map[string]*rampart.Report{
		"nil report":   nil,
		"bad severity": bad(func(r *rampart.Report) { r.Findings[0].Severity = rampart.Severity(9) }),
		"bad confidence": bad(func(r *rampart.Report) {
			r.Findings[1].Confidence = rampart.Confidence(-1)
		}),
		"bad mode": bad(func(r *rampart.Report) { r.Mode = rampart.Mode(5) }),
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, r); err == nil {
				t.Errorf("Write accepted a report with %s", name)
			}
			if buf.Len() != 0 {
				t.Errorf("Write left %d bytes behind after failing", buf.Len())
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsWriterError(t *testing.T) {
	if err := Write(failWriter{}, sample.Report()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write error = %v, want the writer's", err)
	}
}

func TestRoundTrip(t *testing.T) {
	for name, r := range map[string]*rampart.Report{
		"report":     sample.Report(),
		"empty":      sample.Empty(),
		"incomplete": sample.Incomplete(),
		"unhealthy":  sample.Unhealthy(),
	} {
		t.Run(name, func(t *testing.T) {
			first := write(t, r)
			got, err := Read(bytes.NewReader(first))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			want := *r
			if want.Findings == nil {
				want.Findings = []rampart.Finding{}
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("Read(Write(r)) != r:\n got %+v\nwant %+v", *got, want)
			}
			if second := write(t, got); !bytes.Equal(first, second) {
				t.Errorf("Write(Read(Write(r))) differs from Write(r)")
			}
		})
	}
}

// A report of schema 1.3 (before input warnings and operation sources) is
// the previous minor version: `rampart report` still reads it, its rows
// have no source, and it is written back as this version's, which the
// schema accepts. testdata/v1.3.json is the sample report as 1.3 wrote it.
func TestReadsSchema13(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "v1.3.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"schemaVersion": "1.3"`)) {
		t.Fatal("testdata/v1.3.json is not a 1.3 report")
	}
	r, err := Parse(data)
	if err != nil {
		t.Fatalf("a 1.3 report no longer reads: %v", err)
	}
	if len(r.Findings) != len(sample.Report().Findings) || r.Coverage == nil || len(r.Coverage.Operations) == 0 {
		t.Fatalf("the 1.3 report lost its findings or coverage: %d findings, coverage %v", len(r.Findings), r.Coverage)
	}
	for _, op := range r.Coverage.Operations {
		if op.Source != "" || op.Origin != "" {
			t.Errorf("%s: a 1.3 row got source %q origin %q", op.Operation, op.Source, op.Origin)
		}
	}
	if r.InputWarnings != nil {
		t.Errorf("a 1.3 report got input warnings: %v", r.InputWarnings)
	}
	out := write(t, r)
	if !bytes.Contains(out, []byte(`"schemaVersion": "`+rampart.SchemaVersion+`"`)) || rampart.SchemaVersion == "1.3" {
		t.Errorf("a 1.3 report is not written back as %s", rampart.SchemaVersion)
	}
	if err := validate(compileSchema(t), out); err != nil {
		t.Errorf("a 1.3 report written back fails the schema:\n%v", err)
	}
}

// Read stops at the cap: an endless reader is an error, not an exhausted machine.
func TestReadIsBounded(t *testing.T) {
	defer func(m int64) { maxRead = m }(maxRead)
	maxRead = 1 << 20
	_, err := Read(endless{})
	if !errors.Is(err, inputfile.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// A schemaVersion that is not a version is not quoted: it is the file's
// content, and may be anything.
func TestReadDoesNotQuoteTheFile(t *testing.T) {
	_, err := Read(strings.NewReader(`{"schemaVersion": "planted-content-string", "findings": []}`))
	if err == nil || strings.Contains(err.Error(), "planted") {
		t.Fatalf("err = %v", err)
	}
}

func TestRead(t *testing.T) {
	valid := string(write(t, sample.Empty()))
	withVersion := func(v string) string {
		return strings.Replace(valid, `"schemaVersion": "`+rampart.SchemaVersion+`"`, `"schemaVersion": `+v, 1)
	}
	tests := []struct {
		name    string
		in      string
		wantErr string // "" means success
		version bool   // errors.Is(err, ErrUnsupportedVersion)
	}{
		{"current", valid, "", false},
		{"newer minor with unknown fields", strings.Replace(withVersion(`"1.7"`), `"mode":`, `"futureField": {"x": 1}, "mode":`, 1), "", false},
		{"null findings read as empty", strings.Replace(valid, `"findings": []`, `"findings": null`, 1), "", false},
		{"next major", withVersion(`"2.0"`), `unsupported report schemaVersion "2.0": this Rampart reads version 1.x reports`, true},
		{"old major", withVersion(`"0.9"`), `unsupported report schemaVersion "0.9"`, true},
		{"not a version", withVersion(`"latest"`), "unsupported report schemaVersion: not MAJOR.MINOR such as " + rampart.SchemaVersion + " (want 1.x)", true},
		{"version as number", withVersion(`1.0`), "not a Rampart JSON report", false},
		{"no version", `{"tool": {"name": "zap"}}`, "no schemaVersion", false},
		{"not JSON", `<html>`, "not a Rampart JSON report", false},
		{"not an object", `[1, 2]`, "not a Rampart JSON report", false},
		{"empty input", ``, "not a Rampart JSON report", false},
		{"bad severity", strings.Replace(string(write(t, sample.Report())), `"severity": "high"`, `"severity": "severe"`, 1), `unknown severity "severe"`, false},
		{"trailing garbage", valid + "}", "json report", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Read(strings.NewReader(tt.in))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if r.Findings == nil {
					t.Errorf("Read returned nil findings")
				}
				return
			}
			if err == nil {
				t.Fatalf("Read accepted it")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if errors.Is(err, ErrUnsupportedVersion) != tt.version {
				t.Errorf("errors.Is(err, ErrUnsupportedVersion) = %v, want %v", !tt.version, tt.version)
			}
		})
	}
}
