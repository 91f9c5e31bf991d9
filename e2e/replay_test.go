package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/tbtest"
	"github.com/rampart-sec/rampart/scan"
)

// notOneRequest are the checks whose proof may be more than a single
// request: their curl line replays one request of it and says, in a shell
// comment matching the pattern, what else the proof needs; such a line is
// not replayed. Keep it short: every other curl line must replay as
// printed, and so must these checks' lines that carry no such comment.
var notOneRequest = map[string]*regexp.Regexp{
	// Bursts: the flaw shows only when copies of the request arrive
	// together.
	"RACE-001": regexp.MustCompile(` # one of \d+ copies sent at once`),
	"TXN-001":  regexp.MustCompile(` # succeeds alone: the failures need \d+ copies sent at once`),
	// Two steps: the request acts on an object the scan created for the
	// proof (a canary note, an admin's user) and removed afterwards.
	"BOLA-002": regexp.MustCompile(` # needs .*, which the scan created for this proof`),
	"BFLA-002": regexp.MustCompile(` # needs .*, which the scan created for this proof`),
	"AUTH-002": regexp.MustCompile(` # needs .*, which the scan created for this proof`),
}

// TestCurlLinesReplay runs the testbed's active scan as scripts/demo does
// (alice, bob and carol with their bearer tokens), then runs every
// finding's curl line with /bin/sh, the legend's variables set to the
// identities' real headers, and holds the answer to the evidence the line
// was rendered from: the same status, and the distinctive part of its body.
func TestCurlLinesReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("an active scan")
	}
	tb := tbtest.Require(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is not installed (scripts/test installs it)")
	}
	tb.Lock(t)
	tb.Reset(t)
	defer tb.Reset(t)
	ids := tb.TokenIdentities()
	rep, err := scan.Run(context.Background(), scan.Options{
		Target:     tb.Vuln,
		Spec:       filepath.Join(tb.Root, "testbed", "openapi.yaml"),
		Identities: ids,
		Mode:       rampart.Active,
		Version:    "e2e",
	})
	if err != nil {
		t.Fatal(err)
	}

	// The legend, set as its how-to says: each variable holds the whole
	// header of the identity it names.
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	legend := map[string]bool{}
	for _, v := range rep.Replay {
		var value string
		for _, id := range ids {
			if id.Name == v.Identity {
				value = http.Header(id.Headers).Get(v.Header)
			}
		}
		if value == "" {
			t.Errorf("legend entry %s names no header of a configured identity", v)
			continue
		}
		legend[v.Name] = true
		env = append(env, v.Name+"="+value)
	}

	replayed, other := 0, map[string]int{}
	for _, f := range rep.Findings {
		if f.Curl == "" {
			continue
		}
		what := fmt.Sprintf("%s %s %s", f.Check, f.Location.Method, f.Location.Path)
		for _, m := range variableRef.FindAllStringSubmatch(f.Curl, -1) {
			if !legend[m[1]] {
				t.Errorf("%s: the curl line uses $%s, which the report's legend does not explain:\n%s", what, m[1], f.Curl)
			}
		}
		if strings.Contains(f.Curl, "[REDACTED]") {
			t.Errorf("%s: the curl line has a redacted part and cannot replay:\n%s", what, f.Curl)
			continue
		}
		if note, ok := notOneRequest[f.Check]; ok && note.MatchString(f.Curl) {
			other[f.Check]++
			continue
		}
		args, err := curlArgs(f.Curl, env)
		if err != nil {
			t.Errorf("%s: %v:\n%s", what, err, f.Curl)
			continue
		}
		ev, ok := evidenceOf(f, args)
		if !ok {
			t.Errorf("%s: the curl line matches none of the finding's evidence:\n%s", what, f.Curl)
			continue
		}
		status, body, err := replay(f.Curl, env)
		if err != nil {
			t.Errorf("%s: replay: %v:\n%s", what, err, f.Curl)
			continue
		}
		replayed++
		wantStatus, wantBody := parseEvidence(ev.Response)
		if status != wantStatus {
			t.Errorf("%s: the replay answered %d, the finding's evidence %d:\n%s\nmessage:  %s\nevidence: %.300s\nreplay:   %.300s", what, status, wantStatus, f.Curl, f.Message, wantBody, body)
			continue
		}
		if missing := missingWords(wantBody, body); len(missing) > 0 {
			t.Errorf("%s: the replay's body lacks %q of the evidence's:\nevidence: %.400s\nreplay:   %.400s", what, missing, wantBody, body)
		}
		// What the finding's message quotes of the answer (the record,
		// the canary, the error text) must be in the replay's.
		for _, w := range distinctive(f.Message, wantBody) {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the replay's body lacks %q, which the finding's message and evidence show:\n%.400s", what, w, body)
			}
		}
	}
	t.Logf("%d curl lines replayed; not single requests: %v", replayed, other)
	if replayed < 25 {
		t.Errorf("only %d curl lines replayed: the scan found less than it should", replayed)
	}
	if n := sum(other); n*5 > replayed {
		t.Errorf("%d curl lines are not single requests, for %d that are: too many", n, replayed)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// variableRef is a variable a curl line expands for a header.
var variableRef = regexp.MustCompile(`-H "[^"]*\$([A-Za-z0-9_]+)"`)

// curlArgs returns the arguments the line gives curl, as the shell expands
// them: a function named curl stands in for the program.
func curlArgs(line string, env []string) ([]string, error) {
	cmd := exec.Command("/bin/sh", "-c", `curl() { printf '%s\0' "$@"; }; `+line)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("the shell does not parse the line: %w", err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"), nil
}

// evidenceOf returns the evidence the curl line was rendered from: the
// first whose request has the line's method, target, headers (of those
// from a variable, whose values evidence redacts, the name) and body.
// Checks render the line from the request their proof starts with (the
// first of a burst, the request alone before its concurrent copies).
func evidenceOf(f rampart.Finding, args []string) (rampart.Evidence, bool) {
	method, target, body := "GET", "", ""
	var headers []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-X" && i+1 < len(args):
			i++
			method = args[i]
		case a == "-H" && i+1 < len(args):
			i++
			headers = append(headers, args[i])
		case a == "--data-raw" && i+1 < len(args):
			i++
			body = args[i]
		case strings.HasPrefix(a, "http://"):
			target = a
		}
	}
	u, err := urlRequestURI(target)
	if err != nil {
		return rampart.Evidence{}, false
	}
	var variable []string
	for _, m := range variableRef.FindAllStringSubmatch(f.Curl, -1) {
		variable = append(variable, strings.SplitN(strings.TrimPrefix(m[0], `-H "`), ":", 2)[0])
	}
	for _, ev := range f.Evidence {
		head, evBody, _ := strings.Cut(ev.Request, "\r\n\r\n")
		lines := strings.Split(head, "\r\n")
		if lines[0] != method+" "+u+" HTTP/1.1" || evBody != body {
			continue
		}
		all := true
		for _, h := range headers {
			name, _, _ := strings.Cut(h, ":")
			fromVariable := false
			for _, v := range variable {
				fromVariable = fromVariable || strings.EqualFold(v, name)
			}
			found := false
			for _, l := range lines[1:] {
				// Evidence redacts what a variable stands for.
				found = found || l == h || fromVariable && strings.HasPrefix(l, name+": ")
			}
			all = all && found
		}
		if all {
			return ev, true
		}
	}
	return rampart.Evidence{}, false
}

func urlRequestURI(raw string) (string, error) {
	i := strings.Index(strings.TrimPrefix(raw, "http://"), "/")
	if i < 0 {
		return "/", nil
	}
	return strings.TrimPrefix(raw, "http://")[i:], nil
}

// replay runs the line with /bin/sh and returns the status and body curl
// printed.
func replay(line string, env []string) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", line)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return 0, "", err
	}
	status, body := parseEvidence(string(out))
	if status == 0 {
		return 0, "", fmt.Errorf("no status line in %.200q", out)
	}
	return status, body, nil
}

// parseEvidence splits an HTTP response as evidence and curl -i write it.
func parseEvidence(s string) (int, string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	head, body, _ := strings.Cut(s, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	if !sc.Scan() {
		return 0, ""
	}
	f := strings.Fields(sc.Text())
	if len(f) < 2 {
		return 0, ""
	}
	n, _ := strconv.Atoi(f[1])
	return n, body
}

// word is a run of letters, digits and the characters of identifiers,
// addresses and SQL text worth comparing.
var word = regexp.MustCompile(`[A-Za-z0-9_@.]{4,}`)

// cut is the mark evidence leaves where it cut a body.
var cut = regexp.MustCompile(`(?s)\n?\[… \d+ more bytes\].*$|\n\[body truncated at the scan's --max-body\]$`)

// missingWords returns the words of the evidence's body the replay's body
// lacks when more than a fifth of them are missing: what differs between
// two answers to the same request is ids and times of objects made since,
// never the record, the canary or the error text the finding is about.
func missingWords(evidence, replay string) []string {
	evidence = masked.ReplaceAllString(cut.ReplaceAllString(evidence, ""), "")
	seen := map[string]bool{}
	var all, missing []string
	for _, w := range word.FindAllString(evidence, -1) {
		if seen[w] {
			continue
		}
		seen[w] = true
		all = append(all, w)
		if !strings.Contains(replay, w) {
			missing = append(missing, w)
		}
	}
	if len(missing)*5 > len(all) {
		return missing
	}
	return nil
}

// distinctive returns the words of a finding's message that its evidence's
// body holds: what the finding says it saw. Numbers are left out (the ids
// of objects made since differ), and so is what the check masked in the
// evidence (the replay shows the value).
func distinctive(message, body string) []string {
	body = masked.ReplaceAllString(cut.ReplaceAllString(body, ""), "")
	message = masked.ReplaceAllString(message, "")
	var out []string
	for _, w := range word.FindAllString(message, -1) {
		w = strings.Trim(w, ".")
		if len(w) < 4 || strings.Trim(w, "0123456789") == "" {
			continue
		}
		if strings.Contains(body, w) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// masked is what a check puts in evidence in place of a sensitive value.
var masked = regexp.MustCompile(`…?\[masked\]`)
