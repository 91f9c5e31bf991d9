package txn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
)

// The replay oracle, and why an operation that creates a new object on
// every call is not reported for doing so.
//
// A client retries a POST when its connection drops after sending; the
// server must not do the work twice. But "twice" has to be measured as an
// effect, not inferred from two 201s: POST /notes documented as "creates a
// new note on every call" legitimately answers 201 twice with two ids. So
// the probe reads the caller's state before and after each request and
// compares what moved:
//
//   - a quantity (a balance, a stock, a points total: a non-id number that is
//     not a record count) that moves again by the same amount is a
//     duplicated effect whatever the spec says: a client retry debits twice;
//   - a record count (a list one longer, a "notes: 4" counter) or a new id
//     is the documented contract of a creating POST, and a duplicate only
//     when the operation documents an idempotency key and we sent the same
//     key twice: then the contract is "same key, one effect".
//
// The same pair is then sent concurrently with one fresh key (a retry that
// overtakes the original): with the key honoured the effect happens once,
// with a check-then-insert key table and no unique constraint, twice.
// When the sequential replay is refused (409: "already redeemed") the
// concurrent pair is the race check's business (RACE-001), not this one's.

// replayProbe is what the replay of one operation showed. IDEM-001 and
// IDEM-002 share it through the scan's Shared memo.
type replayProbe struct {
	why           string // set when the replay could not be tested
	who           *identity.Identity
	req           *request
	keyName       string
	keyDocumented bool
	key           string

	first, second *engine.Response
	eff1, eff2    []delta
	dupQ, dupC    []delta // second repeated first: quantities, counts
	sameResult    bool    // second is the first's result (same id, or says replayed)
	newObject     bool    // second returned another result id

	noKey *engine.Response // the documented-required key left out

	concRan        bool
	conc           []*engine.Response
	concStatuses   []int
	eff3           []delta
	concDupQ       []delta
	concDupC       []delta
	concNewObjects int

	objects string // what was created and removed
	restore string
}

// replayed reports whether a second request with the same key was served
// from the first one's result without a new effect.
func (pr *replayProbe) honoured() bool {
	return pr.second != nil && ok2xx(pr.second) && len(pr.dupQ) == 0 &&
		(replayed(pr.second) || (pr.keyDocumented && pr.sameResult && len(pr.dupC) == 0))
}

func (pr *replayProbe) seqDuplicated() bool {
	if pr.second == nil || !ok2xx(pr.second) {
		return false
	}
	if len(pr.dupQ) > 0 {
		return true
	}
	return pr.keyDocumented && (len(pr.dupC) > 0 || pr.newObject)
}

func (pr *replayProbe) concDuplicated() bool {
	if !pr.concRan {
		return false
	}
	if len(pr.concDupQ) > 0 {
		return true
	}
	return pr.keyDocumented && (len(pr.concDupC) > 0 || pr.concNewObjects >= 2)
}

// replayFor runs the probe once per scan and operation.
func replayFor(ctx context.Context, p *check.Pass) (*replayProbe, error) {
	v, err := p.OnceOp("replay", func() (any, error) {
		return runReplay(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return v.(*replayProbe), nil
}

// maxReaders bounds the reads one snapshot takes.
const maxReaders = 6

func runReplay(ctx context.Context, p *check.Pass) (*replayProbe, error) {
	op := p.Op
	pr := &replayProbe{keyName: keyHeader(op), keyDocumented: keyParam(op) != nil}
	pr.who = p.FirstUser()
	if pr.who == nil && !op.Public() {
		pr.why = "no authenticated identity"
		return pr, nil
	}
	r := prepare(p, op, nil)
	pr.req = r
	orig, err := remember(ctx, p, pr.who, r)
	if err != nil {
		return pr, err
	}
	readers := pickReaders(p, op, maxReaders)
	s0a, err := read(ctx, p, pr.who, readers)
	if err != nil {
		return pr, err
	}
	readers = only(readers, s0a)
	s0b, err := read(ctx, p, pr.who, readers)
	if err != nil {
		return pr, err
	}
	vol := volatileKeys(s0a, s0b)

	jan := fixture.Track(p, pr.who, op)
	defer func() {
		// Clean up even when the context is cancelled half-way: a scan
		// interrupted by the user must not leave more behind than needed.
		cctx := context.WithoutCancel(ctx)
		pr.restore = restore(cctx, p, orig, pr.who, r)
		jan.Cleanup(cctx)
		pr.objects = jan.Note()
	}()

	pr.key = newKey("replay")
	pr.first, err = p.Send(ctx, pr.who, r.engineRequest(pr.keyName, pr.key))
	if err != nil {
		return pr, err
	}
	if !ok2xx(pr.first) {
		pr.why = fmt.Sprintf("the request was answered %d", pr.first.Status)
		return pr, nil
	}
	jan.Add(pr.first)
	s1, err := read(ctx, p, pr.who, readers)
	if err != nil {
		return pr, err
	}
	pr.eff1 = diff(s0b, s1, vol)
	narrow := changedReaders(readers, pr.eff1, op.Path)

	pr.second, err = p.Send(ctx, pr.who, r.engineRequest(pr.keyName, pr.key))
	if err != nil {
		return pr, err
	}
	jan.Add(pr.second)
	s2, err := read(ctx, p, pr.who, narrow)
	if err != nil {
		return pr, err
	}
	pr.eff2 = diff(s1, s2, vol)
	if !ok2xx(pr.second) {
		return pr, nil
	}
	id1, id2 := fixture.ResultID(pr.first), fixture.ResultID(pr.second)
	pr.sameResult = replayed(pr.second) || (id1 != "" && id1 == id2)
	pr.newObject = !pr.sameResult && id1 != "" && id2 != ""
	pr.dupQ, pr.dupC = repeatedSplit(pr.eff1, pr.eff2, 1)

	if pr.keyDocumented && keyParam(op).Required {
		// "With and without the key": a key the spec requires but the
		// server does not enforce protects no client that forgets it.
		pr.noKey, err = p.Send(ctx, pr.who, r.engineRequest(pr.keyName, ""))
		if err != nil {
			return pr, err
		}
		jan.Add(pr.noKey)
		if s2, err = read(ctx, p, pr.who, narrow); err != nil {
			return pr, err
		}
	}

	if p.Client.MaxBurst() < 2 {
		return pr, nil
	}
	key2 := newKey("replay")
	res, err := p.Burst(ctx, pr.who, []*engine.Request{r.engineRequest(pr.keyName, key2), r.engineRequest(pr.keyName, key2)})
	if err != nil {
		return pr, err
	}
	pr.concRan = true
	ids := map[string]bool{}
	for _, br := range res {
		if br.Resp == nil {
			pr.concStatuses = append(pr.concStatuses, 0)
			continue
		}
		pr.conc = append(pr.conc, br.Resp)
		pr.concStatuses = append(pr.concStatuses, br.Resp.Status)
		jan.Add(br.Resp)
		if id := fixture.ResultID(br.Resp); ok2xx(br.Resp) && id != "" && !replayed(br.Resp) {
			ids[id] = true
		}
	}
	pr.concNewObjects = len(ids)
	s3, err := read(ctx, p, pr.who, narrow)
	if err != nil {
		return pr, err
	}
	pr.eff3 = diff(s2, s3, vol)
	pr.concDupQ, pr.concDupC = repeatedSplit(pr.eff1, pr.eff3, 2)
	return pr, nil
}

// declare says a unit's coverage from the shared probe (sent by whichever
// of IDEM-001 and IDEM-002 ran first): tested, or why the first request
// did not go through. It reports whether the probe judged the operation.
func (pr *replayProbe) declare(p *check.Pass) bool {
	switch {
	case pr.why == "":
		p.Tested()
		return true
	case pr.who == nil && pr.first == nil:
		p.NotTested(rampart.ReasonNeedsIdentity, "needs an authenticated identity to send the write")
	case pr.first != nil:
		p.NotTestedBy(p.Op, pr.who, pr.first.Status, pr.first.Body)
	default:
		p.NotTested(rampart.ReasonError, pr.why)
	}
	return false
}

func runIdem001(ctx context.Context, p *check.Pass) error {
	pr, err := replayFor(ctx, p)
	if err != nil || !pr.declare(p) {
		return err
	}
	seq, conc := pr.seqDuplicated(), pr.concDuplicated()
	if !seq && !conc {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s has its effect again when the same request is replayed.", p.Op.Key())
	keyText := fmt.Sprintf("the same %s", pr.keyName)
	if seq {
		fmt.Fprintf(&b, " Sent twice in sequence with %s, it answered %d and %d", keyText, pr.first.Status, pr.second.Status)
		if pr.newObject {
			fmt.Fprintf(&b, " with two different results (%s, %s)", fixture.ResultID(pr.first), fixture.ResultID(pr.second))
		}
		if len(pr.dupQ)+len(pr.dupC) > 0 {
			fmt.Fprintf(&b, ", and the state read back moved twice: %s", describe(movedTwice(pr.eff1, append(append([]delta{}, pr.dupQ...), pr.dupC...)), 4))
		}
		b.WriteString(".")
	} else if pr.honoured() || pr.sameResult {
		fmt.Fprintf(&b, " In sequence the replay with %s was answered from the first result, but", keyText)
	}
	if conc {
		if !seq && (pr.honoured() || pr.sameResult) {
			b.WriteString(" two copies sent concurrently with one new key both took effect")
		} else {
			b.WriteString(" Sent twice concurrently with one new key, both copies took effect")
		}
		fmt.Fprintf(&b, " (%s", statusCounts(pr.concStatuses))
		if pr.concNewObjects >= 2 {
			fmt.Fprintf(&b, ", %d different results", pr.concNewObjects)
		}
		if d := append(append([]delta{}, pr.concDupQ...), pr.concDupC...); len(d) > 0 {
			fmt.Fprintf(&b, "; %s", describe(d, 3))
		}
		b.WriteString(").")
	}
	f := p.Finding("")
	f.Location.URL = pr.first.RequestURL
	f.Confidence = rampart.Confirmed
	switch {
	case pr.keyDocumented:
		fmt.Fprintf(&b, " The spec documents the %s header, so a replay with the same key must not repeat the effect.", pr.keyName)
	default:
		// Without a documented key only a repeated quantity gets here:
		// two records would be the documented contract, a balance moving
		// twice is what a client retry must never cause.
		fmt.Fprintf(&b, " The operation documents no idempotency key and ignores %s, so a client that retries after a timeout repeats the change.", defaultKeyHeader)
		f.Severity = rampart.Medium
	}
	if pr.noKey != nil && ok2xx(pr.noKey) {
		fmt.Fprintf(&b, " It also accepts the request without the %s the spec marks as required (answered %d).", pr.keyName, pr.noKey.Status)
	}
	for _, s := range []string{pr.objects, pr.restore} {
		if s != "" {
			b.WriteString(" " + s)
		}
	}
	f.Message = b.String()
	f.Evidence = []rampart.Evidence{
		p.Evidence(pr.first, "first request"),
		p.Evidence(pr.second, "the same request again, same key: "+stateNote(pr.eff1, pr.eff2)),
	}
	if conc && len(pr.conc) > 0 {
		f.Evidence = append(f.Evidence, p.Evidence(pr.conc[len(pr.conc)-1], "one of two concurrent copies with one new key: "+statusCounts(pr.concStatuses)))
	}
	f.Curl = p.Curl(pr.second)
	p.Report(f)
	return nil
}

// movedTwice shows, for each repeated key, the value before, after the
// first and after the second request.
func movedTwice(first, rep []delta) []delta {
	byKey := map[string]delta{}
	for _, d := range first {
		byKey[d.key] = d
	}
	var out []delta
	for _, d := range rep {
		if f, ok := byKey[d.key]; ok {
			out = append(out, delta{key: d.key, before: f.before, after: d.after})
		}
	}
	return out
}

func stateNote(eff1, eff2 []delta) string {
	if len(eff1) == 0 && len(eff2) == 0 {
		return "no state change visible to the reads"
	}
	return fmt.Sprintf("after the first: %s; after the second: %s", orNone(describe(eff1, 4)), orNone(describe(eff2, 4)))
}

func orNone(s string) string {
	if s == "" {
		return "no change"
	}
	return s
}

// mutate returns the body with one field changed: "the same key with
// another payload". A free-text field is preferred (changing it moves
// nothing); else a number is nudged up by its smallest step.
func mutate(r *request) (*request, string) {
	if r.fields == nil {
		return nil, ""
	}
	keys := slices.Sorted(maps.Keys(r.fields))
	var schema map[string]*rampart.Schema
	if r.op.Body != nil && r.op.Body.Schema != nil {
		schema = r.op.Body.Schema.Properties
	}
	for _, k := range keys {
		s, ok := r.fields[k].(string)
		sc := schema[k]
		if !ok || isIDName(k) || (sc != nil && (len(sc.Enum) > 0 || sc.Format != "" || sc.Pattern != "")) {
			continue
		}
		v := s + " (rampart)"
		if sc != nil && sc.MaxLength > 0 && len(v) > sc.MaxLength {
			v = "rampart"
			if len(v) > sc.MaxLength || v == s {
				continue
			}
		}
		out := copyMap(r.fields)
		out[k] = v
		return r.with(out), k
	}
	for _, k := range keys {
		n, ok := r.fields[k].(float64)
		if !ok || isIDName(k) {
			continue
		}
		step := 1.0
		if sc := schema[k]; sc != nil && sc.Type == "number" {
			step = 0.01
		}
		if sc := schema[k]; sc != nil && sc.Maximum != nil && n+step > *sc.Maximum {
			continue
		}
		out := copyMap(r.fields)
		out[k] = n + step
		return r.with(out), k
	}
	return nil, ""
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func runIdem002(ctx context.Context, p *check.Pass) error {
	pr, err := replayFor(ctx, p)
	if err != nil {
		return err
	}
	if pr.why == "" && !pr.honoured() {
		p.NotApplicable("the replay is not answered from a stored result: no key to misuse")
		return nil
	}
	if !pr.declare(p) {
		return nil
	}
	firstID := fixture.ResultID(pr.first)

	// The same key with another payload must be refused.
	if alt, field := mutate(pr.req); alt != nil {
		jan := fixture.Track(p, pr.who, p.Op)
		resp, err := p.Send(ctx, pr.who, alt.engineRequest(pr.keyName, pr.key))
		if err != nil {
			return err
		}
		jan.Add(resp)
		jan.Cleanup(context.WithoutCancel(ctx))
		if ok2xx(resp) {
			id := fixture.ResultID(resp)
			f := p.Finding("")
			f.Key = "payload"
			f.Location.URL = resp.RequestURL
			f.Confidence = rampart.Confirmed
			f.Severity = rampart.Medium
			switch {
			case id != "" && id != firstID && !replayed(resp):
				f.Title = "Idempotency key reused with another payload runs a second request"
				f.Message = fmt.Sprintf("%s accepted the %s of an earlier request with a different %q and executed it as a new request (%d, result %s; the first was %s): the key is not bound to the request it was issued for, so a client bug that reuses a key silently performs another operation.",
					p.Op.Key(), pr.keyName, field, resp.Status, id, firstID)
			default:
				f.Title = "Idempotency key reused with another payload is not refused"
				f.Severity = rampart.Low
				f.Message = fmt.Sprintf("%s answered %d to a request that reuses the %s of an earlier one with a different %q: it returned the earlier result instead of refusing (409 or 422), so the client believes its different request succeeded.",
					p.Op.Key(), resp.Status, pr.keyName, field)
			}
			if note := jan.Note(); note != "" {
				f.Message += " " + note
			}
			f.Evidence = []rampart.Evidence{p.Evidence(pr.first, "the key's first request"), p.Evidence(resp, "same key, different "+field)}
			f.Curl = p.Curl(resp)
			p.Report(f)
		}
	}

	// Another identity reusing the key must not receive the first
	// identity's stored result.
	var other *identity.Identity
	for _, id := range p.Authenticated() {
		if id != pr.who {
			other = id
			break
		}
	}
	if other == nil || firstID == "" {
		return nil
	}
	jan := fixture.Track(p, other, p.Op)
	resp, err := p.Send(ctx, other, pr.req.engineRequest(pr.keyName, pr.key))
	if err != nil {
		return err
	}
	if !(ok2xx(resp) && fixture.ResultID(resp) == firstID) {
		jan.Add(resp)
		jan.Cleanup(context.WithoutCancel(ctx))
		return nil
	}
	f := p.Finding("")
	f.Key = "identity"
	f.Location.URL = resp.RequestURL
	f.Confidence = rampart.Confirmed
	msg := fmt.Sprintf("%s keys stored results by %s alone: %s sent %s's key and got %s's stored result (%s, %d) instead of a result of its own.",
		p.Op.Key(), pr.keyName, other.Name, pr.who.Name, pr.who.Name, firstID, resp.Status)
	if bytes.Equal(bytes.TrimSpace(resp.Body), bytes.TrimSpace(pr.first.Body)) {
		msg += " The body is byte-for-byte the one the first identity received."
	} else if leaked := sharedValues(pr.first.Body, resp.Body); leaked != "" {
		msg += " It carries the first identity's values: " + leaked + "."
	}
	f.Message = msg + " Whoever learns or guesses a key reads another user's result, and a key collision between users loses one user's request."
	f.Evidence = []rampart.Evidence{p.Evidence(pr.first, pr.who.Name+"'s request"), p.Evidence(resp, other.Name+" with "+pr.who.Name+"'s key")}
	f.Curl = p.Curl(resp)
	f.Related = []rampart.Related{{Location: rampart.Location{Method: p.Op.Method, Path: p.Op.Path, URL: pr.first.RequestURL}, Note: pr.who.Name + "'s original request", Curl: p.Curl(pr.first)}}
	p.Report(f)
	return nil
}

// sharedValues names a few top-level values both bodies carry.
func sharedValues(a, b []byte) string {
	var ma, mb map[string]any
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
		return ""
	}
	keys := slices.Sorted(maps.Keys(ma))
	var parts []string
	for _, k := range keys {
		if v, ok := mb[k]; ok && scalar(v) && fmt.Sprint(v) == fmt.Sprint(ma[k]) {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
			if len(parts) == 4 {
				break
			}
		}
	}
	return strings.Join(parts, ", ")
}

// idemApplies selects creating writes: POST operations outside
// authentication flows.
func idemApplies(op *rampart.Operation) bool {
	return op.Method == http.MethodPost && writes(op)
}
