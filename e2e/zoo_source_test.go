package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
	"github.com/rampart-sec/rampart/scan"
)

// TestZooSourceCorrelates scans the vulnerable variant of every zoo app,
// Flask and FastAPI alike, in active mode with its source: the app's
// folder with SECURE folded to False (the variant's own code, as a real
// service has one; tbtest.FoldSecure). Every ground-truth entry that the scan proves over HTTP
// and that the source also shows (a code finding of its family in its line
// range) must come out as one correlated finding ("runtime+code") carrying
// both the request and the line. It logs how many entries correlate, per
// framework.
func TestZooSourceCorrelates(t *testing.T) {
	if testing.Short() {
		t.Skip("an active scan of every zoo app")
	}
	z := tbtest.RequireZoo(t)
	z.Lock(t)
	t.Cleanup(func() { z.Reset(t) })
	type tally struct{ both, correlated, entries int }
	figures := map[bool]*tally{false: {}, true: {}}
	for _, a := range z.Apps {
		t.Run(a.Name, func(t *testing.T) {
			z.Reset(t, a.Name)
			rep, err := scan.Run(context.Background(), scan.Options{
				Target:     a.Vuln,
				Spec:       a.Spec(a.Vuln),
				Source:     vulnerableSource(t, filepath.Join(z.Root, "testbed", "zoo", a.Name)),
				Identities: a.Identities(),
				Mode:       rampart.Active,
				Version:    "e2e",
			})
			if err != nil {
				t.Fatal(err)
			}
			fig := figures[a.FastAPI()]
			for _, e := range z.GroundTruth(t, a.Name) {
				if !e.Runtime || e.Code == nil {
					continue
				}
				fig.entries++
				lo, hi := e.Code.Lines[0], e.Code.Lines[1]
				inRange := func(f rampart.Finding) bool {
					for _, l := range append([]rampart.Location{f.Location}, relatedLocations(f)...) {
						if l.File != "" && filepath.Base(l.File) == filepath.Base(e.Code.File) && l.Line >= lo && l.Line <= hi {
							return true
						}
					}
					return false
				}
				runtime := slices.ContainsFunc(rep.Findings, func(f rampart.Finding) bool { return e.Matches(f) && f.Origin != "code" })
				code := slices.ContainsFunc(rep.Findings, func(f rampart.Finding) bool {
					return f.Family == e.Family && f.Origin != "runtime" && inRange(f)
				})
				if !runtime || !code {
					continue
				}
				fig.both++
				correlated := slices.ContainsFunc(rep.Findings, func(f rampart.Finding) bool {
					return e.Matches(f) && f.Origin == "runtime+code" && inRange(f) && (f.Curl != "" || len(f.Evidence) > 0)
				})
				if correlated {
					fig.correlated++
					continue
				}
				t.Errorf("%s (%s %s %s, lines %d-%d): proved over HTTP and shown in the source, but not one correlated finding",
					e.ID, e.Family, e.Method, e.Path, lo, hi)
			}
		})
	}
	for _, fastapi := range []bool{false, true} {
		name := map[bool]string{false: "Flask", true: "FastAPI"}[fastapi]
		f := figures[fastapi]
		t.Logf("%s zoo apps: %d entries with runtime and code; %d found by both the scan and the source, %d of them correlated",
			name, f.entries, f.both, f.correlated)
	}
	if figures[true].correlated == 0 {
		t.Error("no FastAPI zoo entry correlated: the source adds nothing to a FastAPI scan")
	}
}

func relatedLocations(f rampart.Finding) []rampart.Location {
	var out []rampart.Location
	for _, r := range f.Related {
		out = append(out, r.Location)
	}
	return out
}

// vulnerableSource copies an app's folder with app.py folded to its
// vulnerable variant.
func vulnerableSource(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "app.py" {
			if b, err = tbtest.FoldSecure(b, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(out, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
