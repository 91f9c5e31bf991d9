package apimodel

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/internal/identity"
)

// Snapshot is the model as data, for inspection (RAMPART_MODEL_DUMP):
// what was learned, and how each parameter of each operation would be
// filled for each identity. Tokens are masked; the scan redacts the rest
// as it does every output.
type Snapshot struct {
	Operations  int          `json:"operations"`
	Exploration ExploreStats `json:"exploration"`
	// Values counts the values kept; Dropped those the memory bounds left
	// out.
	Values  int      `json:"values"`
	Dropped int      `json:"dropped,omitempty"`
	People  []Person `json:"people"`
	// Parameters says, for every parameter exploring would fill, its
	// producers and the best values of each owner for each identity.
	Parameters []ParamFill         `json:"parameters"`
	Gates      []Gate              `json:"gates,omitempty"`
	Objects    map[string][]Object `json:"objects,omitempty"`
	Seen       []SeenValue         `json:"seen"`
}

// ParamFill is how one parameter of one operation would be filled.
type ParamFill struct {
	Operation string `json:"operation"`
	Param     string `json:"param"`
	In        string `json:"in"`
	Producers []Link `json:"producers,omitempty"`
	// Mine and Others are, per identity, its own best values and the best
	// values of other identities.
	Mine   map[string][]string `json:"mine,omitempty"`
	Others map[string][]string `json:"others,omitempty"`
}

// SeenValue is one harvested value.
type SeenValue struct {
	Value    string         `json:"value"`
	Kind     Kind           `json:"kind"`
	Owner    string         `json:"owner,omitempty"`
	Evidence How            `json:"evidence,omitempty"`
	Public   bool           `json:"public,omitempty"`
	Foreign  bool           `json:"foreignOwner,omitempty"`
	SeenBy   map[string]How `json:"seenBy"`
	From     []string       `json:"from"`
}

// maxDumpValues bounds what a snapshot lists of the values.
const maxDumpValues = 5000

// Snapshot returns the model as data.
func (m *Model) Snapshot(ids []*identity.Identity) Snapshot {
	var s Snapshot
	if m == nil {
		return s
	}
	s.Operations = len(m.ops())
	s.People = m.People()
	for _, op := range m.ops() {
		if !explorable(op) {
			continue
		}
		req, opt := needs(op)
		for _, p := range append(req, opt...) {
			pf := ParamFill{Operation: op.Key(), Param: p.Name, In: p.In, Mine: map[string][]string{}, Others: map[string][]string{}}
			pf.Producers = m.Producers(op, p.Name)
			if len(pf.Producers) > 5 {
				pf.Producers = pf.Producers[:5]
			}
			for _, id := range ids {
				if id.IsAnonymous() {
					continue
				}
				for _, c := range m.Values(op, p.Name, Query{As: id, Owner: Mine, Limit: 3}) {
					pf.Mine[id.Name] = append(pf.Mine[id.Name], masked(c.Value, c.Kind))
				}
				for _, c := range m.Values(op, p.Name, Query{As: id, Owner: Others, Limit: 3}) {
					pf.Others[id.Name] = append(pf.Others[id.Name], masked(c.Value, c.Kind)+" ("+c.Owner+")")
				}
			}
			s.Parameters = append(s.Parameters, pf)
		}
		if g, ok := m.Gate(op); ok {
			g.Op = nil
			s.Gates = append(s.Gates, g)
		}
	}
	s.Objects = map[string][]Object{}
	for _, id := range ids {
		for _, o := range m.Objects(id) {
			o.Op = nil
			o.Key = masked(o.Key, o.Kind)
			s.Objects[id.Name] = append(s.Objects[id.Name], o)
		}
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	s.Exploration, s.Values, s.Dropped = m.explored, len(m.values), m.dropped
	people := m.knownPeopleLocked()
	for _, e := range m.values {
		own := m.ownerLocked(e, people, "")
		v := SeenValue{Value: masked(e.text, e.kind), Kind: e.kind, Owner: own.owner, Evidence: own.evidence,
			Public: own.public, Foreign: own.foreign, SeenBy: map[string]How{}}
		for _, x := range e.seen {
			v.SeenBy[x.who] = x.how &^ howExplored
		}
		for _, o := range e.origins {
			v.From = append(v.From, o.op+" "+o.path)
		}
		s.Seen = append(s.Seen, v)
	}
	slices.SortFunc(s.Seen, func(a, b SeenValue) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Value, b.Value))
	})
	if len(s.Seen) > maxDumpValues {
		s.Seen = s.Seen[:maxDumpValues]
	}
	return s
}

// masked shows a token's first characters only: a dump is an output.
func masked(v string, k Kind) string {
	if k != KindToken {
		return v
	}
	r := []rune(v)
	if len(r) <= 8 {
		return strings.Repeat("•", len(r))
	}
	return string(r[:6]) + "…(" + strconv.Itoa(len(r)) + " chars)"
}
