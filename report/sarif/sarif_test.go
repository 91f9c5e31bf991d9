package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/report/internal/sample"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// schemaPath is the official OASIS SARIF 2.1.0 schema, unmodified (see
// testdata/README.md for where it comes from).
const schemaPath = "testdata/sarif-schema-2.1.0.json"

// rules is fixed metadata for the sample's checks, so the golden files do
// not change whenever a check's wording does. MASS-001 and FP-001 are left
// out on purpose: their rules must be built from the findings.
var rules = []rampart.Meta{
	{
		ID: "AUTHZ-001", Family: rampart.FamilyBOLA, Title: "Another identity can read an object", Severity: rampart.Critical,
		CWE: "CWE-639", OWASP: "API1:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary:  "identity B reads an object identity A owns",
		Detects:  "Objects one identity can list or read are fetched by another; a finding needs the owner's values in the other's response.",
		Requests: "GET on each object of identity A, as identity B and anonymously.",
		Fix:      "Filter by the caller in the query: WHERE id = %s AND owner_id = %s.",
		Doc:      "docs/checks.md#authz-001",
	},
	{
		ID: "DEBUG-001", Family: rampart.FamilyDebugExposure, Title: "Werkzeug debugger exposed", Severity: rampart.High,
		CWE: "CWE-489", OWASP: "API8:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "Werkzeug interactive debugger or console reachable", Detects: "The Werkzeug console page.",
		Requests: "GET /console", Fix: "Never run debug mode where others can reach it.", Doc: "docs/checks.md#debug-001",
	},
	{
		ID: "SQLI-001", Family: rampart.FamilySQLi, Title: "SQL injection", Severity: rampart.High,
		CWE: "CWE-89", OWASP: "API8:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "a value reaches SQL text unescaped", Detects: "Database syntax errors caused by a quote.",
		Requests: "Each parameter with a single quote.", Fix: "Pass values as query parameters.", Doc: "docs/checks.md#sqli-001",
	},
	{
		ID: "TXN-101", Family: rampart.FamilyTxnBoundary, Title: "No retry on serialization failure", Severity: rampart.Medium,
		CWE: "CWE-362", Mode: rampart.Passive, Kind: rampart.KindCode,
		Summary: "a transaction has no retry loop on 40001", Fix: "Retry on SerializationFailure.",
		Doc: "https://example.com/rampart/whitebox#txn-101",
	},
	{
		ID: "HDR-001", Family: rampart.FamilyHeaders, Title: "Security headers missing", Severity: rampart.Low,
		CWE: "CWE-693", OWASP: "API8:2023", Mode: rampart.Passive, Kind: rampart.KindRuntime,
		Summary: "nosniff or CSP missing", Fix: "Set the headers.", Doc: "docs/checks.md#hdr-001",
	},
	{
		ID: "CORS-001", Family: rampart.FamilyCORS, Title: "Any origin may read responses", Severity: rampart.Medium,
		CWE: "CWE-942", OWASP: "API8:2023", Mode: rampart.Safe, Kind: rampart.KindRuntime,
		Summary: "Origin reflected", Fix: "List origins explicitly.", Doc: "docs/checks.md#cors-001",
	},
	{
		ID: "AUTH-001", Family: rampart.FamilyMissingAuth, Title: "Anonymous read", Severity: rampart.High,
		CWE: "CWE-306", Mode: rampart.Safe, Kind: rampart.KindRuntime, Summary: "no finding uses it",
	},
}

func write(t *testing.T, r *rampart.Report, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, opt); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

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
		t.Fatalf("%v (run go test ./report/sarif -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./report/sarif -update\n--- got\n%s", path, got)
	}
}

func reports() map[string]*rampart.Report {
	return map[string]*rampart.Report{
		"report":     sample.Report(),
		"empty":      sample.Empty(),
		"incomplete": sample.Incomplete(),
		"uncovered":  sample.Uncovered(),
	}
}

func TestGolden(t *testing.T) {
	for name, r := range reports() {
		t.Run(name, func(t *testing.T) { golden(t, name, write(t, r, Options{Rules: rules})) })
	}
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
	c.AssertFormat() // uri, uri-reference and date-time must hold
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
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

// The reason this package exists: what it writes is valid SARIF 2.1.0.
func TestValidatesAgainstSchema(t *testing.T) {
	s := compileSchema(t)
	var real []rampart.Meta
	for _, c := range checks.All() {
		real = append(real, c.Meta)
	}
	cases := map[string]struct {
		r   *rampart.Report
		opt Options
	}{
		"hostile": {hostile(), Options{}},
		// The real registry, with its relative doc links.
		"real checks": {sample.Report(), Options{Rules: real}},
		"no metadata": {sample.Report(), Options{}},
	}
	for name, r := range reports() {
		cases[name] = struct {
			r   *rampart.Report
			opt Options
		}{r, Options{Rules: rules}}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if err := validate(s, write(t, c.r, c.opt)); err != nil {
				t.Errorf("written SARIF fails the 2.1.0 schema:\n%v", err)
			}
		})
	}
}

// The schema must be able to say no, or the test above proves nothing.
func TestSchemaRejects(t *testing.T) {
	s := compileSchema(t)
	tests := []struct {
		name   string
		mutate func(m map[string]any)
	}{
		{"wrong version", func(m map[string]any) { m["version"] = "2.0.0" }},
		{"no runs", func(m map[string]any) { delete(m, "runs") }},
		{"bad level", func(m map[string]any) { res(m, 0)["level"] = "critical" }},
		{"message without text", func(m map[string]any) { res(m, 0)["message"] = map[string]any{} }},
		{"unknown result property", func(m map[string]any) { res(m, 0)["severity"] = "high" }},
		{"line zero", func(m map[string]any) {
			loc := res(m, 0)["locations"].([]any)[0].(map[string]any)
			loc["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"] = 0
		}},
		{"relative helpUri", func(m map[string]any) { rule0(m)["helpUri"] = "docs/checks.md#x" }},
		{"rule without id", func(m map[string]any) { delete(rule0(m), "id") }},
		{"invocation without executionSuccessful", func(m map[string]any) {
			delete(run0(m)["invocations"].([]any)[0].(map[string]any), "executionSuccessful")
		}},
		{"bad start time", func(m map[string]any) {
			run0(m)["invocations"].([]any)[0].(map[string]any)["startTimeUtc"] = "yesterday"
		}},
		{"input warning at line zero", func(m map[string]any) {
			for _, n := range run0(m)["invocations"].([]any)[0].(map[string]any)["toolExecutionNotifications"].([]any) {
				if locs, ok := n.(map[string]any)["locations"].([]any); ok {
					locs[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"] = 0
					return
				}
			}
			panic("no located notification")
		}},
		{"fingerprint not a string", func(m map[string]any) { res(m, 0)["partialFingerprints"] = map[string]any{FingerprintKey: 1} }},
	}
	valid := write(t, sample.Report(), Options{Rules: rules})
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
				t.Errorf("schema accepted SARIF with %s", tt.name)
			}
		})
	}
}

func run0(m map[string]any) map[string]any { return m["runs"].([]any)[0].(map[string]any) }
func res(m map[string]any, i int) map[string]any {
	return run0(m)["results"].([]any)[i].(map[string]any)
}
func rule0(m map[string]any) map[string]any {
	return run0(m)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any)
}

// decoded reads a log back into the package's own types.
func decoded(t *testing.T, r *rampart.Report, opt Options) log {
	t.Helper()
	var l log
	if err := json.Unmarshal(write(t, r, opt), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func finding(check string, sev rampart.Severity, conf rampart.Confidence, loc rampart.Location) rampart.Finding {
	f := rampart.Finding{
		Check: check, Family: rampart.FamilySQLi, Title: "t " + check, Message: "m " + check,
		Severity: sev, Confidence: conf, CWE: "CWE-89", Location: loc,
	}
	f.ID = f.Fingerprint()
	return f
}

func TestLevelsAndSecuritySeverity(t *testing.T) {
	tests := []struct {
		sev      rampart.Severity
		level    string
		security string
	}{
		{rampart.Critical, "error", "9.5"},
		{rampart.High, "error", "8.0"},
		{rampart.Medium, "warning", "5.5"},
		{rampart.Low, "note", "3.0"},
		{rampart.Info, "note", "0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.sev.String(), func(t *testing.T) {
			r := sample.Empty()
			r.Findings = []rampart.Finding{finding("X-001", tt.sev, rampart.Firm, rampart.Location{Method: "GET", Path: "/"})}
			l := decoded(t, r, Options{})
			got := l.Runs[0].Results[0]
			if got.Level != tt.level {
				t.Errorf("level %q, want %q", got.Level, tt.level)
			}
			rule := l.Runs[0].Tool.Driver.Rules[0]
			if rule.Properties.SecuritySeverity != tt.security {
				t.Errorf("security-severity %q, want %q", rule.Properties.SecuritySeverity, tt.security)
			}
			if rule.DefaultConfiguration.Level != tt.level {
				t.Errorf("rule level %q, want %q", rule.DefaultConfiguration.Level, tt.level)
			}
		})
	}
}

// A rule's security-severity is the worst severity of its findings, so
// GitHub ranks a critical instance of a high-by-default check as critical.
func TestSecuritySeverityIsWorstFinding(t *testing.T) {
	r := sample.Report()
	l := decoded(t, r, Options{Rules: rules})
	for _, rule := range l.Runs[0].Tool.Driver.Rules {
		if rule.ID == "DEBUG-001" {
			if rule.Properties.SecuritySeverity != "9.5" || rule.DefaultConfiguration.Level != "error" {
				t.Errorf("DEBUG-001: %+v %+v", rule.Properties, rule.DefaultConfiguration)
			}
			return
		}
	}
	t.Fatal("no DEBUG-001 rule")
}

func TestRules(t *testing.T) {
	l := decoded(t, sample.Report(), Options{Rules: rules})
	driver := l.Runs[0].Tool.Driver
	var ids []string
	byID := map[string]descriptor{}
	for _, r := range driver.Rules {
		ids = append(ids, r.ID)
		byID[r.ID] = r
	}
	if got, want := strings.Join(ids, ","), "AUTHZ-001,CORS-001,DEBUG-001,FP-001,HDR-001,MASS-001,SQLI-001,TXN-101"; got != want {
		t.Errorf("rules %s, want %s (one per check with a result, in ID order)", got, want)
	}
	sqli := byID["SQLI-001"]
	if sqli.HelpURI != DefaultDocBase+"docs/checks.md#sqli-001" {
		t.Errorf("helpUri %q", sqli.HelpURI)
	}
	if sqli.Help == nil || !strings.Contains(sqli.Help.Text, "Pass values as query parameters.") ||
		!strings.Contains(sqli.Help.Markdown, "**How to fix.**") {
		t.Errorf("help %+v", sqli.Help)
	}
	if sqli.Name != "SQLInjection" || sqli.ShortDescription.Text != "SQL injection" {
		t.Errorf("name %q short %q", sqli.Name, sqli.ShortDescription.Text)
	}
	wantTags := []string{"security", "sqli", "external/cwe/cwe-89", "owasp-api8:2023"}
	if strings.Join(sqli.Properties.Tags, " ") != strings.Join(wantTags, " ") {
		t.Errorf("tags %v, want %v", sqli.Properties.Tags, wantTags)
	}
	if len(sqli.Relationships) != 1 || sqli.Relationships[0].Target.ID != "CWE-89" {
		t.Errorf("relationships %+v", sqli.Relationships)
	}
	if byID["TXN-101"].HelpURI != "https://example.com/rampart/whitebox#txn-101" {
		t.Errorf("absolute doc link changed: %q", byID["TXN-101"].HelpURI)
	}
	if byID["TXN-101"].Properties.Precision != "low" || byID["AUTHZ-001"].Properties.Precision != "very-high" ||
		byID["MASS-001"].Properties.Precision != "high" {
		t.Errorf("precision from confidence: txn %q authz %q mass %q", byID["TXN-101"].Properties.Precision,
			byID["AUTHZ-001"].Properties.Precision, byID["MASS-001"].Properties.Precision)
	}
	// No metadata: the rule comes from the finding.
	mass := byID["MASS-001"]
	if mass.ShortDescription.Text != "Mass assignment of a privileged field" || mass.HelpURI != "" ||
		mass.Help == nil || !strings.Contains(mass.Help.Text, "allow-list") ||
		mass.Properties.SecuritySeverity != "8.0" || mass.Relationships[0].Target.ID != "CWE-915" {
		t.Errorf("fallback rule %+v help %+v", mass, mass.Help)
	}
	// Results point at their rule.
	for _, res := range l.Runs[0].Results {
		if driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s has ruleIndex %d (%s)", res.RuleID, res.RuleIndex, driver.Rules[res.RuleIndex].ID)
		}
	}
	// The CWE taxonomy lists every CWE used, and nothing else.
	var taxa []string
	for _, tx := range l.Runs[0].Taxonomies[0].Taxa {
		taxa = append(taxa, tx.ID)
	}
	if got, want := strings.Join(taxa, ","), "CWE-89,CWE-362,CWE-489,CWE-639,CWE-693,CWE-915,CWE-942"; got != want {
		t.Errorf("taxa %s, want %s", got, want)
	}
}

func TestDocBase(t *testing.T) {
	l := decoded(t, sample.Report(), Options{Rules: rules, DocBase: "https://docs.example/rampart/v1/"})
	for _, r := range l.Runs[0].Tool.Driver.Rules {
		if r.ID == "AUTHZ-001" && r.HelpURI != "https://docs.example/rampart/v1/docs/checks.md#authz-001" {
			t.Errorf("helpUri %q", r.HelpURI)
		}
	}
}

func TestLocations(t *testing.T) {
	tests := []struct {
		name     string
		loc      rampart.Location
		artifact string // Options.HTTPArtifact
		physical string // artifact URI
		base     string
		line     int
		logical  string // fullyQualifiedName, "" for none
	}{
		{"http only", rampart.Location{Method: "get", Path: "/notes/{note_id}", URL: "http://h/notes/7", Param: "note_id"}, "", "api/notes/%7Bnote_id%7D", SrcRoot, 0, "GET /notes/{note_id}"},
		{"http only, spec given", rampart.Location{Method: "GET", Path: "/notes/{note_id}"}, "./spec/openapi.yaml", "spec/openapi.yaml", SrcRoot, 0, "GET /notes/{note_id}"},
		{"root path", rampart.Location{Method: "GET", Path: "/"}, "", "api", SrcRoot, 0, "GET /"},
		{"url only", rampart.Location{URL: "http://h/x/../y?q=1"}, "", "api/y", SrcRoot, 0, "http://h/x/../y?q=1"},
		{"source only", rampart.Location{File: "app/views.py", Line: 12, Column: 3}, "", "app/views.py", SrcRoot, 12, ""},
		{"both", rampart.Location{Method: "POST", Path: "/notes", File: "./app.py", Line: 9}, "spec.yaml", "app.py", SrcRoot, 9, "POST /notes"},
		{"file without line", rampart.Location{File: ".env"}, "", ".env", SrcRoot, 0, ""},
		{"absolute file", rampart.Location{File: "/srv/app/my app.py", Line: 1}, "", "file:///srv/app/my%20app.py", "", 1, ""},
		{"windows file", rampart.Location{File: `C:\src\app.py`, Line: 1}, "", "file:///C:/src/app.py", "", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sample.Empty()
			r.Findings = []rampart.Finding{finding("X-001", rampart.High, rampart.Firm, tt.loc)}
			got := decoded(t, r, Options{HTTPArtifact: tt.artifact}).Runs[0].Results[0]
			if len(got.Locations) != 1 {
				t.Fatalf("locations %+v", got.Locations)
			}
			loc := got.Locations[0]
			pl := loc.PhysicalLocation
			if pl == nil || pl.ArtifactLocation.URI != tt.physical || pl.ArtifactLocation.URIBaseID != tt.base {
				t.Fatalf("physical %+v, want %s (%s)", pl, tt.physical, tt.base)
			}
			if (pl.Region == nil) != (tt.line == 0) || (pl.Region != nil && pl.Region.StartLine != tt.line) {
				t.Errorf("region %+v, want line %d", pl.Region, tt.line)
			}
			if tt.logical == "" {
				if loc.LogicalLocations != nil {
					t.Errorf("logical location for a source finding: %+v", loc.LogicalLocations)
				}
			} else if len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].FullyQualifiedName != tt.logical {
				t.Errorf("logical %+v, want %s", loc.LogicalLocations, tt.logical)
			}
		})
	}
}

// GitHub code scanning rejects the whole file when one result or related
// location has no physical location, or a result has no location at all.
func TestEveryLocationIsPhysical(t *testing.T) {
	for name, r := range reports() {
		for _, res := range decoded(t, r, Options{Rules: rules}).Runs[0].Results {
			if len(res.Locations) == 0 {
				t.Errorf("%s: %s has no location", name, res.RuleID)
			}
			for _, l := range append(res.Locations, res.RelatedLocations...) {
				if l.PhysicalLocation == nil || l.PhysicalLocation.ArtifactLocation.URI == "" ||
					strings.Contains(l.PhysicalLocation.ArtifactLocation.URI, "://") && !strings.HasPrefix(l.PhysicalLocation.ArtifactLocation.URI, "file://") {
					t.Errorf("%s: %s: location GitHub cannot place: %+v", name, res.RuleID, l.PhysicalLocation)
				}
			}
		}
	}
}

func TestFingerprintsAndRelated(t *testing.T) {
	r := sample.Report()
	l := decoded(t, r, Options{Rules: rules})
	byID := map[string]result{}
	for _, res := range l.Runs[0].Results {
		byID[res.PartialFingerprints[FingerprintKey]] = res
	}
	for _, f := range r.Findings {
		if _, ok := byID[f.ID]; !ok {
			t.Errorf("no result with partialFingerprints[%s] = %s", FingerprintKey, f.ID)
		}
	}
	bola := byID["F-0001"]
	if len(bola.RelatedLocations) != 2 {
		t.Fatalf("related %+v", bola.RelatedLocations)
	}
	if rl := bola.RelatedLocations[1]; rl.PhysicalLocation == nil || rl.PhysicalLocation.Region.StartLine != 42 ||
		rl.Message == nil || !strings.Contains(rl.Message.Text, "no owner condition") || *rl.ID != 2 {
		t.Errorf("source related location %+v", rl)
	}
	if rl := bola.RelatedLocations[0]; rl.LogicalLocations[0].FullyQualifiedName != "POST /notes" || rl.Properties.Curl == "" ||
		rl.PhysicalLocation.ArtifactLocation.URI != "api/notes" {
		t.Errorf("http related location %+v", rl)
	}
	// A finding without an ID still gets a stable fingerprint.
	e := sample.Empty()
	f := finding("X-001", rampart.High, rampart.Firm, rampart.Location{Method: "GET", Path: "/a"})
	f.ID = ""
	e.Findings = []rampart.Finding{f}
	if got := decoded(t, e, Options{}).Runs[0].Results[0].PartialFingerprints[FingerprintKey]; got != f.Fingerprint() {
		t.Errorf("fingerprint %q, want %q", got, f.Fingerprint())
	}
}

func TestInvocation(t *testing.T) {
	inv := decoded(t, sample.Report(), Options{}).Runs[0].Invocations[0]
	if !inv.ExecutionSuccessful || inv.StartTimeUTC != "2025-03-14T09:26:53Z" || inv.EndTimeUTC != "2025-03-14T09:27:05Z" {
		t.Errorf("invocation %+v", inv)
	}
	// The errors, the input warnings (TestInputWarnings checks them), the
	// notes, then the two coverage reasons the scan could not help
	// (TestCoverage checks them).
	if len(inv.ToolExecutionNotifications) != 9 || inv.ToolExecutionNotifications[0].Level != "error" ||
		!strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "SQLI-003 on GET /search could not run") ||
		inv.ToolExecutionNotifications[0].AssociatedRule.ID != "SQLI-003" {
		t.Errorf("execution notifications %+v", inv.ToolExecutionNotifications)
	}
	if len(inv.ToolConfigurationNotifications) != 7 ||
		inv.ToolConfigurationNotifications[0].Message.Text != "AUTHZ-002 was skipped: needs --mode active" {
		t.Errorf("configuration notifications %+v", inv.ToolConfigurationNotifications)
	}
	inc := decoded(t, sample.Incomplete(), Options{}).Runs[0].Invocations[0]
	if inc.ExecutionSuccessful || inc.ToolExecutionNotifications[0].Level != "error" {
		t.Errorf("an interrupted scan is not a successful execution: %+v", inc)
	}
}

func TestEmptyHasResultsArray(t *testing.T) {
	out := write(t, sample.Empty(), Options{})
	if !bytes.Contains(out, []byte(`"results": []`)) {
		t.Errorf("a run with no findings must say results: [] (GitHub closes alerts that way):\n%s", out)
	}
}

func TestDeterministicAndOrderIndependent(t *testing.T) {
	a := write(t, sample.Report(), Options{Rules: rules})
	r := sample.Report()
	for i, j := 0, len(r.Findings)-1; i < j; i, j = i+1, j-1 {
		r.Findings[i], r.Findings[j] = r.Findings[j], r.Findings[i]
	}
	if b := write(t, r, Options{Rules: rules}); !bytes.Equal(a, b) {
		t.Errorf("output depends on the order of findings")
	}
}

// hostile is a report whose target tried to break the writer.
func hostile() *rampart.Report {
	r := sample.Empty()
	f := finding("XSS-001", rampart.High, rampart.Firm, rampart.Location{
		Method: "GET", Path: "/q/{x}\"<script>", URL: "http://h/q?a=\"<img src=x onerror=alert(1)>", File: "we ird/\x00app.py", Line: 3,
	})
	f.Message = "</script><script>alert(1)</script>\x1b[31m \u2028 done"
	f.Title = ""
	f.CWE = "not-a-cwe"
	r.Findings = []rampart.Finding{f}
	r.Errors = []rampart.CheckError{{Check: "", Error: "boom\x07"}}
	r.InputWarnings = []rampart.InputWarning{
		{File: "we ird/\x00api.yaml", Line: 3, Path: "paths./x\n\"<script>", Problem: "bad\x1b[31m\u2028", Repair: "</script>"},
		{File: "http://127.0.0.1:5000/openapi.json?x=\"<y>", Problem: "p"},
		{File: "C:\\specs\\api.yaml", Line: 9, Problem: "p"},
	}
	return r
}

func TestHostileInput(t *testing.T) {
	out := write(t, hostile(), Options{Rules: []rampart.Meta{{ID: "XSS-001", Doc: "::not a url"}}})
	var l log
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if msg := l.Runs[0].Results[0].Message.Text; strings.ContainsRune(msg, '\x1b') {
		t.Errorf("control characters kept in message: %q", msg)
	}
	if l.Runs[0].Tool.Driver.Rules[0].HelpURI != "" {
		t.Errorf("a doc that is not a URL gave helpUri %q", l.Runs[0].Tool.Driver.Rules[0].HelpURI)
	}
}

func TestWriteErrors(t *testing.T) {
	if err := Write(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("nil report accepted")
	}
	if err := Write(failWriter{}, sample.Report(), Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("writer error = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCWENumber(t *testing.T) {
	for in, want := range map[string]string{
		"CWE-89": "89", "cwe-639": "639", " CWE 22 ": "22", "CWE-0079": "79", "89": "89",
		"": "", "CWE-": "", "CWE-8x": "", "OWASP": "",
	} {
		if got := cweNumber(in); got != want {
			t.Errorf("cweNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
