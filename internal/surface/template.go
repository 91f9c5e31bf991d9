package surface

import "github.com/rampart-sec/rampart"

// Templatize turns a concrete path into a template the way discovery
// does (/users/3/notes/7 is /users/{user_id}/notes/{id}), so that every
// source of concrete URLs names parameters alike. Segments at the forced
// indices (of the path split on "/") are parameters whatever they hold;
// a segment already written {name} keeps its name.
func Templatize(p string, forced ...int) (string, []rampart.Param) {
	return templatize(p, forced...)
}

// InferSchema describes a JSON value decoded with UseNumber, as discovery
// describes the answers it sees.
func InferSchema(v any) *rampart.Schema { return inferSchema(v, 0) }
