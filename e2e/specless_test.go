package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/surface"
	"github.com/rampart-sec/rampart/internal/tbtest"
	"github.com/rampart-sec/rampart/scan"
)

// speclessExpected is, for each zoo app that serves no spec, which of its
// ground-truth entries a scan without --spec and without --source can be
// expected to prove, and why the others cannot be, written from
// testbed/zoo/README.md and the apps' groundtruth.json before discovery was
// tuned. Discovery knows only the common-path list, links in answers and
// the login flows the user gives; signed in, it then reads what it found
// (surface.Deepen): a listing's items lead to their route, OPTIONS names
// the methods of each path, and a write's body is guessed from the item's
// own fields. The expectations were revised once, when deepening was
// added, from what these steps can reach by the apps' design.
var speclessExpected = map[string]struct {
	expected []string
	why      string
}{
	// GET /devices is a generic resource name and answers 401 to an anonymous probe; the login
	// flow gives a JWT, so the alg=none forgery has an authenticated operation to replay on.
	// Signed in, GET /devices lists devices by name, which leads to /devices/{name}; the telemetry
	// read below it is named by no answer.
	"gateway": {expected: []string{"jwt-alg-none"}, why: "missing-auth-telemetry: /devices/{name}/telemetry is named by no answer"},
	// The loan read is GET /loan?id= (singular, the id in a query nothing links to). POST
	// /reservations answers 405 to GET without an Allow header; OPTIONS names POST, and its
	// validation answers name isbn and branch, but the injectable note is optional and named nowhere.
	"library": {why: "bola-loan-query: GET /loan?id= is linked from nowhere; sqli-reservation-note: the optional note field of POST /reservations is named by no answer"},
	// POST /auth is a well-known authentication path (its 405 names POST); the enumeration check
	// knows the identities' e-mail addresses from their login flows. /patients/{email} has no
	// listing to be found from.
	"clinic": {expected: []string{"user-enumeration-auth"}, why: "the patient operations hang below e-mail addresses no answer links to"},
	// Signed in, GET /tickets lists the caller's tickets by id, which leads to /tickets/{id};
	// OPTIONS on it names PUT, whose body is guessed from the ticket's own fields (subject…).
	"tickets": {expected: []string{"sqli-ticket-subject", "error-leak"}},
}

// TestZooSpecless scans the vulnerable variant of each zoo app that serves
// no spec without giving it one: discovery alone (usual spec places, docs
// pages, common paths, links) makes the surface. It measures per app how
// many documented operations were found and which ground-truth entries
// were proved (docs/benchmarks.md, "Discovery without a spec"), holds the
// expected entries found, and checks that every coverage row says how its
// operation was found.
func TestZooSpecless(t *testing.T) {
	if testing.Short() {
		t.Skip("scans four zoo apps")
	}
	z := tbtest.RequireZoo(t)
	z.Lock(t)
	t.Cleanup(func() { z.Reset(t) })
	var table strings.Builder
	table.WriteString("| app | documented operations found | found by | ground-truth entries proved | expected | FPs on secure | scan requests | scan time |\n|---|---:|---|---|---|---:|---:|---:|\n")
	for _, name := range []string{"gateway", "library", "clinic", "tickets"} {
		exp := speclessExpected[name]
		t.Run(name, func(t *testing.T) {
			a := z.App(t, name)
			z.Reset(t, name)
			documented := documentedOps(t, a.Spec(a.Vuln))
			rep := scanSpecless(t, a, a.Vuln)
			for _, n := range rep.Notes {
				t.Logf("note: %s", n)
			}
			found, sources := 0, map[string]int{}
			var rows []string
			for _, row := range rep.Coverage.Operations {
				if row.Operation == "" {
					continue
				}
				if row.Source == "" || row.Origin == "" {
					t.Errorf("coverage row %s does not say how it was found (source %q, origin %q)", row.Operation, row.Source, row.Origin)
				}
				sources[row.Source]++
				rows = append(rows, fmt.Sprintf("%s [%s: %s]", row.Operation, row.Source, row.Origin))
				if documented[shape(row.Operation)] {
					found++
				}
			}
			t.Logf("%s operations:\n%s", name, strings.Join(rows, "\n"))
			// The JSON report carries the same rows.
			b, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) > 0 && !strings.Contains(string(b), `"source":"`) {
				t.Error("the JSON report's coverage rows do not say how operations were found")
			}
			var proved []string
			var entries []tbtest.Entry // what a scan without --source can find
			for _, e := range z.GroundTruth(t, name) {
				if !e.NeedsSource() {
					entries = append(entries, e)
				}
			}
			for _, e := range entries {
				// Discovery names path parameters itself ({id} where the
				// spec says {ticket_id}): entries match by shape.
				if slices.ContainsFunc(rep.Findings, func(f rampart.Finding) bool {
					g := f
					g.Location.Path = e.Path
					return e.Matches(g) && (e.Path == "*" || shape(f.Location.Path) == shape(e.Path))
				}) {
					proved = append(proved, e.ID)
				}
			}
			for _, id := range exp.expected {
				if !slices.Contains(proved, id) {
					t.Errorf("%s: expected %s to be found without a spec, it was not (proved: %v)", name, id, proved)
				}
			}
			// Nothing the secure variant does is a flaw, with or without a spec.
			fps := 0
			for _, f := range scanSpecless(t, a, a.Secure).Findings {
				if f.Severity >= rampart.Medium {
					fps++
					t.Errorf("secure variant: %s (%s) %s %s: %s", f.Check, f.Severity, f.Location.Method, f.Location.Path, f.Message)
				}
			}
			var by []string
			for _, s := range slices.Sorted(maps.Keys(sources)) {
				by = append(by, fmt.Sprintf("%s %d", s, sources[s]))
			}
			fmt.Fprintf(&table, "| %s | %d/%d | %s | %s (%d/%d) | %s | %d | %d | %.1f s |\n", name, found, len(documented), strings.Join(by, ", "),
				strings.Join(proved, ", "), len(proved), len(entries), strings.Join(exp.expected, ", "),
				fps, rep.Stats.Requests, float64(rep.DurationMS)/1000)
		})
	}
	t.Logf("spec-less discovery on the zoo (vulnerable variants, active mode):\n%s", table.String())
}

// scanSpecless scans url in active mode with the app's login flows and no
// spec.
func scanSpecless(t *testing.T, a *tbtest.ZooApp, url string) *rampart.Report {
	t.Helper()
	rep, err := scan.Run(context.Background(), scan.Options{
		Target:     url,
		Identities: a.Identities(),
		Mode:       rampart.Active,
		Version:    "e2e",
	})
	if err != nil {
		t.Fatalf("spec-less scan of %s: %v", url, err)
	}
	if rep.Stats.Refused != 0 {
		t.Errorf("scan of %s: the engine refused %d requests", url, rep.Stats.Refused)
	}
	return rep
}

var pathParam = regexp.MustCompile(`\{[^}/]*\}`)

// shape is "METHOD /path" with parameter names dropped: discovery names
// path parameters itself.
func shape(op string) string { return pathParam.ReplaceAllString(op, "{}") }

// documentedOps reads the app's own spec for the operations a scan could
// know about.
func documentedOps(t *testing.T, spec string) map[string]bool {
	t.Helper()
	s, err := surface.Load(context.Background(), surface.Source{Path: spec})
	if err != nil {
		t.Fatalf("load %s: %v", spec, err)
	}
	out := map[string]bool{}
	for _, op := range s.Operations {
		out[shape(op.Method+" "+op.Path)] = true
	}
	return out
}
