package holdings

import (
	"slices"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/identity"
)

// ListedOwners are the distinct owner values of the objects that a
// parameter's collection lists for who (/exams for /exams/{id}). Several
// of them say the collection shows who other people's objects by design.
func (inv *Inventory) ListedOwners(op *rampart.Operation, prm rampart.Param, who *identity.Identity) []string {
	h := inv.of(who)
	if h == nil {
		return nil
	}
	var out []string
	for _, i := range h.fromCollections(collectionsFor(op.Path, prm)) {
		if o := h.items[i].Owner; o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
