package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/baseline"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/inputfile"
)

// fileConfig is the YAML a --config file holds: every flag of `scan`, plus
// identities with headers and login flows.
type fileConfig struct {
	Target        string            `yaml:"target"`
	Spec          string            `yaml:"spec"`
	SpecOutside   bool              `yaml:"spec-refs-outside"`
	Source        string            `yaml:"source"`
	Mode          string            `yaml:"mode"`
	Checks        []string          `yaml:"checks"`
	SkipChecks    []string          `yaml:"skip-checks"`
	Exclude       []string          `yaml:"exclude"`
	Scope         []string          `yaml:"scope"`
	Format        string            `yaml:"format"`
	Output        []string          `yaml:"output"`
	FailOn        string            `yaml:"fail-on"`
	MinConfidence string            `yaml:"min-confidence"`
	Concurrency   int               `yaml:"concurrency"`
	Rate          float64           `yaml:"rate"`
	Timeout       string            `yaml:"timeout"`
	MaxBody       string            `yaml:"max-body"`
	Insecure      bool              `yaml:"insecure"`
	Proxy         string            `yaml:"proxy"`
	Wordlist      string            `yaml:"wordlist"`
	ShowSecrets   bool              `yaml:"show-secrets"`
	NoSignup      bool              `yaml:"no-signup"`
	KeepGoing     bool              `yaml:"keep-going"`
	Identities    []identityConfig  `yaml:"identities"`
	Ignore        []baseline.Ignore `yaml:"ignore"`
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
	var missing []string
	data = envRef.ReplaceAllFunc(data, func(m []byte) []byte {
		name := string(envRef.FindSubmatch(m)[1])
		v := getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return []byte(v)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("config %s: environment variables not set: %s", path, strings.Join(missing, ", "))
	}
	var cfg fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, errEOF()) {
			return &cfg, nil
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
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

func errEOF() error { return io.EOF }

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
