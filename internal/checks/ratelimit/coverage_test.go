package ratelimit

import (
	"context"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

func TestLoginThrottlingCoverage(t *testing.T) {
	tests := []struct {
		name   string
		srv    *loginServer
		want   rampart.CoverageState
		reason rampart.Reason
		detail string
	}{
		{name: "429 after 5", srv: &loginServer{limit: 5, kind: "429"}, want: rampart.CoverageTested},
		{name: "throttled from the first attempt", srv: &loginServer{limit: -1, kind: "429"}, want: rampart.CoverageTested},
		{name: "no throttle", srv: &loginServer{}, want: rampart.CoverageProved},
		{name: "the body is refused", srv: &loginServer{badInput: true}, want: rampart.CoverageNotTested, reason: rampart.ReasonBodyRejected,
			detail: "the API answered 400: username and password are required"},
		{name: "404 for a user that does not exist, then 429", srv: &loginServer{unknown404: true, limit: 5, kind: "429"}, want: rampart.CoverageTested},
		{name: "a 200 that says nothing failed", srv: &loginServer{ok200: `{"status": "ok", "user": "x"}`}, want: rampart.CoverageNotApplicable,
			detail: "answered 200, not an authentication failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.srv.users = map[string]bool{}
			srv := checktest.NewServer(t, tt.srv)
			op := loginOp()
			env := checktest.New(t, srv, rampart.Active, []*rampart.Operation{op}, checktest.User("ann", "user", "tok-ann"))
			unit := env.Pass.ForUnit(&Login, op)
			got := unit.Coverage(Login.Run(context.Background(), unit))
			if got.State != tt.want || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("coverage = %+v, want %s %s with detail containing %q", got, tt.want, tt.reason, tt.detail)
			}
		})
	}
}
