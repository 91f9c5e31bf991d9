package html

import (
	"cmp"
	"fmt"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
)

// MaxDetail is how much of a cell's detail or a reason's example the page
// shows: a detail can carry the API's own validation message, of any
// length, on every operation. The JSON report keeps all of it.
const MaxDetail = 1000

// Kinds of cell the matrix shows and filters by: the coverage states, with
// the not-tested cells the user chose (mode, --checks, --exclude) apart,
// since they are not a gap to close.
const (
	kindProved        = "proved"
	kindTested        = "tested"
	kindNotTested     = "not-tested"
	kindChosen        = "chosen"
	kindNotApplicable = "not-applicable"
)

var kindLabels = []struct{ Kind, Label string }{
	{kindProved, "proved (finding)"},
	{kindTested, "tested, nothing found"},
	{kindNotTested, "not tested"},
	{kindChosen, "not tested by your choice"},
	{kindNotApplicable, "not applicable"},
}

type coverageView struct {
	Percent, Tested, Applicable int
	Incomplete                  bool
	Families                    []familyCount
	Reasons                     []reasonView
	// The matrix: one column per family that has cells, one row per
	// operation, the API as a whole first.
	Columns []string
	Rows    []rowView
	Kinds   []kindCount
	// ReasonOptions are the reasons of the matrix's not-tested cells, for
	// the reason filter.
	ReasonOptions []reasonOption
	// SourceOptions say how the operations were found, for the "found"
	// column and filter; empty when the report does not say.
	SourceOptions []sourceOption
}

type familyCount struct {
	Name                                     string
	Proved, Tested, NotTested, NotApplicable int
	Chosen                                   int
}

type reasonView struct {
	Code, Summary, Action string
	Cells                 int
	Chosen                bool
	Examples              []string
}

type rowView struct {
	Operation string // as shown
	Key       string // lower case, for the text filter
	// How the operation was found: the source code (for the filter), its
	// label, its origin and both for the tooltip; empty when not known.
	Source, Found, Origin, FoundTitle string
	Cells                             []cellView
}

type cellView struct {
	Family string
	Empty  bool // no check of the family looks at the operation
	Kind   string
	Reason string // the reason code of a not-tested cell
	Label  string // what the cell says
	Title  string // the tooltip: family, state, reason, detail
	Detail string
	Checks []checkView
}

type checkView struct{ Check, State string }

type kindCount struct {
	Kind, Label string
	N           int
}

type reasonOption struct {
	Code, Summary string
	N             int
}

func coverageOf(c *rampart.Coverage) *coverageView {
	if c == nil {
		return nil
	}
	v := &coverageView{Percent: c.Percent, Tested: c.Tested, Applicable: c.Applicable, Incomplete: c.Incomplete}
	fams := c.FamiliesCovered()
	counts := map[rampart.Family]rampart.FamilyCoverage{}
	for _, f := range c.Families {
		counts[f.Family] = f
	}
	for _, f := range fams {
		fc := counts[f]
		v.Families = append(v.Families, familyCount{
			Name: cmp.Or(oneLine(string(f)), "unknown"), Proved: fc.Proved, Tested: fc.Tested,
			NotTested: fc.NotTested, NotApplicable: fc.NotApplicable, Chosen: fc.Chosen,
		})
		v.Columns = append(v.Columns, cmp.Or(oneLine(string(f)), "unknown"))
	}
	for _, r := range c.Reasons {
		rv := reasonView{
			Code: oneLine(string(r.Reason)), Summary: r.Reason.Summary(), Action: oneLine(cmp.Or(r.Action, r.Reason.Action())),
			Cells: r.Cells, Chosen: r.Reason.Chosen(),
		}
		for _, e := range r.Examples {
			if e = clip.Runes(oneLine(e), MaxDetail); e != "" {
				rv.Examples = append(rv.Examples, e)
			}
		}
		v.Reasons = append(v.Reasons, rv)
	}

	kinds := map[string]int{}
	reasons := map[rampart.Reason]int{}
	ops := c.Rows()
	for _, op := range ops {
		row := rowView{Operation: cmp.Or(oneLine(op.Operation), rampart.WholeAPI)}
		row.Key = strings.ToLower(row.Operation)
		foundOf(&row, op)
		for _, f := range fams {
			cell := cellView{Family: cmp.Or(oneLine(string(f)), "unknown"), Empty: true}
			for _, cc := range op.Cells {
				if cc.Family == f {
					cell = cellOf(cc)
					kinds[cell.Kind]++
					if cc.State == rampart.CoverageNotTested {
						reasons[cc.Reason]++
					}
					break
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	for _, k := range kindLabels {
		if kinds[k.Kind] > 0 {
			v.Kinds = append(v.Kinds, kindCount{Kind: k.Kind, Label: k.Label, N: kinds[k.Kind]})
		}
	}
	v.SourceOptions = sourceOptions(c)
	known := slices.Clone(rampart.Reasons)
	for r := range reasons {
		if !slices.Contains(known, r) {
			known = append(known, r) // a reason this version does not know
		}
	}
	for _, r := range known {
		if n := reasons[r]; n > 0 {
			v.ReasonOptions = append(v.ReasonOptions, reasonOption{Code: cmp.Or(oneLine(string(r)), "none"), Summary: r.Summary(), N: n})
		}
	}
	return v
}

func cellOf(cc rampart.CoverageCell) cellView {
	v := cellView{Family: cmp.Or(oneLine(string(cc.Family)), "unknown"), Detail: clip.Runes(oneLine(cc.Detail), MaxDetail)}
	switch cc.State {
	case rampart.CoverageProved:
		v.Kind, v.Label = kindProved, "proved"
	case rampart.CoverageTested:
		v.Kind, v.Label = kindTested, "tested"
	case rampart.CoverageNotTested:
		v.Kind, v.Label = kindNotTested, cc.Reason.Summary()
		v.Reason = cmp.Or(oneLine(string(cc.Reason)), "none")
		if cc.Reason.Chosen() {
			v.Kind = kindChosen
		}
	default:
		v.Kind, v.Label = kindNotApplicable, "n/a"
	}
	title := []string{v.Family + ": " + kindLabel(v.Kind)}
	if cc.State == rampart.CoverageNotTested {
		title[0] = v.Family + ": not tested, " + cc.Reason.Summary()
	}
	if v.Detail != "" {
		title = append(title, v.Detail)
	}
	for _, ch := range cc.Checks {
		s := oneLine(string(ch.State))
		if ch.State == rampart.CoverageNotTested {
			s = "not tested, " + ch.Reason.Summary()
		}
		if d := clip.Runes(oneLine(ch.Detail), MaxDetail); d != "" {
			s += ": " + d
		}
		cv := checkView{Check: cmp.Or(oneLine(ch.Check), "?"), State: s}
		v.Checks = append(v.Checks, cv)
		title = append(title, cv.Check+" "+cv.State)
	}
	v.Title = strings.Join(title, " · ")
	return v
}

func kindLabel(kind string) string {
	for _, k := range kindLabels {
		if k.Kind == kind {
			return k.Label
		}
	}
	return kind
}

// coverageFact is the coverage in the summary's facts.
func coverageFact(c *rampart.Coverage) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%d%% (%d of %d cells tested)", c.Percent, c.Tested, c.Applicable)
}
