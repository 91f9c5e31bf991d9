package rampart

// Schema is the part of a JSON Schema that Rampart uses to synthesise values
// and to recognise fields. It is filled from OpenAPI documents, from
// observed responses or from source code, so checks never depend on a
// particular OpenAPI library.
type Schema struct {
	Type        string             `json:"type,omitempty"`
	Format      string             `json:"format,omitempty"`
	Enum        []any              `json:"enum,omitempty"`
	Default     any                `json:"default,omitempty"`
	Example     any                `json:"example,omitempty"`
	Properties  map[string]*Schema `json:"properties,omitempty"`
	Required    []string           `json:"required,omitempty"`
	Items       *Schema            `json:"items,omitempty"`
	Minimum     *float64           `json:"minimum,omitempty"`
	Maximum     *float64           `json:"maximum,omitempty"`
	MinLength   int                `json:"minLength,omitempty"`
	MaxLength   int                `json:"maxLength,omitempty"`
	Pattern     string             `json:"pattern,omitempty"`
	Nullable    bool               `json:"nullable,omitempty"`
	ReadOnly    bool               `json:"readOnly,omitempty"`
	WriteOnly   bool               `json:"writeOnly,omitempty"`
	Description string             `json:"description,omitempty"`
}

// Param is one operation parameter.
type Param struct {
	Name     string  `json:"name"`
	In       string  `json:"in"` // path, query, header, cookie
	Required bool    `json:"required,omitempty"`
	Schema   *Schema `json:"schema,omitempty"`
	Example  any     `json:"example,omitempty"`
}

// Body is an operation's request body.
type Body struct {
	ContentType string  `json:"contentType"`
	Required    bool    `json:"required,omitempty"`
	Schema      *Schema `json:"schema,omitempty"`
	Example     any     `json:"example,omitempty"`
}

// Response is what an operation documents for one status code.
type Response struct {
	Status      string  `json:"status"`
	ContentType string  `json:"contentType,omitempty"`
	Schema      *Schema `json:"schema,omitempty"`
	Description string  `json:"description,omitempty"`
}

// Operation is one method on one path template of the attack surface.
type Operation struct {
	ID          string     `json:"id,omitempty"`
	Method      string     `json:"method"`
	Path        string     `json:"path"` // template, e.g. /notes/{note_id}
	Summary     string     `json:"summary,omitempty"`
	Description string     `json:"description,omitempty"`
	Tags        []string   `json:"tags,omitempty"`
	Params      []Param    `json:"params,omitempty"`
	Body        *Body      `json:"body,omitempty"`
	Responses   []Response `json:"responses,omitempty"`
	// Security is the operation's effective security requirement: nil when
	// the source says nothing, empty when it is explicitly public, otherwise
	// the scheme names (or scopes) of each alternative.
	Security [][]string `json:"security"`
	// Source says how the operation was found: one of the Source…
	// constants (spec, har, postman, code, crawl, probe, docs).
	Source string `json:"source,omitempty"`
	// Origin says where, in the source's terms: the spec's file or URL,
	// "traffic.har (3 requests)", "linked from GET /", "app.py:12".
	Origin string `json:"origin,omitempty"`
}

// Secured reports whether the source declares that the operation needs
// credentials.
func (o *Operation) Secured() bool {
	for _, alt := range o.Security {
		if len(alt) == 0 {
			return false // an empty alternative means anonymous is allowed
		}
	}
	return len(o.Security) > 0
}

// Public reports whether the source explicitly declares the operation open.
func (o *Operation) Public() bool {
	if o.Security == nil {
		return false
	}
	for _, alt := range o.Security {
		if len(alt) == 0 {
			return true
		}
	}
	return len(o.Security) == 0
}

// Param returns the named parameter in the given location, or nil.
func (o *Operation) Param(in, name string) *Param {
	for i := range o.Params {
		if o.Params[i].In == in && o.Params[i].Name == name {
			return &o.Params[i]
		}
	}
	return nil
}

// Key is "METHOD /path/{template}", the identity of an operation in a
// surface, a finding and a ground-truth entry.
func (o *Operation) Key() string { return o.Method + " " + o.Path }
