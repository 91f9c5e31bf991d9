package txn

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

var twoUsers = map[string]string{"alice": "Bearer tok-alice", "bob": "Bearer tok-bob"}

// run runs one check against the fake wallet API in active mode. An error
// fails the test: it is how a check that overspends its budget shows.
func run(t *testing.T, c *check.Check, srvURL string, mode rampart.Mode, ops []*rampart.Operation) []rampart.Finding {
	t.Helper()
	fs, err := checktest.Quick(t, c, srvURL, checktest.QuickOptions{Mode: mode, Ops: ops, Users: twoUsers})
	if err != nil {
		t.Fatalf("%s: %v", c.ID, err)
	}
	return fs
}

func findingAt(fs []rampart.Finding, method, path string) *rampart.Finding {
	for i := range fs {
		if fs[i].Location.Method == method && fs[i].Location.Path == path {
			return &fs[i]
		}
	}
	return nil
}

func TestReplay(t *testing.T) {
	tests := []struct {
		name    string
		cfg     walletCfg
		op      string
		want    bool
		sev     rampart.Severity
		message []string
	}{
		{"key documented and ignored: paid twice", walletCfg{payKeys: "ignore", payConflict: "none"}, "POST /payments", true, rampart.High,
			[]string{"same Idempotency-Key", "/wallets wallets[id=10].balance: 1000 → 999.98", "documents the Idempotency-Key"}},
		{"key honoured per user: an idempotent endpoint", walletCfg{payKeys: "user", payConflict: "none"}, "POST /payments", false, 0, nil},
		{"key honoured in sequence, not under concurrency", walletCfg{payKeys: "racy", payConflict: "none"}, "POST /payments", true, rampart.High,
			[]string{"answered from the first result", "both took effect"}},
		{"a new object per request, as documented", walletCfg{}, "POST /memos", false, 0, nil},
		{"an upsert returns the same object", walletCfg{}, "POST /wallets/{wallet_id}/label", false, 0, nil},
		{"no key documented, money moves twice", walletCfg{}, "POST /topups", true, rampart.Medium,
			[]string{"documents no idempotency key", "balance: 1000 → 1002"}},
		{"no key documented, but the de facto header is honoured", walletCfg{topupKeys: true}, "POST /topups", false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, srv := serve(t, tt.cfg)
			ops := opsNamed(t, tt.op)
			fs := run(t, &Replay, srv.URL, rampart.Active, ops)
			method, path, _ := strings.Cut(tt.op, " ")
			f := findingAt(fs, method, path)
			if (f != nil) != tt.want {
				t.Fatalf("finding at %s: %v, want %v (all: %+v)", tt.op, f != nil, tt.want, fs)
			}
			if len(fs) > 1 {
				t.Errorf("%d findings, want at most one: %+v", len(fs), fs)
			}
			if f != nil {
				if f.Severity != tt.sev || f.Confidence != rampart.Confirmed {
					t.Errorf("severity %s confidence %s", f.Severity, f.Confidence)
				}
				for _, m := range tt.message {
					if !strings.Contains(f.Message, m) {
						t.Errorf("message lacks %q:\n%s", m, f.Message)
					}
				}
				if len(f.Evidence) < 2 || f.Curl == "" {
					t.Errorf("evidence %d, curl %q", len(f.Evidence), f.Curl)
				}
			}
			// Whatever it created through a documented collection is gone.
			w.mu.Lock()
			left := len(w.memos)
			w.mu.Unlock()
			if left != 0 {
				t.Errorf("%d memos left behind", left)
			}
		})
	}
}

func TestReplayAmountsAreTheSmallestAllowed(t *testing.T) {
	w, srv := serve(t, walletCfg{payKeys: "ignore", payConflict: "none"})
	run(t, &Replay, srv.URL, rampart.Active, opsNamed(t, "POST /payments"))
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.payments {
		if p["amount"] != 0.01 {
			t.Fatalf("paid %v; the spec's minimum is 0.01", p["amount"])
		}
	}
}

func TestKeyBinding(t *testing.T) {
	tests := []struct {
		name string
		cfg  walletCfg
		want map[string]rampart.Severity // finding key → severity
	}{
		{"bound to user and payload", walletCfg{payKeys: "user", payConflict: "none"}, map[string]rampart.Severity{}},
		{"global key table", walletCfg{payKeys: "global", payConflict: "none"}, map[string]rampart.Severity{"identity": rampart.High}},
		{"payload not compared", walletCfg{payKeys: "nohash", payConflict: "none"}, map[string]rampart.Severity{"payload": rampart.Low}},
		{"key ignored: IDEM-001's business", walletCfg{payKeys: "ignore", payConflict: "none"}, map[string]rampart.Severity{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := serve(t, tt.cfg)
			fs := run(t, &KeyBinding, srv.URL, rampart.Active, opsNamed(t, "POST /payments"))
			got := map[string]rampart.Severity{}
			for _, f := range fs {
				got[f.Key] = f.Severity
				if f.Confidence != rampart.Confirmed {
					t.Errorf("%s: confidence %s", f.Key, f.Confidence)
				}
				if f.Key == "identity" && (!strings.Contains(f.Message, "bob sent alice's key") || len(f.Related) != 1) {
					t.Errorf("identity finding: %s", f.Message)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
			for k, sev := range tt.want {
				if got[k] != sev {
					t.Errorf("%s: severity %s, want %s", k, got[k], sev)
				}
			}
		})
	}
}

func TestLimitOverrun(t *testing.T) {
	tests := []struct {
		name    string
		cfg     walletCfg
		want    bool
		conf    rampart.Confidence
		message []string
	}{
		{"racy single-use voucher", walletCfg{voucher: "racy", counter: true}, true, rampart.Confirmed,
			[]string{"voucher_code=A-ONE", "uses_left allowed 1", "× 5)", "One more request afterwards is refused with 409"}},
		{"correctly locked counter", walletCfg{voucher: "locked", counter: true}, false, 0, nil},
		{"racy, no counter: limit measured in sequence", walletCfg{voucher: "racy"}, true, rampart.Confirmed,
			[]string{"allows 1 per caller", "200"}},
		{"locked, no counter", walletCfg{voucher: "locked"}, false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, srv := serve(t, tt.cfg)
			fs := run(t, &LimitOverrun, srv.URL, rampart.Active, opsNamed(t, "POST /vouchers/{voucher_code}/claim"))
			f := findingAt(fs, "POST", "/vouchers/{voucher_code}/claim")
			if (f != nil) != tt.want {
				t.Fatalf("finding %v, want %v: %+v", f != nil, tt.want, fs)
			}
			if f != nil {
				if f.Confidence != tt.conf || f.Location.Param != "voucher_code" {
					t.Errorf("confidence %s param %q", f.Confidence, f.Location.Param)
				}
				for _, m := range tt.message {
					if !strings.Contains(f.Message, m) {
						t.Errorf("message lacks %q:\n%s", m, f.Message)
					}
				}
			}
			for _, r := range w.requests() {
				if strings.HasPrefix(r, "POST /vouchers/B-ONE") {
					t.Errorf("touched another user's voucher: %s", r)
				}
			}
		})
	}
}

func TestRetryLeak(t *testing.T) {
	tests := []struct {
		name string
		cfg  walletCfg
		want bool
		conf rampart.Confidence
		text string
	}{
		{"40001 text leaks", walletCfg{payKeys: "user", payConflict: "leak"}, true, rampart.Confirmed, "serialization failure (40001)"},
		{"plain 500", walletCfg{payKeys: "user", payConflict: "plain500"}, true, rampart.Firm, "server error"},
		{"503 with Retry-After", walletCfg{payKeys: "user", payConflict: "busy"}, false, 0, ""},
		// Copies of one create collide on a unique key: a conflict of
		// values, not of transactions.
		{"unique violation", walletCfg{payKeys: "user", payConflict: "unique"}, false, 0, ""},
		{"retried inside (serialised)", walletCfg{payKeys: "user", payConflict: "none"}, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := serve(t, tt.cfg)
			fs := run(t, &RetryLeak, srv.URL, rampart.Active, opsNamed(t, "POST /payments"))
			f := findingAt(fs, "POST", "/payments")
			if (f != nil) != tt.want {
				t.Fatalf("finding %v, want %v: %+v", f != nil, tt.want, fs)
			}
			if f != nil && (f.Confidence != tt.conf || !strings.Contains(f.Message, tt.text)) {
				t.Errorf("confidence %s, message %s", f.Confidence, f.Message)
			}
		})
	}
}

func TestPoisonedConnection(t *testing.T) {
	tests := []struct {
		name  string
		stats string
		want  []string // paths with a finding
	}{
		{"shared connection poisoned by one bad read", "shared", []string{"/stats/overview", "/stats/{dataset}"}},
		{"already poisoned", "poisoned", []string{"/stats/overview", "/stats/{dataset}"}},
		{"pooled connection, bad input refused", "pool", nil},
		{"a 500 that does not poison", "error", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, srv := serve(t, walletCfg{stats: tt.stats})
			fs := run(t, &PoisonedConnection, srv.URL, rampart.Safe, walletOps(t))
			var got []string
			for _, f := range fs {
				got = append(got, f.Location.Path)
				if f.Family != rampart.FamilyTxnBoundary || f.Confidence != rampart.Confirmed || !strings.Contains(f.Message, "25P02") {
					t.Errorf("finding %+v", f)
				}
			}
			if strings.Join(dedupe(got), ",") != strings.Join(tt.want, ",") {
				t.Fatalf("findings at %v, want %v", got, tt.want)
			}
			for _, r := range w.requests() {
				if !strings.HasPrefix(r, "GET ") {
					t.Errorf("a safe check sent %s", r)
				}
			}
		})
	}
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sortStrings(out)
	return out
}

func TestMetadata(t *testing.T) {
	for _, c := range All() {
		if c.Budget <= 0 {
			t.Errorf("%s announces no budget", c.ID)
		}
		if !strings.Contains(c.Requests, "Budget ") {
			t.Errorf("%s: Requests does not state the budget", c.ID)
		}
		if c.ID != "TXN-002" && c.Mode != rampart.Active {
			t.Errorf("%s writes and must need active mode", c.ID)
		}
		if !c.Exclusive {
			t.Errorf("%s reads state back and must run alone", c.ID)
		}
	}
}

func sortStrings(xs []string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// A correct API (keys bound to user and payload, a locked counter, pooled
// connections, retries inside) gives no finding from any check, on any of
// its operations, including the one that creates a new object per call.
func TestCorrectAPIHasNoFinding(t *testing.T) {
	cfg := walletCfg{payKeys: "user", payConflict: "none", topupKeys: true, voucher: "locked", counter: true, stats: "pool"}
	for _, c := range All() {
		t.Run(c.ID, func(t *testing.T) {
			w, srv := serve(t, cfg)
			mode := c.Mode
			if fs := run(t, c, srv.URL, mode, walletOps(t)); len(fs) != 0 {
				for _, f := range fs {
					t.Errorf("%s at %s: %s", f.Check, f.Location, f.Message)
				}
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if len(w.memos) != 0 {
				t.Errorf("%d memos left behind", len(w.memos))
			}
			if w.labels[10] != "Main" {
				t.Errorf("wallet 10's label left as %q", w.labels[10])
			}
		})
	}
}
