package sqli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
	"github.com/rampart-sec/rampart/internal/engine"
)

// runError is SQLI-001: a quote that breaks the statement, a repaired
// value that does not, and an expression whose evaluation error names the
// engine.
func runError(ctx context.Context, p *check.Pass) error {
	t, err := newTarget(ctx, p, p.Op)
	if errors.Is(err, errNoTarget) {
		declareNoTarget(p, err)
		return nil
	}
	if err != nil {
		return err
	}
	base, err := t.send(ctx, p, nil, "")
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	if findDBError(base.Body).OK {
		// The valid request already fails in the database (an aborted
		// transaction, a broken query): no probe can show its own error.
		p.NotTested(rampart.ReasonError, "the valid request already answers a database error")
		return nil
	}
	judged(p, t, base)
	pts := make([]*point, len(t.points))
	for i := range t.points {
		pts[i] = &t.points[i]
	}
	return probeEach(ctx, pts, func(pt *point) error { return errorPoint(ctx, p, t, pt, base) })
}

func errorContexts(pt *point) []sqlContext {
	if pt.Numeric {
		return []sqlContext{ctxNumeric, ctxQuoted}
	}
	return []sqlContext{ctxQuoted}
}

func errorPoint(ctx context.Context, p *check.Pass, t *target, pt *point, base *engine.Response) error {
	broken, err := t.send(ctx, p, pt, brk(pt.Base))
	if err != nil {
		return err
	}
	e1 := findDBError(broken.Body)
	switch {
	case e1.OK && injectionKind(e1.Hit.Kind):
		return textPair(ctx, p, t, pt, base, broken, e1.Hit)
	case !e1.OK && broken.Status >= 500 && base.Status < 500:
		return barePair(ctx, p, t, pt, base, broken)
	}
	return nil
}

// repairs lists a context's repaired values for the dialects worth trying,
// each once: PostgreSQL and SQLite share theirs, numbers repair the same
// everywhere.
type repair struct {
	value    string
	dialects []*dialect
}

func repairs(c sqlContext, v string, ds []*dialect) []repair {
	var out []repair
	for _, d := range ds {
		rv := d.repaired(c, v)
		found := false
		for i := range out {
			if out[i].value == rv {
				out[i].dialects = append(out[i].dialects, d)
				found = true
			}
		}
		if !found {
			out = append(out, repair{value: rv, dialects: []*dialect{d}})
		}
	}
	return out
}

// textPair is the proof when the broken value shows a database error: the
// repaired value must be answered like the original without any, and the
// version probe makes the engine evaluate an expression and print its
// version.
func textPair(ctx context.Context, p *check.Pass, t *target, pt *point, base, broken *engine.Response, e1 dberr.Hit) error {
	for _, c := range errorContexts(pt) {
		for _, rp := range repairs(c, pt.Base, candidates(p, e1.Engine)) {
			fixed, err := t.send(ctx, p, pt, rp.value)
			if err != nil {
				return err
			}
			if findDBError(fixed.Body).OK || fixed.Status >= 500 || fixed.Status != base.Status {
				continue // still broken in this context: not the value's own quoting
			}
			// The dialects that read this repair alike (PostgreSQL and
			// SQLite) print their version differently: ask each until one
			// answers with a database error.
			var ver *engine.Response
			vv := ""
			for _, d := range rp.dialects {
				vv = d.versionProbe(c, pt.Base)
				ver, err = t.send(ctx, p, pt, vv)
				if err != nil {
					return err
				}
				if findDBError(ver.Body).OK {
					break
				}
			}
			pr := errorProof{broken: broken, fixed: fixed, ver: ver, base: base, e1: e1, repairedValue: rp.value, versionValue: vv}
			if !findDBError(ver.Body).OK {
				// SQLite evaluates lazily: a condition no row reaches (the
				// password of a user that does not exist) never runs the
				// version probe. Names are resolved before anything runs.
				if err := pr.functions(ctx, p, t, pt, c, rp.dialects[0], base); err != nil {
					return err
				}
			}
			reportError(p, t, pt, c, pr)
			return nil
		}
	}
	return nil
}

type errorProof struct {
	base, broken, fixed, ver *engine.Response
	e1                       dberr.Hit
	repairedValue            string
	versionValue             string
	// known and unknown are the function pair, sent when the version probe
	// showed nothing; unknown is set only when the pair held.
	known, unknown           *engine.Response
	knownValue, unknownValue string
}

// functions is the second proof of execution when the version probe shows
// nothing: the value with a known function is answered like the original,
// with an unknown one the database fails to resolve it.
func (pr *errorProof) functions(ctx context.Context, p *check.Pass, t *target, pt *point, c sqlContext, d *dialect, base *engine.Response) error {
	kv, uv := d.functionPair(c, pt.Base)
	known, err := t.send(ctx, p, pt, kv)
	if err != nil {
		return err
	}
	if findDBError(known.Body).OK || known.Status != base.Status {
		return nil
	}
	unknown, err := t.send(ctx, p, pt, uv)
	if err != nil {
		return err
	}
	if findDBError(unknown.Body).OK {
		pr.known, pr.unknown, pr.knownValue, pr.unknownValue = known, unknown, kv, uv
	}
	return nil
}

func reportError(p *check.Pass, t *target, pt *point, c sqlContext, pr errorProof) {
	hit := pr.e1
	ev := findDBError(pr.ver.Body)
	if eng, ver, ok := dberr.DetectVersion(pr.ver.Body); ok {
		hit.Engine, hit.Version = eng, ver
	} else if ev.OK && ev.Hit.Engine != "" && hit.Engine == "" {
		hit.Engine = ev.Hit.Engine
	}
	if ev.OK {
		if hit.Driver == "" {
			hit.Driver = ev.Hit.Driver
		}
		if hit.ORM == "" {
			hit.ORM = ev.Hit.ORM
		}
	}
	st := stackOf(p, &hit)
	like := inLikePattern(pr.broken.Body, pt.Base)

	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s is injectable (error-based, %s context, %s). `%s` makes the database fail: %q. ",
		t.op.Method, t.op.Path, pt.label(), contextName(c, like), st.engineName(), brk(pt.Base), errText(hit))
	fmt.Fprintf(&b, "The repaired value `%s`, which SQL reads as the original value, is answered %d like the original. ",
		pr.repairedValue, pr.fixed.Status)
	conf := rampart.Firm
	if ev.OK {
		conf = rampart.Confirmed
		if hit.Version != "" {
			fmt.Fprintf(&b, "`%s` makes the database evaluate an expression and print its version: %s %s.", pr.versionValue, hit.Engine, hit.Version)
		} else {
			fmt.Fprintf(&b, "`%s` is evaluated by the database (the expression fails: %q).", pr.versionValue, errText(ev.Hit))
		}
	} else if pr.unknown != nil {
		conf = rampart.Confirmed
		fmt.Fprintf(&b, "`%s` is answered like the original while `%s`, the same text with a function name no database has, "+
			"makes the database fail (%q): it resolves the names in the value.", pr.knownValue, pr.unknownValue,
			errText(findDBError(pr.unknown.Body).Hit))
	} else {
		b.WriteString("The expression probe (the engine's version in an error) did not fail, so execution is not shown.")
	}
	if st.driver != "" || st.orm != "" {
		fmt.Fprintf(&b, " Driver: %s.", strings.Trim(st.driver+" "+st.orm, " "))
	}
	f := p.Finding(b.String())
	f.Location.URL = pr.broken.RequestURL
	f.Location.Param = pt.Name
	f.Key = pt.In + ":" + pt.Name
	f.Confidence = conf
	f.Evidence = []rampart.Evidence{
		p.Evidence(pr.broken, "a quote appended to the value breaks the SQL statement"),
		p.Evidence(pr.fixed, "the quote balanced again ("+c.String()+" context): answered like the original value"),
		p.Evidence(pr.ver, "an expression only a database evaluates: the engine's version in an error"),
	}
	if pr.unknown != nil {
		f.Evidence = append(f.Evidence,
			p.Evidence(pr.known, "a function every database knows: answered like the original"),
			p.Evidence(pr.unknown, "a function no database has: the database fails to resolve it"))
	}
	f.Curl = p.Curl(pr.ver)
	f.Remediation = valueFix(pt, like)
	p.Report(f)
	provenSet(p).add(pt.Key(t.op), p.Meta.ID)
}

// normal reports whether an answer is an ordinary one: not a server error,
// not throttling.
func normal(r *engine.Response) bool {
	return r.Status < 500 && r.Status != http.StatusTooManyRequests && !findDBError(r.Body).OK
}

// barePair is the proof when the broken value gets a server error with no
// database text (a bare 500, a traceback page of the framework): errors
// are hidden, but the statement still fails. The guards keep an endpoint
// that fails on anything out: the broken answer must fail twice; the
// repaired value, which only SQL reads as the original, must be answered
// normally; in a quoted context a lone double quote (harmless inside a SQL
// string, fatal to a shell-like parser) must be answered normally. That is
// firm. It is confirmed when a second signal holds: the same value with a
// known function is answered normally and with an unknown one fails, which
// only a database resolving names explains.
func barePair(ctx context.Context, p *check.Pass, t *target, pt *point, base, broken *engine.Response) error {
	again, err := t.send(ctx, p, pt, brk(pt.Base))
	if err != nil {
		return err
	}
	if again.Status < 500 {
		return nil // it failed once: not the quote's doing
	}
	for _, c := range errorContexts(pt) {
		for _, rp := range repairs(c, pt.Base, candidates(p, "")) {
			fixed, err := t.send(ctx, p, pt, rp.value)
			if err != nil {
				return err
			}
			if !normal(fixed) {
				continue
			}
			// A third failure of the broken value, after a normal answer:
			// an endpoint that fails now and then rarely fails three times
			// on cue.
			third, err := t.send(ctx, p, pt, brk(pt.Base))
			if err != nil {
				return err
			}
			if third.Status < 500 {
				return nil
			}
			pr := bareProof{base: base, broken: broken, fixed: fixed, repairedValue: rp.value}
			if c != ctxNumeric {
				pr.guardValue = pt.Base + `"`
				g, err := t.send(ctx, p, pt, pr.guardValue)
				if err != nil {
					return err
				}
				if !normal(g) {
					return nil // any stray quote fails: not SQL's quoting
				}
				pr.guard = g
			}
			for _, d := range rp.dialects {
				kv, uv := d.functionPair(c, pt.Base)
				known, err := t.send(ctx, p, pt, kv)
				if err != nil {
					return err
				}
				if !normal(known) {
					continue
				}
				unknown, err := t.send(ctx, p, pt, uv)
				if err != nil {
					return err
				}
				if unknown.Status >= 500 {
					pr.known, pr.unknown, pr.knownValue, pr.unknownValue, pr.dialect = known, unknown, kv, uv, d
					break
				}
			}
			if pr.unknown != nil {
				if err := pr.identify(ctx, p, t, pt, c, rp.dialects); err != nil {
					return err
				}
			}
			reportBare(p, t, pt, c, pr)
			return nil
		}
	}
	return nil
}

type bareProof struct {
	base, broken, fixed      *engine.Response
	repairedValue            string
	guard                    *engine.Response
	guardValue               string
	known, unknown           *engine.Response // the second signal, when it held
	knownValue, unknownValue string
	dialect                  *dialect
	// engine is what the answers showed the database to be, "" when they
	// could not tell; how says why.
	engine, how string
}

// identify names the engine of a confirmed pair whose errors are hidden:
// MySQL alone reads adjacent literals as one string; between the engines
// that concatenate with ||, a function only one of them has is answered
// normally by it alone. What it finds goes to the fingerprint, which picks
// the remediation.
func (pr *bareProof) identify(ctx context.Context, p *check.Pass, t *target, pt *point, c sqlContext, ds []*dialect) error {
	if len(ds) == 1 && ds[0] == dialectMySQL {
		pr.engine, pr.how = dberr.MySQL, "it reads `"+pr.repairedValue+"` (adjacent string literals) as the original value, which only MySQL and MariaDB do"
	}
	if len(ds) > 1 {
		// MySQL reads || as OR, so it may have taken the concatenating
		// repair too: it is asked last.
		for _, d := range []*dialect{dialectSQLite, dialectPG, dialectMySQL} {
			v := d.ownForm(c, pt.Base)
			r, err := t.send(ctx, p, pt, v)
			if err != nil {
				return err
			}
			if normal(r) {
				pr.engine = d.engines[0]
				pr.how = "it accepts `" + v + "`, which only " + d.name + " reads as the original value"
				break
			}
		}
	}
	if pr.engine != "" && p.Stack != nil {
		p.Stack.Infer(pr.engine, "SQL injection with hidden errors at "+t.op.Key()+": "+pr.how)
	}
	return nil
}

func reportBare(p *check.Pass, t *target, pt *point, c sqlContext, pr bareProof) {
	st := stackOf(p, &dberr.Hit{Engine: pr.engine})
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s is injectable (error-based, %s context, %s; errors hidden). `%s` makes the operation fail "+
		"with %d and no database text, twice; the repaired value `%s`, which SQL reads as the original value, is answered %d.",
		t.op.Method, t.op.Path, pt.label(), c, st.engineName(), brk(pt.Base), pr.broken.Status, pr.repairedValue, pr.fixed.Status)
	if pr.guard != nil {
		fmt.Fprintf(&b, " A lone double quote (`%s`), harmless inside a SQL string, is answered %d, so not every stray quote fails.",
			pr.guardValue, pr.guard.Status)
	}
	conf := rampart.Firm
	if pr.unknown != nil {
		conf = rampart.Confirmed
		fmt.Fprintf(&b, " `%s` is answered %d while `%s`, the same text with a function name no database has, fails with %d: "+
			"a database parses the value and resolves its function names.", pr.knownValue, pr.known.Status, pr.unknownValue,
			pr.unknown.Status)
		if pr.engine != "" {
			fmt.Fprintf(&b, " The engine is %s: %s.", pr.engine, pr.how)
		}
	} else {
		b.WriteString(" A second signal (a known against an unknown function name) did not hold, so the finding is firm.")
	}
	f := p.Finding(b.String())
	f.Location.URL = pr.broken.RequestURL
	f.Location.Param = pt.Name
	f.Key = pt.In + ":" + pt.Name
	f.Confidence = conf
	f.Evidence = []rampart.Evidence{
		p.Evidence(pr.broken, "a quote appended to the value: a server error without database text"),
		p.Evidence(pr.fixed, "the quote balanced again ("+c.String()+" context): answered normally"),
	}
	if pr.guard != nil {
		f.Evidence = append(f.Evidence, p.Evidence(pr.guard, "a lone double quote: answered normally"))
	}
	if pr.unknown != nil {
		f.Evidence = append(f.Evidence,
			p.Evidence(pr.known, "a function every database knows: answered normally"),
			p.Evidence(pr.unknown, "a function no database has: the statement fails"))
	}
	f.Curl = p.Curl(pr.broken)
	f.Remediation = valueFix(pt, false)
	p.Report(f)
	if conf == rampart.Confirmed {
		// A firm point stays open: the boolean and time-based checks may
		// still confirm it.
		provenSet(p).add(pt.Key(t.op), p.Meta.ID)
	}
}

func contextName(c sqlContext, like bool) string {
	if like && c != ctxNumeric {
		return ctxLike.String()
	}
	return c.String()
}

// inLikePattern guesses from an error's quoted SQL whether the value sits in
// a LIKE pattern, which changes the fix (its wildcards need escaping).
func inLikePattern(body []byte, v string) bool {
	s := strings.ToLower(unescapeJSONish(body))
	v = strings.ToLower(v)
	return strings.Contains(s, "like '%"+v) || strings.Contains(s, "like '"+v+"%")
}

// errText is an error's message as a reader wants to see it: without the
// JSON quoting the body put around it, on one line, short.
func errText(h dberr.Hit) string {
	s := unescapeJSONish([]byte(h.Snippet))
	// The snippet may start inside the JSON that carried the message.
	if i := strings.Index(s, `": "`); i >= 0 && i < 40 {
		s = s[i+4:]
	}
	s = strings.Trim(s, "\" \n\t{}")
	return clean(s, 200)
}

// clean keeps attacker-influenced text printable and short.
func clean(s string, limit int) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if b.Len() >= limit {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
