package sqli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// A name taken from the request and put into SQL as a table or column
// (ORDER BY {sort}, FROM {table}) cannot be bound as a parameter, so it is
// the injection that survives in code that binds every value. Its oracle
// compares spellings that only a SQL parser reads as the same name: the
// quoted identifier "price" and price/**/ are the column price to
// PostgreSQL and CockroachDB, and unknown to an allowlist,
// an ORM attribute lookup or psycopg2.sql.Identifier.

// identWords are parameter-name words that say the value names a column or
// a table.
var identWords = map[string]bool{
	"sort": true, "sorting": true, "order": true, "orderby": true, "sortby": true, "ordering": true,
	"column": true, "columns": true, "col": true, "cols": true, "field": true, "fields": true,
	"table": true, "tables": true, "tablename": true, "dataset": true, "collection": true,
	"entity": true, "groupby": true, "group": true, "attribute": true, "attr": true,
	"dimension": true, "metric": true,
}

// identDesc finds the same meaning in a parameter's description.
var identDesc = lazyre.New(`(?i)\b(?:sort(?:ed|ing)?\s+(?:order|by|field|column|key)|order(?:ed)?\s+by|column(?:\s+name)?|table(?:\s+name)?|dataset)\b`)

// identValue splits a sort or name value: an optional direction prefix, the
// identifier, and an optional suffix (a direction, more sort keys).
var identValue = lazyre.New(`^([-+]?)([A-Za-z_][A-Za-z0-9_]{0,62})((?:[ :.](?i:asc|desc))?(?:,.*)?)$`)

// backticked are values a description lists: "one of `daily`, `monthly`".
var backticked = lazyre.New("`([-+]?[A-Za-z_][A-Za-z0-9_]{0,62})`")

func identCandidate(name, desc string) bool {
	ws := surface.Words(name)
	joined := strings.Join(ws, "")
	if identWords[joined] {
		return true
	}
	for _, w := range ws {
		if identWords[w] {
			return true
		}
	}
	return identDesc.MatchString(desc)
}

// identApplies selects operations with a parameter or body field that
// looks like a name: sort, order, column, field, table.
func identApplies(op *rampart.Operation) bool {
	if !applicable(op) {
		return false
	}
	for _, p := range op.Params {
		if injectableParam(p) && identCandidate(p.Name, paramDesc(p)) {
			return true
		}
	}
	if op.Body != nil && op.Body.Schema != nil && op.Method != "GET" {
		for k, s := range op.Body.Schema.Properties {
			d := ""
			if s != nil {
				d = s.Description
			}
			if identCandidate(k, d) {
				return true
			}
		}
	}
	return false
}

func paramDesc(p rampart.Param) string {
	if p.Schema != nil {
		return p.Schema.Description
	}
	return ""
}

// identShape is a value cut into prefix, name and suffix.
type identShape struct{ prefix, name, suffix string }

func (s identShape) with(name string) string { return s.prefix + name + s.suffix }

func parseIdent(v string) (identShape, bool) {
	m := identValue.FindStringSubmatch(v)
	if m == nil {
		return identShape{}, false
	}
	return identShape{prefix: m[1], name: m[2], suffix: m[3]}, true
}

// identValues lists the valid names to try for a point: the value the
// baseline sends, then documented ones (examples, enum, backticked words
// of the description).
func identValues(pt *point) []identShape {
	var out []identShape
	seen := map[string]bool{}
	add := func(v string) {
		if seen[v] || len(out) >= 3 {
			return
		}
		seen[v] = true
		if s, ok := parseIdent(v); ok {
			out = append(out, s)
		}
	}
	add(pt.Base)
	for _, a := range pt.Alt {
		add(a)
	}
	for _, m := range backticked.FindAllStringSubmatch(pt.Desc, 8) {
		add(m[1])
	}
	return out
}

// unknownName is a column or table name that exists nowhere, stable per
// point so that evidence is reproducible.
func unknownName(key string) string {
	h := sha256.Sum256([]byte(key))
	return "rmpt_" + hex.EncodeToString(h[:])[:6]
}

// runIdentifier is SQLI-003.
func runIdentifier(ctx context.Context, p *check.Pass) error {
	t, err := newTarget(ctx, p, p.Op)
	if errors.Is(err, errNoTarget) {
		declareNoTarget(p, err)
		return nil
	}
	if err != nil {
		return err
	}
	var todo []*point
	for _, pt := range unproven(p, t) {
		if identCandidate(lastName(pt.Name), pt.Desc) {
			todo = append(todo, pt)
		}
	}
	if len(todo) == 0 {
		p.NotApplicable(noIdentifier(t))
		return nil
	}
	p.Tested()
	return probeEach(ctx, todo, func(pt *point) error { return identPoint(ctx, p, t, pt) })
}

// noIdentifier says why no point of t was probed: none names a column or
// table, or the ones that do were already proved.
func noIdentifier(t *target) string {
	for _, pt := range t.points {
		if identCandidate(lastName(pt.Name), pt.Desc) {
			return allProven
		}
	}
	return "no value names a column or table (sort, order_by, column, field, table)"
}

// lastName is a body field's own name (the last part of its path).
func lastName(dotted string) string {
	if i := strings.LastIndexByte(dotted, '.'); i >= 0 {
		return dotted[i+1:]
	}
	return dotted
}

type identProbe struct {
	value string
	resp  *engine.Response
	note  string
}

func identPoint(ctx context.Context, p *check.Pass, t *target, pt *point) error {
	for _, shape := range identValues(pt) {
		valid := shape.with(shape.name)
		b1, err := t.send(ctx, p, pt, valid)
		if err != nil {
			return err
		}
		if e := findDBError(b1.Body); e.OK && !e.Hit.Kind.Transactional() || !e.OK && b1.Status >= 400 {
			// Not a name the operation knows (an allowlist's 400, or the
			// database's "does not exist"): try a documented one. A
			// transaction error is kept: every name gets it, and parse
			// errors still show through it.
			continue
		}
		b2, err := t.send(ctx, p, pt, valid)
		if err != nil {
			return err
		}
		base := newView(b1.Status, b1.Body, "", "")
		nz, stable := learnNoise(base, newView(b2.Status, b2.Body, "", ""))
		healthy := stable && b1.Status < 400 && !findDBError(b1.Body).OK

		// Spellings of the same name that only SQL accepts. A slash would
		// split a path segment, so path parameters get the quoted form only.
		exprs := []string{shape.with(identDialect(p).identQuote(shape.name))}
		if pt.In != inPath {
			exprs = append(exprs, shape.with(shape.name+"/**/"))
		}
		var probes []identProbe
		sameAll := healthy
		for _, e := range exprs {
			r, err := t.send(ctx, p, pt, e)
			if err != nil {
				return err
			}
			v := newView(r.Status, r.Body, e, valid)
			probes = append(probes, identProbe{value: e, resp: r, note: "the same name spelled as SQL reads it"})
			if !same(base, v, nz) {
				sameAll = false
			}
		}
		bogus := shape.with(unknownName(pt.Key(t.op)))
		inv, err := t.send(ctx, p, pt, bogus)
		if err != nil {
			return err
		}
		invView := newView(inv.Status, inv.Body, bogus, valid)
		invalid := identProbe{value: bogus, resp: inv, note: "a name that exists nowhere"}
		if sameAll && !same(base, invView, nz) {
			reportIdent(p, t, pt, identProof{valid: valid, base: b1, exprs: probes, invalid: invalid, semantic: true})
			return nil
		}
		// The syntactic proof: an unbalanced identifier quote fails to
		// parse while the balanced spellings parse. It also holds when the
		// endpoint answers every valid statement with an error (a
		// transaction left aborted reports 25P02 only after parsing).
		broken := shape.with(shape.name + `"`)
		br, err := t.send(ctx, p, pt, broken)
		if err != nil {
			return err
		}
		hit, isSyntax := syntaxError(br.Body)
		if !isSyntax {
			return nil
		}
		for _, pr := range append([]identProbe{invalid}, probes...) {
			if _, s := syntaxError(pr.resp.Body); s {
				return nil // everything fails to parse: not this quote's doing
			}
		}
		if _, s := syntaxError(b1.Body); s {
			return nil
		}
		reportIdent(p, t, pt, identProof{valid: valid, base: b1, exprs: probes, invalid: invalid,
			broken: &identProbe{value: broken, resp: br, note: "an unbalanced identifier quote"}, syntax: hit,
			aborted: !healthy && findDBError(b1.Body).OK})
		return nil
	}
	return nil
}

// identDialect is the dialect whose identifier quotes the spellings use:
// the fingerprint's engine when it knows one (MySQL quotes with
// backticks, and reads "name" as a string), standard SQL otherwise.
func identDialect(p *check.Pass) *dialect {
	if ds := candidates(p, ""); len(ds) == 1 {
		return ds[0]
	}
	return dialectPG
}

type identProof struct {
	valid    string
	base     *engine.Response
	exprs    []identProbe
	invalid  identProbe
	broken   *identProbe
	syntax   dberr.Hit
	semantic bool // proved by answers, not by error texts
	aborted  bool // every valid statement already fails (e.g. 25P02)
}

func reportIdent(p *check.Pass, t *target, pt *point, pr identProof) {
	var hit *dberr.Hit
	if pr.broken != nil {
		hit = &pr.syntax
	} else if e := findDBError(pr.invalid.resp.Body); e.OK {
		hit = &e.Hit
	}
	st := stackOf(p, hit)
	var vals []string
	for _, e := range pr.exprs {
		vals = append(vals, "`"+e.value+"`")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s is put into the SQL text as a name (table or column). ", t.op.Method, t.op.Path, pt.label())
	if pr.semantic {
		fmt.Fprintf(&b, "%s, spellings of `%s` that only a SQL parser reads as the same name, are answered like `%s` itself; "+
			"the unknown name `%s` is not (%d", strings.Join(vals, " and "), pr.valid, pr.valid, pr.invalid.value, pr.invalid.resp.Status)
		if e := findDBError(pr.invalid.resp.Body); e.OK {
			fmt.Fprintf(&b, ": %q", errText(e.Hit))
		}
		b.WriteString("). An allowlist or an ORM attribute lookup would reject the quoted spellings.")
	} else {
		fmt.Fprintf(&b, "`%s`, with an unbalanced identifier quote, makes %s fail to parse the statement (%q), while %s "+
			"and the unknown name `%s` parse.", pr.broken.value, st.engineName(), errText(pr.syntax),
			strings.Join(vals, " and "), pr.invalid.value)
		if pr.aborted {
			b.WriteString(" The operation currently answers every valid name with a database error " +
				"(the transaction of a shared connection was left aborted), which hides results but not parse errors.")
		}
	}
	b.WriteString(" Anyone who can call it can add subqueries to the statement and read other tables.")
	f := p.Finding(b.String())
	f.Location.Param = pt.Name
	f.Key = pt.In + ":" + pt.Name
	f.Confidence = rampart.Confirmed
	f.Evidence = append(f.Evidence, p.Evidence(pr.base, "the valid name"))
	for _, e := range pr.exprs {
		f.Evidence = append(f.Evidence, p.Evidence(e.resp, e.note))
	}
	f.Evidence = append(f.Evidence, p.Evidence(pr.invalid.resp, pr.invalid.note))
	last := pr.exprs[0].resp
	if pr.broken != nil {
		f.Evidence = append(f.Evidence, p.Evidence(pr.broken.resp, pr.broken.note))
		last = pr.broken.resp
	}
	f.Location.URL = last.RequestURL
	f.Curl = p.Curl(last)
	f.Remediation = identifierFix(pt)
	p.Report(f)
	provenSet(p).add(pt.Key(t.op), p.Meta.ID)
}
