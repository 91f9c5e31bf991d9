package authn

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
)

// openSpec declares nothing about security: a status read, and documents
// read and written by id.
const openSpec = `openapi: 3.0.3
info: {title: coverage, version: "1"}
paths:
  /status:
    get:
      responses: {"200": {description: up}}
`

const docsSpec = `openapi: 3.0.3
info: {title: coverage, version: "1"}
security: [{bearer: []}]
paths:
  /docs/{doc_id}:
    parameters: [{name: doc_id, in: path, required: true, schema: {type: integer}}]
    get:
      responses: {"200": {description: a document}}
    put:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {title: {type: string}}}
      responses: {"200": {description: written}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
`

// refusing answers anonymous callers 401 and everyone else 404.
func refusing(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") == "" {
		w.WriteHeader(401)
		w.Write([]byte(`{"error":"login required"}`))
		return
	}
	w.WriteHeader(404)
	w.Write([]byte(`{"error":"not found"}`))
}

func TestMissingAuthCoverage(t *testing.T) {
	tests := []struct {
		name   string
		api    http.Handler
		spec   []byte
		unit   string
		want   rampart.CoverageState
		reason rampart.Reason
		detail string
	}{
		{name: "AUTH-001 refused", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, unit: "AUTH-001 GET /notes/{note_id}",
			want: rampart.CoverageTested},
		{name: "AUTH-001 nothing expects credentials", api: http.HandlerFunc(refusing), spec: []byte(openSpec), unit: "AUTH-001 GET /status",
			want: rampart.CoverageNotApplicable, detail: "no other read under /status refuses anonymous callers"},
		{name: "AUTH-002 refused", api: authztest.New(authztest.Flaws{}), spec: authztest.Spec, unit: "AUTH-002", want: rampart.CoverageTested},
		{name: "AUTH-002 open writes", api: authztest.New(authztest.Flaws{AnonWrite: true}), spec: authztest.Spec, unit: "AUTH-002",
			want: rampart.CoverageProved},
		{name: "AUTH-002 no writes", api: http.HandlerFunc(refusing), spec: []byte(openSpec), unit: "AUTH-002",
			want: rampart.CoverageNotApplicable},
		{name: "AUTH-002 nobody owns a document", api: http.HandlerFunc(refusing), spec: []byte(docsSpec), unit: "AUTH-002",
			want: rampart.CoverageNotTested, reason: rampart.ReasonNoObject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.api)
			t.Cleanup(srv.Close)
			res := authztest.RunSpec(t, tt.spec, srv.URL, rampart.Active, authztest.All, &MissingRead, &MissingWrite)
			got, ok := res.Coverage[tt.unit]
			if !ok {
				t.Fatalf("no unit %s in %v", tt.unit, res.Coverage)
			}
			if got.State != tt.want || got.Reason != tt.reason || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("coverage = %+v, want %s %s with detail containing %q", got, tt.want, tt.reason, tt.detail)
			}
		})
	}
}
