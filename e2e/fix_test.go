package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

// testbedTables are the testbed's tables: a fix may name one in its code
// only on a finding whose operation is about it.
var testbedTables = regexp.MustCompile(`\b(notes|accounts|transfers|coupons|coupon_redemptions)\b`)

var codeSpan = regexp.MustCompile("`[^`]+`")

// checkFixes holds every fix of a scan to what a reader can act on: no
// paragraph twice, no long code example twice, and no example borrowed
// from another operation of the testbed.
func checkFixes(t *testing.T, rep *rampart.Report) {
	t.Helper()
	for _, f := range rep.Findings {
		paras := strings.Split(f.Remediation, "\n")
		for i, a := range paras {
			for _, b := range paras[i+1:] {
				if strings.TrimSpace(a) != "" && a == b {
					t.Errorf("%s at %s: the fix has a paragraph twice: %s", f.Check, f.Location.Path, a)
				}
				for _, span := range codeSpan.FindAllString(a, -1) {
					if len(span) >= 26 && strings.Contains(b, span) {
						t.Errorf("%s at %s: the fix gives %s twice", f.Check, f.Location.Path, span)
					}
				}
			}
		}
		for _, span := range codeSpan.FindAllString(f.Remediation, -1) {
			for _, table := range testbedTables.FindAllString(span, -1) {
				if !strings.Contains(f.Location.Path, strings.TrimSuffix(table, "s")) {
					t.Errorf("%s at %s: the fix's example names %s: %s", f.Check, f.Location.Path, table, span)
				}
			}
		}
	}
}
