package codescan

import (
	"regexp"
	"strings"
)

// What the rules need to know about one SQL text. It is read with regular
// expressions and a small scanner, not parsed: the texts are the app's own
// queries, and a wrong guess costs a finding's precision, never a crash.
type sqlInfo struct {
	op       string // select, insert, update, delete, upsert, other
	table    string // the main table, lower case, without schema or alias
	upsert   bool   // UPSERT INTO or ON CONFLICT … DO UPDATE
	conflict bool   // ON CONFLICT of any kind
	doWhere  bool   // ON CONFLICT … DO UPDATE … WHERE
	star     bool   // SELECT * or SELECT t.*
	where    string // the WHERE clause, lower case ("" if none)
	sets     []string
	binds    []bind // placeholders in order
	forUpd   bool
	returns  bool // RETURNING
	lower    string
	cols     []string // a SELECT's output names, in order (aliases when given)
	sensDone bool
	sens     bool // selects columns a client must not see (see sensitiveSelect)
}

// bind is a placeholder and the column it is compared with or stored in.
type bind struct {
	column string // lower case, without table prefix; "" if unknown
	name   string // %(name)s or :name
}

var (
	sqlCommentRe = regexp.MustCompile(`(?s)--[^\n]*|/\*.*?\*/`)
	sqlKeywords  = map[string]bool{"select": true, "insert": true, "update": true, "delete": true, "upsert": true,
		"with": true, "create": true, "alter": true, "drop": true, "truncate": true, "merge": true, "replace": true,
		"grant": true, "revoke": true, "copy": true, "show": true, "explain": true, "set": true, "begin": true,
		"commit": true, "rollback": true, "savepoint": true, "declare": true, "call": true, "values": true}
)

// normalizeSQL lower-cases a statement, drops comments and collapses white
// space.
func normalizeSQL(text string) string {
	if strings.Contains(text, "--") || strings.Contains(text, "/*") {
		text = sqlCommentRe.ReplaceAllString(text, " ")
	}
	var b strings.Builder
	b.Grow(len(text))
	space := true
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// firstWord returns the first word of a normalized statement, skipping
// opening parentheses.
func firstWord(s string) string {
	s = strings.TrimLeft(s, "( ")
	i := 0
	for i < len(s) && isIdentChar(s[i]) {
		i++
	}
	return s[:i]
}

// looksLikeSQL reports whether a text starts like a SQL statement.
func looksLikeSQL(s string) bool { return sqlKeywords[firstWord(normalizeSQL(s))] }

// nameAfter returns the (cleaned) identifier after the first occurrence of
// a keyword, "" if there is none.
func nameAfter(s, kw string) string {
	i := wordIndex(s, kw)
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(s[i+len(kw):], " ")
	if strings.HasPrefix(rest, "only ") {
		rest = rest[5:]
	}
	j := 0
	for j < len(rest) && (isIdentChar(rest[j]) || rest[j] == '.' || rest[j] == '"') {
		j++
	}
	return cleanName(rest[:j])
}

// wordIndex finds a keyword (or phrase) as whole words.
func wordIndex(s, kw string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], kw)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(kw)
		if (i == 0 || !isIdentChar(s[i-1])) && (end == len(s) || !isIdentChar(s[end])) {
			return i
		}
		off = i + 1
	}
}

// clause returns the text after a keyword up to the first of the stop
// keywords.
func clause(s, kw string, stops ...string) string {
	i := wordIndex(s, kw)
	if i < 0 {
		return ""
	}
	c := s[i+len(kw):]
	for _, st := range stops {
		if j := wordIndex(c, st); j >= 0 {
			c = c[:j]
		}
	}
	return c
}

// setColumns reads "a = …, b = …" (the columns assigned).
func setColumns(c string) []string {
	var out []string
	for _, item := range splitTop(c) {
		item = strings.TrimSpace(item)
		eq := strings.IndexByte(item, '=')
		if eq <= 0 {
			continue
		}
		out = append(out, cleanName(strings.TrimSpace(item[:eq])))
	}
	return out
}

func parseSQL(text string) *sqlInfo {
	s := normalizeSQL(text)
	info := &sqlInfo{lower: s}
	info.op = firstWord(s)
	if info.op == "with" {
		// WITH … AS (…) main statement: the verb after the last CTE.
		info.op = "select"
		depth, last := 0, -1
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					last = i
				}
			}
		}
		if last >= 0 {
			if w := firstWord(s[last+1:]); w == "insert" || w == "update" || w == "delete" || w == "upsert" {
				info.op = w
			}
		}
	}
	switch info.op {
	case "select", "insert", "update", "delete", "upsert":
	default:
		info.op = "other"
	}
	info.conflict = strings.Contains(s, "on conflict")
	doUpdate := wordIndex(s, "do update set")
	info.upsert = strings.HasPrefix(s, "upsert into") || info.conflict && doUpdate >= 0
	info.doWhere = doUpdate >= 0 && wordIndex(s[doUpdate:], "where") >= 0
	info.forUpd = strings.Contains(s, "for update") || strings.Contains(s, "for no key update") || strings.Contains(s, "for share")
	info.returns = strings.Contains(s, " returning ")
	if info.op == "select" {
		rest := strings.TrimPrefix(strings.TrimLeft(s, "( "), "select ")
		rest = strings.TrimPrefix(rest, "distinct ")
		tok := rest
		if i := strings.IndexAny(rest, " ,"); i >= 0 {
			tok = rest[:i]
		}
		info.star = tok == "*" || strings.HasSuffix(tok, ".*")
		if end := wordIndex(rest, "from"); end >= 0 {
			for _, item := range splitTop(rest[:end]) {
				f := strings.Fields(item)
				if len(f) == 0 {
					info.cols = append(info.cols, "")
				} else {
					info.cols = append(info.cols, cleanName(f[len(f)-1]))
				}
			}
		}
	}
	switch info.op {
	case "insert", "upsert":
		info.table = nameAfter(s, "into")
	case "update":
		if u := wordIndex(s, "update"); u >= 0 && wordIndex(s[u:], "set") >= 0 {
			info.table = nameAfter(s[u:], "update")
		}
		info.sets = setColumns(clause(s, "set", "where", "returning", "from"))
	default:
		info.table = nameAfter(s, "from")
	}
	if info.upsert && doUpdate >= 0 {
		info.sets = setColumns(clause(s[doUpdate:], "do update set", "where", "returning"))
	}
	if i := wordIndex(s, "where"); i >= 0 {
		info.where = s[i+len("where"):]
	}
	info.binds = sqlBinds(s)
	return info
}

func cleanName(s string) string {
	s = strings.Trim(s, `"`)
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[i+1:]
	}
	return strings.Trim(s, `"`)
}

// sqlBinds finds the placeholders of a (lower-cased) SQL text and the column
// each one is compared with or stored in: %s, %(name)s, :name, $1 and ?.
func sqlBinds(s string) []bind {
	var out []bind
	// Columns of INSERT … (cols) VALUES (…), for the placeholders of the
	// first VALUES tuple.
	var insCols []string
	valuesStart, valuesEnd := -1, -1
	if into := wordIndex(s, "into"); into >= 0 {
		open := strings.IndexByte(s[into:], '(')
		vals := wordIndex(s[into:], "values")
		if open >= 0 && vals > open {
			open += into
			closeCols := strings.IndexByte(s[open:], ')')
			if closeCols > 0 {
				for _, c := range strings.Split(s[open+1:open+closeCols], ",") {
					insCols = append(insCols, cleanName(strings.TrimSpace(c)))
				}
				if p := strings.IndexByte(s[into+vals:], '('); p >= 0 {
					valuesStart = into + vals + p + 1
				}
			}
		}
	}
	if valuesStart >= 0 {
		depth := 1
		for i := valuesStart; i < len(s); i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 {
				valuesEnd = i
				break
			}
		}
	}
	inQuote := false
	valIndex := 0 // index of the current element in the VALUES tuple
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		inValues := valuesStart >= 0 && i >= valuesStart && i < valuesEnd
		if inValues {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			case ',':
				if depth == 0 {
					valIndex++
				}
			}
		}
		var b bind
		n := 0
		switch {
		case c == '%' && i+1 < len(s) && s[i+1] == '%':
			i++
			continue
		case c == '%' && i+1 < len(s) && (s[i+1] == 's' || s[i+1] == 'd' || s[i+1] == 'b'):
			n = 2
		case c == '%' && i+1 < len(s) && s[i+1] == '(':
			j := strings.IndexByte(s[i:], ')')
			if j < 0 || i+j+1 >= len(s) {
				continue
			}
			b.name = s[i+2 : i+j]
			n = j + 2
		case c == ':' && i+1 < len(s) && isIdentStart(s[i+1]) && (i == 0 || s[i-1] != ':'):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			b.name = s[i+1 : j]
			n = j - i
		case c == '$' && i+1 < len(s) && s[i+1] >= '1' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			n = j - i
		case c == '?':
			n = 1
		default:
			continue
		}
		if inValues && depth == 0 && valIndex < len(insCols) {
			b.column = insCols[valIndex]
		} else {
			b.column = columnBefore(s[:i])
		}
		out = append(out, b)
		i += n - 1
	}
	return out
}

// columnBefore returns the column in "col = " (or <, LIKE, IN (…) at the end
// of a (lower-case) text.
func columnBefore(s string) string {
	i := len(s)
	skipSpace := func() {
		for i > 0 && (s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == '\n' || s[i-1] == '(') {
			i--
		}
	}
	skipSpace()
	// The operator.
	switch {
	case i >= 2 && (s[i-2:i] == "<>" || s[i-2:i] == "!=" || s[i-2:i] == "<=" || s[i-2:i] == ">="):
		i -= 2
	case i >= 1 && (s[i-1] == '=' || s[i-1] == '<' || s[i-1] == '>'):
		i--
	default:
		word := i
		for word > 0 && isIdentChar(s[word-1]) {
			word--
		}
		switch s[word:i] {
		case "like", "ilike", "in", "any":
			i = word
		default:
			return ""
		}
	}
	skipSpace()
	if i > 0 && s[i-1] == '=' { // = any(
		i--
		skipSpace()
	}
	end := i
	for i > 0 && (isIdentChar(s[i-1]) || s[i-1] == '.' || s[i-1] == '"') {
		i--
	}
	if i == end {
		return ""
	}
	return cleanName(s[i:end])
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// mentions reports whether a clause names a column (as a whole word).
func mentions(clause, column string) bool {
	if clause == "" || column == "" {
		return false
	}
	return wordIndex(clause, column) >= 0
}

// holeContexts says, for each hole in a built SQL string, whether it stands
// for an identifier (a table, a column, a sort direction) or for a value
// (false for the literal parts). Each hole looks at a bounded window of the
// parts around it, and a hole right after another reuses that one's answer:
// a string of a hundred thousand parts costs a hundred thousand windows.
func holeContexts(ps []part) []bool {
	out := make([]bool, len(ps))
	for i := range ps {
		if ps[i].hole {
			out[i] = holeContext(ps, i, out)
		}
	}
	return out
}

// holeContext is holeContexts for hole i, given the answers for the holes
// before it.
func holeContext(ps []part, i int, known []bool) (identifier bool) {
	var pre, post strings.Builder
	start := i - 1
	for n := 0; start > 0; start-- { // only the last few hundred characters matter
		if ps[start].hole {
			n += 3
		} else {
			n += max(len(ps[start].lit), 1)
		}
		if n > 400 {
			break
		}
	}
	if start < 0 {
		start = 0
	}
	for j := start; j < i; j++ {
		if ps[j].hole {
			pre.WriteString(" ? ")
		} else {
			pre.WriteString(ps[j].lit)
		}
	}
	for j := i + 1; j < len(ps) && post.Len() < 40; j++ {
		if ps[j].hole {
			post.WriteString(" ? ")
		} else {
			post.WriteString(ps[j].lit)
		}
	}
	before := strings.ToLower(pre.String())
	if strings.Count(before, "'")%2 == 1 {
		return false // inside a quoted literal
	}
	before = strings.TrimRight(before, " \t\n")
	after := strings.TrimLeft(strings.ToLower(post.String()), " \t\n")
	// A hole after another identifier hole: ORDER BY {col} {direction}.
	if strings.HasSuffix(before, "?") && i > 0 {
		for j := i - 1; j >= start; j-- {
			if ps[j].hole {
				return known[j]
			}
			if strings.TrimSpace(ps[j].lit) != "" {
				break
			}
		}
	}
	for _, op := range []string{"=", "<", ">", "(", "+", "-", "*", "/", "||", " like", " ilike", " limit", " offset", " then", " else", " when", " between", " is", " values", " in"} {
		if strings.HasSuffix(before, op) {
			if op == "(" && (strings.HasSuffix(strings.TrimRight(before[:len(before)-1], " "), "in") || strings.Contains(before, "values")) {
				return false
			}
			if op == "(" {
				// INSERT INTO t ({cols}) and function calls: identifier only
				// right after a table name.
				return sqlIntoTableParenRe.MatchString(before)
			}
			return false
		}
	}
	if strings.HasSuffix(before, ",") {
		// A list: look at the clause it belongs to.
		kw := lastKeyword(before)
		return kw == "select" || kw == "by" || kw == "set" || kw == "into" || kw == "returning" || kw == "distinct"
	}
	kw := lastKeyword(before)
	switch kw {
	case "select", "from", "join", "into", "update", "set", "by", "returning", "distinct", "table", "as", "exists":
		return true
	case "where", "and", "or", "on", "having", "not":
		// WHERE {col} = %s: a column on the left of a comparison.
		return strings.HasSuffix(before, kw) && sqlCompareStartRe.MatchString(after)
	}
	return before == "" && sqlCompareStartRe.MatchString(after)
}

var (
	sqlIntoTableParenRe = regexp.MustCompile(`\binto\s+[\w."]+\s*\($`)
	sqlCompareStartRe   = regexp.MustCompile(`^(=|<|>|!=|<>|like\b|ilike\b|in\b|is\b|between\b|asc\b|desc\b|,)`)
)

var lastKeywords = map[string]bool{"select": true, "from": true, "join": true, "into": true, "update": true,
	"set": true, "where": true, "and": true, "or": true, "on": true, "having": true, "values": true, "by": true,
	"limit": true, "offset": true, "returning": true, "distinct": true, "table": true, "as": true, "not": true,
	"exists": true}

// lastKeyword returns the last clause keyword of a (lower-case) text.
func lastKeyword(s string) string {
	end := len(s)
	for end > 0 {
		for end > 0 && !isIdentChar(s[end-1]) {
			end--
		}
		start := end
		for start > 0 && isIdentChar(s[start-1]) {
			start--
		}
		if w := s[start:end]; lastKeywords[w] {
			return w
		}
		end = start
	}
	return ""
}
