package scan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
)

// maxHeaderNotes bounds the operations the note names.
const maxHeaderNotes = 6

// headersNote says which headers the API asked for in its answers and what
// the scan sent (README, "Requests the API accepts"), or "".
func headersNote(l *accept.Learner, ops []*rampart.Operation) string {
	if l == nil || !l.HasHeaders() {
		return ""
	}
	var parts []string
	global := l.Global()
	for _, n := range slices.Sorted(maps.Keys(global)) {
		parts = append(parts, fmt.Sprintf("%s: %s on every request", n, global[n]))
	}
	more := 0
	for _, op := range ops {
		for _, h := range l.Headers(op) {
			if _, all := global[h.Name]; all && !h.Privileged {
				continue
			}
			if len(parts) >= maxHeaderNotes {
				more++
				continue
			}
			what := fmt.Sprintf("%s: %s on %s", h.Name, h.Value, op.Key())
			switch {
			case h.Privileged:
				what += " (named like a privilege: sent only by admin identities and BFLA-006)"
			case !h.Confirmed:
				what += " (the API still complained)"
			}
			parts = append(parts, what)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return "headers the API asked for in its answers: " + strings.Join(parts, "; ")
}
