package rampart

import (
	"strconv"
	"strings"
)

// InputWarning is something wrong in a document the user gave Rampart (an
// OpenAPI document, a HAR file, a Postman collection) that Rampart repaired
// or worked around instead of refusing the document. Every report lists
// them: a scan of a sloppy spec must say what it read differently.
type InputWarning struct {
	File string `json:"file"`           // the document's path or URL
	Line int    `json:"line,omitempty"` // 1-based; 0 when unknown
	// Path is where in the document: "paths./notes/{id}.get.parameters[0]",
	// "log.entries[12].request", "item[3].item[0]".
	Path    string `json:"path,omitempty"`
	Problem string `json:"problem"`
	// Repair is what Rampart did instead: "read as required: [name]",
	// "dropped this schema", "credentials removed".
	Repair string `json:"repair,omitempty"`
}

// String is the warning on one line: "api.yaml:12: paths./x.get: problem
// (repair)".
func (w InputWarning) String() string {
	var b strings.Builder
	b.WriteString(w.File)
	if w.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(w.Line))
	}
	b.WriteString(": ")
	if w.Path != "" {
		b.WriteString(w.Path)
		b.WriteString(": ")
	}
	b.WriteString(w.Problem)
	if w.Repair != "" {
		b.WriteString(" (")
		b.WriteString(w.Repair)
		b.WriteString(")")
	}
	return b.String()
}

// How an operation became part of the attack surface: Operation.Source.
const (
	SourceSpec     = "spec"    // the OpenAPI document the user gave or Rampart found
	SourceHAR      = "har"     // a request in a HAR recording
	SourcePostman  = "postman" // a request of a Postman collection
	SourceCode     = "code"    // a route in the --source tree
	SourceCrawl    = "crawl"   // a link or form in an answer
	SourceProbe    = "probe"   // a common API path that answered
	SourceDocsPage = "docs"    // a Swagger UI or ReDoc page's embedded document
)
