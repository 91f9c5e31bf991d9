// Package traffic reads recorded traffic — HAR 1.2 files and Postman
// Collection v2.1 exports — into exchanges, and turns the exchanges on
// in-scope hosts into the operations of an attack surface. It never opens a
// connection: the scan's engine stays the only thing that sends requests.
package traffic

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rampart-sec/rampart"
)

// Limits on what one recording may make Rampart hold: a hostile or huge
// file is read up to them, and what is past them is counted in a warning.
const (
	MaxExchanges = 50000   // entries of a HAR, requests of a collection
	MaxDepth     = 32      // folder nesting of a collection
	MaxBody      = 1 << 20 // one recorded body
	MaxHeaders   = 200     // headers, cookies or query pairs of one request
	MaxVariables = 2000    // variables of a collection
	MaxURL       = 8 << 10 // one request's URL
	MaxSegments  = 64      // path segments of one URL
)

// ErrFormat wraps the error for a file that is not the recording it was
// given as (not JSON, or no log.entries / item list).
var ErrFormat = errors.New("not a recording")

// Exchange is one recorded request and, when the recording has one, its
// answer.
type Exchange struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
	// Where locates the request in its file: "log.entries[12].request",
	// "item[3].item[0].request".
	Where string
	// Name is what the recording calls the request (a Postman item's
	// name); it becomes the operation's summary.
	Name string
	// Named holds the path segments a collection names (:id), by index
	// in the path split on "/".
	Named map[int]string
	// authNames are the header or query names an auth block put its
	// credential in (Postman's apikey auth names any header).
	authNames []string
	// Credentialed says the request carried credentials (see Strip),
	// stripped or not.
	Credentialed bool
	// Status is 0 when nothing was recorded as the answer.
	Status     int
	RespHeader http.Header
	RespBody   []byte
}

// Recording is what one file held.
type Recording struct {
	File      string
	Source    string // rampart.SourceHAR or rampart.SourcePostman
	Exchanges []*Exchange
	// Warnings are what the file held that Rampart read differently or
	// left out, each with its location.
	Warnings []rampart.InputWarning
}

func (r *Recording) warn(path, problem, repair string) {
	r.Warnings = append(r.Warnings, rampart.InputWarning{File: r.File, Path: path, Problem: problem, Repair: repair})
}

func clip(b []byte) []byte {
	if len(b) > MaxBody {
		return b[:MaxBody]
	}
	return b
}

// urlProblem says why a recorded URL is not one Rampart reads: not
// http(s), or longer than any API's (past MaxURL or MaxSegments, which
// bound what templating costs).
func urlProblem(u *url.URL) string {
	switch {
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return "not an http(s) URL"
	case len(u.String()) > MaxURL:
		return fmt.Sprintf("URL longer than %d bytes", MaxURL)
	case strings.Count(u.EscapedPath(), "/") > MaxSegments:
		return fmt.Sprintf("URL path deeper than %d segments", MaxSegments)
	}
	return ""
}
