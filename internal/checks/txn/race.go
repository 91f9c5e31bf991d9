package txn

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
)

// The race oracle: a write that acts on an existing resource (redeem a
// coupon, claim a seat, use a voucher) is sent N times in one last-byte
// synchronised burst, and the invariant is checked with numbers:
//
//   - counter mode: the resource shows how many uses it has left (a
//     "remaining", "stock" or "available" field). More successes than that
//     is a limit overrun: a single-use coupon used five times;
//   - calibration mode: the resource shows no counter, but the API refuses
//     a repeated request in sequence (409 after the first success). The
//     limit L is measured on one resource, the burst is sent on another of
//     the same listing, and more than L successes is an overrun.
//
// The effect is read back to confirm it: the resource's counter below zero
// or the resource gone from its listing, or a balance that moved once per
// success by the resource's value. Nothing here can be undone through an
// API (a redemption has no inverse), so the check uses the resource with
// the fewest uses left and says in the finding what it consumed.

// counterWords name fields that count the uses a resource has left.
var counterWords = map[string]bool{
	"remaining": true, "left": true, "available": true, "availability": true, "stock": true,
	"quantity": true, "qty": true, "inventory": true, "capacity": true, "seats": true, "slots": true,
	"supply": true, "uses": true,
}

// limitWords name a resource's configured maximum: not what is left.
var limitWords = map[string]bool{"max": true, "maximum": true, "limit": true, "total": true, "initial": true}

const raceBurst = 8

// raceApplies selects POST actions on an existing resource. PUT and PATCH
// replace or edit state and are idempotent by definition: racing them is
// a lost update, not a limit overrun.
func raceApplies(op *rampart.Operation) bool {
	return op.Method == http.MethodPost && writes(op) && len(pathParams(op)) > 0
}

// candidate is one resource the burst can target.
type candidate struct {
	item    map[string]any
	key     string // the item's field that fills the path parameter
	value   string
	counter string // counter field, "" in calibration mode
	left    float64
}

// listing finds the reads that list the resources the operation acts on,
// and the field of their items that fills the path parameter.
func listings(p *check.Pass, op *rampart.Operation, param string) []*rampart.Operation {
	prefix := op.Path[:strings.Index(op.Path, "{"+param+"}")]
	prefix = strings.TrimSuffix(prefix, "/")
	idx := indexOf(p)
	out := append([]*rampart.Operation(nil), idx.listsAt[prefix]...)
	for _, g := range idx.lists {
		if len(out) >= 3 {
			break
		}
		if g.Path != prefix {
			out = append(out, g)
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// listsItems reports whether a read may list resources: its documented
// answer holds an array, or it documents no answer at all.
func listsItems(op *rampart.Operation) bool {
	documented := false
	var walk func(s *rampart.Schema, depth int) bool
	walk = func(s *rampart.Schema, depth int) bool {
		if s == nil || depth > 8 {
			return false
		}
		if s.Type == "array" || s.Items != nil {
			return true
		}
		for _, c := range s.Properties {
			if walk(c, depth+1) {
				return true
			}
		}
		return false
	}
	for _, r := range op.Responses {
		if !strings.HasPrefix(r.Status, "2") || r.Schema == nil {
			continue
		}
		documented = true
		if walk(r.Schema, 0) {
			return true
		}
	}
	return !documented
}

// items walks a listing for objects that carry one of the key fields.
func items(doc any, keys []string, depth int, out *[]candidate) {
	if depth > 4 || len(*out) >= maxItems {
		return
	}
	switch x := doc.(type) {
	case []any:
		for _, it := range x {
			items(it, keys, depth+1, out)
		}
	case map[string]any:
		for _, k := range keys {
			if v, ok := x[k]; ok && scalar(v) {
				c := candidate{item: x, key: k, value: fmt.Sprint(v)}
				c.counter, c.left = counterOf(x)
				*out = append(*out, c)
				return
			}
		}
		names := slices.Sorted(maps.Keys(x))
		for _, k := range names {
			items(x[k], keys, depth+1, out)
		}
	}
}

// counterOf returns the field that counts the uses an item has left.
func counterOf(item map[string]any) (string, float64) {
	names := slices.Sorted(maps.Keys(item))
	for _, k := range names {
		v, ok := item[k].(float64)
		if !ok || isIDName(k) || v != math.Trunc(v) || hasWord(k, limitWords) || !hasWord(k, counterWords) {
			continue
		}
		return k, v
	}
	return "", 0
}

type raceRun struct {
	cand      candidate
	url       string
	statuses  []int
	successes []*engine.Response
	failures  []*engine.Response
	distinct  int
	before    snapshot
	after     snapshot
	follow    *engine.Response
	listedNow *candidate // the resource in the listing after the burst, nil when gone
}

func runRace(ctx context.Context, p *check.Pass) error {
	who := p.FirstUser()
	if who == nil {
		// A race is proved on one's own resources.
		p.NotTested(rampart.ReasonNeedsIdentity, "a race is proved on the caller's own objects")
		return nil
	}
	n := min(raceBurst, p.Client.MaxBurst())
	if n < 2 {
		p.NotTested(rampart.ReasonExcluded, noBurst)
		return nil
	}
	params := pathParams(p.Op)
	param := params[len(params)-1]
	keys := fixture.KeyNames(param)

	var listing *rampart.Operation
	var cands []candidate
	for _, g := range listings(p, p.Op, param) {
		resp, err := p.Get(ctx, who, p.URL(g, nil), nil)
		if err != nil {
			return err
		}
		var doc any
		if !ok2xx(resp) || json.Unmarshal(resp.Body, &doc) != nil {
			continue
		}
		var cs []candidate
		items(doc, keys, 0, &cs)
		if len(cs) > 0 {
			listing, cands = g, cs
			break
		}
	}
	if listing == nil {
		p.NotTested(rampart.ReasonNoObject, fmt.Sprintf("no listing shows an object of %s's to use as {%s}", who.Name, param))
		return nil
	}

	// Counter mode: the resource with the fewest uses left that the burst
	// can overrun.
	var target *candidate
	for i := range cands {
		c := &cands[i]
		if c.counter == "" || c.left < 1 || c.left >= float64(n) {
			continue
		}
		if target == nil || c.left < target.left {
			target = c
		}
	}
	limit := 0.0
	mode := "counter"
	var calib []*engine.Response
	if target != nil {
		limit = target.left
	} else {
		// Calibration mode: measure the per-caller limit in sequence on one
		// resource, burst on another.
		if len(cands) < 2 {
			p.NotTested(rampart.ReasonNoObject, fmt.Sprintf("needs two objects of %s's without a visible counter, the listing shows one", who.Name))
			return nil
		}
		mode = "calibration"
		c0 := cands[0]
		r := prepare(p, p.Op, map[string]string{param: c0.value})
		orig, err := remember(ctx, p, who, r)
		if err != nil {
			return err
		}
		defer restore(context.WithoutCancel(ctx), p, orig, who, r)
		for i := 0; i < 3; i++ {
			resp, err := p.Send(ctx, who, r.engineRequest(keyHeader(p.Op), keyOrEmpty(p.Op)))
			if err != nil {
				return err
			}
			calib = append(calib, resp)
			if !ok2xx(resp) {
				break
			}
			limit++
		}
		last := calib[len(calib)-1]
		if limit == 0 {
			// It never works.
			p.NotTestedBy(p.Op, who, last.Status, last.Body)
			return nil
		}
		if ok2xx(last) || !refused(last) {
			p.NotApplicable("no per-caller limit seen after three uses")
			return nil
		}
		target = &cands[1]
	}

	run, err := burstOn(ctx, p, who, listing, *target, param, n)
	if err != nil {
		return err
	}
	p.Tested()
	s := float64(len(run.successes))
	if s <= limit {
		return nil
	}

	// Read back: did each success have its effect? A resource gone from
	// its listing says only that it is used up (as after one correct use),
	// so it is told, not counted as proof.
	var proof, seen []string
	switch {
	case run.listedNow == nil:
		seen = append(seen, fmt.Sprintf("the resource is no longer listed by %s", listing.Path))
	case target.counter != "" && run.listedNow.counter == target.counter && near(run.listedNow.left, target.left-s):
		proof = append(proof, fmt.Sprintf("its %s went from %s to %s", target.counter, fmtNum(target.left), fmtNum(run.listedNow.left)))
	}
	eff := diff(run.before, run.after, nil)
	perUse := valuesOf(target.item)
	for _, d := range eff {
		if d.countLike() {
			continue
		}
		for _, v := range perUse {
			if v != 0 && near(math.Abs(d.d()), s*math.Abs(v)) {
				proof = append(proof, fmt.Sprintf("%s (%s × %s)", d.String(), fmtNum(s), fmtNum(math.Abs(v))))
				break
			}
		}
	}
	if run.distinct >= 2 {
		proof = append(proof, fmt.Sprintf("%d successful answers describe %d different results", len(run.successes), run.distinct))
	}

	f := p.Finding("")
	f.Location.URL = run.url
	f.Location.Param = param
	f.Confidence = rampart.Firm
	if len(proof) > 0 {
		f.Confidence = rampart.Confirmed
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests to %s on one resource (%s=%s), released together, got %s: %s succeeded where ",
		n, p.Op.Key(), param, target.value, statusCounts(run.statuses), fmtNum(s))
	if mode == "counter" {
		fmt.Fprintf(&b, "its %s allowed %s.", target.counter, fmtNum(limit))
	} else {
		fmt.Fprintf(&b, "the API allows %s per caller: in sequence on %s=%s it answered %s.",
			fmtNum(limit), param, cands[0].value, statusCounts(statusesOf(calib)))
	}
	if all := append(proof, seen...); len(all) > 0 {
		fmt.Fprintf(&b, " Read back: %s.", strings.Join(all, "; "))
	}
	if run.follow != nil {
		fmt.Fprintf(&b, " One more request afterwards is refused with %d: the limit exists, but is checked and used in separate steps.", run.follow.Status)
	}
	fmt.Fprintf(&b, " The test consumed %s=%s (%s successful uses); a use cannot be undone through the API.", param, target.value, fmtNum(s))
	f.Message = b.String()
	f.Evidence = []rampart.Evidence{p.Evidence(run.successes[0], "first successful request of the burst")}
	if len(run.successes) > 1 {
		f.Evidence = append(f.Evidence, p.Evidence(run.successes[len(run.successes)-1], fmt.Sprintf("another successful request of the same burst (%d successes)", len(run.successes))))
	}
	if run.follow != nil {
		f.Evidence = append(f.Evidence, p.Evidence(run.follow, "a sequential request after the burst"))
	}
	f.Curl = engine.CurlNote(p.Curl(run.successes[0]), fmt.Sprintf(
		"one of %d copies sent at once: the race needs them together on a %s=%s not used yet", n, param, target.value))
	p.Report(f)
	return nil
}

func statusesOf(rs []*engine.Response) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Status)
	}
	return out
}

// valuesOf returns an item's non-id, non-counter numbers: what one use may
// be worth (a coupon's value).
func valuesOf(item map[string]any) []float64 {
	var out []float64
	for k, v := range item {
		f, ok := v.(float64)
		if !ok || isIDName(k) || hasWord(k, counterWords) || hasWord(k, limitWords) {
			continue
		}
		out = append(out, f)
	}
	sort.Float64s(out)
	return out
}

func burstOn(ctx context.Context, p *check.Pass, who *identity.Identity, listing *rampart.Operation, c candidate, param string, n int) (*raceRun, error) {
	run := &raceRun{cand: c}
	r := prepare(p, p.Op, map[string]string{param: c.value})
	run.url = r.url
	orig, err := remember(ctx, p, who, r)
	if err != nil {
		return nil, err
	}
	// An action on an item that also has a GET (an upsert by POST) changes
	// the item itself: put it back.
	defer restore(context.WithoutCancel(ctx), p, orig, who, r)
	readers := pickReaders(p, p.Op, maxReaders-1, listing)
	if run.before, err = read(ctx, p, who, readers); err != nil {
		return nil, err
	}
	readers = only(readers, run.before)
	reqs := make([]*engine.Request, n)
	for i := range reqs {
		// Distinct keys when the operation takes one: an attacker racing a
		// limit sends distinct requests, not retries of one.
		reqs[i] = r.engineRequest(keyHeader(p.Op), keyOrEmpty(p.Op))
	}
	res, err := p.Burst(ctx, who, reqs)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, br := range res {
		if br.Resp == nil {
			run.statuses = append(run.statuses, 0)
			continue
		}
		run.statuses = append(run.statuses, br.Resp.Status)
		if ok2xx(br.Resp) {
			run.successes = append(run.successes, br.Resp)
			if id := fixture.ResultID(br.Resp); id != "" {
				ids[id] = true
			}
		} else {
			run.failures = append(run.failures, br.Resp)
		}
	}
	run.distinct = len(ids)
	if len(run.successes) < 2 {
		return run, nil // nothing to overrun: spare the read-back
	}
	if run.after, err = read(ctx, p, who, readers); err != nil {
		return nil, err
	}
	resp, err := p.Get(ctx, who, p.URL(listing, nil), nil)
	if err != nil {
		return nil, err
	}
	var doc any
	if ok2xx(resp) && json.Unmarshal(resp.Body, &doc) == nil {
		var cs []candidate
		items(doc, []string{c.key}, 0, &cs)
		for i := range cs {
			if cs[i].value == c.value {
				run.listedNow = &cs[i]
			}
		}
	}
	follow, err := p.Send(ctx, who, r.engineRequest(keyHeader(p.Op), keyOrEmpty(p.Op)))
	if err != nil {
		return nil, err
	}
	if refused(follow) {
		run.follow = follow
	}
	return run, nil
}
