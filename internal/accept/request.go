package accept

import (
	"maps"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Request is one request for an operation, before credentials: parameter
// values and a body. Checks edit it (one field at a time for injection)
// and encode it.
type Request struct {
	Op *rampart.Operation
	// Path and Query hold path and query parameter values (Values merges
	// them for surface.URL).
	Path  map[string]string
	Query map[string]string
	// Header holds declared header parameters the API wants (never
	// credentials: identities add those).
	Header http.Header
	// Body is the decoded body: a map[string]any for JSON objects and
	// forms, any other JSON value, or nil when the operation takes none.
	Body        any
	ContentType string
}

// Values merges path and query values, as surface.URL and Pass.URL take
// them.
func (r *Request) Values() map[string]string {
	out := make(map[string]string, len(r.Path)+len(r.Query))
	maps.Copy(out, r.Query)
	maps.Copy(out, r.Path)
	return out
}

// Encode serialises the body for its media type: JSON, url-encoded form or
// multipart (with a fixed boundary). It returns nil and "" without a body.
func (r *Request) Encode() ([]byte, string) {
	if r.Body == nil && (r.Op == nil || r.Op.Body == nil) {
		return nil, ""
	}
	var s *rampart.Schema
	if r.Op != nil && r.Op.Body != nil {
		s = r.Op.Body.Schema
	}
	return surface.EncodeBody(r.Body, r.ContentType, s)
}

// Form reports whether the body travels as form fields (url-encoded or
// multipart), whose values are all strings on the wire.
func (r *Request) Form() bool {
	ct := strings.ToLower(r.ContentType)
	return strings.Contains(ct, "x-www-form-urlencoded") || strings.Contains(ct, "multipart/form-data")
}

// Clone copies the request deeply enough that editing its maps or body
// leaves r alone.
func (r *Request) Clone() *Request {
	c := *r
	c.Path = maps.Clone(r.Path)
	c.Query = maps.Clone(r.Query)
	c.Header = r.Header.Clone()
	c.Body = deepCopy(r.Body)
	return &c
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
