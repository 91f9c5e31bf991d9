package codescan

import (
	"regexp"
	"strings"
)

// schema is what the .sql files under the scanned directory say about
// tables: their columns, unique keys and non-negative CHECKs. Rules use it to
// accept a check-then-insert guarded by a unique constraint, or a decrement
// guarded by CHECK (col >= 0).
type schema struct {
	tables map[string]*table
}

type table struct {
	name    string
	columns []string
	pk      []string
	uniques [][]string // UNIQUE constraints and unique indexes (the primary key not included)
	checks  map[string]bool
}

var (
	createTableRe  = regexp.MustCompile(`(?is)create\s+table\s+(?:if\s+not\s+exists\s+)?([\w."]+)\s*\((.*?)\)\s*;`)
	uniqueIndexRe  = regexp.MustCompile(`(?is)create\s+unique\s+index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?[\w."]*\s*on\s+([\w."]+)\s*(?:using\s+\w+\s*)?\(([^)]*)\)`)
	alterUniqueRe  = regexp.MustCompile(`(?is)alter\s+table\s+(?:only\s+)?([\w."]+)\s+add\s+(?:constraint\s+[\w"]+\s+)?(unique|primary\s+key)\s*\(([^)]*)\)`)
	checkNonNegRe  = regexp.MustCompile(`(?i)check\s*\(\s*([\w"]+)\s*(>=|>)\s*0`)
	sensitiveColRe = regexp.MustCompile(`(?i)password|passwd|pwd|secret|token|api_?key|salt|otp|mfa|totp|ssn|iban|card|cvv|private`)
)

func newSchema() *schema { return &schema{tables: map[string]*table{}} }

// add reads one SQL file.
func (s *schema) add(src string) {
	src = sqlCommentRe.ReplaceAllString(src, " ")
	for _, m := range createTableRe.FindAllStringSubmatch(src, -1) {
		t := s.table(cleanName(m[1]))
		for _, item := range splitTop(m[2]) {
			item = strings.TrimSpace(item)
			low := strings.ToLower(item)
			switch {
			case strings.HasPrefix(low, "primary key"):
				t.pk = columnList(item)
			case strings.HasPrefix(low, "unique"):
				t.uniques = append(t.uniques, columnList(item))
			case strings.HasPrefix(low, "constraint"):
				if strings.Contains(low, " unique") {
					t.uniques = append(t.uniques, columnList(item))
				} else if strings.Contains(low, "primary key") {
					t.pk = columnList(item)
				}
				if c := checkNonNegRe.FindStringSubmatch(item); c != nil {
					t.checks[cleanName(strings.ToLower(c[1]))] = true
				}
			case strings.HasPrefix(low, "check"):
				if c := checkNonNegRe.FindStringSubmatch(item); c != nil {
					t.checks[cleanName(strings.ToLower(c[1]))] = true
				}
			case strings.HasPrefix(low, "foreign key"), strings.HasPrefix(low, "index"), strings.HasPrefix(low, "family"), strings.HasPrefix(low, "exclude"):
			default:
				f := strings.Fields(low)
				if len(f) == 0 {
					continue
				}
				col := cleanName(f[0])
				t.columns = append(t.columns, col)
				if strings.Contains(low, "primary key") {
					t.pk = []string{col}
				}
				if uniqueWordRe.MatchString(low) {
					t.uniques = append(t.uniques, []string{col})
				}
				if c := checkNonNegRe.FindStringSubmatch(item); c != nil {
					t.checks[cleanName(strings.ToLower(c[1]))] = true
				}
			}
		}
	}
	for _, m := range uniqueIndexRe.FindAllStringSubmatch(src, -1) {
		t := s.table(cleanName(m[1]))
		t.uniques = append(t.uniques, columnList("("+m[2]+")"))
	}
	for _, m := range alterUniqueRe.FindAllStringSubmatch(src, -1) {
		t := s.table(cleanName(m[1]))
		if strings.HasPrefix(strings.ToLower(m[2]), "primary") {
			t.pk = columnList("(" + m[3] + ")")
		} else {
			t.uniques = append(t.uniques, columnList("("+m[3]+")"))
		}
	}
}

func (s *schema) table(name string) *table {
	name = strings.ToLower(name)
	t, ok := s.tables[name]
	if !ok {
		t = &table{name: name, checks: map[string]bool{}}
		s.tables[name] = t
	}
	return t
}

// lookup returns a table or nil.
func (s *schema) lookup(name string) *table {
	if s == nil {
		return nil
	}
	return s.tables[strings.ToLower(name)]
}

// hasUnique reports whether the table has a unique key besides its primary
// key, or a composite or natural primary key (one not filled by a sequence).
func (t *table) hasUnique() bool {
	return t != nil && (len(t.uniques) > 0 || len(t.pk) > 1)
}

// sensitive reports whether the table has columns a client must not see.
func (t *table) sensitive() bool {
	if t == nil {
		return false
	}
	for _, c := range t.columns {
		if sensitiveColRe.MatchString(c) {
			return true
		}
	}
	return false
}

// splitTop splits on commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// columnList reads "(a, b)" from a constraint.
func columnList(s string) []string {
	i := strings.IndexByte(s, '(')
	j := strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return nil
	}
	var out []string
	for _, c := range strings.Split(s[i+1:j], ",") {
		if f := strings.Fields(c); len(f) > 0 {
			out = append(out, cleanName(strings.ToLower(f[0])))
		}
	}
	return out
}

var (
	uniqueWordRe     = regexp.MustCompile(`\bunique\b`)
	sensitiveTableRe = regexp.MustCompile(`(?i)user|account|member|customer|employee|person|people|profile|admin|credential|login|auth|token|session|patient|client|staff`)
)

// selectColumns returns the names a SELECT list yields, in order (the
// alias when there is one).
func selectColumns(info *sqlInfo) []string { return info.cols }

// sensitiveSelect reports whether a SELECT returns columns a client must not
// see: * on a user-like (or, by the schema, sensitive) table, or a password,
// token or secret column by name.
func sensitiveSelect(info *sqlInfo, s *schema) bool {
	if info == nil || info.op != "select" {
		return false
	}
	if !info.sensDone {
		info.sensDone = true
		info.sens = computeSensitive(info, s)
	}
	return info.sens
}

func computeSensitive(info *sqlInfo, s *schema) bool {
	if info.star {
		if t := s.lookup(info.table); t != nil {
			return t.sensitive() || sensitiveTableRe.MatchString(info.table)
		}
		return sensitiveTableRe.MatchString(info.table)
	}
	for _, col := range info.cols {
		if sensitiveColumn(col) {
			return true
		}
	}
	return false
}

// sensitiveColumn reports whether a column name holds a password, token,
// key or secret.
func sensitiveColumn(col string) bool {
	col = strings.ToLower(col)
	for _, w := range []string{"password", "passwd", "secret", "token", "api_key", "apikey", "salt", "otp", "mfa", "totp"} {
		if strings.Contains(col, w) {
			return true
		}
	}
	return strings.HasPrefix(col, "pwd") || col == "ssn"
}
