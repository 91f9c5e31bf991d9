package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrafficFlags(t *testing.T) {
	srv := target(t)
	dir := t.TempDir()
	har := filepath.Join(dir, "s.har")
	os.WriteFile(har, []byte(`{"log":{"entries":[{"request":{"method":"GET","url":"`+srv.URL+`/items/7","headers":[{"name":"Authorization","value":"Bearer rec-0123456789abcdef"}]},"response":{"status":200,"content":{"mimeType":"application/json","text":"{\"id\":7}"}}}]}}`), 0o644)
	notHAR := filepath.Join(dir, "n.har")
	os.WriteFile(notHAR, []byte("secret-line-not-json"), 0o644)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("target: "+srv.URL+"\nhar-identity: [\"alice:boss="+har+"\"]\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"har-identity without file", []string{"scan", srv.URL, "--har-identity", "alice:user"}, ExitUsage, "want NAME:ROLE=FILE"},
		{"har-identity bad role", []string{"scan", srv.URL, "--har-identity", "alice:boss=" + har}, ExitUsage, `role "boss": want user or admin`},
		{"har-identity no role", []string{"scan", srv.URL, "--har-identity", "alice=" + har}, ExitUsage, `no role: want NAME:ROLE=FILE`},
		{"config har-identity bad role", []string{"scan", "--config", cfg}, ExitUsage, `role "boss": want user or admin`},
		{"har-identity anonymous", []string{"scan", srv.URL, "--har-identity", "anonymous:user=" + har}, ExitUsage, "reserved"},
		{"missing har", []string{"scan", srv.URL, "--har", filepath.Join(dir, "nope.har")}, ExitUsage, "no such file"},
		{"har not a recording", []string{"scan", srv.URL, "--har", notHAR}, ExitUsage, "not HAR JSON"},
		{"postman a directory", []string{"scan", srv.URL, "--postman", dir}, ExitUsage, "--postman"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, nil, tc.args...)
			if code != tc.code || !strings.HasPrefix(stderr, "rampart: ") || !strings.Contains(stderr, tc.msg) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want exit %d and one line with %q", code, stderr, tc.code, tc.msg)
			}
			if strings.Contains(stderr, "secret-line") {
				t.Errorf("the error quotes the file: %s", stderr)
			}
		})
	}
	code, stdout, stderr := run(t, nil, "scan", srv.URL, "--har", har, "-f", "json", "--fail-on", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout, "rec-0123456789abcdef") {
		t.Error("the report holds the recorded token")
	}
	var rep struct {
		InputWarnings []struct{ Path, Problem string } `json:"inputWarnings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.InputWarnings) != 1 || rep.InputWarnings[0].Path != "log.entries[0].request.headers" {
		t.Errorf("input warnings %+v", rep.InputWarnings)
	}
}
