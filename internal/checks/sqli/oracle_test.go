package sqli

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/internal/dberr"
)

func TestViewSameAndNoise(t *testing.T) {
	cases := []struct {
		name       string
		b1, b2     string // baseline samples
		probe      string // the probe's answer
		sent, base string
		stable     bool
		same       bool
	}{
		{name: "identical JSON", b1: `{"a":[1,2]}`, b2: `{"a":[1,2]}`, probe: `{"a":[1,2]}`, stable: true, same: true},
		{name: "fewer rows", b1: `{"a":[1,2]}`, b2: `{"a":[1,2]}`, probe: `{"a":[1]}`, stable: true, same: false},
		{name: "echoed probe", b1: `{"query":"lamp","n":1}`, b2: `{"query":"lamp","n":1}`,
			probe: `{"query":"lamp' AND 'a'='a","n":1}`, sent: "lamp' AND 'a'='a", base: "lamp", stable: true, same: true},
		{name: "echoed inside a sentence", b1: `{"msg":"results for lamp"}`, b2: `{"msg":"results for lamp"}`,
			probe: `{"msg":"results for \"lamp\""}`, sent: `"lamp"`, base: "lamp", stable: true, same: true},
		{name: "timestamp masked", b1: `{"at":"2024-01-01T10:00:00Z","n":1}`, b2: `{"at":"2024-01-01T10:00:01Z","n":1}`,
			probe: `{"at":"2024-05-05T11:11:11.5+00:00","n":1}`, stable: true, same: true},
		{name: "counter learnt as noise", b1: `{"served":17,"n":1,"x":1,"y":2,"z":3}`, b2: `{"served":18,"n":1,"x":1,"y":2,"z":3}`,
			probe: `{"served":19,"n":1,"x":1,"y":2,"z":3}`, stable: true, same: true},
		{name: "counter does not hide a change", b1: `{"served":17,"n":1,"x":1,"y":2,"z":3}`, b2: `{"served":18,"n":1,"x":1,"y":2,"z":3}`,
			probe: `{"served":19,"n":0,"x":1,"y":2,"z":3}`, stable: true, same: false},
		{name: "page that changes everywhere", b1: `{"a":1,"b":2}`, b2: `{"a":3,"b":4}`, probe: `{"a":1,"b":2}`, stable: false},
		{name: "status differs", b1: `{"a":1}`, b2: `{"a":1}`, probe: `{"a":1}`, stable: true, same: false},
		{name: "HTML echo", b1: `<p>no result for lamp</p>`, b2: `<p>no result for lamp</p>`,
			probe: `<p>no result for lamp&#39; AND &#39;a&#39;=&#39;a</p>`, sent: "lamp' AND 'a'='a", base: "lamp", stable: true, same: true},
		{name: "HTML nonce masked", b1: `<p>x</p><input value="9f86d081884c7d659a2feaa0c55ad015">`, b2: `<p>x</p><input value="60303ae22b998861bce3b28f33eec1be">`,
			probe: `<p>x</p><input value="fd61a03af4f77d870fc21e05e7e80678">`, stable: true, same: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v1 := newView(200, []byte(tc.b1), "", "")
			v2 := newView(200, []byte(tc.b2), "", "")
			nz, stable := learnNoise(v1, v2)
			if stable != tc.stable {
				t.Fatalf("stable = %v", stable)
			}
			if !stable {
				return
			}
			status := 200
			if tc.name == "status differs" {
				status = 500
			}
			if got := same(v1, newView(status, []byte(tc.probe), tc.sent, tc.base), nz); got != tc.same {
				t.Errorf("same = %v", got)
			}
		})
	}
}

func TestFindDBError(t *testing.T) {
	cases := []struct {
		body   string
		ok     bool
		kind   dberr.Kind
		engine string
	}{
		{`{"message": "operator is not unique: unknown % unknown\nLINE 1: ...WHERE (title ILIKE '%x'%' OR body...\n"}`, true, dberr.TypeCast, dberr.PostgreSQL},
		{`{"message": "unterminated quoted string at or near \"'x\"\nLINE 1: SELECT 1\n"}`, true, dberr.Syntax, dberr.PostgreSQL},
		{`at or near "x": syntax error` + "\nDETAIL: source SQL:\nSELECT x\n", true, dberr.Syntax, dberr.CockroachDB},
		{`{"message": "argument of AND must be type boolean, not type text\nLINE 1: SELECT"}`, true, dberr.TypeCast, dberr.PostgreSQL},
		// Prose is not an error.
		{`{"help": "the operator is not unique to this shop"}`, false, 0, ""},
		{`{"error": "invalid credentials"}`, false, 0, ""},
	}
	for _, tc := range cases {
		e := findDBError([]byte(tc.body))
		if e.OK != tc.ok || (e.OK && (e.Hit.Kind != tc.kind || e.Hit.Engine != tc.engine)) {
			t.Errorf("%s: got %+v", tc.body, e)
		}
	}
}

// The probes are part of the contract (documented, reproducible evidence).
func TestPayloads(t *testing.T) {
	cases := map[string]string{
		brk("lamp"):                                     "lamp'",
		dialectPG.repaired(ctxQuoted, "lamp"):           "lamp'||'",
		dialectPG.repaired(ctxNumeric, "7"):             "7-0",
		dialectMySQL.repaired(ctxQuoted, "lamp"):        "lamp' '",
		dialectPG.versionProbe(ctxQuoted, "lamp"):       "lamp'||CAST(version() AS INT)||'",
		dialectPG.versionProbe(ctxNumeric, "7"):         "7+CAST(version() AS INT)",
		dialectSQLite.versionProbe(ctxQuoted, "lamp"):   "lamp'||json_extract('{}',sqlite_version())||'",
		dialectMySQL.versionProbe(ctxQuoted, "lamp"):    "lamp'=extractvalue(1,concat(0x7e,version()))='",
		dialectMySQL.versionProbe(ctxNumeric, "7"):      "7+extractvalue(1,concat(0x7e,version()))",
		dialectPG.sleepProbe(ctxQuoted, "lamp", 1):      "lamp'||(SELECT CAST(pg_sleep(1) AS TEXT))||'",
		dialectPG.sleepProbe(ctxNumeric, "7", 0.5):      "7+0*length((SELECT CAST(pg_sleep(0.5) AS TEXT)))",
		dialectMySQL.sleepProbe(ctxQuoted, "lamp", 1):   "lamp'=(SELECT 1 FROM (SELECT SLEEP(1))x)='",
		dialectMySQL.sleepProbe(ctxNumeric, "7", 0.5):   "7+0*(SELECT 1 FROM (SELECT SLEEP(0.5))x)",
		dialectSQLite.sleepProbe(ctxNumeric, "7", 1e6):  "7+0*(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 1000000) SELECT count(*) FROM c)",
		dialectSQLite.sleepProbe(ctxQuoted, "lamp", 10): "lamp'||substr((WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 10) SELECT count(*) FROM c),1,0)||'",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("payload %q, want %q", got, want)
		}
	}
	for _, c := range []sqlContext{ctxNumeric, ctxQuoted, ctxLike} {
		tv, fv := boolPair(c, "v")
		if len(tv) != len(fv) || tv == fv || strings.Contains(strings.ToUpper(tv+fv), " OR ") {
			t.Errorf("%s: pair %q / %q", c, tv, fv)
		}
	}
}

var fakeDialects = map[fakeDialect]*dialect{fakePG: dialectPG, fakeSQLite: dialectSQLite, fakeMySQL: dialectMySQL}

// Each dialect's probes against its fake database, per context: the true
// condition and the repaired value keep the rows, the false one drops
// them, the quote breaks with the engine's own error, the version probe
// fails with the engine's name and version in it, an unknown function
// fails where a known one does not, and the delay is spent once per
// statement, in proportion to what was asked.
func TestPayloadsAgainstFakeDB(t *testing.T) {
	tmpl := map[sqlContext]func(string) string{
		ctxNumeric: func(v string) string { return "id = " + v },
		ctxQuoted:  func(v string) string { return "name = '" + v + "'" },
		ctxLike:    func(v string) string { return "name LIKE '%" + v + "%'" },
	}
	base := map[sqlContext]string{ctxNumeric: "1", ctxQuoted: "lamp", ctxLike: "lamp"}
	engines := map[fakeDialect]string{fakePG: dberr.PostgreSQL, fakeSQLite: dberr.SQLite, fakeMySQL: dberr.MySQL}
	versions := map[fakeDialect]string{fakePG: "16.2", fakeSQLite: fakeSQLiteVersion, fakeMySQL: fakeMySQLVersion}
	for fd, d := range fakeDialects {
		for c, f := range tmpl {
			name := fmt.Sprintf("%s/%s", d.name, c)
			v := base[c]
			want, err := whereIn(fd, f(v), nil)
			if err != nil || len(want) == 0 {
				t.Fatalf("%s baseline: %v %v", name, want, err)
			}
			tv, fv := boolPair(c, v)
			if rows, err := whereIn(fd, f(tv), nil); err != nil || len(rows) != len(want) {
				t.Errorf("%s true %q: %d rows, %v", name, tv, len(rows), err)
			}
			if rows, err := whereIn(fd, f(fv), nil); err != nil || len(rows) != 0 {
				t.Errorf("%s false %q: %d rows, %v", name, fv, len(rows), err)
			}
			_, err = whereIn(fd, f(brk(v)), nil)
			if h, ok := dberr.Find([]byte(fmt.Sprint(err))); !ok || h.Engine != engines[fd] {
				t.Errorf("%s: the quote gives %v (%+v)", name, err, h)
			}
			rc := c
			if c == ctxLike {
				rc = ctxQuoted
			}
			if rows, err := whereIn(fd, f(d.repaired(rc, v)), nil); err != nil || len(rows) != len(want) {
				t.Errorf("%s repaired: %d rows, %v", name, len(rows), err)
			}
			_, err = whereIn(fd, f(d.versionProbe(rc, v)), nil)
			eng, ver, ok := dberr.DetectVersion([]byte(fmt.Sprint(err)))
			if !ok || eng != engines[fd] || ver != versions[fd] {
				t.Errorf("%s version probe: %v (%s %s)", name, err, eng, ver)
			}
			kv, uv := d.functionPair(rc, v)
			if _, err := whereIn(fd, f(kv), nil); err != nil {
				t.Errorf("%s known function %q: %v", name, kv, err)
			}
			if _, err := whereIn(fd, f(uv), nil); err == nil || !dberr.IsSQLError([]byte(err.Error())) {
				t.Errorf("%s unknown function %q: %v", name, uv, err)
			}
			for _, amount := range []float64{0, 1} {
				if d.work {
					amount *= fakeSQLiteRate
				}
				var slept time.Duration
				calls := 0
				if _, err := whereIn(fd, f(d.sleepProbe(rc, v, amount)), func(s time.Duration) { slept += s; calls++ }); err != nil {
					t.Errorf("%s delay %g: %v", name, amount, err)
				}
				if want := time.Duration(amount) * time.Second; !d.work && slept != want || d.work && (slept < 900*time.Millisecond*time.Duration(amount/fakeSQLiteRate) || calls > 1) || calls > 1 {
					t.Errorf("%s delay %g: slept %s in %d calls", name, amount, slept, calls)
				}
			}
		}
	}
}

// Where a value is written rather than compared (an UPDATE's SET, an
// INSERT's VALUES), the repaired value and the concatenating probes keep
// it unchanged; MySQL's comparison forms fail instead, as its strict mode
// does, so they write nothing.
func TestPayloadsInWrites(t *testing.T) {
	for fd, d := range fakeDialects {
		quoted := func(v string) string { return "'" + v + "'" }
		got, err := valueIn(fd, quoted(d.repaired(ctxQuoted, "lamp")), nil)
		if err != nil || got != "lamp" {
			t.Errorf("%s: repaired writes %v, %v", d.name, got, err)
		}
		got, err = valueIn(fd, quoted(d.sleepProbe(ctxQuoted, "lamp", 0)), nil)
		if d.concat && (err != nil || got != "lamp") || !d.concat && err == nil {
			t.Errorf("%s: the delay probe writes %v, %v", d.name, got, err)
		}
	}
}

func TestTimeRules(t *testing.T) {
	r := rulesFor(1)
	base := []float64{0.05, 0.06}
	series := func(k int, jitter func(int) float64) []sample {
		ss := []sample{{1, 0.05 + float64(k)}}
		for i, d := range r.schedule(k) {
			ss = append(ss, sample{d, 0.05 + float64(k)*d + jitter(i)})
		}
		return ss
	}
	none := func(int) float64 { return 0 }
	cases := []struct {
		name string
		k    int
		ss   []sample
		ok   bool
	}{
		{"clean line", 1, series(1, none), true},
		{"value used twice", 2, series(2, none), true},
		{"small jitter", 1, series(1, func(i int) float64 { return float64(i%3) * 0.04 }), true},
		{"one slow zero-delay answer", 1, series(1, func(i int) float64 {
			if i == 2 {
				return 0.8
			}
			return 0
		}), false},
		{"delays do not scale", 1, []sample{{1, 1.05}, {0, 0.05}, {2, 1.05}, {0, 0.05}, {1, 1.05}, {0, 0.05}, {2, 1.05}, {0, 0.05}}, false},
		{"too few samples", 1, series(1, none)[:3], false},
		{"multiplier out of range", 5, series(5, none), false},
	}
	for _, tc := range cases {
		if v := r.judge(base, tc.k, tc.ss); v.ok != tc.ok {
			t.Errorf("%s: ok = %v (%s)", tc.name, v.ok, v.reason)
		}
	}
	if k := r.multiplier(sample{1, 0.3}, base); k != 0 {
		t.Errorf("fast first probe: k = %d", k)
	}
	if k := r.multiplier(sample{1, 2.07}, base); k != 2 {
		t.Errorf("double delay: k = %d", k)
	}
}

// The oracle's false-positive rate on synthetic answers with random
// latency of up to twice the probe delay (and twice the longest delay),
// probed exactly as timePoint does: a property of the statistics, so no
// clock is involved.
func TestTimeRulesRandomLatencyRate(t *testing.T) {
	r := rulesFor(1)
	rng := rand.New(rand.NewSource(1))
	for _, spread := range []float64{1, 2, 4} {
		found, trials := 0, 300000
		for i := 0; i < trials; i++ {
			lat := func() float64 { return 0.005 + rng.Float64()*spread }
			base := []float64{lat(), lat()}
			first := sample{1, lat()}
			k := r.multiplier(first, base)
			if k == 0 || k > r.maxK {
				continue
			}
			ss := []sample{first}
			ok := true
			for _, d := range r.schedule(k) {
				ss = append(ss, sample{d, lat()})
				if good, _ := r.plausible(base, k, ss); !good {
					ok = false
					break
				}
			}
			if ok && r.judge(base, k, ss).ok {
				found++
			}
		}
		if found > 1 {
			t.Errorf("latency up to %g×D: %d false positives in %d points", spread, found, trials)
		}
	}
}

func TestErrorFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.txt")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := !strings.HasPrefix(filepath.Base(f), "not-")
		if got := findDBError(b).OK; got != want {
			t.Errorf("%s: database error = %v", f, got)
		}
	}
}

// The same false-positive rate for SQLite's work-based delay, whose rules
// are wider (its delays stretch with the machine's load): a server with
// random latency passes the calibration now and then, and must still fail
// the series.
func TestWorkRulesRandomLatencyRate(t *testing.T) {
	r := workRules(1)
	rng := rand.New(rand.NewSource(2))
	for _, spread := range []float64{1, 2, 4} {
		found, calibrated, trials := 0, 0, 300000
		for i := 0; i < trials; i++ {
			lat := func() float64 { return 0.005 + rng.Float64()*spread }
			base := []float64{lat(), lat()}
			if ok, _ := r.plausible(base, 1, nil); !ok {
				continue
			}
			extra := lat() - minOf(base)
			if extra < r.tol/4 || extra > float64(r.maxK)*r.unit {
				continue
			}
			lat() // the second calibration probe only sets the rate
			calibrated++
			var ss []sample
			ok := true
			for _, d := range r.schedule(1) {
				ss = append(ss, sample{d, lat()})
				if good, _ := r.plausible(base, 1, ss); !good {
					ok = false
					break
				}
			}
			if ok && r.judge(base, 1, ss).ok {
				found++
			}
		}
		if found > 2 {
			t.Errorf("latency up to %g×D: %d false positives in %d points (%d calibrated)", spread, found, trials, calibrated)
		}
		t.Logf("latency up to %g×D: %d false positives in %d points (%d calibrated)", spread, found, trials, calibrated)
	}
}
