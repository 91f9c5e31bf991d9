package surface

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-sec/rampart"
)

// Surface is what Rampart may attack: the operations of one API and what it
// says about credentials.
//
// Operation paths are templates exactly as the document writes them under
// "paths" (/notes/{note_id}), so findings, ground truth and white-box routes
// line up. The prefix every path hangs off (an OpenAPI 3 server path or a
// Swagger 2 basePath) is kept apart in BasePath: a request goes to
// target origin + BasePath + Path, which BaseURL and URL put together.
type Surface struct {
	Title   string `json:"title,omitempty"`
	Version string `json:"version,omitempty"`
	// SpecVersion is the document's "openapi" or "swagger" value; empty for
	// a discovered surface.
	SpecVersion string `json:"specVersion,omitempty"`
	// Servers are the server URLs with variables replaced by their defaults
	// and, when the document came from a URL, resolved against it.
	Servers []string `json:"servers,omitempty"`
	// BasePath is the path of the first server ("/api/v1"), without a
	// trailing slash; empty when operations hang off the host root.
	BasePath        string               `json:"basePath,omitempty"`
	Operations      []*rampart.Operation `json:"operations"`
	SecuritySchemes map[string]Scheme    `json:"securitySchemes,omitempty"`
	// Methodless are paths discovery found (relative to the base, like
	// operation paths) that answered 405 to GET without saying which
	// methods they take: routes whose methods Deepen asks for.
	Methodless []string `json:"methodless,omitempty"`
	// Warnings are the document's mistakes the loader repaired instead of
	// refusing it, in document order.
	Warnings []rampart.InputWarning `json:"warnings,omitempty"`

	file       string // the document, as warnings name it
	serverLine int    // the line of the first server's url (Swagger 2: host)
}

// ServerWarning says when the document's first server is on another host
// than target: Rampart sends every request to the target, keeping only the
// server's path, and the report must say so. A spec without a server, or
// one on the target's host, gives none.
func (s *Surface) ServerWarning(target *url.URL) (rampart.InputWarning, bool) {
	if s.SpecVersion == "" || len(s.Servers) == 0 || target == nil {
		return rampart.InputWarning{}, false
	}
	u, err := url.Parse(s.Servers[0])
	if err != nil || u.Host == "" || strings.EqualFold(u.Host, target.Host) {
		return rampart.InputWarning{}, false
	}
	path, where := "servers[0].url", "server"
	if strings.HasPrefix(s.SpecVersion, "2") {
		path, where = "host", "host"
	}
	repair := "requests go to " + target.Scheme + "://" + target.Host
	if s.BasePath != "" {
		repair += " under the " + where + "'s path " + clip(s.BasePath, 80)
	}
	return rampart.InputWarning{File: s.file, Line: s.serverLine, Path: path,
		Problem: "the spec names another host than the target", Repair: repair}, true
}

// Scheme is a security scheme as declared by the document.
type Scheme struct {
	Type         string `json:"type"`                   // apiKey, http, oauth2, openIdConnect, mutualTLS
	Scheme       string `json:"scheme,omitempty"`       // for http: basic, bearer, digest (lower case)
	In           string `json:"in,omitempty"`           // for apiKey: header, query, cookie
	Name         string `json:"name,omitempty"`         // for apiKey: the header, query or cookie name
	BearerFormat string `json:"bearerFormat,omitempty"` // for http bearer: e.g. JWT
}

// Source says where a document comes from. Exactly one of Path or Data is
// used: Path is read from disk, Data is a document the caller already
// fetched from URL (URL may be empty for bytes of unknown origin).
type Source struct {
	Path string
	URL  string
	Data []byte
	// Fetch reads external $refs that point to URLs, and every $ref of a
	// document that came from a URL. Without it such refs fail. The loader
	// never opens a network connection itself, so scope and politeness stay
	// with the caller's HTTP engine.
	Fetch func(ctx context.Context, url string) ([]byte, error)
	// RefsOutside lets a local document's $refs read files outside the
	// folder that holds it. They are still only regular files.
	RefsOutside bool
	// Timeout bounds the whole load; zero means LoadTimeout.
	Timeout time.Duration
	// Strict refuses a document with any mistake the loader would
	// otherwise repair (--strict-spec): the first becomes the error.
	Strict bool
}

// name is what errors call the document.
func (s Source) name() string {
	switch {
	case s.Path != "":
		return s.Path
	case s.URL != "":
		return s.URL
	default:
		return "spec"
	}
}

// ErrNotSpec is wrapped by the error for a document that is neither OpenAPI
// nor Swagger, so discovery can tell "wrong kind of file" from "broken spec".
var ErrNotSpec = errors.New("not an OpenAPI or Swagger document")

// SpecError is a problem with a document, located as precisely as the
// loader can: the file, the line and the path of keys inside the document.
type SpecError struct {
	File string // the document's path or URL
	Line int    // 1-based, 0 when unknown
	Path string // e.g. paths./notes/{id}.get.parameters[0]; empty when unknown
	Msg  string
	Err  error // the underlying cause, if any
}

func (e *SpecError) Error() string { return e.File + ": " + e.detail() }

// detail is the error without the file: line, path and problem.
func (e *SpecError) detail() string {
	var b strings.Builder
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	b.WriteString(msg)
	return b.String()
}

func (e *SpecError) Unwrap() error { return e.Err }

// BaseURL is where operation paths hang off on target: target's origin and
// path followed by BasePath, unless target's path already ends with it (the
// user pointed Rampart at http://host/api/v1 and the spec says /api/v1).
func (s *Surface) BaseURL(target *url.URL) *url.URL {
	// Userinfo is dropped: credentials in URLs would leak into evidence.
	u := &url.URL{Scheme: target.Scheme, Host: target.Host}
	p := strings.TrimSuffix(target.Path, "/")
	if bp := s.BasePath; bp != "" && !strings.HasSuffix(p, bp) {
		p += bp
	}
	u.Path = p
	return u
}

// Operation returns the operation with the given method and path template,
// or nil.
func (s *Surface) Operation(method, path string) *rampart.Operation {
	method = strings.ToUpper(method)
	for _, op := range s.Operations {
		if op.Method == method && op.Path == path {
			return op
		}
	}
	return nil
}
