package codescan

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
)

// importNames calls fn with each dotted name of an import line: a letter or
// underscore, then letters, digits, underscores and dots.
func importNames(line []byte, fn func(name []byte)) {
	start := func(c byte) bool { return c == '_' || (c|0x20) >= 'a' && (c|0x20) <= 'z' }
	for i := 0; i < len(line); {
		if !start(line[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(line) && (start(line[j]) || line[j] == '.' || line[j] >= '0' && line[j] <= '9') {
			j++
		}
		fn(line[i:j])
		i = j
	}
}

// importLines returns each line of src that begins, after blanks, with
// `import` or `from` and a blank, up to a comment. A line scan, not a
// multi-line regular expression: it runs over every file of trees with no
// route (libraries), and an anchored (?m) pattern tries every byte.
func importLines(src []byte) [][]byte {
	var out [][]byte
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		rest := bytes.TrimLeft(line, " \t")
		var kw int
		switch {
		case bytes.HasPrefix(rest, []byte("import")):
			kw = len("import")
		case bytes.HasPrefix(rest, []byte("from")):
			kw = len("from")
		default:
			continue
		}
		if len(rest) == kw || (rest[kw] != ' ' && rest[kw] != '\t') {
			continue
		}
		if i := bytes.IndexByte(rest, '#'); i >= 0 {
			rest = rest[:i]
		}
		out = append(out, rest)
	}
	return out
}

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
func routesNote(ctx context.Context, workers int, states []*fileState, routes int) string {
	if routes > 0 {
		return ""
	}
	// Every file's source is read: on the workers, as the other passes
	// over all files are.
	perFile := make([]map[string]bool, len(states))
	parallel(ctx, workers, len(states), func(i int) {
		f := states[i]
		if f == nil {
			return
		}
		// The import lines as written: `import http.client, http.server`
		// binds only `http`, which says nothing of the server.
		for _, m := range importLines(f.t.Src) {
			importNames(m, func(w []byte) {
				for mod, fw := range unroutedFrameworks {
					if len(w) >= len(mod) && string(w[:len(mod)]) == mod && (len(w) == len(mod) || w[len(mod)] == '.') {
						if perFile[i] == nil {
							perFile[i] = map[string]bool{}
						}
						perFile[i][fw] = true
					}
				}
			})
		}
	})
	seen := map[string]bool{}
	for _, m := range perFile {
		for fw := range m {
			seen[fw] = true
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
