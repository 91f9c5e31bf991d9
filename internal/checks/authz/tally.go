package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// tally is what one unit met on its way, so that a unit that judged
// nothing says what stopped it (Pass.NotTested) instead of passing for
// tested on the strength of the baselines it fetched.
type tally struct {
	judged   bool     // an identity's answer was held against another's
	noValues []string // id parameters nobody had a value for
	valued   bool     // some identity had a value to ask with
	asked    []string // id parameters some identity had values for
	owned    bool     // some identity's own read answered with data
	refused  []string // identities refused (401/403) on their own values
	status   int      // the last status of an own read without data
	walked   int      // ids read by enumerate without an object it could judge
}

// values records whether anyone had values for an id parameter.
func (t *tally) values(prm string, n int) {
	if n == 0 {
		if !slices.Contains(t.noValues, prm) {
			t.noValues = append(t.noValues, prm)
		}
		return
	}
	t.valued = true
	if !slices.Contains(t.asked, prm) {
		t.asked = append(t.asked, prm)
	}
}

// own records an identity's read of its own value.
func (t *tally) own(who *identity.Identity, r *engine.Response, data bool) {
	switch {
	case data:
		t.owned = true
	case r.Status == 401 || r.Status == 403:
		if !slices.Contains(t.refused, who.Name) {
			t.refused = append(t.refused, who.Name)
		}
		t.status = r.Status
	default:
		t.status = r.Status
	}
}

// declare says why the unit judged nothing, in the order the probe
// needed things: values, an object of one's own, a second identity.
func (t *tally) declare(p *check.Pass) {
	switch {
	case t.judged:
		p.Tested()
	case !t.valued && len(t.noValues) > 0 && t.walked > 0:
		p.NotTested(rampart.ReasonNoValues, fmt.Sprintf("no values for %s; %d walked id(s) gave no object with an owner field",
			braced(t.noValues), t.walked))
	case !t.valued && len(t.noValues) > 0:
		p.NotTested(rampart.ReasonNoValues, "no values for "+braced(t.noValues))
	case t.valued && !t.owned && len(t.refused) > 0 && (t.status == 401 || t.status == 403):
		p.NotTested(rampart.ReasonRefused, fmt.Sprintf("%s refused (%d) on their own values", strings.Join(t.refused, ", "), t.status))
	case t.valued && !t.owned && t.status != 0:
		p.NotTested(rampart.ReasonNoObject, fmt.Sprintf("no value of %s that %s owns answered with data (last answer %d)",
			braced(t.asked), names(p.Authenticated()), t.status))
	default:
		p.NotTested(rampart.ReasonNeedsSecondUser, "needs a second user-role identity ("+configured(p)+")")
	}
}

func braced(params []string) string {
	var out []string
	for _, n := range params {
		out = append(out, "{"+n+"}")
	}
	return strings.Join(out, ", ")
}

func names(ids []*identity.Identity) string {
	var out []string
	for _, id := range ids {
		out = append(out, id.Name)
	}
	switch len(out) {
	case 0:
		return "no identity"
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// configured names the identities the scan has, with their roles: "only
// alice (user) is configured".
func configured(p *check.Pass) string {
	var out []string
	for _, id := range p.Authenticated() {
		out = append(out, id.Name+" ("+id.Role+")")
	}
	switch len(out) {
	case 0:
		return "no identity is configured"
	case 1:
		return "only " + out[0] + " is configured"
	}
	return "only " + strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1] + " are configured"
}

// needUser says a unit needs a user-role identity the scan does not have.
func needUser(p *check.Pass) {
	if len(p.Authenticated()) == 0 {
		p.NotTested(rampart.ReasonNeedsIdentity, "no identity is configured")
		return
	}
	p.NotTested(rampart.ReasonNeedsIdentity, "needs a user-role identity ("+configured(p)+")")
}

// creates remembers a target-level unit's create attempts, so that a unit
// that could create nothing to probe says why: the API's validation
// message, a refusal, or no answer that made an object.
type creates struct {
	tried []string // collections, "POST /notes"
	last  *engine.Response
	who   string
}

func (c *creates) record(op *rampart.Operation, who *identity.Identity, resp *engine.Response) {
	if op != nil && !slices.Contains(c.tried, op.Key()) {
		c.tried = append(c.tried, op.Key())
	}
	if resp != nil {
		c.last, c.who = resp, who.Name
	}
}

// declare says why nothing could be created; false when nothing was tried.
func (c *creates) declare(p *check.Pass) bool {
	if len(c.tried) == 0 {
		return false
	}
	where := strings.Join(c.tried, ", ")
	switch r := c.last; {
	case r == nil:
		p.NotTested(rampart.ReasonNoObject, "no create body could be built for "+where)
	case r.Status == 400 || r.Status == 422:
		p.NotTested(rampart.ReasonBodyRejected, check.Rejected(r))
	case r.Status == 401 || r.Status == 403:
		p.NotTested(rampart.ReasonRefused, fmt.Sprintf("%s refused (%d) on %s", c.who, r.Status, where))
	default:
		p.NotTested(rampart.ReasonNoObject, fmt.Sprintf("no identity could create an object with %s (last answer %d)", where, r.Status))
	}
	return true
}
