package scan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/identity"
)

// ModelCheck is the pseudo check ID under which the report accounts for
// the requests the API model's exploration sent, as it does a check's.
const ModelCheck = "MODEL"

// modelRun is the exploration's line in the report's per-check
// accounting: a unit is one read operation as one identity, and its budget
// apimodel.PerUnit requests.
func modelRun(st apimodel.ExploreStats) []rampart.CheckRun {
	if st.Units == 0 {
		return nil
	}
	return []rampart.CheckRun{{Check: ModelCheck, Units: st.Units, Requests: st.Requests,
		MaxUnitRequests: st.MaxUnit, Budget: apimodel.PerUnit}}
}

// modelNote says what the model learned, in one line of the report.
func modelNote(m *apimodel.Model, st apimodel.ExploreStats, identities int) string {
	if st.Requests == 0 {
		return ""
	}
	known := 0
	for _, p := range m.People() {
		if p.Known() {
			known++
		}
	}
	return fmt.Sprintf("API model: %d requests explored the read operations as %d identities (budget %d); "+
		"it knows %d values and who %d of the identities are", st.Requests, identities, st.Budget, m.Size(), known)
}

// dumpModel writes the model's snapshot to opt.ModelDump, redacted with
// the scan's secrets like the report.
func dumpModel(m *apimodel.Model, ids []*identity.Identity, opt Options) error {
	snap := m.Snapshot(ids)
	if opt.Redactor != nil {
		opt.Redactor.Snapshot().Walk(&snap)
	}
	data, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return fmt.Errorf("model dump: %w", err)
	}
	if err := os.WriteFile(opt.ModelDump, append(data, '\n'), 0o600); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // its text repeats the path
		}
		return fmt.Errorf("model dump: cannot write %s: %w", opt.ModelDump, err)
	}
	return nil
}

// modelHints hands the request learner the values the model harvested for
// a parameter or body field (an account number a login answer showed, a
// title a create sent), best first: a request with a real value passes
// validation where a synthesised one does not.
//
// The learned request is what the checks' first user sends (check.Pass's
// FirstUser), so that user's own values come first: a from_account it
// owns, not another identity's, which a flawed API would debit.
func modelHints(m *apimodel.Model, ids []*identity.Identity) accept.Hints {
	var first *identity.Identity
	for _, id := range ids {
		if !id.IsAnonymous() {
			first = id
			break
		}
	}
	return func(op *rampart.Operation, in string, path []string) []any {
		if m == nil || len(path) == 0 {
			return nil
		}
		var out []any
		for _, c := range m.Values(op, path[len(path)-1], apimodel.Query{As: first, Limit: 3}) {
			out = append(out, c.Value)
		}
		return out
	}
}
