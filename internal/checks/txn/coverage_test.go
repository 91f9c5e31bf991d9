package txn

import (
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
)

// Each unit ends tested or says what stopped it, in the operation's terms.
func TestCoverage(t *testing.T) {
	alice := checktest.User("alice", "user", "tok-alice")
	stranger := checktest.User("mallory", "user", "tok-unknown") // the wallet refuses its token
	type want struct {
		state  rampart.CoverageState
		reason rampart.Reason
	}
	tested := want{state: rampart.CoverageTested}
	notTested := func(r rampart.Reason) want { return want{rampart.CoverageNotTested, r} }
	na := want{state: rampart.CoverageNotApplicable}
	for _, tt := range []struct {
		name string
		cfg  walletCfg
		c    *check.Check
		op   string
		ids  []*identity.Identity
		want want
	}{
		{"IDEM-001 replays the payment", walletCfg{payKeys: "user", payConflict: "none"}, &Replay, "POST /payments", []*identity.Identity{alice}, tested},
		{"IDEM-002 misuses the honoured key", walletCfg{payKeys: "user", payConflict: "none"}, &KeyBinding, "POST /payments", []*identity.Identity{alice}, tested},
		{"IDEM-002 without a stored result", walletCfg{payKeys: "ignore", payConflict: "none"}, &KeyBinding, "POST /memos", []*identity.Identity{alice}, na},
		{"IDEM-001 refused", walletCfg{payKeys: "user"}, &Replay, "POST /payments", []*identity.Identity{stranger}, notTested(rampart.ReasonRefused)},
		{"IDEM-002 refused", walletCfg{payKeys: "user"}, &KeyBinding, "POST /payments", []*identity.Identity{stranger}, notTested(rampart.ReasonRefused)},
		{"IDEM-001 without identities", walletCfg{payKeys: "user"}, &Replay, "POST /payments", nil, notTested(rampart.ReasonNeedsIdentity)},
		{"TXN-001 bursts the payment", walletCfg{payConflict: "none"}, &RetryLeak, "POST /payments", []*identity.Identity{alice}, tested},
		{"TXN-001 refused", walletCfg{}, &RetryLeak, "POST /payments", []*identity.Identity{stranger}, notTested(rampart.ReasonRefused)},
		{"TXN-001 without identities", walletCfg{}, &RetryLeak, "POST /payments", nil, notTested(rampart.ReasonNeedsIdentity)},
		{"RACE-001 bursts a voucher", walletCfg{voucher: "locked", counter: true}, &LimitOverrun, "POST /vouchers/{voucher_code}/claim", []*identity.Identity{alice}, tested},
		{"RACE-001 without identities", walletCfg{voucher: "locked", counter: true}, &LimitOverrun, "POST /vouchers/{voucher_code}/claim", nil, notTested(rampart.ReasonNeedsIdentity)},
		{"RACE-001 with no voucher listed", walletCfg{voucher: "locked", counter: true}, &LimitOverrun, "POST /vouchers/{voucher_code}/claim", []*identity.Identity{stranger}, notTested(rampart.ReasonNoObject)},
		{"TXN-002 breaks the dataset", walletCfg{stats: "pool"}, &PoisonedConnection, "GET /stats/{dataset}", []*identity.Identity{alice}, tested},
		{"TXN-002 with nothing to break", walletCfg{stats: "pool"}, &PoisonedConnection, "GET /wallets", []*identity.Identity{alice}, na},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWallet(tt.cfg)
			srv := checktest.NewServer(t, w)
			ops := opsNamed(t, tt.op)
			env := checktest.New(t, srv, rampart.Active, ops, tt.ids...)
			got, ok := env.Units(t, tt.c)[tt.op]
			if !ok {
				t.Fatalf("%s does not apply to %s", tt.c.ID, tt.op)
			}
			if got.State != tt.want.state || got.Reason != tt.want.reason {
				t.Errorf("%s: %s %s (%s), want %s %s", tt.c.ID, got.State, got.Reason, got.Detail, tt.want.state, tt.want.reason)
			}
			if (got.State == rampart.CoverageNotTested || got.State == rampart.CoverageNotApplicable) && got.Detail == "" {
				t.Errorf("%s: %s without a detail", tt.c.ID, got.State)
			}
		})
	}
}
