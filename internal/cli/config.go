package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
	"github.com/rampart-sec/rampart/internal/codescan"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/inputfile"
)

// fileConfig is the YAML a --config file holds: every flag of `scan`, plus
// identities with headers and login flows, and the code: section of
// `rampart code`, which reads the keys in codeKeys.
type fileConfig struct {
	Target        string            `yaml:"target"`
	Spec          string            `yaml:"spec"`
	SpecOutside   bool              `yaml:"spec-refs-outside"`
	StrictSpec    bool              `yaml:"strict-spec"`
	Source        string            `yaml:"source"`
	HAR           stringList        `yaml:"har"`
	Postman       stringList        `yaml:"postman"`
	HARIdentity   stringList        `yaml:"har-identity"`
	Mode          string            `yaml:"mode"`
	Checks        stringList        `yaml:"checks"`
	SkipChecks    stringList        `yaml:"skip-checks"`
	Exclude       stringList        `yaml:"exclude"`
	Scope         stringList        `yaml:"scope"`
	Format        stringList        `yaml:"format"`
	Output        stringList        `yaml:"output"`
	FailOn        string            `yaml:"fail-on"`
	MinConfidence string            `yaml:"min-confidence"`
	MinCoverage   *int              `yaml:"min-coverage"`
	Concurrency   int               `yaml:"concurrency"`
	Rate          float64           `yaml:"rate"`
	Timeout       string            `yaml:"timeout"`
	MaxBody       string            `yaml:"max-body"`
	Insecure      bool              `yaml:"insecure"`
	Proxy         string            `yaml:"proxy"`
	Wordlist      string            `yaml:"wordlist"`
	ShowSecrets   bool              `yaml:"show-secrets"`
	NoSignup      bool              `yaml:"no-signup"`
	Baseline      string            `yaml:"baseline"`
	Verbose       bool              `yaml:"verbose"`
	KeepGoing     bool              `yaml:"keep-going"`
	Identities    []identityConfig  `yaml:"identities"`
	Ignore        []baseline.Ignore `yaml:"ignore"`
	Code          codeConfig        `yaml:"code"`
	JWT           jwtConfig         `yaml:"jwt"`
}

// jwtConfig is the config's jwt: section.
type jwtConfig struct {
	PublicKeys stringList `yaml:"public_keys"`
}

// codeConfig is the config's code: section, the settings only `rampart
// code` has (its exclude globs are files, not scan's URL paths).
type codeConfig struct {
	Exclude        stringList `yaml:"exclude"`
	Workers        int        `yaml:"workers"`
	MaxFileSize    string     `yaml:"max-file-size"`
	FollowSymlinks bool       `yaml:"follow-symlinks"`
}

type identityConfig struct {
	Name    string            `yaml:"name"`
	Role    string            `yaml:"role"`
	Headers map[string]string `yaml:"headers"`
	Login   *rampart.Login    `yaml:"login"`
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// loadConfig reads a config file. ${VAR} references are replaced from the
// environment so that secrets stay out of the file; an unset variable is an
// error, not an empty credential.
func loadConfig(path string, getenv func(string) string) (*fileConfig, error) {
	data, err := inputfile.Read(path, inputfile.MaxConfig)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	return parseConfig(path, data, getenv)
}

// parseConfig reads a config's YAML; path names it in errors (a file, or
// where else the YAML came from: a queued job's target).
func parseConfig(path string, data []byte, getenv func(string) string) (*fileConfig, error) {
	var cfg fileConfig
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &cfg, nil
		}
		return nil, fmt.Errorf("config %s: not valid YAML: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if isNull(root) {
		return &cfg, nil
	}
	if missing := expandEnv(root, getenv); len(missing) > 0 {
		return nil, fmt.Errorf("config %s: environment variables not set: %s", path, strings.Join(missing, ", "))
	}
	if err := checkNode("", root, reflect.TypeFor[fileConfig]()); err != nil {
		return nil, fmt.Errorf("config %s: %w (see docs/config.md)", path, err)
	}
	if err := root.Decode(&cfg); err != nil {
		// checkNode has ruled out every type mismatch; what is left is
		// yaml's own refusal, kept to its line.
		return nil, fmt.Errorf("config %s: %s", path, yamlLines(err))
	}
	if err := checkValues(&cfg, root); err != nil {
		return nil, fmt.Errorf("config %s: %w (see docs/config.md)", path, err)
	}
	for i, ig := range cfg.Ignore {
		if err := ig.Validate(); err != nil {
			return nil, fmt.Errorf("config %s: ignore[%d]: %w", path, i, err)
		}
	}
	lines := identityLines(data)
	for i, id := range cfg.Identities {
		if id.Name == "" {
			return nil, fmt.Errorf("config %s: identities[%d]: name is required", path, i)
		}
		// The role is required: which checks an identity serves depends on
		// it, and a default would hide a forgotten line.
		if id.Role == "" {
			return nil, fmt.Errorf("config %s: identities[%d] (%s): role is required: add \"role: user\" or \"role: admin\"", at(path, lines.item(i)), i, id.Name)
		}
		if r := strings.ToLower(id.Role); r != "user" && r != "admin" {
			return nil, fmt.Errorf("config %s: identities[%d].role %q (%s): want user or admin", at(path, lines.role(i)), i, id.Role, id.Name)
		}
		if id.Login != nil {
			if err := id.Login.Validate(); err != nil {
				return nil, fmt.Errorf("config %s: identity %s: %w", path, id.Name, err)
			}
		}
		if len(id.Headers) == 0 && id.Login == nil {
			return nil, fmt.Errorf("config %s: identity %s: no headers and no login: it would act as anonymous", path, id.Name)
		}
		for _, name := range slices.Sorted(maps.Keys(id.Headers)) {
			if err := identity.CheckHeader(name, id.Headers[name]); err != nil {
				return nil, fmt.Errorf("config %s: identity %s: %w", path, id.Name, err)
			}
		}
	}
	return &cfg, nil
}

// expandEnv replaces ${VAR} in the values of the parsed file, so a
// commented-out line never needs its variables and a secret with YAML's
// special characters in it stays one value. A plain scalar is typed again
// after the replacement (concurrency: ${N} is a number); a quoted one stays
// a string. It returns the variables that are not set, each once.
func expandEnv(n *yaml.Node, getenv func(string) string) []string {
	var missing []string
	seen := map[string]bool{}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
			v := envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
				name := envRef.FindStringSubmatch(m)[1]
				v := getenv(name)
				if v == "" && !seen[name] {
					seen[name] = true
					missing = append(missing, name)
				}
				return v
			})
			if v != n.Value {
				n.Value = v
				if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
					n.Tag = ""
					n.Tag = n.ShortTag()
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return missing
}

// entryLines are where each entry of the config's identities list starts,
// and its role key when it has one, for errors that point at the line.
type entryLines []struct{ start, role int }

func (l entryLines) item(i int) int {
	if i < len(l) {
		return l[i].start
	}
	return 0
}

func (l entryLines) role(i int) int {
	if i < len(l) && l[i].role > 0 {
		return l[i].role
	}
	return l.item(i)
}

// at is a file and line as errors show them, "rampart.yaml:7".
func at(path string, line int) string {
	if line <= 0 {
		return path
	}
	return fmt.Sprintf("%s:%d", path, line)
}

// identityLines reads the lines of the identities entries from the YAML
// itself: the decoded struct no longer knows them.
func identityLines(data []byte) entryLines {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	root := doc.Content[0].Content
	var out entryLines
	for i := 0; i+1 < len(root); i += 2 {
		if root[i].Value != "identities" || root[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range root[i+1].Content {
			e := struct{ start, role int }{start: it.Line}
			for j := 0; it.Kind == yaml.MappingNode && j+1 < len(it.Content); j += 2 {
				if it.Content[j].Value == "role" {
					e.role = it.Content[j].Line
				}
			}
			out = append(out, e)
		}
	}
	return out
}

func (ic identityConfig) toIdentity() rampart.Identity {
	h := http.Header{}
	for k, v := range ic.Headers {
		h.Set(k, v)
	}
	return rampart.Identity{Name: ic.Name, Role: strings.ToLower(ic.Role), Headers: h, Login: ic.Login}
}

// checkValues checks the values of the keys that take one of a few words
// or a formatted string, with the key's line, so that a mistake in the file
// is not reported later as if it were a flag's.
func checkValues(cfg *fileConfig, root *yaml.Node) error {
	line := func(key string) int {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == key {
				return root.Content[i+1].Line
			}
		}
		return 0
	}
	bad := func(key, want string) error {
		return fmt.Errorf("line %d: %s: want %s", line(key), key, want)
	}
	if cfg.Mode != "" {
		if _, err := rampart.ParseMode(cfg.Mode); err != nil {
			return bad("mode", "passive, safe or active")
		}
	}
	if cfg.FailOn != "" && !strings.EqualFold(cfg.FailOn, "none") {
		if _, err := rampart.ParseSeverity(cfg.FailOn); err != nil {
			return bad("fail-on", "info, low, medium, high, critical or none")
		}
	}
	if cfg.MinConfidence != "" {
		if _, err := rampart.ParseConfidence(cfg.MinConfidence); err != nil {
			return bad("min-confidence", "tentative, firm or confirmed")
		}
	}
	if cfg.Timeout != "" {
		if d, err := time.ParseDuration(cfg.Timeout); err != nil || d <= 0 {
			return bad("timeout", "a positive duration such as 10s or 1m30s")
		}
	}
	if cfg.MaxBody != "" {
		if _, err := parseSize(cfg.MaxBody); err != nil {
			return bad("max-body", "a size such as 2MiB or 512k")
		}
	}
	for _, f := range cfg.Format {
		if _, ok := normalizeFormat(f); !ok {
			return bad("format", "formats among "+strings.Join(reportFormats, ", "))
		}
	}
	return checkCodeValues(cfg.Code, root)
}

// checkCodeValues checks the code: section's values, with their lines.
func checkCodeValues(c codeConfig, root *yaml.Node) error {
	var sec *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "code" {
			sec = root.Content[i+1]
		}
	}
	line := func(key string) int {
		for i := 0; sec != nil && i+1 < len(sec.Content); i += 2 {
			if sec.Content[i].Value == key {
				return sec.Content[i+1].Line
			}
		}
		return 0
	}
	if c.Workers < 0 || c.Workers > 256 {
		return fmt.Errorf("line %d: code.workers: want 0 (one per CPU) to 256", line("workers"))
	}
	if c.MaxFileSize != "" {
		if _, err := parseSize(c.MaxFileSize); err != nil {
			return fmt.Errorf("line %d: code.max-file-size: want a size such as 2MiB or 512k", line("max-file-size"))
		}
	}
	for _, g := range c.Exclude {
		if err := codescan.CheckExclude(g); err != nil {
			return fmt.Errorf("line %d: code.exclude: want file globs such as 'tests/*' or '*_test.py', with [ ] closed", line("exclude"))
		}
	}
	return nil
}

// yamlLines keeps the line numbers of a yaml decoding error and drops the
// Go types and quoted values it carries.
func yamlLines(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var lines []string
		for _, e := range te.Errors {
			if l, _, ok := strings.Cut(e, ":"); ok && strings.HasPrefix(l, "line ") {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			return strings.Join(lines, ", ") + ": a value of the wrong type (see docs/config.md)"
		}
	}
	return "cannot read it (see docs/config.md)"
}

// parseSize reads 2097152, 512k, 2MiB, 1MB.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1000}, {"mb", 1000 * 1000}, {"k", 1 << 10}, {"m", 1 << 20}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want a positive number of bytes such as 2MiB or 512k", s)
	}
	return n * mult, nil
}

// fromConfig fills a flag's value from the config file unless the flag was
// given on the command line, which wins (scan and code alike).
type fromConfig struct{ changed func(flag string) bool }

func (m fromConfig) str(flag string, dst *string, v string) {
	if !m.changed(flag) && v != "" {
		*dst = v
	}
}

func (m fromConfig) list(flag string, dst *[]string, v []string) {
	if !m.changed(flag) && len(v) > 0 {
		*dst = v
	}
}

// on sets a boolean flag the config file turns on.
func (m fromConfig) on(flag string, dst *bool, v bool) {
	if !m.changed(flag) && v {
		*dst = true
	}
}
