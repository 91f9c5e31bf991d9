package session

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
)

// unitOf runs a target-level check once and returns what its unit ended as.
func unitOf(t *testing.T, env *checktest.Env, c *check.Check) rampart.CheckCoverage {
	t.Helper()
	unit := env.Pass.ForUnit(c, nil)
	return unit.Coverage(c.Run(context.Background(), unit))
}

func TestSessionCoverage(t *testing.T) {
	cookieIDs := func(api plainAPI, users ...string) []*identity.Identity {
		var ids []*identity.Identity
		for _, u := range users {
			ids = append(ids, identity.New(u, "user", http.Header{"Cookie": {"app_session=" + api.cookieFor(u)}}))
		}
		return ids
	}
	b64 := plainAPI{encoding: "b64"}
	tests := []struct {
		name   string
		api    http.Handler
		ops    []*rampart.Operation
		ids    []*identity.Identity
		chk    *check.Check
		before *check.Check // runs first on the same pass, fetching what both share
		want   rampart.CoverageState
		reason rampart.Reason
		detail string
	}{
		{name: "SESS-001 strong key", api: &checktest.App{Accounts: accounts, SessionKey: []byte("5f1c9e0b-strong-random-key-9a7d"), SessionAuth: true},
			chk: &Secret, want: rampart.CoverageTested},
		{name: "SESS-001 after SESS-002 fetched the cookies", api: &checktest.App{Accounts: accounts, SessionKey: []byte("5f1c9e0b-strong-random-key-9a7d"), SessionAuth: true},
			before: &Exposure, chk: &Secret, want: rampart.CoverageTested},
		{name: "SESS-001 tutorial key", api: &checktest.App{Accounts: accounts, SessionKey: []byte("dev"), SessionAuth: true},
			chk: &Secret, want: rampart.CoverageProved},
		{name: "SESS-001 no session cookie", api: &checktest.App{Accounts: accounts, SessionAuth: true},
			chk: &Secret, want: rampart.CoverageNotApplicable, detail: "no Flask session cookie seen"},
		{name: "SESS-002 nothing readable", api: &checktest.App{Accounts: accounts, SessionKey: []byte("a-strong-key-that-is-unknown-1234"), Session: `{"uid":4}`},
			chk: &Exposure, want: rampart.CoverageTested},
		{name: "SESS-002 e-mail in the cookie", api: &checktest.App{Accounts: accounts, SessionKey: []byte("a-strong-key-that-is-unknown-1234"), Session: `{"email":"ann@corp.example"}`},
			chk: &Exposure, want: rampart.CoverageProved},
		{name: "SESS-002 no session cookie", api: &checktest.App{Accounts: accounts, SessionAuth: true},
			chk: &Exposure, want: rampart.CoverageNotApplicable, detail: "no Flask session cookie seen"},
		{name: "SESS-003 forged", api: b64, ops: []*rampart.Operation{checktest.Op("GET", "/notes")}, ids: cookieIDs(b64, "elliot", "tim"),
			chk: &Unsigned, want: rampart.CoverageProved},
		{name: "SESS-003 one identity", api: b64, ops: []*rampart.Operation{checktest.Op("GET", "/notes")}, ids: cookieIDs(b64, "elliot"),
			chk: &Unsigned, want: rampart.CoverageNotTested, reason: rampart.ReasonNeedsSecondUser, detail: "only elliot holds a plain JSON cookie"},
		{name: "SESS-003 signed cookies", api: plainAPI{encoding: "signed"}, ops: []*rampart.Operation{checktest.Op("GET", "/notes")},
			ids: cookieIDs(plainAPI{encoding: "signed"}, "elliot", "tim"), chk: &Unsigned, want: rampart.CoverageNotApplicable, detail: "plain JSON"},
		{name: "SESS-003 a JSON cookie that is no session", api: http.NotFoundHandler(), ops: []*rampart.Operation{checktest.Op("GET", "/notes")},
			ids: cookieIDs(b64, "elliot", "tim"), chk: &Unsigned, want: rampart.CoverageNotApplicable, detail: "the cookie carries no session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := checktest.NewServer(t, tt.api)
			o := tt.ops
			if o == nil {
				o = ops()
			}
			env := checktest.New(t, srv, rampart.Safe, o, tt.ids...)
			if tt.before != nil {
				unitOf(t, env, tt.before)
			}
			got := unitOf(t, env, tt.chk)
			if got.State != tt.want || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("coverage = %+v, want %s %s with detail containing %q", got, tt.want, tt.reason, tt.detail)
			}
		})
	}
}
