package server

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/internal/store"
	htmlreport "github.com/rampart-sec/rampart/report/html"
)

var (
	//go:embed templates/*.tmpl
	templateFS embed.FS
	//go:embed static/dashboard.css
	stylesheetCSS []byte

	funcs = template.FuncMap{
		"when":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"gradeClass": func(g string) string { return strings.ToLower(strings.TrimRight(g, "+-")) },
		"coverage":   coverageText,
		"inc":        func(i int) int { return i + 1 },
		"add":        func(a, b int) int { return a + b },
		"sub":        func(a, b int) int { return a - b },
		"clip":       clip,
	}
	// pages are parsed on first use: the binary's other commands (`rampart
	// code`, `scan`) never render one and should not pay for the parse.
	pages = sync.OnceValue(func() map[string]*template.Template {
		return parsePages("login", "error", "targets", "target", "scan", "diff")
	})
)

// parsePages builds one template set per page: the layout, the shared
// finding card, and the page's own "content".
func parsePages(names ...string) map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.tmpl", "templates/finding.tmpl"))
	out := make(map[string]*template.Template, len(names))
	for _, n := range names {
		out[n] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+n+".tmpl"))
	}
	return out
}

func coverageText(p *int) string {
	if p == nil {
		return "—"
	}
	return strconv.Itoa(*p) + "%"
}

// clip keeps one piece of evidence to what a page can show, as the HTML
// report does; the JSON report keeps all of it.
func clip(s string) string {
	if len(s) <= htmlreport.MaxEvidence {
		return s
	}
	cut := htmlreport.MaxEvidence
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "\n… (" + strconv.Itoa(len(s)-cut) + " more bytes in the JSON report)"
}

// layoutView is what the layout needs around a page's content.
type layoutView struct {
	Title string
	CSRF  string // the session's, for the logout form; "" when logged out
	Who   string
	Data  any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	s.renderAs(w, r, status, page, "", store.Session{}, data)
}

func (s *Server) renderAs(w http.ResponseWriter, r *http.Request, status int, page, title string, sess store.Session, data any) {
	if title == "" {
		title = strings.ToUpper(page[:1]) + page[1:]
	}
	v := layoutView{Title: title, CSRF: sess.CSRF, Who: sess.Key.Name, Data: data}
	var buf bytes.Buffer
	if err := pages()[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorView struct {
	Status  string
	Message string
}

func (s *Server) pageError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", errorView{Status: http.StatusText(status), Message: msg})
}

// pageStoreError maps the store's errors to error pages.
func (s *Server) pageStoreError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.pageError(w, r, http.StatusNotFound, "No such target or scan.")
		return
	}
	s.log.Error("page failed", "path", r.URL.Path, "err", err)
	s.pageError(w, r, http.StatusInternalServerError, "Something went wrong; the server's log says what.")
}

func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(stylesheetCSS)
}

type targetsView struct {
	Targets []store.Target
	Origin  string
}

func (s *Server) targetsPage(w http.ResponseWriter, r *http.Request, sess store.Session) {
	ts, err := s.st.Targets(r.Context())
	if err != nil {
		s.pageStoreError(w, r, err)
		return
	}
	origin := "http://" + r.Host
	if r.TLS != nil || s.opt.SecureCookies {
		origin = "https://" + r.Host
	}
	s.renderAs(w, r, http.StatusOK, "targets", "Targets", sess, targetsView{Targets: ts, Origin: origin})
}

// trendScans is how many scans the trend chart shows, newest.
const trendScans = 50

type targetView struct {
	Target store.Target
	Scans  []store.Scan
	Chart  *chart
}

func (s *Server) targetPage(w http.ResponseWriter, r *http.Request, sess store.Session) {
	name := r.PathValue("name")
	t, err := s.st.Target(r.Context(), name)
	if err != nil {
		s.pageStoreError(w, r, err)
		return
	}
	scans, err := s.st.Scans(r.Context(), name, 0)
	if err != nil {
		s.pageStoreError(w, r, err)
		return
	}
	recent := slices.Clone(scans[:min(len(scans), trendScans)])
	slices.Reverse(recent)
	s.renderAs(w, r, http.StatusOK, "target", t.Name, sess, targetView{Target: t, Scans: scans, Chart: trendChart(recent)})
}

// pageScanID reads the {id} of a page's path.
func (s *Server) pageScanID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.pageError(w, r, http.StatusNotFound, "No such scan.")
		return 0, false
	}
	return id, true
}

type scanView struct {
	Scan     store.Scan
	Findings []store.Finding
}

func (s *Server) scanPage(w http.ResponseWriter, r *http.Request, sess store.Session) {
	id, ok := s.pageScanID(w, r)
	if !ok {
		return
	}
	sc, err := s.st.Scan(r.Context(), id)
	if err != nil {
		s.pageStoreError(w, r, err)
		return
	}
	fs, err := s.st.Findings(r.Context(), id)
	if err != nil {
		s.pageStoreError(w, r, err)
		return
	}
	s.renderAs(w, r, http.StatusOK, "scan", "Scan "+strconv.FormatInt(id, 10), sess, scanView{Scan: sc, Findings: fs})
}

type diffView struct {
	Scan     store.Scan
	Previous *store.Scan
	Diff     store.Diff
}

func (s *Server) diffPage(w http.ResponseWriter, r *http.Request, sess store.Session) {
	id, ok := s.pageScanID(w, r)
	if !ok {
		return
	}
	sc, err := s.st.Scan(r.Context(), id)
	if err != nil {
		s.pageStoreError(w, r, err)
		return
	}
	d, err := s.st.Diff(r.Context(), id)
	if err != nil {
		s.pageStoreError(w, r, err)
		return
	}
	v := diffView{Scan: sc, Diff: d}
	if d.Previous != 0 {
		prev, err := s.st.Scan(r.Context(), d.Previous)
		if err != nil {
			s.pageStoreError(w, r, err)
			return
		}
		v.Previous = &prev
	}
	s.renderAs(w, r, http.StatusOK, "diff", "Diff of scan "+strconv.FormatInt(id, 10), sess, v)
}

// reportPage is the scan's full HTML report, as `rampart scan -f html`
// writes it (its filters run under the report's own hashed script).
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, _ store.Session) {
	id, ok := s.pageScanID(w, r)
	if !ok {
		return
	}
	rep, err := s.st.Report(r.Context(), id)
	if err != nil {
		s.pageStoreError(w, r, err)
		return
	}
	s.writeReport(w, r, rep, "html")
}
