package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/store"
	jsonreport "github.com/rampart-sec/rampart/report/json"
)

// FuzzUpload posts arbitrary bodies and target names as an uploader: the
// server answers 201 or a 4xx JSON error, never a 5xx, and whatever it
// stored renders on every page.
func FuzzUpload(f *testing.F) {
	var b bytes.Buffer
	b.Write(reportJSONFuzz(sampleReport(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 50, "C",
		sampleFinding("BOLA-001", "/x/{id}", rampart.High, "<script>x</script>"))))
	f.Add(b.Bytes(), "api")
	f.Add([]byte(`{"schemaVersion":"1.4","findings":[{"severity":"high","title":"<b>"}]}`), "")
	f.Add([]byte(`{"schemaVersion":"9.0"}`), "x")
	f.Add([]byte(`[]`), "..")
	st, err := store.OpenWith(f.Context(), "", store.Options{DataDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	_, key, err := st.CreateKey(f.Context(), "fuzz", store.ScopeAdmin)
	if err != nil {
		f.Fatal(err)
	}
	h := New(st, Options{MaxUpload: 1 << 20}).Handler()
	f.Fuzz(func(t *testing.T, body []byte, target string) {
		req := httptest.NewRequest("POST", "/api/v1/reports?target="+url.QueryEscape(target), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 || (w.Code != http.StatusCreated && !isJSONError(w.Body.Bytes())) {
			t.Fatalf("upload answered %d %s", w.Code, w.Body.String())
		}
		if w.Code != http.StatusCreated {
			return
		}
		for _, p := range []string{"/api/v1/targets", "/api/v1/scans/1/diff"} {
			req := httptest.NewRequest("GET", p, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("%s after an upload: %d %s", p, w.Code, w.Body.String())
			}
		}
	})
}

func reportJSONFuzz(rep *rampart.Report) []byte {
	var b bytes.Buffer
	if err := jsonreport.Write(&b, rep); err != nil {
		panic(err)
	}
	return b.Bytes()
}
