package server

import (
	"html"
	"io"
	"regexp"
	"slices"

	"github.com/rampart-sec/rampart"
	htmlreport "github.com/rampart-sec/rampart/report/html"
	jsonreport "github.com/rampart-sec/rampart/report/json"
	junitreport "github.com/rampart-sec/rampart/report/junit"
	mdreport "github.com/rampart-sec/rampart/report/markdown"
	sarifreport "github.com/rampart-sec/rampart/report/sarif"
	textreport "github.com/rampart-sec/rampart/report/text"
)

type format struct {
	contentType string
	write       func(w io.Writer, rep *rampart.Report, rules []rampart.Meta) error
}

// formats are the report formats a scan can be fetched in, rendered by
// the same writers as `rampart report`.
var formats = map[string]format{
	"json": {"application/json; charset=utf-8", func(w io.Writer, rep *rampart.Report, _ []rampart.Meta) error {
		return jsonreport.Write(w, rep)
	}},
	"sarif": {"application/sarif+json; charset=utf-8", func(w io.Writer, rep *rampart.Report, rules []rampart.Meta) error {
		return sarifreport.Write(w, rep, sarifreport.Options{Rules: rules})
	}},
	"markdown": {"text/markdown; charset=utf-8", func(w io.Writer, rep *rampart.Report, rules []rampart.Meta) error {
		return mdreport.Write(w, rep, mdreport.Options{Rules: rules})
	}},
	"html": {"text/html; charset=utf-8", func(w io.Writer, rep *rampart.Report, rules []rampart.Meta) error {
		return htmlreport.Write(w, rep, htmlreport.Options{Rules: rules})
	}},
	"text": {"text/plain; charset=utf-8", func(w io.Writer, rep *rampart.Report, _ []rampart.Meta) error {
		return textreport.Write(w, rep, textreport.Options{Verbose: true})
	}},
	"junit": {"application/xml; charset=utf-8", func(w io.Writer, rep *rampart.Report, rules []rampart.Meta) error {
		return junitreport.Write(w, rep, junitreport.Options{FailOn: rampart.High, MinConfidence: rampart.Firm, Rules: rules})
	}},
}

func formatNames() []string {
	var out []string
	for k := range formats {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var metaCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)

// reportCSP is the header policy of an HTML report: the one the page
// declares for itself (its own style and script by hash, nothing else),
// which a header must repeat or it would block them, plus what only a
// header can say (no framing).
func reportCSP(page []byte) string {
	m := metaCSP.FindSubmatch(page)
	if m == nil {
		return pageCSP
	}
	return html.UnescapeString(string(m[1])) + "; frame-ancestors 'none'"
}
