package surface

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// notFound recognises answers that mean "no such path" whatever their
// status says: a single-page app answers every unknown path 200 with its
// index.html, some APIs answer 200 {"error":"not found"} or 401 for
// everything. It learns the shape of that answer from two paths that
// cannot exist.
type notFound struct {
	shells []fingerprint
}

// fingerprint is an answer reduced to what stays the same from one unknown
// path to the next: status, kind of body, HTML title and the body with the
// path, numbers and nonces taken out.
type fingerprint struct {
	status int
	kind   string
	title  string
	norm   string
}

// Baseline probes: the answers to two never-existing paths, one at the
// root and one deeper, so a shell served only under a prefix is seen too.
const maxShellCompare = 64 << 10

// learnNotFound asks for two random paths under prefix. When both answer
// something other than 404 and look alike, that answer is the API's "not
// found". Errors leave the baseline empty: discovery goes on without it.
func learnNotFound(ctx context.Context, base *url.URL, prefix string, get Getter) *notFound {
	nf := &notFound{}
	var fps []fingerprint
	for _, p := range []string{prefix + "/" + randomSegment(), prefix + "/" + randomSegment() + "/" + randomSegment() + ".json"} {
		u := &url.URL{Path: p}
		status, header, body, err := get(ctx, onOrigin(base, u))
		if err != nil || status == http.StatusNotFound {
			return nf
		}
		if status == http.StatusMethodNotAllowed && header.Get("Allow") == "" {
			return nf
		}
		fps = append(fps, fingerprintOf(p, status, header, body))
	}
	if similar(fps[0], fps[1]) {
		nf.shells = append(nf.shells, fps...)
	}
	return nf
}

func randomSegment() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "rampart-" + hex.EncodeToString(b)
}

// matches reports whether the answer to p is the catch-all answer.
func (nf *notFound) matches(p string, status int, header http.Header, body []byte) bool {
	if nf == nil || len(nf.shells) == 0 {
		return false
	}
	fp := fingerprintOf(p, status, header, body)
	for _, s := range nf.shells {
		if similar(s, fp) {
			return true
		}
	}
	return false
}

// active says whether a catch-all answer was learned.
func (nf *notFound) active() bool { return nf != nil && len(nf.shells) > 0 }

// shell says whether the catch-all answer is a 2xx page or document, which
// the crawl, too, reads as "not found".
func (nf *notFound) shell() bool { return nf.active() && nf.shells[0].status/100 == 2 }

// describe words the catch-all answer for the notes.
func (nf *notFound) describe() string {
	s := nf.shells[0]
	switch {
	case s.kind == "html" && s.status/100 == 2:
		return "every unknown path answers the same HTML page (a single-page app's shell)"
	case s.kind == "json":
		return "every unknown path answers the same JSON document with status " + strconv.Itoa(s.status)
	}
	return "every unknown path answers status " + strconv.Itoa(s.status)
}

var (
	nonceLike = lazyre.New(`[A-Za-z0-9+/_=-]*[0-9][A-Za-z0-9+/_=-]*`)
	spaceRun  = lazyre.New(`\s+`)
)

func fingerprintOf(p string, status int, header http.Header, body []byte) fingerprint {
	ct := ""
	if header != nil {
		ct = header.Get("Content-Type")
	}
	fp := fingerprint{status: status, kind: bodyKind(ct, body)}
	if len(body) > maxShellCompare {
		body = body[:maxShellCompare]
	}
	if fp.kind == "html" {
		fp.title = htmlTitle(body)
	}
	s := string(body)
	// The catch-all often echoes the path it was asked for, escaped or not.
	for _, echo := range pathEchoes(p) {
		s = strings.ReplaceAll(s, echo, "")
	}
	s = nonceLike.ReplaceAllString(s, "#")
	fp.norm = spaceRun.ReplaceAllString(strings.TrimSpace(s), " ")
	return fp
}

func pathEchoes(p string) []string {
	return []string{p, url.PathEscape(p), strings.ReplaceAll(p, "/", `\/`)}
}

// similar is "the same page": same status, kind and title, and bodies equal
// once normalised or, for HTML, within a few percent of each other's length
// (a server-side rendered shell may carry the path in more places).
func similar(a, b fingerprint) bool {
	if a.status != b.status || a.kind != b.kind || a.title != b.title {
		return false
	}
	if a.norm == b.norm {
		return true
	}
	if a.kind != "html" {
		return false
	}
	la, lb := len(a.norm), len(b.norm)
	d := la - lb
	if d < 0 {
		d = -d
	}
	return d <= 16 || d*100 <= 3*max(la, lb)
}

func htmlTitle(body []byte) string {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "title" {
				if z.Next() == html.TextToken {
					return strings.TrimSpace(string(z.Text()))
				}
				return ""
			}
		}
	}
}
