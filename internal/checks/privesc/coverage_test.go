package privesc

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/signup"
)

// covered runs one check over the club as the scanner does and returns
// what each unit ended as, by "CHECK METHOD /path" ("CHECK" for a
// target-level check). signups says whether the scan may sign up.
func covered(t *testing.T, c *club, ops []*rampart.Operation, signups bool, ids []*identity.Identity, chk *check.Check) map[string]rampart.CheckCoverage {
	t.Helper()
	srv := checktest.NewServer(t, c)
	e := checktest.New(t, srv, rampart.Active, ops, ids...)
	if plan := signup.Find(ops, nil); signups && plan != nil {
		base, _ := url.Parse(srv.URL)
		senv := signup.Env{Client: e.Pass.Client, Base: base, Body: e.Pass.Body}
		fixture.SetAccountMaker(e.Pass, &fixture.AccountMaker{Register: plan.Register,
			New: func(ctx context.Context, extra map[string]any) (*signup.Account, error) {
				return plan.CreateWith(ctx, senv, signup.UseCheck, extra)
			}})
	}
	out := map[string]rampart.CheckCoverage{}
	units := []*rampart.Operation{nil}
	if chk.PerOperation() {
		units = nil
		for _, op := range ops {
			if chk.Applies(op) {
				units = append(units, op)
			}
		}
	}
	for _, op := range units {
		unit := e.Pass.ForUnit(chk, op)
		err := chk.Run(context.Background(), unit)
		key := chk.ID
		if op != nil {
			key += " " + op.Key()
		}
		out[key] = unit.Coverage(err)
	}
	return out
}

func TestPrivilegeCoverage(t *testing.T) {
	root := checktest.User("root", identity.RoleAdmin, "tok-root")
	ann := checktest.User("ann", identity.RoleUser, "tok-ann")
	both := []*identity.Identity{root, ann}
	// without drops operations from the club's surface.
	without := func(paths ...string) []*rampart.Operation {
		var out []*rampart.Operation
		for _, op := range clubOps(false) {
			drop := false
			for _, p := range paths {
				drop = drop || op.Path == p
			}
			if !drop {
				out = append(out, op)
			}
		}
		return out
	}
	tests := []struct {
		name   string
		club   *club
		ops    []*rampart.Operation
		nosign bool
		ids    []*identity.Identity
		chk    *check.Check
		unit   string
		want   rampart.CoverageState
		reason rampart.Reason
		detail string
	}{
		{name: "MASS-002 fields refused", club: &club{}, chk: &Signup, unit: "MASS-002", want: rampart.CoverageTested},
		{name: "MASS-002 role bound", club: &club{signupRole: true}, chk: &Signup, unit: "MASS-002", want: rampart.CoverageProved},
		{name: "MASS-002 --no-signup", club: &club{}, nosign: true, chk: &Signup, unit: "MASS-002",
			want: rampart.CoverageNotTested, reason: rampart.ReasonExcluded, detail: "--no-signup"},
		{name: "MASS-002 no sign-up in the API", club: &club{}, ops: without("/register"), chk: &Signup, unit: "MASS-002",
			want: rampart.CoverageNotApplicable, detail: "no sign-up"},
		// Without an admin-only read the account's own record read back is
		// the proof (TestSignupPrivilegeReadBack): judged all the same.
		{name: "MASS-002 no admin identity", club: &club{}, ids: []*identity.Identity{ann}, chk: &Signup, unit: "MASS-002",
			want: rampart.CoverageTested},
		{name: "MASS-002 no admin-only read", club: &club{}, ops: without("/admin/members"), chk: &Signup, unit: "MASS-002",
			want: rampart.CoverageTested},
		{name: "MASS-002 sign-up closed", club: &club{closed: true}, chk: &Signup, unit: "MASS-002",
			want: rampart.CoverageNotTested, reason: rampart.ReasonError, detail: "signing up a throwaway account failed"},
		{name: "BFLA-004 role checked", club: &club{}, chk: &Self, unit: "BFLA-004 PATCH /members/{username}/role", want: rampart.CoverageTested},
		{name: "BFLA-004 self-promotion", club: &club{selfRole: true}, chk: &Self, unit: "BFLA-004 PATCH /members/{username}/role", want: rampart.CoverageProved},
		{name: "BFLA-004 no user", club: &club{}, nosign: true, ids: []*identity.Identity{root}, chk: &Self,
			unit: "BFLA-004 PATCH /members/{username}/role", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity},
		{name: "BFLA-004 no sign-up and no stated role", club: &club{}, nosign: true, chk: &Self,
			unit: "BFLA-004 PATCH /members/{username}/role", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity,
			detail: "does not"},
		{name: "BOLA-003 owner checked", club: &club{}, chk: &Takeover, unit: "BOLA-003 PUT /members/{username}/password", want: rampart.CoverageTested},
		{name: "BOLA-003 anyone's password", club: &club{anyPass: true}, chk: &Takeover, unit: "BOLA-003 PUT /members/{username}/password",
			want: rampart.CoverageProved},
		{name: "BOLA-003 no sign-up in the API", club: &club{}, ops: without("/register"), chk: &Takeover,
			unit: "BOLA-003 PUT /members/{username}/password", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsSignup,
			detail: "no sign-up"},
		{name: "BOLA-003 sign-up closed", club: &club{closed: true}, chk: &Takeover, unit: "BOLA-003 PUT /members/{username}/password",
			want: rampart.CoverageNotTested, reason: rampart.ReasonError},
		{name: "BFLA-005 owner checked", club: &club{}, chk: &DeleteAccount, unit: "BFLA-005 DELETE /members/{username}", want: rampart.CoverageTested},
		{name: "BFLA-005 anyone deleted", club: &club{anyDelete: true}, chk: &DeleteAccount, unit: "BFLA-005 DELETE /members/{username}",
			want: rampart.CoverageProved},
		{name: "BFLA-005 no user to act as", club: &club{}, ids: []*identity.Identity{root}, chk: &DeleteAccount,
			unit: "BFLA-005 DELETE /members/{username}", want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsIdentity},
		{name: "BFLA-005 --no-signup", club: &club{}, nosign: true, chk: &DeleteAccount, unit: "BFLA-005 DELETE /members/{username}",
			want: rampart.CoverageNotTested, reason: rampart.ReasonExcluded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.club
			c.users = newClub().users
			ops := tt.ops
			if ops == nil {
				ops = clubOps(false)
			}
			ids := tt.ids
			if ids == nil {
				ids = both
			}
			got, ok := covered(t, c, ops, !tt.nosign, ids, tt.chk)[tt.unit]
			if !ok {
				t.Fatalf("no unit %s", tt.unit)
			}
			if got.State != tt.want || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("coverage = %+v, want %s %s with detail containing %q", got, tt.want, tt.reason, tt.detail)
			}
		})
	}
}
