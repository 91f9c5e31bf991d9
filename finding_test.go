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
