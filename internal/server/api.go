package server

import (
	"slices"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/rampart-sec/rampart/internal/render"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/store"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// UploadResult is the answer to an upload: where the scan is, and what
// changed since the target's previous scan.
type UploadResult struct {
	ID        int64  `json:"id"`
	Target    string `json:"target"`
	Page      string `json:"page"` // the dashboard page of the scan, a path
	Previous  int64  `json:"previous,omitempty"`
	New       int    `json:"new"`
	Fixed     int    `json:"fixed"`
	Unchanged int    `json:"unchanged"`
}

func (s *Server) uploadReport(w http.ResponseWriter, r *http.Request, _ store.Key) {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		jsonError(w, http.StatusUnsupportedMediaType, "send the JSON report (rampart scan -f json) as application/json")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxUpload)
	rep, err := jsonreport.Read(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			jsonError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the report is over the server's limit of %d bytes", s.opt.MaxUpload))
			return
		}
		jsonError(w, http.StatusBadRequest, "the body is not a Rampart JSON report: "+firstLine(err.Error()))
		return
	}
	target := r.URL.Query().Get("target")
	if target == "" {
		target = store.TargetName(rep)
		if target == "" {
			jsonError(w, http.StatusBadRequest, "name the target: ?target=NAME (the report's target gives none)")
			return
		}
	}
	if !store.ValidName(target) {
		jsonError(w, http.StatusBadRequest, "target: use 1 to 100 letters, digits, '.', '_', ':' or '-'")
		return
	}
	id, err := s.st.AddReport(r.Context(), target, rep)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	d, err := s.st.Diff(r.Context(), id)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/scans/"+strconv.FormatInt(id, 10))
	writeJSON(w, http.StatusCreated, UploadResult{ID: id, Target: target, Page: "/scans/" + strconv.FormatInt(id, 10),
		Previous: d.Previous, New: len(d.New), Fixed: len(d.Fixed), Unchanged: len(d.Unchanged)})
}

// firstLine keeps an error to one line, and short: a parse error may
// quote the body.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func (s *Server) listTargets(w http.ResponseWriter, r *http.Request, _ store.Key) {
	ts, err := s.st.Targets(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"targets": ts})
}

func (s *Server) getTarget(w http.ResponseWriter, r *http.Request, _ store.Key) {
	t, err := s.st.Target(r.Context(), r.PathValue("name"))
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// TargetSettings is the body of PUT /api/v1/targets/{name}: what a
// scheduled scan of the target needs.
type TargetSettings struct {
	BaseURL    string `json:"baseUrl"`
	Schedule   string `json:"schedule"`
	ScanConfig string `json:"scanConfig"`
}

// maxScanConfig caps a target's scan config (a rampart.yaml).
const maxScanConfig = 256 << 10

func (s *Server) putTarget(w http.ResponseWriter, r *http.Request, _ store.Key) {
	name := r.PathValue("name")
	if !store.ValidName(name) {
		jsonError(w, http.StatusBadRequest, "target: use 1 to 100 letters, digits, '.', '_', ':' or '-'")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxScanConfig+maxForm)
	var req TargetSettings
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		jsonError(w, http.StatusBadRequest, `want a JSON body {"baseUrl": "https://...", "schedule": "@every 6h", "scanConfig": "<rampart.yaml>"}`)
		return
	}
	if req.BaseURL != "" {
		u, err := url.Parse(req.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			jsonError(w, http.StatusBadRequest, "baseUrl: an http or https URL without credentials")
			return
		}
	}
	if len(req.ScanConfig) > maxScanConfig {
		jsonError(w, http.StatusRequestEntityTooLarge, "scanConfig: at most 256 KiB")
		return
	}
	if err := s.st.PutTarget(r.Context(), store.Target{Name: name, BaseURL: req.BaseURL, Schedule: req.Schedule, ScanConfig: req.ScanConfig}); err != nil {
		s.storeError(w, r, err)
		return
	}
	t, err := s.st.Target(r.Context(), name)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) listScans(w http.ResponseWriter, r *http.Request, _ store.Key) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			jsonError(w, http.StatusBadRequest, "limit: a number from 1 to 10000")
			return
		}
		limit = n
	}
	scans, err := s.st.Scans(r.Context(), r.PathValue("name"), limit)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"scans": scans})
}

// scanID reads the {id} of a path, answering 404 for anything that is not
// a scan ID.
func scanID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		jsonError(w, http.StatusNotFound, "not found")
		return 0, false
	}
	return id, true
}

func (s *Server) getScan(w http.ResponseWriter, r *http.Request, _ store.Key) {
	id, ok := scanID(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if !slices.Contains(render.Formats, format) {
		jsonError(w, http.StatusBadRequest, "format: one of "+strings.Join(render.Formats, ", "))
		return
	}
	rep, err := s.st.Report(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.writeReport(w, r, rep, format)
}

func (s *Server) getDiff(w http.ResponseWriter, r *http.Request, _ store.Key) {
	id, ok := scanID(w, r)
	if !ok {
		return
	}
	d, err := s.st.Diff(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request, _ store.Key) {
	ks, err := s.st.Keys(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": ks})
}

// NewKey is the body of POST /api/v1/keys.
type NewKey struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
}

// CreatedKey is its answer: the key, shown this once.
type CreatedKey struct {
	store.Key
	Secret string `json:"secret"`
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request, _ store.Key) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	var req NewKey
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		jsonError(w, http.StatusBadRequest, `want a JSON body {"name": "...", "scope": "read|upload|admin"}`)
		return
	}
	if !store.ValidName(req.Name) {
		jsonError(w, http.StatusBadRequest, "name: use 1 to 100 letters, digits, '.', '_', ':' or '-'")
		return
	}
	if !store.ValidScope(req.Scope) {
		jsonError(w, http.StatusBadRequest, "scope: read, upload or admin")
		return
	}
	k, secret, err := s.st.CreateKey(r.Context(), req.Name, req.Scope)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, CreatedKey{Key: k, Secret: secret})
}

func (s *Server) deleteKey(w http.ResponseWriter, r *http.Request, k store.Key) {
	name := r.PathValue("name")
	if name == k.Name {
		jsonError(w, http.StatusConflict, "a key cannot delete itself: use another admin key")
		return
	}
	if err := s.st.DeleteKey(r.Context(), name); err != nil {
		s.storeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, _ store.Key) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIJSON())
}

// writeReport renders a report in one of the report formats.
func (s *Server) writeReport(w http.ResponseWriter, r *http.Request, rep *rampart.Report, format string) {
	var buf bytes.Buffer
	// JUnit gated at high and firm, as the CLI's defaults are.
	opt := render.Options{Verbose: true, FailOn: rampart.High, MinConfidence: rampart.Firm, Rules: s.opt.Rules}
	if err := render.Write(&buf, format, rep, opt); err != nil {
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", render.ContentType(format))
	if format == "html" {
		w.Header().Set("Content-Security-Policy", reportCSP(buf.Bytes()))
	}
	w.Write(buf.Bytes())
}
