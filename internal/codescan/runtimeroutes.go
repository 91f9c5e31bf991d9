package codescan

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// Routes registered at run time from the application's own OpenAPI
// document: a loop over the document's paths calling add_url_rule with a
// computed rule and a handler looked up by operationId (a hand-written
// connexion). When a module does that and the tree holds an OpenAPI
// document, each operation whose operationId names a module-level function
// of that module (as written, or in snake_case: getTicket → get_ticket)
// becomes a route with the document's method and path, as add_api's
// operations do (specfirst.go).

var specFileRe = regexp.MustCompile(`(?i)(openapi|swagger)[^/\\]*\.(ya?ml|json)$`)

func runtimeSpecRoutes(ctx context.Context, dir string, states []*fileState) ([]lateRoute, []string) {
	var regs []*fileState
	for _, f := range states {
		if f == nil {
			continue
		}
		if len(f.mod.SpecAPIs) > 0 {
			return nil, nil // add_api routes the documents (specRoutes)
		}
		if len(f.mod.RuntimeRules) > 0 {
			regs = append(regs, f)
		}
	}
	if len(regs) == 0 {
		return nil, nil
	}
	root, ok := treeRoot(dir)
	if !ok {
		return nil, nil
	}
	var specs []string
	for _, p := range listTree(root) {
		if specFileRe.MatchString(filepath.Base(p)) && inside(root, p) != "" {
			specs = append(specs, p)
		}
	}
	sort.Strings(specs)
	if len(specs) > maxSpecDocs {
		specs = specs[:maxSpecDocs]
	}
	var out []lateRoute
	var notes []string
	for _, path := range specs {
		if ctx.Err() != nil {
			break
		}
		d := readSpecDoc(ctx, path)
		if d == nil {
			continue
		}
		name := filepath.Base(path)
		for _, f := range regs {
			found := 0
			for i := range d.ops {
				o := &d.ops[i]
				def := f.localHandler(o.opID)
				if def < 0 {
					continue
				}
				found++
				r := f.mod.SpecRoute(def, o.method, o.flaskRule(d.basePath), o.auth(name))
				out = append(out, lateRoute{f: f, r: r, inputs: o.inputs()})
			}
			if found > 0 {
				notes = append(notes, fmt.Sprintf("%s:%d: add_url_rule registers routes at run time: %d operations of %s routed to the functions their operationId names",
					f.path, f.mod.RuntimeRules[0].Line, found, relTo(root, path)))
			}
		}
	}
	return out, notes
}

// localHandler finds the module-level function an operationId names in
// the file, as written or in snake_case.
func (f *fileState) localHandler(opID string) pyast.ID {
	for _, name := range []string{opID, snakeCase(opID)} {
		if d, ok := f.mod.Defs[name]; ok && f.isFunc(name) {
			return d
		}
	}
	return pyast.None
}

// lateFiles lists the files that routes attach to.
func lateFiles(late []lateRoute) []*fileState {
	seen := map[*fileState]bool{}
	var out []*fileState
	for _, l := range late {
		if !seen[l.f] {
			seen[l.f] = true
			out = append(out, l.f)
		}
	}
	return out
}
