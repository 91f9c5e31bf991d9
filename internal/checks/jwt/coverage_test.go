package jwt

import (
	"context"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/surface"
)

// The five checks share one analysis: the first to run sends every
// request, and each still says what it tested or why it could not.
func TestJWTCoverage(t *testing.T) {
	type state struct {
		s rampart.CoverageState
		r rampart.Reason
	}
	tested, proved, na := state{s: rampart.CoverageTested}, state{s: rampart.CoverageProved}, state{s: rampart.CoverageNotApplicable}
	tests := []struct {
		name    string
		app     checktest.App
		schemes map[string]surface.Scheme
		want    map[string]state
	}{
		{"strong key, exp required", checktest.App{JWTMode: checktest.JWTStrict, JWTKey: []byte("f00d-a-strong-random-secret-4f2")}, jwtSchemes,
			map[string]state{"JWT-001": tested, "JWT-002": tested, "JWT-003": tested, "JWT-004": na, "JWT-005": na}},
		{"signature never checked", checktest.App{JWTMode: checktest.JWTNoVerify}, jwtSchemes,
			map[string]state{"JWT-001": na, "JWT-002": na, "JWT-003": proved, "JWT-004": proved, "JWT-005": proved}},
		{"weak key, exp ignored", checktest.App{JWTMode: checktest.JWTNoExpiry, JWTKey: []byte("your-256-bit-secret")}, jwtSchemes,
			map[string]state{"JWT-001": tested, "JWT-002": proved, "JWT-003": tested, "JWT-004": proved, "JWT-005": proved}},
		{"any bearer accepted", checktest.App{AnyBearer: true}, jwtSchemes,
			map[string]state{"JWT-001": na, "JWT-002": na, "JWT-003": na, "JWT-004": na, "JWT-005": na}},
		{"opaque tokens, the spec silent: forgeries refused, no key to guess", checktest.App{}, map[string]surface.Scheme{},
			map[string]state{"JWT-001": tested, "JWT-002": na, "JWT-003": tested, "JWT-004": na, "JWT-005": na}},
		{"nothing takes a token", checktest.App{}, nil,
			map[string]state{"JWT-001": na, "JWT-002": na, "JWT-003": na, "JWT-004": na, "JWT-005": na}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := tt.app
			app.Accounts = accounts
			srv := checktest.NewServer(t, &app)
			o := ops()
			if tt.schemes == nil {
				o = o[:1] // GET / alone
			}
			env := checktest.New(t, srv, rampart.Safe, o, ids()...)
			env.Pass.Schemes = tt.schemes
			for _, c := range all {
				unit := env.Pass.ForUnit(c, nil)
				got := unit.Coverage(c.Run(context.Background(), unit))
				if want := tt.want[c.ID]; got.State != want.s || got.Reason != want.r {
					t.Errorf("%s: coverage = %+v, want %s %s", c.ID, got, want.s, want.r)
				}
				if got.State == rampart.CoverageNotApplicable && got.Detail == "" {
					t.Errorf("%s: not applicable without a why", c.ID)
				}
			}
		})
	}
}
