package sqli

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		brk("lamp"):                      "lamp'",
		repaired(ctxQuoted, "lamp"):      "lamp'||'",
		repaired(ctxNumeric, "7"):        "7-0",
		versionProbe(ctxQuoted, "lamp"):  "lamp'||CAST(version() AS INT)||'",
		versionProbe(ctxNumeric, "7"):    "7+CAST(version() AS INT)",
		sleepProbe(ctxQuoted, "lamp", 1): "lamp'||(SELECT CAST(pg_sleep(1) AS TEXT))||'",
		sleepProbe(ctxNumeric, "7", 0.5): "7+0*length((SELECT CAST(pg_sleep(0.5) AS TEXT)))",
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

// The probes against the fake database, per context: the true condition
// and the repaired value keep the rows, the false one drops them.
func TestPayloadsAgainstFakeDB(t *testing.T) {
	tmpl := map[sqlContext]func(string) string{
		ctxNumeric: func(v string) string { return "id = " + v },
		ctxQuoted:  func(v string) string { return "name = '" + v + "'" },
		ctxLike:    func(v string) string { return "name ILIKE '%" + v + "%'" },
	}
	base := map[sqlContext]string{ctxNumeric: "1", ctxQuoted: "lamp", ctxLike: "lamp"}
	for c, f := range tmpl {
		v := base[c]
		want, err := where(f(v), nil)
		if err != nil || len(want) == 0 {
			t.Fatalf("%s baseline: %v %v", c, want, err)
		}
		tv, fv := boolPair(c, v)
		if rows, err := where(f(tv), nil); err != nil || len(rows) != len(want) {
			t.Errorf("%s true %q: %d rows, %v", c, tv, len(rows), err)
		}
		if rows, err := where(f(fv), nil); err != nil || len(rows) != 0 {
			t.Errorf("%s false %q: %d rows, %v", c, fv, len(rows), err)
		}
		if _, err := where(f(brk(v)), nil); err == nil {
			t.Errorf("%s: the quote does not break", c)
		}
		rc := c
		if c == ctxLike {
			rc = ctxQuoted
		}
		if rows, err := where(f(repaired(rc, v)), nil); err != nil || len(rows) != len(want) {
			t.Errorf("%s repaired: %d rows, %v", c, len(rows), err)
		}
		if _, err := where(f(versionProbe(rc, v)), nil); err == nil || !strings.Contains(err.Error(), fakeVersion) {
			t.Errorf("%s version probe: %v", c, err)
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
