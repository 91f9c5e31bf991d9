package codescan

import (
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// Request data that Flask-RESTful and flask-restx hand a Resource besides
// flask.request: api.payload / ns.payload (the JSON body, with
// @ns.expect(model)) and reqparse's parser.parse_args().

// restPayload reports whether obj.payload is a restx Api's or
// Namespace's request body.
func (f *fileState) restPayload(obj pyast.ID, attr string) bool {
	if attr != "payload" || f.t.Kind(obj) != pyast.KindIdentifier {
		return false
	}
	name := f.t.Text(obj)
	if f.mod.RestObject(name) {
		return true
	}
	if q, ok := f.mod.Imports[name]; ok {
		mod, v := splitDotted(f.absolute(q))
		if h := f.proj.lookupModule(mod); h != nil && h != f && h.mod.RestObject(v) {
			return true
		}
	}
	return false
}

// restParser reports whether recv.parse_args() reads the request: a
// reqparse parser (argparse has no business in a request handler, but
// only modules that use Flask-RESTful or restx, or a receiver called a
// parser, are trusted with the name).
func (f *fileState) restParser(recv pyast.ID) bool {
	return f.mod.ImportsRest() || strings.Contains(strings.ToLower(f.t.LastName(recv)), "pars")
}
