// Package findgroup groups a report's findings by check, so that the
// writers print what a check's findings share (above all the fix) once
// instead of once per finding.
package findgroup

import (
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
)

// Group is the findings of one check with one title at one severity, in
// report order.
type Group struct {
	Check    string
	Title    string
	Severity rampart.Severity
	Findings []rampart.Finding
	// Fix is the remediation every finding of the group shares; Own[i] is
	// what finding i's remediation says beyond it ("" when nothing).
	// Together they hold each finding's remediation, paragraph for
	// paragraph.
	Fix string
	Own []string
}

// Of groups findings sorted by rampart.CompareFindings. Groups keep the
// severity order; within a severity a group sits where its first (most
// certain) finding sat, so the order stays that of the report.
func Of(sorted []rampart.Finding) []Group {
	var out []Group
	index := map[string]int{}
	for _, f := range sorted {
		key := f.Severity.String() + "\x00" + f.Check + "\x00" + f.Title
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, Group{Check: f.Check, Title: f.Title, Severity: f.Severity})
		}
		out[i].Findings = append(out[i].Findings, f)
	}
	for i := range out {
		out[i].Fix, out[i].Own = split(out[i].Findings)
	}
	return out
}

// split separates the paragraphs every remediation has from each one's own.
func split(fs []rampart.Finding) (string, []string) {
	own := make([]string, len(fs))
	if len(fs) == 1 {
		return fs[0].Remediation, own
	}
	paras := make([][]string, len(fs))
	for i, f := range fs {
		paras[i] = Paragraphs(f.Remediation)
	}
	var common []string
	for _, p := range paras[0] {
		shared := !slices.Contains(common, p)
		for _, q := range paras[1:] {
			shared = shared && slices.Contains(q, p)
		}
		if shared {
			common = append(common, p)
		}
	}
	for i, ps := range paras {
		var mine []string
		for _, p := range ps {
			if !slices.Contains(common, p) {
				mine = append(mine, p)
			}
		}
		own[i] = strings.Join(mine, "\n")
	}
	return strings.Join(common, "\n"), own
}

// Paragraphs splits a remediation into its paragraphs: one per line, with
// blank and indented lines (code) kept with the paragraph they follow,
// since a code example means nothing without its sentence.
func Paragraphs(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		cont := strings.TrimSpace(line) == "" || line[0] == ' ' || line[0] == '\t'
		if cont && len(out) > 0 {
			out[len(out)-1] += "\n" + line
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, line)
	}
	for i := range out {
		out[i] = strings.TrimRight(out[i], "\n \t")
	}
	return out
}
