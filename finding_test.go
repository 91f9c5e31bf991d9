package rampart

import "testing"

func TestFingerprint(t *testing.T) {
	base := Finding{Check: "PY-SQLI-001", Family: FamilySQLi, Location: Location{Method: "GET", Path: "/search", File: "app.py", Line: 10}}
	moved := base
	moved.Location.Line = 14
	if base.Fingerprint() == moved.Fingerprint() {
		t.Error("without a key, the line tells two findings apart")
	}
	k1, k2 := base, moved
	k1.Key, k2.Key = `cur.execute(f"SELECT … {q}")`, `cur.execute(f"SELECT … {q}")`
	if k1.Fingerprint() != k2.Fingerprint() {
		t.Error("with a key, moving the code does not change the fingerprint")
	}
	k2.Key = `cur.execute("SELECT … " + q)`
	if k1.Fingerprint() == k2.Fingerprint() {
		t.Error("changing the code changes the fingerprint")
	}
	host := base
	host.Location.URL = "http://other-host/search"
	host.Evidence = []Evidence{{Note: "x"}}
	if host.Fingerprint() != base.Fingerprint() {
		t.Error("URL and evidence must not change the fingerprint")
	}
}

// CompareFindings orders by severity, confidence, check, path, method,
// file, line and ID, each deciding only when those before it are equal.
func TestCompareFindings(t *testing.T) {
	base := Finding{Severity: High, Confidence: Firm, Check: "BOLA-001", ID: "b",
		Location: Location{Path: "/b", Method: "GET", File: "b.py", Line: 2}}
	first := []func(*Finding){ // each makes a finding that sorts before base
		func(f *Finding) { f.Severity, f.Check = Critical, "ZZZ" },
		func(f *Finding) { f.Confidence, f.Location.Path = Confirmed, "/z" },
		func(f *Finding) { f.Check, f.Location.Method = "AAA", "PUT" },
		func(f *Finding) { f.Location.Path, f.Location.File = "/a", "z.py" },
		func(f *Finding) { f.Location.Method, f.Location.Line = "DELETE", 9 },
		func(f *Finding) { f.Location.File, f.ID = "a.py", "z" },
		func(f *Finding) { f.Location.Line, f.ID = 1, "z" },
		func(f *Finding) { f.ID = "a" },
	}
	for i, change := range first {
		a := base
		change(&a)
		if got := CompareFindings(a, base); got >= 0 {
			t.Errorf("key %d: CompareFindings(a, base) = %d, want < 0", i, got)
		}
		if got := CompareFindings(base, a); got <= 0 {
			t.Errorf("key %d: CompareFindings(base, a) = %d, want > 0", i, got)
		}
	}
	if got := CompareFindings(base, base); got != 0 {
		t.Errorf("CompareFindings(base, base) = %d", got)
	}
}
