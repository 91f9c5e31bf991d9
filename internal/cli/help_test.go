package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart/internal/checks"
	"github.com/rampart-sec/rampart/internal/codescan"
	"github.com/rampart-sec/rampart/internal/identity"
)

// shellWords splits one command line as a POSIX shell would: quotes,
// backslashes, $VAR and ${VAR} expanded from env outside single quotes,
// redirections (> FILE, < FILE) and a trailing # comment dropped.
func shellWords(line string, env func(string) string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, redirect := false, false
	flush := func() {
		if inWord {
			if redirect {
				redirect = false
			} else {
				words = append(words, cur.String())
			}
		}
		cur.Reset()
		inWord = false
	}
	expand := func(s string, i int) (string, int) {
		j := i + 1
		if j < len(s) && s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				return "$", i + 1
			}
			return env(s[j+1 : j+end]), j + end + 1
		}
		k := j
		for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || k > j && s[k] >= '0' && s[k] <= '9') {
			k++
		}
		if k == j {
			return "$", j
		}
		return env(s[j:k]), k
	}
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
			i++
		case c == '#' && !inWord:
			i = len(line)
		case c == '>' || c == '<':
			flush()
			redirect = true
			i++
		case c == '\\':
			if i+1 < len(line) {
				cur.WriteByte(line[i+1])
				inWord = true
			}
			i += 2
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(line[i+1 : i+1+end])
			inWord = true
			i += end + 2
		case c == '"':
			inWord = true
			i++
			for {
				if i >= len(line) {
					return nil, fmt.Errorf("unterminated double quote")
				}
				if line[i] == '"' {
					i++
					break
				}
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte(`"\$`+"`", line[i+1]) >= 0 {
					cur.WriteByte(line[i+1])
					i += 2
					continue
				}
				if line[i] == '$' {
					v, next := expand(line, i)
					cur.WriteString(v)
					i = next
					continue
				}
				cur.WriteByte(line[i])
				i++
			}
		case c == '$':
			v, next := expand(line, i)
			cur.WriteString(v)
			inWord = true
			i = next
		default:
			cur.WriteByte(c)
			inWord = true
			i++
		}
	}
	flush()
	return words, nil
}

func TestShellWords(t *testing.T) {
	env := func(k string) string { return "<" + k + ">" }
	for _, c := range []struct{ in, want string }{
		{`a 'b $X' "c $X" d${Y}e`, `a|b $X|c <X>|d<Y>e`},
		{`x > out.md`, `x`},
		{`a\ b "q\"" # note`, `a b|q"`},
	} {
		got, err := shellWords(c.in, env)
		if err != nil || strings.Join(got, "|") != c.want {
			t.Errorf("%s: %q %v, want %s", c.in, got, err, c.want)
		}
	}
}

// helpExamples returns each example command line of a command's help,
// continuation lines joined.
func helpExamples(cmd *cobra.Command) []string {
	text := cmd.Long + "\n" + cmd.Example
	_, ex, ok := strings.Cut(text, "Examples:\n")
	if !ok {
		return nil
	}
	var out []string
	var cur string
	for _, line := range strings.Split(ex, "\n") {
		line = strings.TrimSpace(line)
		if cur == "" && !strings.HasPrefix(line, "rampart") {
			continue
		}
		cur += line
		if strings.HasSuffix(cur, `\`) {
			cur = strings.TrimSuffix(cur, `\`) + " "
			continue
		}
		out = append(out, cur)
		cur = ""
	}
	return out
}

func allCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		out = append(out, allCommands(sub)...)
	}
	return out
}

// Every example of every command's --help, pasted into a shell, parses:
// the command exists, its flags and arguments are accepted, variables are
// expanded by the shell (never sent as a literal $NAME), and --identity and
// --format values are valid.
func TestHelpExamplesParse(t *testing.T) {
	env := func(k string) string { return "value-of-" + k }
	n := 0
	for _, cmd := range allCommands(newRoot(Env{})) {
		for _, ex := range helpExamples(cmd) {
			n++
			t.Run(ex, func(t *testing.T) {
				args, err := shellWords(ex, env)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range args {
					if strings.Contains(a, "$") {
						t.Errorf("argument %q reaches rampart with an unexpanded variable (single quotes?)", a)
					}
				}
				root := newRoot(Env{Stdout: io.Discard, Stderr: io.Discard})
				c, rest, err := root.Find(args[1:])
				if err != nil {
					t.Fatalf("no such command: %v", err)
				}
				if cmd.HasParent() && c.CommandPath() != cmd.CommandPath() {
					t.Errorf("example of %s runs %s", cmd.CommandPath(), c.CommandPath())
				}
				if err := c.ParseFlags(rest); err != nil {
					t.Fatalf("flags: %v", err)
				}
				if err := c.ValidateArgs(c.Flags().Args()); err != nil {
					t.Fatalf("arguments: %v", err)
				}
				if c.Name() == "explain" {
					id := c.Flags().Arg(0)
					if checks.Lookup(id) == nil && codescan.LookupRule(id) == nil {
						t.Errorf("explain %s: no such check or rule", id)
					}
				}
				if v, err := c.Flags().GetStringArray("identity"); err == nil {
					for _, s := range v {
						if _, _, _, _, err := identity.ParseFlag(s); err != nil {
							t.Errorf("--identity %q: %v", s, err)
						}
					}
				}
				if v, err := c.Flags().GetStringSlice("format"); err == nil {
					for _, f := range v {
						if _, ok := normalizeFormat(f); !ok {
							t.Errorf("-f %s: unknown format", f)
						}
					}
				}
			})
		}
	}
	if n < 10 {
		t.Errorf("found %d examples; the extraction is broken", n)
	}
}

func helpOf(t *testing.T, args ...string) string {
	t.Helper()
	code, out, stderr := run(t, nil, append(args, "--help")...)
	if code != 0 {
		t.Fatalf("%v --help: exit %d: %s", args, code, stderr)
	}
	return out
}

// Every command that writes a report offers the same six formats, from
// one list, and the same -v.
func TestReportFlagsOneDefinition(t *testing.T) {
	var formatLine, verboseLine string
	for _, cmd := range []string{"scan", "code", "report"} {
		help := helpOf(t, cmd)
		for _, f := range reportFormats {
			if !strings.Contains(help, f) {
				t.Errorf("%s --help does not list format %s", cmd, f)
			}
		}
		fl, vl := lineWith(help, "--format"), lineWith(help, "--verbose")
		if !strings.Contains(fl, strings.Join(reportFormats, ", ")) {
			t.Errorf("%s --format: %q", cmd, fl)
		}
		if !strings.HasPrefix(vl, "-v, --verbose") {
			t.Errorf("%s: -v is %q", cmd, vl)
		}
		if formatLine == "" {
			formatLine, verboseLine = fl, vl
		}
		if fl != formatLine || vl != verboseLine {
			t.Errorf("%s: -f or -v differs from scan's:\n%s\n%s", cmd, fl, vl)
		}
	}
}

func lineWith(help, flag string) string {
	for _, l := range strings.Split(help, "\n") {
		if strings.Contains(l, flag+" ") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

// -v never means --version: `rampart -v` says what -v is instead.
func TestVerboseNotVersion(t *testing.T) {
	code, out, stderr := run(t, nil, "-v")
	if code != ExitUsage || strings.Contains(out, "rampart ") || !strings.Contains(stderr, "--verbose") || !strings.Contains(stderr, "--version") {
		t.Errorf("rampart -v: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if code, out, _ := run(t, nil, "--version"); code != 0 || !strings.HasPrefix(out, "rampart ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// Every white-box rule explains, in the layout of a runtime check, with
// what it reads instead of what it sends.
func TestExplainCodeRules(t *testing.T) {
	for _, r := range codescan.Rules() {
		code, out, stderr := run(t, nil, "explain", strings.ToLower(r.ID))
		if code != 0 {
			t.Errorf("explain %s: exit %d: %s", r.ID, code, stderr)
			continue
		}
		flat := strings.Join(strings.Fields(out), " ")
		for _, want := range []string{r.ID + " " + r.Title, "family " + string(r.Family), "What it detects", "What it reads", "nothing is executed or sent", "How to fix", "More: docs/whitebox.md#"} {
			if !strings.Contains(flat, want) {
				t.Errorf("explain %s lacks %q", r.ID, want)
			}
		}
		if strings.Contains(out, "Requests it sends") {
			t.Errorf("explain %s claims to send requests", r.ID)
		}
	}
	for _, c := range checks.All() {
		if code, out, _ := run(t, nil, "explain", c.ID); code != 0 || !strings.Contains(out, "Requests it sends") && c.Requests != "" {
			t.Errorf("explain %s: exit %d", c.ID, code)
		}
	}
}

func TestExplainUnknownHints(t *testing.T) {
	for _, c := range []struct{ id, hint string }{
		{"PY-SQLI-01", "did you mean PY-SQLI-001?"},
		{"NOPE-999", "rampart checks --code"},
	} {
		code, _, stderr := run(t, nil, "explain", c.id)
		if code != ExitUsage || !strings.Contains(stderr, c.hint) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("explain %s: exit %d, %q", c.id, code, stderr)
		}
	}
}

// `checks --code` lists every white-box rule; `checks` says how to get them.
func TestChecksCode(t *testing.T) {
	_, out, _ := run(t, nil, "checks", "--code")
	for _, r := range codescan.Rules() {
		if !strings.Contains(out, r.ID+" ") {
			t.Errorf("checks --code lacks %s", r.ID)
		}
	}
	if _, out, _ := run(t, nil, "checks"); !strings.Contains(out, "checks --code") || strings.Contains(out, "PY-SQLI-001") {
		t.Errorf("checks: %q", out[len(out)-200:])
	}
	var buf bytes.Buffer
	Execute(context.Background(), []string{"checks", "--code", "--json"}, Env{Stdout: &buf, Stderr: io.Discard})
	if !strings.Contains(buf.String(), `"id": "PY-DATA-001"`) || !strings.Contains(buf.String(), `"kind": "code"`) {
		t.Errorf("checks --code --json: %.200s", buf.String())
	}
}
