package cli

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var update = flag.Bool("update", false, "rewrite docs/config.md from the config's definition, and the golden files in testdata")

// Every key the loader accepts, nested ones included, is documented, and
// each key that mirrors a flag names a flag scan has.
func TestConfigKeysDocumented(t *testing.T) {
	entries, err := configEntries(scanFlagSet())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Help == "" || e.Type == "" {
			t.Errorf("%s: help %q, type %q", e.Path, e.Help, e.Type)
		}
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Path] = true
	}
	for k := range configDocs {
		if !seen[k] {
			t.Errorf("configDocs documents %s, which the config does not have", k)
		}
	}
}

// flagOnly are scan's flags with no config key of their own: the config
// itself, and --identity, whose config form is identities.
var flagOnly = map[string]bool{"config": true, "identity": true, "help": true}

// Every scan flag can be set in the config too.
func TestEveryScanFlagHasAConfigKey(t *testing.T) {
	entries, _ := configEntries(scanFlagSet())
	keyed := map[string]bool{}
	for _, e := range entries {
		keyed[strings.TrimPrefix(e.Flag, "--")] = true
	}
	scanFlagSet().VisitAll(func(f *pflag.Flag) {
		if !keyed[f.Name] && !flagOnly[f.Name] {
			t.Errorf("scan flag --%s has no config key: add it to fileConfig, configDocs and buildOptions (or to flagOnly)", f.Name)
		}
	})
}

// docs/config.md is generated from the config's definition: adding a key
// without regenerating fails here.
func TestConfigReference(t *testing.T) {
	entries, err := configEntries(scanFlagSet())
	if err != nil {
		t.Fatal(err)
	}
	got := configReference(entries)
	path := filepath.Join("..", "..", "docs", "config.md")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("docs/config.md is stale: go test ./internal/cli -run TestConfigReference -update")
	}
	for _, e := range entries {
		if !strings.Contains(got, "| `"+e.Path+"` |") {
			t.Errorf("docs/config.md lacks %s", e.Path)
		}
	}
}

// uncomment turns the commented-out keys of a starter config ("#key:",
// "#  - name:") into YAML, leaving the help comments ("# text") alone.
var commentedKey = regexp.MustCompile(`(?m)^#(\S|  )`)

func uncomment(s string) string { return commentedKey.ReplaceAllString(s, "$1") }

// `rampart init` writes a config the loader accepts as it is, and, with
// every example key uncommented, still accepts; every key is in it with
// its help.
func TestInitStarterConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rampart.yaml")
	code, _, stderr := run(t, nil, "init", p)
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	entries, _ := configEntries(scanFlagSet())
	for _, e := range entries {
		key := e.Path[strings.LastIndex(e.Path, ".")+1:]
		if !regexp.MustCompile(`(?m)^#?[ -]*` + regexp.QuoteMeta(key) + `:|[{ ]` + regexp.QuoteMeta(key) + `: `).MatchString(text) {
			t.Errorf("starter config lacks key %s", e.Path)
		}
		if first := wrap(e.Help, 60)[0]; !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(text, "#", "")), " "), first) {
			t.Errorf("starter config lacks the help of %s", e.Path)
		}
	}
	// As written: scan's config path (loader and flag merging) takes it.
	var f scanFlags
	cmd := &cobra.Command{}
	addScanFlags(cmd.Flags(), &f)
	if err := cmd.ParseFlags([]string{"--config", p}); err != nil {
		t.Fatal(err)
	}
	opt, _, _, err := buildOptions(cmd, Env{Getenv: func(string) string { return "" }}, "", &f)
	if err != nil {
		t.Fatalf("scan does not accept the starter config: %v", err)
	}
	if opt.Target != "http://127.0.0.1:8000" {
		t.Errorf("target %q", opt.Target)
	}
	// Uncommented: every example value is valid too.
	full := uncomment(text)
	if full == text || !strings.Contains(full, "\nidentities:\n") {
		t.Fatal("nothing uncommented")
	}
	q := filepath.Join(dir, "full.yaml")
	os.WriteFile(q, []byte(full), 0o600)
	cfg, err := loadConfig(q, func(string) string { return "secret-value" })
	if err != nil {
		t.Fatalf("the starter config's examples do not load: %v", err)
	}
	if len(cfg.Identities) != 4 || len(cfg.Ignore) != 2 || len(cfg.Checks) != 2 || cfg.Concurrency != 8 || len(cfg.Code.Exclude) != 2 {
		t.Errorf("uncommented config read as %+v", cfg)
	}
}

// init keeps an existing file unless --force.
func TestInitRefusesOverwrite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rampart.yaml")
	os.WriteFile(p, []byte("target: http://127.0.0.1:1\n"), 0o600)
	code, _, stderr := run(t, nil, "init", p)
	if code != ExitUsage || !strings.Contains(stderr, "already exists") || !strings.Contains(stderr, "--force") {
		t.Errorf("init over a file: exit %d, %q", code, stderr)
	}
	if data, _ := os.ReadFile(p); string(data) != "target: http://127.0.0.1:1\n" {
		t.Error("init without --force changed the file")
	}
	code, _, stderr = run(t, nil, "init", "--force", p)
	if code != 0 {
		t.Fatalf("init --force: exit %d: %s", code, stderr)
	}
	if data, _ := os.ReadFile(p); !strings.Contains(string(data), "#concurrency: 8") {
		t.Error("init --force did not overwrite")
	}
}

// The config's baseline and verbose reach the scan as their flags do, and
// a flag on the command line still wins.
func TestConfigBaselineAndVerbose(t *testing.T) {
	p := writeConfig(t, "target: http://127.0.0.1:1\nbaseline: main.json\nverbose: true\nformat: text,json\noutput: \"-,out.json\"\n")
	for _, c := range []struct {
		args     []string
		baseline string
		verbose  bool
	}{
		{[]string{"--config", p}, "main.json", true},
		{[]string{"--config", p, "--baseline", "other.json", "--verbose=false"}, "other.json", false},
	} {
		var f scanFlags
		cmd := &cobra.Command{}
		addScanFlags(cmd.Flags(), &f)
		if err := cmd.ParseFlags(c.args); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := buildOptions(cmd, Env{Getenv: func(string) string { return "" }}, "", &f); err != nil {
			t.Fatal(err)
		}
		if f.baseline != c.baseline || f.verbose != c.verbose {
			t.Errorf("%v: baseline %q verbose %v", c.args, f.baseline, f.verbose)
		}
	}
}
