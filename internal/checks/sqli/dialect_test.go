package sqli

import (
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
	"github.com/rampart-sec/rampart/internal/stack"
)

// dialectCase is one operation of the SQLite (/lite) or MySQL (/my) fake,
// or a hostile page, and what a check must say about it.
type dialectCase struct {
	path        string
	want        []string // parameters reported
	conf        rampart.Confidence
	msg         []string // the first finding's message contains each
	engine      string   // the fingerprint names it afterwards
	maxRequests int
}

func runDialectCases(t *testing.T, c *checkDef, cases []dialectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			h, fs := measured(t, c.check, rampart.Safe, "GET", tc.path, len(tc.want))
			if got := params(fs); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("findings on %v, want %v: %+v", got, tc.want, fs)
			}
			for _, f := range fs {
				if f.Confidence != tc.conf {
					t.Errorf("confidence %s, want %s: %s", f.Confidence, tc.conf, f.Message)
				}
				if len(f.Evidence) < 2 || f.Curl == "" || f.Remediation == "" {
					t.Errorf("incomplete finding: %+v", f)
				}
			}
			for _, m := range tc.msg {
				if len(fs) == 0 || !strings.Contains(fs[0].Message, m) {
					t.Errorf("message does not say %q: %v", m, fs)
				}
			}
			if tc.engine != "" {
				if got := h.pass.Stack.Database(); got != tc.engine {
					t.Errorf("fingerprint database %q, want %q", got, tc.engine)
				}
			}
			if n := len(h.app.seen()); tc.maxRequests > 0 && n > tc.maxRequests {
				t.Errorf("%d requests, want at most %d", n, tc.maxRequests)
			}
			t.Logf("%s %s: %d requests", c.check.ID, tc.path, len(h.app.seen()))
			assertHarmless(t, h)
		})
	}
}

type checkDef struct{ check *check.Check }

func TestErrorBasedDialects(t *testing.T) {
	runDialectCases(t, &checkDef{&ErrorBased}, []dialectCase{
		// Errors shown: the engine's own texts, its version printed.
		{path: "/lite/search", want: []string{"q"}, conf: rampart.Confirmed, msg: []string{"SQLite 3.40.1", "unrecognized token"}, engine: dberr.SQLite, maxRequests: 4},
		{path: "/my/search", want: []string{"q"}, conf: rampart.Confirmed, msg: []string{"MySQL 8.0.35", "You have an error in your SQL syntax"}, engine: dberr.MySQL, maxRequests: 4},
		// A value an UPDATE writes: the repaired value must keep it, so
		// MySQL's is the adjacent literal (its || would be OR).
		{path: "/lite/rename", want: []string{"name"}, conf: rampart.Confirmed, msg: []string{"SQLite 3.40.1", "`lamp'||'`"}, engine: dberr.SQLite},
		{path: "/my/rename", want: []string{"name"}, conf: rampart.Confirmed, msg: []string{"MySQL 8.0.35", "`lamp' '`"}, engine: dberr.MySQL},
		// The password after an AND no row satisfies: SQLite never runs
		// the version probe there, but resolves function names.
		{path: "/lite/login", want: []string{"user", "pass"}, conf: rampart.Confirmed, msg: []string{"SQLite"}},
		// Errors hidden behind a bare 500: the pair, confirmed by a known
		// against an unknown function, and the engine told by a form only
		// it accepts.
		{path: "/lite/byname", want: []string{"name"}, conf: rampart.Confirmed, msg: []string{"errors hidden", "The engine is SQLite", "sqlite_version()"}, engine: dberr.SQLite},
		{path: "/lite/rename-hidden", want: []string{"name"}, conf: rampart.Confirmed, msg: []string{"errors hidden", "The engine is SQLite"}, engine: dberr.SQLite},
		{path: "/my/byname", want: []string{"name"}, conf: rampart.Confirmed, msg: []string{"errors hidden", "The engine is MySQL"}, engine: dberr.MySQL},
		// Pages that fail without SQL.
		{path: "/always500/search", want: nil, maxRequests: 2},
		{path: "/shlex/search", want: nil, maxRequests: 6},
		{path: "/strict/search", want: nil, maxRequests: 6},
	})
}

func TestBooleanDialects(t *testing.T) {
	runDialectCases(t, &checkDef{&Boolean}, []dialectCase{
		{path: "/lite/byname", want: []string{"name"}, conf: rampart.Confirmed, msg: []string{"quoted string context"}},
		{path: "/my/byname", want: []string{"name"}, conf: rampart.Confirmed, msg: []string{"quoted string context"}},
		{path: "/lite/search", want: []string{"q"}, conf: rampart.Confirmed, msg: []string{"LIKE pattern context"}},
	})
}

func TestTimeBasedDialects(t *testing.T) {
	withProbeDelay(t, 200*time.Millisecond)
	withWork(t, 3e6, 3e6)
	runDialectCases(t, &checkDef{&TimeBased}, []dialectCase{
		{path: "/lite/blind", want: []string{"q"}, conf: rampart.Confirmed, msg: []string{"SQLite", "rows a second", "R²"}},
		{path: "/lite/blind/{item_id}", want: []string{"item_id"}, conf: rampart.Confirmed, msg: []string{"numeric context", "SQLite"}},
		{path: "/my/blind", want: []string{"q"}, conf: rampart.Confirmed, msg: []string{"SLEEP()", "MySQL"}},
		{path: "/my/blind/{item_id}", want: []string{"item_id"}, conf: rampart.Confirmed, msg: []string{"numeric context", "SLEEP()"}},
	})
}

// SQLite's delay is work, not time: the first probe measures how fast
// this database counts, and the series follows, on a machine three times
// faster or slower than the probe assumes.
func TestTimeBasedSQLiteCalibrates(t *testing.T) {
	withProbeDelay(t, 200*time.Millisecond)
	for _, rate := range []float64{1e6, 9e6} {
		withWork(t, 3e6, rate)
		h := newHarness(t, rampart.Safe)
		fs := h.run(t, &TimeBased, "GET", "/lite/blind")
		if len(fs) != 1 || fs[0].Confidence != rampart.Confirmed {
			t.Errorf("%g rows/s: %+v", rate, fs)
		}
	}
}

func withWork(t *testing.T, perUnit, rate float64) {
	oldW, oldR := workPerUnit, fakeSQLiteRate
	workPerUnit, fakeSQLiteRate = perUnit, rate
	t.Cleanup(func() { workPerUnit, fakeSQLiteRate = oldW, oldR })
}

// An endpoint that fails now and then is not a bare-500 pair: the broken
// value must fail three times, around a normal answer to the repaired one.
func TestErrorBasedFlakyPage(t *testing.T) {
	h := newHarness(t, rampart.Safe)
	h.app.flaky = 0.2
	for i := 0; i < 30; i++ {
		for _, path := range []string{"/flaky/search", "/flaky/{item_id}"} {
			if fs := h.run(t, &ErrorBased, "GET", path); len(fs) != 0 {
				t.Fatalf("run %d: finding on a page that fails at random: %s", i, fs[0].Message)
			}
		}
	}
}

// A firm bare-500 finding leaves the point to the boolean and time-based
// checks; a confirmed one closes it.
func TestBareFindingsAndProvenPoints(t *testing.T) {
	h := newHarness(t, rampart.Safe)
	if fs := h.run(t, &ErrorBased, "GET", "/lite/byname"); len(fs) != 1 || fs[0].Confidence != rampart.Confirmed {
		t.Fatalf("error-based: %+v", fs)
	}
	h.app.reset()
	if fs := h.run(t, &Boolean, "GET", "/lite/byname"); len(fs) != 0 || len(h.app.seen()) != 0 {
		t.Errorf("boolean re-probed a confirmed point: %d requests", len(h.app.seen()))
	}
}

// The identifier spellings follow the fingerprint's engine: MySQL quotes
// names with backticks (its "name" is a string).
func TestIdentDialect(t *testing.T) {
	h := newHarness(t, rampart.Safe)
	if got := identDialect(h.pass).identQuote("price"); got != `"price"` {
		t.Errorf("unknown engine: %s", got)
	}
	obs := stack.New()
	obs.Observe(500, nil, []byte(`(1054, "Unknown column 'x' in 'order clause'")`))
	h.pass.Stack = obs
	if got := identDialect(h.pass).identQuote("price"); got != "`price`" {
		t.Errorf("MySQL: %s", got)
	}
}
