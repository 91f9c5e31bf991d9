package check

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

func TestCoverageResolvesWhatAUnitDidAndSaid(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name   string
		do     func(p *Pass)
		runErr error
		want   rampart.CheckCoverage
	}{
		{"sent nothing, said nothing", func(*Pass) {}, nil,
			rampart.CheckCoverage{State: rampart.CoverageNotTested, Reason: rampart.ReasonUnexplained}},
		{"sent requests", func(p *Pass) { p.Get(context.Background(), nil, "/x", nil) }, nil,
			rampart.CheckCoverage{State: rampart.CoverageTested}},
		{"judged answers it did not fetch", func(p *Pass) { p.Tested() }, nil,
			rampart.CheckCoverage{State: rampart.CoverageTested}},
		{"declared a reason after a baseline request", func(p *Pass) {
			p.Get(context.Background(), nil, "/x", nil)
			p.NotTested(rampart.ReasonNeedsSecondUser, "only alice (user) is configured")
		}, nil, rampart.CheckCoverage{State: rampart.CoverageNotTested, Reason: rampart.ReasonNeedsSecondUser, Detail: "only alice (user) is configured"}},
		{"the first reason is kept", func(p *Pass) {
			p.NotTested(rampart.ReasonNoValues, "no values for {id}")
			p.NotApplicable("not a login")
		}, nil, rampart.CheckCoverage{State: rampart.CoverageNotTested, Reason: rampart.ReasonNoValues, Detail: "no values for {id}"}},
		{"nothing applies", func(p *Pass) { p.NotApplicable("not a login") }, nil,
			rampart.CheckCoverage{State: rampart.CoverageNotApplicable, Detail: "not a login"}},
		{"tested wins over a reason for part of the work", func(p *Pass) {
			p.NotTested(rampart.ReasonNeedsAdmin, "no admin")
			p.Tested()
		}, nil, rampart.CheckCoverage{State: rampart.CoverageTested}},
		{"a finding proves, whatever was said", func(p *Pass) {
			p.NotTested(rampart.ReasonNoValues, "x")
			p.Report(p.Finding("found"))
		}, nil, rampart.CheckCoverage{State: rampart.CoverageProved}},
		{"a failed run is an error", func(p *Pass) { p.Tested() }, boom,
			rampart.CheckCoverage{State: rampart.CoverageNotTested, Reason: rampart.ReasonError, Detail: "boom"}},
		{"a throttled run", func(*Pass) {}, fmt.Errorf("GET /x: %w", engine.ErrThrottled),
			rampart.CheckCoverage{State: rampart.CoverageNotTested, Reason: rampart.ReasonThrottled, Detail: "GET /x: route throttled"}},
		{"an interrupted run", func(*Pass) {}, context.Canceled,
			rampart.CheckCoverage{State: rampart.CoverageNotTested, Reason: rampart.ReasonInterrupted}},
		{"refused by the budget before anything was judged", func(p *Pass) {
			p.Get(context.Background(), nil, "/x", nil)
			p.Get(context.Background(), nil, "/x", nil)
		}, nil, rampart.CheckCoverage{State: rampart.CoverageNotTested, Reason: rampart.ReasonBudget}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := budgetPass(t, 1)
			tt.do(p)
			got := p.Coverage(tt.runErr)
			tt.want.Check = "T-001"
			if got != tt.want {
				t.Errorf("Coverage = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCoverageOfLostAnswers(t *testing.T) {
	p, _ := budgetPass(t, 0)
	p.lost.record(fmt.Errorf("GET /x: %w", engine.ErrTimeout))
	p.meter.take(1)
	if got := p.Coverage(nil); got.State != rampart.CoverageNotTested || got.Reason != rampart.ReasonError {
		t.Errorf("every answer lost: %+v, want not-tested/error", got)
	}
	p, _ = budgetPass(t, 0)
	p.lost.record(fmt.Errorf("GET /x: %w", engine.ErrThrottled))
	p.meter.take(1)
	if got := p.Coverage(nil); got.Reason != rampart.ReasonThrottled {
		t.Errorf("throttled answer: %+v, want throttled", got)
	}
	p, _ = budgetPass(t, 0)
	p.lost.record(fmt.Errorf("GET /x: %w", engine.ErrTimeout))
	p.meter.take(3)
	if got := p.Coverage(nil); got.State != rampart.CoverageTested {
		t.Errorf("one answer lost of three: %+v, want tested", got)
	}
}
