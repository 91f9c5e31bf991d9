package mcp

import (
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"
)

// inputSchema is T's schema, as the SDK would infer it, with the allowed
// values of some string properties listed (a model picks from an enum far
// more reliably than from prose).
func inputSchema[T any](enums map[string][]any) *jsonschema.Schema {
	sch, err := jsonschema.For[T](nil)
	if err != nil {
		panic(fmt.Sprintf("mcp: schema of %T: %v", *new(T), err)) // a programming error, caught by every test
	}
	for name, vals := range enums {
		p, ok := sch.Properties[name]
		if !ok {
			panic(fmt.Sprintf("mcp: schema of %T has no property %s", *new(T), name))
		}
		p.Enum = vals
	}
	return sch
}
