package release

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

type workflowFile struct {
	Jobs map[string]struct {
		Permissions map[string]string `yaml:"permissions"`
		Steps       []actionStep      `yaml:"steps"`
	} `yaml:"jobs"`
}

// TestWorkflowUsesTheAction: every use of the action in the example workflow
// passes only inputs action.yml declares and reads only outputs it sets; the
// job that uploads SARIF may write security events; both commands appear.
func TestWorkflowUsesTheAction(t *testing.T) {
	a, _ := loadAction(t)
	var wf workflowFile
	raw := string(readYAML(t, "docs/ci/github-workflow.yml", &wf))
	commands := map[string]bool{}
	for jobName, job := range wf.Jobs {
		ids := map[string]bool{}
		uploads := false
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "rampart-sec/rampart@") {
				ids[s.ID] = true
				for k := range s.With {
					if _, ok := a.Inputs[k]; !ok {
						t.Errorf("job %s passes input %q, which action.yml does not declare", jobName, k)
					}
				}
				cmd := s.With["command"]
				if cmd == "" {
					cmd = *a.Inputs["command"].Default
				}
				commands[cmd] = true
			}
			if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
				uploads = true
				if !strings.Contains(s.With["sarif_file"], ".outputs.sarif") {
					t.Errorf("job %s uploads %q, not the action's sarif output", jobName, s.With["sarif_file"])
				}
			}
		}
		if uploads && job.Permissions["security-events"] != "write" {
			t.Errorf("job %s uploads SARIF without permissions security-events: write", jobName)
		}
		for id := range ids {
			re := regexp.MustCompile(`steps\.` + regexp.QuoteMeta(id) + `\.outputs\.([A-Za-z0-9_-]+)`)
			for _, m := range re.FindAllStringSubmatch(raw, -1) {
				if _, ok := a.Outputs[m[1]]; !ok {
					t.Errorf("the workflow reads output %q, which action.yml does not set", m[1])
				}
			}
		}
	}
	if !commands["scan"] || !commands["code"] {
		t.Errorf("the workflow runs %v, want both scan and code", commands)
	}
}

// TestWorkflowCommentIsEdited runs the example's comment step twice with a
// stand-in gh that keeps the pull request's comments: the first run posts
// one comment, the second edits it instead of adding another.
func TestWorkflowCommentIsEdited(t *testing.T) {
	needJQ(t)
	var wf workflowFile
	readYAML(t, "docs/ci/github-workflow.yml", &wf)
	var script string
	for _, s := range wf.Jobs["api"].Steps {
		if strings.Contains(s.Name, "Comment") {
			script = s.Run
		}
	}
	if script == "" {
		t.Fatal("the api job has no step that comments the report")
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// The stand-in answers `gh api --paginate URL --jq FILTER` from
	// comments.json with jq, and records POST and PATCH with their body.
	fakeGH := `#!/usr/bin/env bash
set -euo pipefail
shift # api
case "$1" in
--paginate) jq -r "$4" "$GH_STATE/comments.json" ;;
--method)
	method=$2 url=$3 body=${5#body=@}
	echo "$method $url" >>"$GH_STATE/calls"
	if [ "$method" = POST ]; then
		jq --rawfile b "$body" '. + [{id: 4242, body: $b}]' "$GH_STATE/comments.json" >"$GH_STATE/next"
	else
		jq --rawfile b "$body" 'map(if .id == 4242 then .body = $b else . end)' "$GH_STATE/comments.json" >"$GH_STATE/next"
	fi
	mv "$GH_STATE/next" "$GH_STATE/comments.json" ;;
*) echo "unexpected gh call: $*" >&2; exit 9 ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "gh"), []byte(fakeGH), 0o755); err != nil {
		t.Fatal(err)
	}
	// Someone else's comment is already there.
	if err := os.WriteFile(filepath.Join(dir, "comments.json"), []byte(`[{"id": 7, "body": "LGTM"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "rampart.md")
	env := func(body string) []string {
		if err := os.WriteFile(report, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "GH_STATE=" + dir,
			"GH_TOKEN=x", "REPORT=" + report, "PR=12", "GITHUB_REPOSITORY=acme/api"}
	}
	for _, body := range []string{"# Rampart: grade F\n", "# Rampart: grade B\n"} {
		if res := runBash(t, script, dir, env(body)...); res.code != 0 {
			t.Fatalf("comment step exited %d\n%s", res.code, res.output)
		}
	}
	calls, _ := os.ReadFile(filepath.Join(dir, "calls"))
	want := "POST repos/acme/api/issues/12/comments\nPATCH repos/acme/api/issues/comments/4242\n"
	if string(calls) != want {
		t.Errorf("gh calls:\n%s\nwant:\n%s", calls, want)
	}
	var comments []struct {
		ID   int    `json:"id"`
		Body string `json:"body"`
	}
	readJSON(t, filepath.Join(dir, "comments.json"), &comments)
	if len(comments) != 2 || comments[0].Body != "LGTM" || !strings.Contains(comments[1].Body, "grade B") || strings.Contains(comments[1].Body, "grade F") {
		out, _ := json.Marshal(comments)
		t.Errorf("comments after two runs: %s; want LGTM and one Rampart comment with the latest report", out)
	}
}
