package scan

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/codescan"
)

// analyzeSource runs the white-box analysis of --source.
func analyzeSource(ctx context.Context, dir string) (*codescan.Result, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, configErr("--source %s: %v", dir, err)
	}
	if !st.IsDir() {
		return nil, configErr("--source %s is not a directory", dir)
	}
	res, err := codescan.Analyze(ctx, dir, codescan.Options{})
	if res == nil {
		return nil, fmt.Errorf("--source %s: %w", dir, err)
	}
	return res, err
}

// codeKeys are the signing keys the source writes, for the session and
// token checks to try first.
func codeKeys(code *codescan.Result) []check.CodeKey {
	if code == nil {
		return nil
	}
	var out []check.CodeKey
	for _, k := range code.Keys {
		out = append(out, check.CodeKey{Value: []byte(k.Value), Where: k.Where()})
	}
	return out
}

// routeOps turns the routes found in source into operations, so a scan
// without a spec still knows every route, and one with a spec learns the
// routes the spec forgot.
func routeOps(routes []codescan.Route) []*rampart.Operation {
	var ops []*rampart.Operation
	for _, r := range routes {
		op := &rampart.Operation{Method: strings.ToUpper(r.Method), Path: r.Path, Summary: r.Func, Source: rampart.SourceCode, Origin: fmt.Sprintf("%s:%d", r.File, r.Line)}
		for _, p := range r.Params {
			typ := p.Type
			if typ == "" {
				typ = "string"
			}
			op.Params = append(op.Params, rampart.Param{Name: p.Name, In: "path", Required: true, Schema: &rampart.Schema{Type: typ}})
		}
		switch r.Auth {
		case "login", "role":
			op.Security = [][]string{{"code:" + r.Auth}}
		}
		ops = append(ops, op)
	}
	return ops
}

var templateParam = regexp.MustCompile(`\{[^}]*\}`)

// routeKey compares path templates whatever their parameter names:
// /notes/{id} in a spec and /notes/{note_id} in code are one route.
func routeKey(method, path string) string {
	p := strings.TrimSuffix(templateParam.ReplaceAllString(path, "{}"), "/")
	if p == "" {
		p = "/"
	}
	return strings.ToUpper(method) + " " + p
}

// completeSurface adds the code's operations the spec lacks.
func completeSurface(spec, code []*rampart.Operation) ([]*rampart.Operation, int) {
	have := map[string]bool{}
	for _, op := range spec {
		have[routeKey(op.Method, op.Path)] = true
	}
	out := append([]*rampart.Operation(nil), spec...)
	added := 0
	for _, op := range code {
		k := routeKey(op.Method, op.Path)
		if have[k] || op.Method == "HEAD" || op.Method == "OPTIONS" {
			continue
		}
		have[k] = true
		out = append(out, op)
		added++
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out, added
}

// correlate joins a runtime finding and a source finding of the same family
// on the same route into one confirmed finding with both locations. An
// app-wide runtime finding (path "*", or a fixed probe path such as
// /console) joins an app-wide source finding (one outside any route) of its
// family. What is left keeps its own confidence; every finding says where it
// came from.
func correlate(runtime, source []rampart.Finding) []rampart.Finding {
	used := make([]bool, len(source))
	out := make([]rampart.Finding, 0, len(runtime)+len(source))
	for _, r := range runtime {
		r.Origin = "runtime"
		if r.Family != rampart.FamilyFingerprint {
			if i := matchSource(r, source, used); i >= 0 {
				used[i] = true
				s := source[i]
				r.Origin = "runtime+code"
				r.Confidence = rampart.Confirmed
				r.Location.File, r.Location.Line, r.Location.Column = s.Location.File, s.Location.Line, s.Location.Column
				r.Related = append(r.Related, rampart.Related{
					Location: rampart.Location{File: s.Location.File, Line: s.Location.Line, Column: s.Location.Column},
					Note:     s.Check + ": " + s.Message,
				})
				if s.Remediation != "" && !strings.Contains(r.Remediation, s.Remediation) {
					r.Remediation += "\nIn the code (" + s.Location.File + ":" + fmt.Sprint(s.Location.Line) + "): " + s.Remediation
				}
				// Mark every other source finding of the same family and
				// route as explained by this one, so the report lists the
				// flaw once.
				for j, o := range source {
					if !used[j] && o.Family == s.Family && routeKey(o.Location.Method, o.Location.Path) == routeKey(s.Location.Method, s.Location.Path) && o.Location.Path != "" {
						used[j] = true
						r.Related = append(r.Related, rampart.Related{
							Location: rampart.Location{File: o.Location.File, Line: o.Location.Line},
							Note:     o.Check + ": " + o.Message,
						})
					}
				}
			}
		}
		out = append(out, r)
	}
	for i, s := range source {
		if !used[i] {
			s.Origin = "code"
			out = append(out, s)
		}
	}
	return out
}

func matchSource(r rampart.Finding, source []rampart.Finding, used []bool) int {
	appWide := r.Location.Path == "*" || r.Location.Path == "" || r.Location.Method == ""
	best := -1
	for i, s := range source {
		if used[i] || s.Family != r.Family {
			continue
		}
		if s.Location.Path != "" && !appWide {
			if routeKey(s.Location.Method, s.Location.Path) == routeKey(r.Location.Method, r.Location.Path) {
				return i
			}
			continue
		}
		if s.Location.Path == "" && best < 0 {
			// An app-wide cause (debug=True, a literal SECRET_KEY) explains
			// an app-wide runtime finding, and a route finding of a family
			// whose cause is app-wide.
			best = i
		}
	}
	return best
}

// mergeFingerprint fills what traffic did not show from what the source
// says (the driver it imports, the database its URL names).
func mergeFingerprint(fp *rampart.Fingerprint, code rampart.Fingerprint) {
	if fp.Framework == "" {
		fp.Framework = code.Framework
	}
	if fp.Language == "" {
		fp.Language = code.Language
	}
	if fp.Database == "" {
		fp.Database = code.Database
	}
	if fp.Driver == "" {
		fp.Driver = code.Driver
	}
	if fp.ORM == "" {
		fp.ORM = code.ORM
	}
	for _, e := range code.Evidence {
		fp.Evidence = append(fp.Evidence, "source: "+e)
	}
}
