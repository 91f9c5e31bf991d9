package surface

import (
	"fmt"
	"strings"
	"testing"
)

// TestOperationsShareConvertedComponents: operations that refer to the same
// component schema get one converted tree, so the surface of a large API
// does not grow with operations × models.
func TestOperationsShareConvertedComponents(t *testing.T) {
	var paths []string
	for i := range 3 {
		paths = append(paths, fmt.Sprintf(`"/r%d/{id}": {"get": {"parameters": [{"$ref": "#/components/parameters/id"}],
			"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}}}}`, i))
	}
	doc := `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {` + strings.Join(paths, ",") + `},
		"components": {"parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}},
		"schemas": {"Item": {"type": "object", "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}}}}`
	s, err := Load(t.Context(), Source{Data: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Operations) != 3 {
		t.Fatalf("%d operations", len(s.Operations))
	}
	first := s.Operations[0]
	for _, op := range s.Operations[1:] {
		if op.Responses[0].Schema != first.Responses[0].Schema || op.Params[0].Schema != first.Params[0].Schema {
			t.Errorf("%s converted the shared components again", op.Key())
		}
	}
	if it := first.Responses[0].Schema; it == nil || it.Properties["tags"] == nil || it.Properties["tags"].Items.Type != "string" {
		t.Errorf("converted schema: %+v", it)
	}
}
