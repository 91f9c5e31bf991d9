package sqli

import (
	"context"
	"errors"
	"fmt"
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
		return nil
	}
	pts := make([]*point, len(t.points))
	for i := range t.points {
		pts[i] = &t.points[i]
	}
	return probeEach(ctx, pts, func(pt *point) error { return errorPoint(ctx, p, t, pt, base) })
}

func errorPoint(ctx context.Context, p *check.Pass, t *target, pt *point, base *engine.Response) error {
	broken, err := t.send(ctx, p, pt, brk(pt.Base))
	if err != nil {
		return err
	}
	e1 := findDBError(broken.Body)
	if !e1.OK || !injectionKind(e1.Hit.Kind) {
		return nil
	}
	ctxs := []sqlContext{ctxQuoted}
	if pt.Numeric {
		ctxs = []sqlContext{ctxNumeric, ctxQuoted}
	}
	for _, c := range ctxs {
		rv := repaired(c, pt.Base)
		fixed, err := t.send(ctx, p, pt, rv)
		if err != nil {
			return err
		}
		if findDBError(fixed.Body).OK || fixed.Status >= 500 || fixed.Status != base.Status {
			continue // still broken in this context: not the value's own quoting
		}
		vv := versionProbe(c, pt.Base)
		ver, err := t.send(ctx, p, pt, vv)
		if err != nil {
			return err
		}
		reportError(p, t, pt, c, errorProof{broken: broken, fixed: fixed, ver: ver, base: base, e1: e1.Hit, repairedValue: rv, versionValue: vv})
		return nil
	}
	return nil
}

type errorProof struct {
	base, broken, fixed, ver *engine.Response
	e1                       dberr.Hit
	repairedValue            string
	versionValue             string
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
			fmt.Fprintf(&b, "`%s` makes the database evaluate version() and print it: %s %s.", pr.versionValue, hit.Engine, hit.Version)
		} else {
			fmt.Fprintf(&b, "`%s` is evaluated by the database (it fails casting version() to an integer).", pr.versionValue)
		}
	} else {
		b.WriteString("The expression probe (a cast of version()) did not fail, so execution is not shown.")
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
		p.Evidence(pr.ver, "an expression only a database evaluates: CAST(version() AS INT)"),
	}
	f.Curl = p.Curl(pr.ver)
	f.Remediation = valueFix(pt, like)
	p.Report(f)
	provenSet(p).add(pt.Key(t.op), p.Meta.ID)
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
