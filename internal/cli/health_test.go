package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A target that redirects every request to its login page cannot be
// scanned: the report is written and says where to go, and the exit code
// is "could not run", not success.
func TestRedirectOnlyTargetExitsCannotRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := run(t, nil, "scan", srv.URL, "-f", "text,json", "-o", "-,"+out)
	if code != ExitCannotRun {
		t.Errorf("exit %d, want %d; stderr %s", code, ExitCannotRun, stderr)
	}
	want := "every request was redirected to " + srv.URL + "/login"
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); !strings.HasPrefix(lines[len(lines)-1], "rampart: the results are not meaningful: "+want) {
		t.Errorf("stderr should end with the verdict, got:\n%s", stderr)
	}
	header, _, _ := strings.Cut(stdout, "\n\n")
	if !strings.Contains(strings.Join(strings.Fields(header), " "), want) {
		t.Errorf("the text report's header does not say it:\n%s", header)
	}
	var rep struct {
		Grade  string
		Health struct{ Verdict, RedirectTo string }
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the report was not written: %v", err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Grade == "A" || rep.Grade == "B" || rep.Health.Verdict != "unusable" || rep.Health.RedirectTo != srv.URL+"/login" {
		t.Errorf("grade %s, health %+v", rep.Grade, rep.Health)
	}
}
