package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rampart.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A list key takes a YAML list or one comma-separated string, as the flag does.
func TestConfigListsAsCommaStrings(t *testing.T) {
	for _, body := range []string{
		"checks: \"sqli,bola\"\nformat: text, json\noutput: [\"-\", report.json]\nexclude: /a*\n",
		"checks: [sqli, bola]\nformat: [text, json]\noutput: \"-,report.json\"\nexclude: [/a*]\n",
	} {
		cfg, err := loadConfig(writeConfig(t, body), func(string) string { return "" })
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		for _, c := range []struct {
			key       string
			got, want []string
		}{
			{"checks", cfg.Checks, []string{"sqli", "bola"}},
			{"format", cfg.Format, []string{"text", "json"}},
			{"output", cfg.Output, []string{"-", "report.json"}},
			{"exclude", cfg.Exclude, []string{"/a*"}},
		} {
			if !slices.Equal(c.got, c.want) {
				t.Errorf("%q: %s = %q, want %q", body, c.key, c.got, c.want)
			}
		}
	}
}

// Config errors name the key and its line in the user's terms: never a Go
// type, never the file's text.
func TestConfigErrorsNameKeyAndLine(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"string given a list", "mode: safe\nspec: [a, b]\n", []string{"line 2", "spec", "want a string, got a list"}},
		{"bool given a string", "insecure: sometimes\n", []string{"line 1", "insecure", "want true or false, got a string"}},
		{"int given a string", "target: http://127.0.0.1:1\nconcurrency: eight\n", []string{"line 2", "concurrency", "want an integer, got a string"}},
		{"int given a fraction", "concurrency: 2.5\n", []string{"line 1", "concurrency", "want an integer, got a number"}},
		{"number given a string", "rate: fast\n", []string{"line 1", "rate", "want a number, got a string"}},
		{"list given a number", "\n\nchecks: 5\n", []string{"line 3", "checks", "want a list of strings or a comma-separated string, got a number"}},
		{"list given a mapping", "exclude: {a: b}\n", []string{"line 1", "exclude", "got a mapping"}},
		{"list item given a list", "scope:\n  - [a]\n", []string{"line 2", "scope[0]", "want a string, got a list"}},
		{"identities given a string", "identities: alice\n", []string{"line 1", "identities", "want a list, got a string"}},
		{"identity given a string", "identities:\n  - alice\n", []string{"line 2", "identities[0]", "want a mapping, got a string"}},
		{"headers given a list", "identities:\n  - name: a\n    headers: [x]\n", []string{"line 3", "identities[0].headers", "want a mapping, got a list"}},
		{"login key unknown", "identities:\n  - name: a\n    login:\n      ulr: /login\n", []string{"line 4", `unknown key "identities[0].login.ulr"`, "did you mean url?"}},
		{"ignore given a mapping", "ignore: {check: X}\n", []string{"line 1", "ignore", "want a list, got a mapping"}},
		{"unknown key", "target: http://127.0.0.1:1\nfail_on: high\n", []string{"line 2", `unknown key "fail_on"`, "did you mean fail-on?"}},
		{"unknown key far from any", "colour: true\n", []string{"line 1", `unknown key "colour"`, "known keys:"}},
		{"mode not a mode", "\nmode: agressive\n", []string{"line 2", "mode: want passive, safe or active"}},
		{"fail-on not a severity", "fail-on: hgih\n", []string{"line 1", "fail-on: want info, low"}},
		{"min-confidence not one", "min-confidence: sure\n", []string{"line 1", "min-confidence: want tentative"}},
		{"timeout not a duration", "timeout: 10\n", []string{"line 1", "timeout: want a positive duration"}},
		{"max-body not a size", "max-body: lots\n", []string{"line 1", "max-body: want a size"}},
		{"format unknown", "format: text,pdf\n", []string{"line 1", "format: want formats among"}},
		{"not a mapping", "- a\n- b\n", []string{"line 1", "the file: want a mapping, got a list"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadConfig(writeConfig(t, c.body), func(string) string { return "" })
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			for _, goTerm := range []string{"unmarshal", "!!", "[]string", "int", "float64", "main.", "cli."} {
				_, tail, _ := strings.Cut(msg, "rampart.yaml:")
				if strings.Contains(strings.ReplaceAll(tail, "want an integer", ""), goTerm) {
					t.Errorf("error %q speaks Go (%q)", msg, goTerm)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
		})
	}
}

// A key that is not a plain name is not quoted back.
func TestConfigUnknownKeyNotEchoed(t *testing.T) {
	secret := strings.Repeat("s3cr3t ", 20)
	_, err := loadConfig(writeConfig(t, "\""+secret+"\": 1\n"), func(string) string { return "" })
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("error %v", err)
	}
}

// ${VAR} is replaced in values, not in the file's text: a commented-out
// line needs no variable, a secret with YAML syntax in it stays one value,
// and a plain ${N} still reads as a number.
func TestConfigEnvInValues(t *testing.T) {
	env := map[string]string{"N": "3", "TOKEN": `a: "b" # c`}
	cfg, err := loadConfig(writeConfig(t, `
# headers: {Authorization: "Bearer ${COMMENTED_OUT}"}
concurrency: ${N}
identities:
  - name: alice
    role: user
    headers: {Authorization: "Bearer ${TOKEN}"}
`), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Concurrency != 3 {
		t.Errorf("concurrency %d, want 3", cfg.Concurrency)
	}
	if got := cfg.Identities[0].Headers["Authorization"]; got != `Bearer a: "b" # c` {
		t.Errorf("header %q", got)
	}
	_, err = loadConfig(writeConfig(t, "proxy: ${P1}\nwordlist: ${P1}${P2}\n"), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "not set: P1, P2") {
		t.Errorf("unset variables: %v", err)
	}
}
