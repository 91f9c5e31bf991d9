package check

import (
	"context"
	"errors"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

// outcome is what one unit says of itself for the report's coverage: that
// it tested the operation, or why it could not, or why nothing of its kind
// applies there. A check says it through the pass (Tested, NotTested,
// NotApplicable); what it does not say is inferred from what it sent
// (Pass.Coverage).
type outcome struct {
	mu       sync.Mutex
	tested   bool
	state    rampart.CoverageState // NotTested or NotApplicable once declared
	reason   rampart.Reason
	detail   string
	findings int
}

// Tested says the unit looked at the operation and would have reported a
// flaw had there been one: for checks that judge answers other checks or
// the model fetched (it sent nothing itself), and for checks that declared
// a reason for part of their work and still tested the rest.
func (p *Pass) Tested() {
	if p.outcome == nil {
		return
	}
	p.outcome.mu.Lock()
	defer p.outcome.mu.Unlock()
	p.outcome.tested = true
}

// NotTested says why the unit could not test the operation, in the
// operation's own terms (detail: "no values for {id}", the API's validation
// message). The first reason a unit gives is kept: it is the one that
// stopped it; a later Tested or finding still wins.
func (p *Pass) NotTested(r rampart.Reason, detail string) {
	p.declare(rampart.CoverageNotTested, r, detail)
}

// NotApplicable says that nothing of the check's kind is there to test
// (detail: why: "not a login", "the answer carries no object").
func (p *Pass) NotApplicable(detail string) {
	p.declare(rampart.CoverageNotApplicable, "", detail)
}

func (p *Pass) declare(s rampart.CoverageState, r rampart.Reason, detail string) {
	if p.outcome == nil {
		return
	}
	p.outcome.mu.Lock()
	defer p.outcome.mu.Unlock()
	if p.outcome.state == "" {
		p.outcome.state, p.outcome.reason, p.outcome.detail = s, r, detail
	}
}

// found counts a finding of the unit.
func (o *outcome) found() {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.findings++
}

// Coverage is the unit's state once it is done, runErr being what its Run
// returned. In order: a finding proves; a failed run is an error; what the
// check said of itself; then what its requests show: answers lost to the
// target (throttled or failed), the budget spent, requests that got
// answers (tested). A unit that sent nothing and said nothing is
// unexplained, which tests keep out of every scan.
func (p *Pass) Coverage(runErr error) rampart.CheckCoverage {
	out := rampart.CheckCoverage{Check: p.Meta.ID}
	if p.outcome == nil {
		out.State, out.Reason = rampart.CoverageNotTested, rampart.ReasonUnexplained
		return out
	}
	o := p.outcome
	o.mu.Lock()
	tested, state, reason, detail, findings := o.tested, o.state, o.reason, o.detail, o.findings
	o.mu.Unlock()
	first, lostN := p.Lost()
	notTested := func(r rampart.Reason, d string) rampart.CheckCoverage {
		out.State, out.Reason, out.Detail = rampart.CoverageNotTested, r, d
		return out
	}
	switch {
	case findings > 0:
		out.State = rampart.CoverageProved
		return out
	case runErr != nil && (errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded)):
		return notTested(rampart.ReasonInterrupted, "")
	case runErr != nil && errors.Is(runErr, engine.ErrThrottled):
		return notTested(rampart.ReasonThrottled, runErr.Error())
	case runErr != nil && !errors.Is(runErr, ErrBudget):
		return notTested(rampart.ReasonError, runErr.Error())
	case tested:
		out.State = rampart.CoverageTested
		return out
	case state != "":
		out.State, out.Reason, out.Detail = state, reason, detail
		return out
	case lostN > 0 && errors.Is(first, engine.ErrThrottled):
		return notTested(rampart.ReasonThrottled, first.Error())
	case lostN > 0 && p.Requests() <= lostN:
		return notTested(rampart.ReasonError, first.Error())
	case p.OverBudget():
		return notTested(rampart.ReasonBudget, "")
	case p.Requests() > 0:
		out.State = rampart.CoverageTested
		return out
	}
	return notTested(rampart.ReasonUnexplained, "")
}
