package txn

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// The state oracles read the caller's state back instead of trusting
// status codes: a replay is only a flaw when its effect happens again (a
// balance debited twice), and a race only when an invariant breaks (a
// single-use coupon credited five times). "State" is every number the API
// shows the caller on its parameterless reads, chosen from the spec: the
// collection the write adds to, and the reads whose documented answers hold
// numeric fields (balances, counters, totals).

// reader is a read whose answer is part of the state.
type reader struct {
	op  *rampart.Operation
	url string
}

// maxItems bounds how many array items a snapshot keeps per array, so a
// large listing cannot grow a scan's memory without bound.
const maxItems = 200

// pickReaders chooses up to max parameterless reads that can show what
// target changes: the GET of target's own collection first, then reads
// whose documented answer has non-id numeric fields, then arrays.
func pickReaders(p *check.Pass, target *rampart.Operation, max int, extra ...*rampart.Operation) []reader {
	type cand struct {
		op    *rampart.Operation
		score int
	}
	var cands []cand
	seen := map[*rampart.Operation]bool{}
	for _, op := range extra {
		if op != nil && !seen[op] {
			seen[op] = true
			cands = append(cands, cand{op, 1000})
		}
	}
	// The reads of the target's collection score 100, those of a collection
	// above it 50, plus what their documented answer shows (schemaScore,
	// under 50); the rest only by what their answer shows.
	idx := indexOf(p)
	collection := strings.TrimSuffix(target.Path, "/")
	near := func(op *rampart.Operation, score int) {
		if !seen[op] {
			seen[op] = true
			cands = append(cands, cand{op, score + idx.score[op]})
		}
	}
	for _, op := range idx.stateAt[collection] {
		near(op, 100)
	}
	for i := 0; i < len(collection); i++ {
		if collection[i] == '/' {
			for _, op := range idx.stateUnder[collection[:i]] {
				near(op, 50)
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].op.Path < cands[j].op.Path
	})
	for _, op := range idx.stateBySchema {
		if len(cands) >= max {
			break
		}
		if !seen[op] {
			cands = append(cands, cand{op, idx.score[op]})
		}
	}
	var out []reader
	for _, c := range cands {
		if len(out) == max {
			break
		}
		out = append(out, reader{op: c.op, url: p.URL(c.op, nil)})
	}
	return out
}

// schemaScore says how much state a read's documented 2xx answer shows:
// numbers that are not ids count most. An operation that documents no
// schema at all may still show state (a discovered surface), so it gets a
// little.
func schemaScore(op *rampart.Operation) int {
	documented, score := false, 0
	for _, r := range op.Responses {
		if !strings.HasPrefix(r.Status, "2") || r.Schema == nil {
			continue
		}
		documented = true
		var walk func(s *rampart.Schema, name string, depth int)
		walk = func(s *rampart.Schema, name string, depth int) {
			if s == nil || depth > 8 {
				return
			}
			switch s.Type {
			case "number":
				if !isIDName(name) {
					score = max(score, 20)
				}
			case "integer":
				if !isIDName(name) {
					score = max(score, 10)
				}
			case "array":
				score = max(score, 5)
				walk(s.Items, name, depth+1)
			}
			for k, c := range s.Properties {
				walk(c, k, depth+1)
			}
		}
		walk(r.Schema, "", 0)
	}
	if !documented {
		return 1
	}
	return score
}

// snapshot is the numeric state the readers showed at one moment.
type snapshot struct {
	vals map[string]float64
	// answered holds the readers that answered 2xx with JSON.
	answered map[string]bool
}

// read takes a snapshot through the readers. Readers that fail are left
// out of it (a read that stops working is not an effect of ours).
func read(ctx context.Context, p *check.Pass, who *identity.Identity, rs []reader) (snapshot, error) {
	s := snapshot{vals: map[string]float64{}, answered: map[string]bool{}}
	for _, r := range rs {
		resp, err := p.Get(ctx, who, r.url, nil)
		if err != nil {
			if ctx.Err() != nil {
				return s, ctx.Err()
			}
			return s, err
		}
		var doc any
		if !ok2xx(resp) || json.Unmarshal(resp.Body, &doc) != nil {
			continue
		}
		s.answered[r.op.Path] = true
		flatten(doc, r.op.Path+" ", s.vals, 0)
	}
	return s, nil
}

// only keeps the readers that answered in s.
func only(rs []reader, s snapshot) []reader {
	var out []reader
	for _, r := range rs {
		if s.answered[r.op.Path] {
			out = append(out, r)
		}
	}
	return out
}

var decimalRe = lazyre.New(`^-?[0-9]{1,18}(\.[0-9]{1,12})?$`)

// flatten turns a JSON document into path → number: numeric fields (and
// decimal strings, since money is often sent as "12.50"), array lengths as
// "path#", array items keyed by their own identifier so that a reordered
// list is the same state.
func flatten(v any, path string, out map[string]float64, depth int) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case float64:
		out[path] = x
	case map[string]any:
		for k, c := range x {
			child := path + "." + k
			if strings.HasSuffix(path, " ") {
				child = path + k
			}
			switch cv := c.(type) {
			case float64:
				if !isIDName(k) {
					out[child] = cv
				}
			case string:
				if !isIDName(k) && decimalRe.MatchString(cv) {
					if f, err := strconv.ParseFloat(cv, 64); err == nil {
						out[child] = f
					}
				}
			default:
				flatten(c, child, out, depth+1)
			}
		}
	case []any:
		out[path+"#"] = float64(len(x))
		for i, item := range x {
			if i >= maxItems {
				break
			}
			flatten(item, path+"["+itemKey(item, i)+"]", out, depth+1)
		}
	}
}

// itemKeys are the fields that usually identify an item of a list.
var itemKeys = []string{"id", "uuid", "code", "key", "slug", "number", "name"}

func itemKey(item any, i int) string {
	if m, ok := item.(map[string]any); ok {
		for _, k := range itemKeys {
			if v, ok := m[k]; ok && scalar(v) {
				return k + "=" + fmt.Sprint(v)
			}
		}
		keys := slices.Sorted(maps.Keys(m))
		for _, k := range keys {
			if isIDName(k) && scalar(m[k]) {
				return k + "=" + fmt.Sprint(m[k])
			}
		}
	}
	return strconv.Itoa(i)
}

// delta is one number that changed between two snapshots.
type delta struct {
	key           string
	before, after float64
}

func (d delta) d() float64 { return d.after - d.before }

// field is the last name in the delta's path: "balance" of
// "/accounts accounts[id=1].balance".
func (d delta) field() string {
	k := strings.TrimSuffix(d.key, "#")
	if i := strings.LastIndexAny(k, ". "); i >= 0 {
		k = k[i+1:]
	}
	if i := strings.IndexByte(k, '['); i >= 0 {
		k = k[:i]
	}
	return k
}

// countLike says whether the change is a record being added or removed
// (a list one longer, a "notes: 4" counter) rather than a quantity
// moving. Records are what "creates a new object on every call" documents;
// quantities are what must not move twice.
func (d delta) countLike() bool {
	if strings.HasSuffix(d.key, "#") {
		return true
	}
	if hasWord(d.field(), moneyWords) {
		return false
	}
	return math.Abs(d.d()) == 1
}

func (d delta) String() string {
	return fmt.Sprintf("%s: %s → %s", strings.TrimSpace(d.key), fmtNum(d.before), fmtNum(d.after))
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// diff lists the numbers that changed from a to b, ignoring volatile keys
// (those that change on their own between two reads).
func diff(a, b snapshot, volatile map[string]bool) []delta {
	var out []delta
	for k, av := range a.vals {
		if volatile[k] {
			continue
		}
		bv, ok := b.vals[k]
		if !ok && strings.HasSuffix(k, "#") && b.answered[readerOf(k)] {
			bv, ok = 0, true // the list is gone or null now: empty
		}
		if ok && !near(av, bv) {
			out = append(out, delta{key: k, before: av, after: bv})
		}
	}
	// A list that was absent or null and now has items grew from zero.
	for k, bv := range b.vals {
		if _, ok := a.vals[k]; ok || volatile[k] || !strings.HasSuffix(k, "#") || !a.answered[readerOf(k)] || bv == 0 {
			continue
		}
		out = append(out, delta{key: k, before: 0, after: bv})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// readerOf is the reader path a snapshot key comes from.
func readerOf(key string) string {
	r, _, _ := strings.Cut(key, " ")
	return r
}

// volatileKeys are the keys that differ between two reads with nothing
// sent in between: clocks, counters of visits, sampled metrics.
func volatileKeys(a, b snapshot) map[string]bool {
	m := map[string]bool{}
	for k, av := range a.vals {
		if bv, ok := b.vals[k]; ok && !near(av, bv) {
			m[k] = true
		}
	}
	return m
}

// changedReaders keeps the readers whose answer changed in ds, plus the
// ones named in keep: later snapshots need only read where the effect shows.
func changedReaders(rs []reader, ds []delta, keep ...string) []reader {
	var out []reader
	for _, r := range rs {
		hit := false
		for _, k := range keep {
			if r.op.Path == k {
				hit = true
			}
		}
		for _, d := range ds {
			if strings.HasPrefix(d.key, r.op.Path+" ") {
				hit = true
				break
			}
		}
		if hit {
			out = append(out, r)
		}
	}
	return out
}

// repeated returns the deltas of second that repeat a delta of first
// times factor: the same key moved by factor × the first move.
func repeated(first, second []delta, factor float64) []delta {
	byKey := map[string]delta{}
	for _, d := range first {
		byKey[d.key] = d
	}
	var out []delta
	for _, d := range second {
		if f, ok := byKey[d.key]; ok && near(f.d()*factor, d.d()) {
			out = append(out, d)
		}
	}
	return out
}

// repeatedSplit is repeated, split into quantities and counts by the kind
// of the first move: a counter that moved by 1 and then by 2 (two copies)
// is still a counter.
func repeatedSplit(first, second []delta, factor float64) (quantities, counts []delta) {
	byKey := map[string]delta{}
	for _, d := range first {
		byKey[d.key] = d
	}
	for _, d := range repeated(first, second, factor) {
		if byKey[d.key].countLike() {
			counts = append(counts, d)
		} else {
			quantities = append(quantities, d)
		}
	}
	return quantities, counts
}

func describe(ds []delta, n int) string {
	var parts []string
	for i, d := range ds {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(ds)-n))
			break
		}
		parts = append(parts, d.String())
	}
	return strings.Join(parts, "; ")
}
