package userenum

import (
	"context"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
)

func TestUserEnumerationCoverage(t *testing.T) {
	alice := flowUser("alice", "alice@example.com", "wonderland-zoo", false)
	noAccount := checktest.Op("POST", "/login", "")
	tests := []struct {
		name   string
		api    *authAPI
		op     *rampart.Operation
		ids    []*identity.Identity
		spent  bool // another login operation used alice's share first
		want   rampart.CoverageState
		reason rampart.Reason
		detail string
	}{
		{name: "the same answer", api: &authAPI{mode: "same"}, ids: []*identity.Identity{alice}, want: rampart.CoverageTested},
		{name: "the message tells", api: &authAPI{mode: "message"}, ids: []*identity.Identity{alice}, want: rampart.CoverageProved},
		{name: "token identity only", api: &authAPI{mode: "message"}, ids: []*identity.Identity{checktest.User("alice", "user", "tok-alice")},
			want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity, detail: "logs in with a username"},
		{name: "throttled at once", api: &authAPI{mode: "same", throttle: 1}, ids: []*identity.Identity{alice},
			want: rampart.CoverageNotTested, reason: rampart.ReasonThrottled},
		{name: "alice's share spent", api: &authAPI{mode: "same"}, ids: []*identity.Identity{alice}, spent: true,
			want: rampart.CoverageNotTested, reason: rampart.ReasonBudget, detail: "alice's share"},
		{name: "no account field", api: &authAPI{mode: "same"}, op: noAccount, want: rampart.CoverageNotApplicable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := tt.op
			if op == nil {
				op = loginOp("/login")
			}
			srv := checktest.NewServer(t, tt.api)
			env := checktest.New(t, srv, rampart.Active, []*rampart.Operation{op}, tt.ids...)
			if tt.spent {
				att := attemptsOf(env.Pass)
				for att.take("alice@example.com", maxWrongPasswords) {
				}
			}
			unit := env.Pass.ForUnit(&Login, op)
			got := unit.Coverage(Login.Run(context.Background(), unit))
			if got.State != tt.want || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("coverage = %+v, want %s %s with detail containing %q", got, tt.want, tt.reason, tt.detail)
			}
		})
	}
}
