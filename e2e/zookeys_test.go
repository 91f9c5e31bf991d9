package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
	"github.com/rampart-sec/rampart/scan"
)

// writtenAt is how a cracked key's finding says where the source writes it.
var writtenAt = regexp.MustCompile(`written in the source at (\S+):(\d+)`)

// TestZooKeyInSource: the zoo's entries that need --source (a signing key
// in no wordlist, written only in the app's code) are missed by a scan
// without the source, and found with it: the key is cracked from the
// source's candidates, a token forged with it is accepted, and the finding
// names the file and line where the key is written (within the entry's
// range). The secure variant, whose key comes from the environment, gives
// nothing either way.
func TestZooKeyInSource(t *testing.T) {
	if testing.Short() {
		t.Skip("scans zoo apps")
	}
	z := tbtest.RequireZoo(t)
	z.Lock(t)
	n := 0
	for _, a := range z.Apps {
		var entries []tbtest.Entry
		for _, e := range z.GroundTruth(t, a.Name) {
			if e.NeedsSource() {
				entries = append(entries, e)
			}
		}
		if len(entries) == 0 {
			continue
		}
		n += len(entries)
		t.Run(a.Name, func(t *testing.T) {
			z.Reset(t, a.Name) // no login throttle left over
			source := filepath.Join(z.Root, "testbed", "zoo", a.Name)
			plain := scanWithSource(t, a, a.Vuln, "")
			with := scanWithSource(t, a, a.Vuln, source)
			for _, e := range entries {
				if slices.ContainsFunc(plain.Findings, e.Matches) {
					t.Errorf("%s is found without --source: the key is guessable after all", e.ID)
				}
				i := slices.IndexFunc(with.Findings, func(f rampart.Finding) bool {
					return e.Matches(f) && f.Confidence == rampart.Confirmed && writtenAt.MatchString(f.Message)
				})
				if i < 0 {
					t.Errorf("%s (%s): no confirmed finding naming where the key is written, with --source %s; findings: %s",
						e.ID, e.Family, source, summary(with))
					continue
				}
				f := with.Findings[i]
				m := writtenAt.FindStringSubmatch(f.Message)
				line, _ := strconv.Atoi(m[2])
				if m[1] != filepath.Join(source, filepath.Base(e.Code.File)) || line < e.Code.Lines[0] || line > e.Code.Lines[1] {
					t.Errorf("%s: the key is said to be written at %s:%s, want %s lines %d-%d", e.ID, m[1], m[2],
						e.Code.File, e.Code.Lines[0], e.Code.Lines[1])
				}
				forged := slices.ContainsFunc(f.Evidence, func(ev rampart.Evidence) bool {
					return strings.Contains(ev.Note, "forged") && ev.Request != "" && ev.Response != ""
				})
				if !forged {
					t.Errorf("%s: %s has no evidence of a forged token accepted: %+v", e.ID, f.Check, f.Evidence)
				}
				t.Logf("%s: %s %s", e.ID, f.Check, f.Message)
			}
			for _, f := range scanWithSource(t, a, a.Secure, source).Findings {
				// Code-only findings are the same for both variants: one source.
				if f.Origin != "code" && (f.Family == rampart.FamilyJWT || f.Family == rampart.FamilySessionSecret) {
					t.Errorf("secure variant with --source: %s (%s): %s", f.Check, f.Severity, f.Message)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no zoo ground-truth entry needs --source")
	}
}

// scanWithSource runs a safe scan of the app's token and session checks,
// with the source directory when one is given.
func scanWithSource(t *testing.T, a *tbtest.ZooApp, url, source string) *rampart.Report {
	t.Helper()
	rep, err := scan.Run(context.Background(), scan.Options{
		Target:     url,
		Spec:       a.Spec(url),
		Source:     source,
		Identities: a.Identities(),
		Mode:       rampart.Safe,
		Checks:     []string{string(rampart.FamilyJWT), string(rampart.FamilySessionSecret)},
		Version:    "e2e",
	})
	if err != nil {
		t.Fatalf("scan of %s (source %q): %v", url, source, err)
	}
	return rep
}
