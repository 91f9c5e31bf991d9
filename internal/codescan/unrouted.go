package codescan

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var (
	importLineRe = regexp.MustCompile(`(?m)^[ \t]*(?:import|from)[ \t]+[^\n#]*`)
	importNameRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_.]*`)
)

// unroutedFrameworks are web frameworks whose routing the white-box side
// does not read: with one of them and no route found, the report says so,
// since every route-level rule then had nothing to run on.
var unroutedFrameworks = map[string]string{
	"django": "Django", "rest_framework": "Django REST framework", "aiohttp": "aiohttp",
	"tornado": "Tornado", "sanic": "Sanic", "falcon": "Falcon", "bottle": "Bottle",
	"pyramid": "Pyramid", "starlette": "Starlette", "cherrypy": "CherryPy",
	"http.server": "http.server", "BaseHTTPServer": "BaseHTTPServer",
}

// routesNote explains a run that found no route: which unrouted framework
// the code imports, if any, what did not run, and what to do.
func routesNote(states []*fileState, routes int) string {
	if routes > 0 {
		return ""
	}
	seen := map[string]bool{}
	for _, f := range states {
		if f == nil {
			continue
		}
		// The import lines as written: `import http.client, http.server`
		// binds only `http`, which says nothing of the server.
		for _, m := range importLineRe.FindAll(f.t.Src, -1) {
			for _, w := range importNameRe.FindAll(m, -1) {
				name := string(w)
				for mod, fw := range unroutedFrameworks {
					if name == mod || strings.HasPrefix(name, mod+".") {
						seen[fw] = true
					}
				}
			}
		}
	}
	const what = "the route-level rules (object and function authorization, missing authentication, idempotency, " +
		"rate limits) had nothing to run on, and SQL built from a function's parameters is reported as tentative " +
		"(\"no request path found\")"
	if len(seen) == 0 {
		return "no route found (Flask, Flask-RESTful, flask-restx, connexion and FastAPI routing are read): " + what
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Sprintf("no route found: the code uses %s, whose routing rampart code does not read yet; %s. "+
		"Scan the running service with rampart scan to test its routes", strings.Join(names, ", "), what)
}
