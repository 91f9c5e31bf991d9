package sarif

import (
	"net/url"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/report/internal/clip"
	"github.com/rampart-sec/rampart/report/internal/found"
)

// InputWarningKind is the "kind" property of the notifications that carry
// the report's input warnings, so that a tool can tell them from the
// scan's own.
const InputWarningKind = "input-warning"

// inputNotifications is one warning per problem Rampart repaired in the
// documents it read, located at the document's file and line, so that a
// SARIF viewer points at the line of the spec to fix.
func inputNotifications(ws []rampart.InputWarning) []notification {
	out := make([]notification, 0, len(ws))
	// One line each, without control characters: the text may quote
	// keys of the user's document.
	line := func(s string) string { return clip.Runes(oneLine(oneParagraph(s)), MaxExample) }
	for _, w := range ws {
		where, problem := line(w.Path), line(w.Problem)
		msg := problem
		if where != "" {
			msg = where + ": " + problem
		}
		props := map[string]any{"kind": InputWarningKind}
		if where != "" {
			props["path"] = where
		}
		if repair := line(w.Repair); repair != "" {
			msg += " (repaired: " + repair + ")"
			props["repair"] = repair
		}
		n := notification{Level: "warning", Message: text{Text: "Input warning: " + msg}, Properties: props}
		if file := oneLine(oneParagraph(w.File)); file != "" {
			pl := &physicalLocation{ArtifactLocation: inputArtifact(file)}
			if w.Line > 0 {
				pl.Region = &region{StartLine: w.Line}
			}
			n.Locations = []location{{PhysicalLocation: pl}}
		}
		out = append(out, n)
	}
	return out
}

// inputArtifact is where a document came from: a spec fetched from the
// target keeps its URL, a file its path (see artifactOf).
func inputArtifact(file string) artifactLocation {
	if u, err := url.Parse(file); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return artifactLocation{URI: u.String()}
	}
	return artifactOf(file)
}

// operationProperties counts the operations by how they were found:
// {"spec": 11, "code": 2, "probe": 1}, and says it in words; nil for a
// report whose rows do not say (older than schema 1.4).
func operationProperties(c *rampart.Coverage) map[string]any {
	counts := found.Counts(c)
	if len(counts) == 0 {
		return nil
	}
	by := make(map[string]int, len(counts))
	for _, k := range counts {
		by[oneLine(k.Source)] = k.N
	}
	return map[string]any{"bySource": by, "summary": oneLine(found.Summary(c))}
}
