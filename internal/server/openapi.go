package server

import (
	_ "embed"
	"encoding/json"
	"sync"

	"go.yaml.in/yaml/v3"
)

// OpenAPI is the REST API's own OpenAPI document (openapi.yaml), served
// as JSON at /api/v1/openapi.json.
//
//go:embed openapi.yaml
var OpenAPI []byte

// openAPIJSON is converted on first use, as pages are parsed.
var openAPIJSON = sync.OnceValue(func() []byte { return mustJSON(OpenAPI) })

func mustJSON(doc []byte) []byte {
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		panic("server: openapi.yaml: " + err.Error())
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic("server: openapi.yaml: " + err.Error())
	}
	return out
}
