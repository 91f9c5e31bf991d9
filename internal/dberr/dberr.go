package dberr

import (
	"slices"
	"strings"
)

// Engines Hit.Engine can name.
const (
	CockroachDB = "CockroachDB"
	PostgreSQL  = "PostgreSQL"
	SQLite      = "SQLite"
	MySQL       = "MySQL"
	MariaDB     = "MariaDB"
)

// Engines lists every engine Hit.Engine can name.
var Engines = []string{CockroachDB, PostgreSQL, SQLite, MySQL, MariaDB}

// Hit is one kind of database error found in a body, with what the body
// says about where it came from.
type Hit struct {
	// Engine is CockroachDB or PostgreSQL when the body holds a marker only
	// that engine produces; SQLite, MySQL or MariaDB when the message is
	// worded as only that engine words it (MariaDB when its own wording or
	// version shows: its messages are otherwise MySQL's); "" when the text
	// is shared by PostgreSQL and CockroachDB or comes from another engine.
	Engine string `json:"engine,omitempty"`
	// Version is the engine's version when the body shows it (a version()
	// banner, a go.crdb.dev link), without a leading "v".
	Version string `json:"version,omitempty"`
	Kind    Kind   `json:"kind"`
	// SQLState is set only when the body shows the code, either literally
	// (`SQLSTATE: 22P02`, `ERROR #40001`, `(SQLSTATE 23505)`) or as a driver
	// exception class that stands for exactly one code
	// (psycopg2.errors.UniqueViolation). It is never inferred from the
	// message text, so it can be quoted as evidence.
	SQLState string `json:"sqlstate,omitempty"`
	// Driver is the client library: psycopg2, psycopg, asyncpg, JDBC, pgx,
	// go-pg, lib/pq, PDO, sqlx, sqlite3, PyMySQL, mysqlclient or
	// mysql-connector.
	Driver string `json:"driver,omitempty"`
	// ORM is SQLAlchemy, Django, peewee, Hibernate or Sequelize. SQLAlchemy is
	// reported here and never as Driver: it always sits on a DBAPI driver,
	// which its messages name in parentheses.
	ORM string `json:"orm,omitempty"`
	// PGCompatible says the error belongs to the PostgreSQL wire-protocol
	// family (PostgreSQL, CockroachDB and their drivers) even when Engine
	// cannot say which. It is true whenever Engine is set.
	PGCompatible bool `json:"pgCompatible,omitempty"`
	// Snippet is the matched text with a little context, decoded, at most
	// MaxSnippet bytes: evidence a reader can recognise.
	Snippet string `json:"snippet"`
}

// Match returns the database errors in body, one Hit per Kind, most specific
// first: CockroachDB-only texts, PostgreSQL-only texts, shared texts, other
// engines, then errors known only from a class name or SQLSTATE code; within
// a tier, in order of appearance. It returns nil when there is none.
func Match(body []byte) []Hit {
	if len(body) == 0 {
		return nil
	}
	return matchText(normalize(body))
}

// Find returns the first hit Match would return.
func Find(body []byte) (Hit, bool) {
	hits := Match(body)
	if len(hits) == 0 {
		return Hit{}, false
	}
	return hits[0], true
}

// IsSQLError reports whether body leaks a database error. Version banners,
// driver names and words such as "SQL", "error" or "syntax error" on their
// own never count.
func IsSQLError(body []byte) bool {
	return len(Match(body)) > 0
}

// DetectVersion recognises the output of `SELECT version()` anywhere in
// body (a health endpoint that leaks it, an error-based probe's cast error):
// `CockroachDB CCL v23.1.11 (…)` or `PostgreSQL 16.2 (…) on x86_64-…`, and
// the errors by which SQLI-001's probes make SQLite and MySQL print theirs.
// It is not an error detector: IsSQLError stays false for a bare banner.
func DetectVersion(body []byte) (engine, version string, ok bool) {
	if len(body) == 0 {
		return "", "", false
	}
	t := &text{s: normalize(body)}
	for _, m := range bannerRes {
		if sm := m.p.first(t); sm != nil {
			engine, version = m.engine, t.s[sm[2]:sm[3]]
			if v, maria := mariaDBVersion(version); maria && engine == MySQL {
				engine, version = MariaDB, v
			}
			return engine, version, true
		}
	}
	return "", "", false
}

type span struct{ start, end int }

// acc accumulates one hit while the body is read.
type acc struct {
	kind     Kind
	tier     tier
	first    span   // where the evidence snippet comes from
	spans    []span // every place this kind was seen, for proximity
	pg       bool
	other    bool   // found by another engine's rule: no PostgreSQL-family engine
	own      string // the engine its own wording or class names (SQLite, MySQL)
	code     string
	codeDist int // distance of code's marker; -1 while none
}

// mark is an exception class, SQLSTATE or ORM format: evidence about an
// error, not an error message itself.
type mark struct {
	sp     span
	kind   Kind
	code   string
	pg     bool
	engine string // SQLite or MySQL for those engines' classes and codes
}

// How far a mark may sit from a message and still describe it. Classes come
// just before the message; SQLSTATE suffixes (pgx) follow a CockroachDB
// transaction dump that can run for several hundred bytes.
const (
	markBefore = 300
	markAfter  = 1500
	maxPerRe   = 16
)

func matchText(s string) []Hit {
	t := &text{s: s}
	var hits []*acc
	byKind := make(map[Kind]*acc)
	var crdb, pg bool
	orm := ""
	for i := range rules {
		r := &rules[i]
		locs := r.p.all(t, maxPerRe)
		if r.notAfter != "" {
			locs = slices.DeleteFunc(locs, func(l []int) bool { return strings.HasSuffix(s[:l[0]], r.notAfter) })
		}
		if len(locs) == 0 {
			continue
		}
		switch r.engine {
		case CockroachDB:
			crdb = true
		case PostgreSQL:
			pg = true
		}
		if orm == "" {
			orm = r.orm
		}
		h := byKind[r.kind]
		if h == nil {
			h = &acc{kind: r.kind, tier: r.tier, first: span{locs[0][0], locs[0][1]},
				other: r.tier == tierOther, codeDist: -1}
			if r.tier == tierOther {
				h.own = r.engine
			}
			byKind[r.kind] = h
			hits = append(hits, h)
		}
		h.pg = h.pg || r.pg
		for _, loc := range locs {
			h.spans = append(h.spans, span{loc[0], loc[1]})
		}
	}

	for _, m := range findMarks(t) {
		best, d, near := nearest(hits, m)
		if best == nil {
			best = &acc{kind: m.kind, tier: tierMarker, first: m.sp, spans: []span{m.sp}, codeDist: -1,
				own: m.engine, other: m.engine != ""}
			byKind[m.kind] = best
			hits = append(hits, best)
			d, near = 0, true
		}
		best.pg = best.pg || m.pg
		if best.own == "" && best.other && near {
			best.own = m.engine
		}
		// A code far from its message is still trusted when it can only
		// mean this hit's kind (the third copy on a debugger page).
		trust := near || (m.kind != Other && compatible(best.kind, KindOf(m.code)))
		if m.code != "" && trust && (best.codeDist < 0 || d < best.codeDist) {
			best.code, best.codeDist = m.code, d
		}
	}
	if len(hits) == 0 {
		return nil
	}

	versions := map[string]string{}
	for _, m := range engineMarkers {
		sm := m.p.first(t)
		if sm == nil {
			continue
		}
		if m.engine == CockroachDB {
			crdb = true
		} else {
			pg = true
		}
		if m.version && len(sm) >= 4 && sm[2] >= 0 {
			if v := s[sm[2]:sm[3]]; len(v) > len(versions[m.engine]) {
				versions[m.engine] = v
			}
		}
	}
	engine := ""
	switch {
	case crdb:
		engine = CockroachDB
	case pg:
		engine = PostgreSQL
	}
	maria := false
	for _, m := range otherMarkers {
		sm := m.p.first(t)
		if sm == nil {
			continue
		}
		if m.engine == MariaDB {
			maria = true
			continue
		}
		if v := s[sm[2]:sm[3]]; m.version && len(v) > len(versions[m.engine]) {
			if mv, ok := mariaDBVersion(v); ok {
				maria, v = true, mv
			}
			versions[m.engine] = v
		}
	}
	if maria {
		versions[MariaDB] = versions[MySQL]
	}

	driver, driverPG := "", false
	for _, m := range driverMarkers {
		if m.p.first(t) != nil {
			driver, driverPG = m.name, m.pg
			break
		}
	}
	if orm == "" {
		for _, m := range ormMarkers {
			if m.p.first(t) != nil {
				orm = m.name
				break
			}
		}
	}

	slices.SortStableFunc(hits, func(a, b *acc) int {
		if a.tier != b.tier {
			return int(a.tier) - int(b.tier)
		}
		return a.first.start - b.first.start
	})
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		hit := Hit{
			Kind:     h.kind,
			SQLState: h.code,
			Driver:   driver,
			ORM:      orm,
			Snippet:  snippet(s, h.first.start, h.first.end),
		}
		switch {
		case h.own != "":
			hit.Engine = h.own
			if h.own == MySQL && maria {
				hit.Engine = MariaDB
			}
			hit.Version = versions[hit.Engine]
		case !h.other:
			hit.Engine = engine
			hit.Version = versions[engine]
			hit.PGCompatible = h.pg || engine != "" || driverPG
		}
		out = append(out, hit)
	}
	return out
}

// nearest finds the hit a mark describes: the closest hit of a compatible
// kind, and whether it lies within the window around one of that hit's
// messages (only then may the mark's code be trusted for it). A mark whose
// kind no hit shares gets no hit and founds its own.
func nearest(hits []*acc, m mark) (best *acc, dist int, near bool) {
	for _, h := range hits {
		if !compatible(h.kind, m.kind) {
			continue
		}
		for _, s := range h.spans {
			d, in := gap(s, m.sp)
			switch {
			case in && (!near || d < dist):
				best, dist, near = h, d, true
			case !in && !near && (best == nil || d < dist):
				best, dist = h, d
			}
		}
	}
	return best, dist, near
}

// gap is the distance between a message span and a mark, and whether the
// mark is inside the window around the message.
func gap(msg, m span) (int, bool) {
	switch {
	case m.end <= msg.start:
		d := msg.start - m.end
		return d, d <= markBefore
	case m.start >= msg.end:
		d := m.start - msg.end
		return d, d <= markAfter
	default:
		return 0, true
	}
}

func compatible(hit, m Kind) bool {
	return m == Other || m == hit || (hit == Retry && m == Serialization)
}

func findMarks(t *text) []mark {
	var ms []mark
	s := t.s
	add := func(loc []int, kind Kind, code string, pg bool) {
		if inCode(s, loc[0]) {
			return
		}
		ms = append(ms, mark{sp: span{loc[0], loc[1]}, kind: kind, code: code, pg: pg})
	}
	for _, loc := range pgClassRe.all(t, maxPerRe) {
		code := pgClassCodes[s[loc[4]:loc[5]]]
		add(loc, KindOf(code), code, true)
	}
	for _, loc := range pgBaseClassRe.all(t, maxPerRe) {
		kind := Other
		if s[loc[4]:loc[5]] == "TransactionRollbackError" {
			kind = Serialization
		}
		add(loc, kind, "", true)
	}
	for _, loc := range asyncpgClassRe.all(t, maxPerRe) {
		code := asyncpgClassCodes[s[loc[2]:loc[3]]]
		add(loc, KindOf(code), code, true)
	}
	for _, loc := range sqlaClassRe.all(t, maxPerRe) {
		kind := Other
		if s[loc[2]:loc[3]] == "PendingRollbackError" {
			kind = AbortedTxn
		}
		add(loc, kind, "", false)
	}
	for _, p := range []*pattern{djangoClassRe, peeweeClassRe, jdbcClassRe, sqlaFormatRe} {
		for _, loc := range p.all(t, maxPerRe) {
			add(loc, Other, "", p == jdbcClassRe)
		}
	}
	for _, loc := range sqlaLinkRe.all(t, maxPerRe) {
		add(loc, sqlaLinkKinds[s[loc[2]:loc[3]]], "", false)
	}
	addOther := func(loc []int, kind Kind, code, engine string) {
		if inCode(s, loc[0]) {
			return
		}
		ms = append(ms, mark{sp: span{loc[0], loc[1]}, kind: kind, code: code, engine: engine})
	}
	for _, loc := range sqliteClassRe.all(t, maxPerRe) {
		addOther(loc, Other, "", SQLite)
	}
	classes := mysqlClassRe.all(t, maxPerRe)
	for _, loc := range classes {
		addOther(loc, Other, "", MySQL)
	}
	// `(1064, "…")` alone could be any pair printed by Python (a year and
	// a name): only next to a MySQL driver's class is it an error number.
	if len(classes) > 0 {
		for _, loc := range mysqlTupleRe.all(t, maxPerRe) {
			if k, ok := mysqlCodeKinds[s[loc[2]:loc[3]]]; ok {
				addOther(loc, k, "", MySQL)
			}
		}
	}
	for _, loc := range mysqlConnRe.all(t, maxPerRe) {
		if k, ok := mysqlCodeKinds[s[loc[2]:loc[3]]]; ok {
			code := s[loc[4]:loc[5]]
			if !validSQLState(code) {
				code = ""
			}
			addOther(loc, k, code, MySQL)
		}
	}
	for _, p := range codeRes {
		for _, loc := range p.all(t, maxPerRe) {
			if code := s[loc[2]:loc[3]]; validSQLState(code) {
				add(loc, KindOf(code), code, false)
			}
		}
	}
	// Marks of a definite kind claim their hits first, so a generic class
	// next to them joins rather than founding a hit of its own.
	slices.SortStableFunc(ms, func(a, b mark) int {
		if (a.kind == Other) != (b.kind == Other) {
			if a.kind == Other {
				return 1
			}
			return -1
		}
		return a.sp.start - b.sp.start
	})
	return ms
}

// inCode reports whether pos sits on a line of source code rather than in an
// error message. The Werkzeug debugger shows the code around each frame, and
// `except psycopg2.errors.SerializationFailure:` there says what the app
// handles, not what it raised.
func inCode(text string, pos int) bool {
	ls := strings.LastIndexByte(text[:pos], '\n') + 1
	p := text[ls:pos]
	if j := strings.LastIndexByte(p, '>'); j >= 0 {
		p = p[j+1:]
	}
	p = strings.TrimSpace(p)
	for _, kw := range []string{"except", "from ", "import ", "raise ", "catch", "if ", "elif "} {
		if strings.HasPrefix(p, kw) {
			return true
		}
	}
	return strings.Contains(p, "isinstance(")
}

// String is a one-line summary for logs and evidence notes.
func (h Hit) String() string {
	var b strings.Builder
	b.WriteString(h.Kind.String())
	if h.SQLState != "" {
		b.WriteString(" (SQLSTATE " + h.SQLState + ")")
	}
	if h.Engine != "" {
		b.WriteString(" from " + h.Engine)
		if h.Version != "" {
			b.WriteString(" " + h.Version)
		}
	}
	if h.Driver != "" || h.ORM != "" {
		b.WriteString(" via " + strings.Trim(h.Driver+"/"+h.ORM, "/"))
	}
	b.WriteString(": " + h.Snippet)
	return b.String()
}
