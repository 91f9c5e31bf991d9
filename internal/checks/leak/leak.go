// Package leak finds database errors and stack traces returned to clients.
// On Flask with psycopg2 the usual cause is `return str(e)` (or
// jsonify(error=str(e))) in an except block: the client then reads the SQL,
// the table names and, on CockroachDB, internal keys of the transaction.
package leak

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// DBError is LEAK-001.
var DBError = check.Check{
	Meta: rampart.Meta{
		ID:       "LEAK-001",
		Family:   rampart.FamilyErrorLeak,
		Title:    "Database error returned to the client",
		Severity: rampart.Medium,
		CWE:      "CWE-209",
		OWASP:    "API8:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "malformed input makes the API answer with CockroachDB/PostgreSQL error text",
		Detects: "Responses that carry database error texts (CockroachDB and PostgreSQL messages, psycopg2 and " +
			"SQLAlchemy wrappers, SQLSTATE codes). The text tells an attacker the engine, the query and the " +
			"schema, and is the first step of error-based SQL injection. The engine named in the error feeds " +
			"the scan's fingerprint.",
		Requests: "For each read operation with path or query parameters: one baseline request, then per " +
			"parameter at most four requests with a quote, a double quote, a backslash or both quotes appended to a " +
			"valid value, then at most five values of an unexpected shape chosen by its declared type and format " +
			"(a number: a word, a fraction, -1, a 20-digit integer; text: a non-UUID or an impossible date where the " +
			"format says so, the value in capital letters (an unknown word in capitals when it has no letter), a " +
			"byte that is not UTF-8 or a non-ASCII letter appended, 1,024 characters; in a query also an empty " +
			"value), at most 20 shape requests per operation, stopping at a parameter's first leak. In active mode " +
			"also the writes the SQL injection checks probe (not deletes, logouts, password changes, resets...): " +
			"from a request the API accepts (learned once, at most 4 requests), up to four body fields (text fields " +
			"first), each sent with a quote and a double quote appended when it is text, then with a value of " +
			"another JSON kind (a list for text, text for anything else) and null: at most 16 requests, stopping at " +
			"the first leak; an update is read first and written back afterwards (verified), and one that cannot be " +
			"read is not probed; each accepted probe performs the write.",
		Fix: "Log errors on the server and answer the client with a fixed, generic body: database messages name " +
			"tables, columns and the query around the error, which is a map for an attacker.",
		Doc: "docs/checks.md#leak-001",
	},
	Applies: hasInputs,
	Run:     runDBError,
	Group:   "leak",
}

// Traceback is LEAK-002.
var Traceback = check.Check{
	Meta: rampart.Meta{
		ID:       "LEAK-002",
		Family:   rampart.FamilyErrorLeak,
		Title:    "Python stack trace returned to the client",
		Severity: rampart.Low,
		CWE:      "CWE-209",
		OWASP:    "API8:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "malformed input makes the API answer with a Python traceback",
		Detects: "Responses that carry a Python traceback (`Traceback (most recent call last):` and " +
			"`File \"….py\", line N` frames, also inside a JSON string or HTML): source paths, function names and " +
			"library versions.",
		Requests: "Shares LEAK-001's probes: no extra request.",
		Fix: "Turn debug mode off, do not format exceptions into responses (traceback.format_exc()), and " +
			"register an errorhandler(Exception) that logs and returns a generic body.",
		Doc: "docs/checks.md#leak-002",
	},
	Applies: hasInputs,
	Run:     runTraceback,
	Group:   "leak",
}

var (
	tracebackRe = lazyre.New(`Traceback \(most recent call last\):`)
	// A frame as written, in HTML, or inside a JSON string (a handler that
	// returns traceback.format_exception() as a JSON list).
	frameRe = lazyre.New(`File &quot;[^&]+\.py&quot;, line \d+|File "[^"\n]+\.py", line \d+|File \\"[^"\\\n]+\.py\\", line \d+`)
)

func hasInputs(op *rampart.Operation) bool {
	if op.Method != "GET" {
		return writeInput(op)
	}
	for _, p := range op.Params {
		if p.In == "query" || p.In == "path" {
			return true
		}
	}
	return false
}

// suffixes break the quoting of a value in SQL without being an attack:
// one character that a parameterised query treats as data.
var suffixes = []string{"'", `"`, `\`, `'"`}

// probeResult is what both checks need of one probe: what the body shows,
// worked out once, and an excerpt of the answer for the evidence.
type probeResult struct {
	resp      *engine.Response // an excerpt
	param     string
	value     shape
	hits      []dberr.Hit
	traceback bool
}

// leaked reports whether the answer showed a leak either check reports (a
// transient database error included: the probes of its parameter stop).
func (r probeResult) leaked() bool { return len(r.hits) > 0 || r.traceback }

// probeSet is what the probes of one operation got, and what both checks
// say of their coverage: the probes are sent by whichever runs first, so
// the other cannot tell from its own requests.
type probeSet struct {
	results []probeResult
	// outcome is declared when the probes could not judge the operation:
	// a reason (not tested) or none with a detail (not applicable).
	outcome *outcome
}

type outcome struct {
	reason rampart.Reason
	detail string
}

// declare says the set's outcome in a unit's coverage: tested when a probe
// got an answer to judge and nothing stopped it.
func (s *probeSet) declare(p *check.Pass) {
	switch {
	case s == nil:
	case s.outcome == nil && len(s.results) > 0:
		p.Tested()
	case s.outcome == nil:
	case s.outcome.reason == "":
		p.NotApplicable(s.outcome.detail)
	default:
		p.NotTested(s.outcome.reason, s.outcome.detail)
	}
}

// probes sends the malformed values once per operation; both LEAK-001 and
// LEAK-002 read the same answers.
func probes(ctx context.Context, p *check.Pass) ([]probeResult, error) {
	v, err := p.OnceOp("leak-probes", func() (any, error) {
		set := &probeSet{}
		add := func(resp *engine.Response, param string, v shape) probeResult {
			r := probeResult{resp: p.Excerpt(resp), param: param, value: v, hits: dberr.Match(resp.Body),
				traceback: tracebackRe.Match(resp.Body) && frameRe.Match(resp.Body)}
			set.results = append(set.results, r)
			return r
		}
		if p.Op.Method != http.MethodGet {
			if p.Mode < rampart.Active {
				// A write's probes perform it: active mode only.
				set.outcome = &outcome{rampart.ReasonNeedsActive, "each probe of a write performs it"}
				return set, nil
			}
			why, err := writeProbes(ctx, p, add)
			set.outcome = why
			return set, err
		}
		who := p.FirstUser()
		base, err := p.Send(ctx, who, &engine.Request{Method: "GET", URL: p.URL(p.Op, nil)})
		if err != nil {
			return nil, err
		}
		add(base, "", shape{})
		if base.Status == http.StatusTooManyRequests {
			// Throttled from the first request: the probes would be too.
			r, d := check.AnswerReason(p.Op, who, base.Status, base.Body)
			set.outcome = &outcome{r, d}
			return set, nil
		}
		if base.Status == http.StatusUnauthorized || base.Status == http.StatusForbidden {
			// The malformed values meet the same refusal: they would test
			// the authentication, not the query. They are still sent (an
			// error page may leak before the check).
			r, d := check.AnswerReason(p.Op, who, base.Status, base.Body)
			set.outcome = &outcome{r, d}
		}
		// shapesLeft is the operation's budget of shape probes, spent
		// parameter by parameter in the spec's order.
		shapesLeft := maxShapeRequests
		for _, prm := range p.Op.Params {
			if prm.In != "query" && prm.In != "path" {
				continue
			}
			plain := valueOf(prm)
			var values []shape
			for _, s := range suffixes {
				values = append(values, quoted(fmt.Sprint(plain)+s))
			}
			// After the quotes, values of an unexpected shape.
			values = append(values, paramShapes(prm, plain)...)
			for i, v := range values {
				if i >= len(suffixes) {
					if shapesLeft == 0 {
						break
					}
					shapesLeft--
				}
				resp, err := p.Send(ctx, who, &engine.Request{Method: "GET", URL: p.URL(p.Op, map[string]string{prm.Name: v.value})})
				if err != nil {
					if ctx.Err() != nil {
						return set, ctx.Err()
					}
					if errors.Is(err, engine.ErrThrottled) && set.outcome == nil {
						set.outcome = &outcome{rampart.ReasonThrottled, err.Error()}
						return set, nil
					}
					continue
				}
				if r := add(resp, prm.Name, v); r.leaked() {
					break
				}
			}
		}
		return set, nil
	})
	set, _ := v.(*probeSet)
	set.declare(p)
	if err != nil {
		return nil, err
	}
	if set == nil {
		return nil, nil
	}
	return set.results, nil
}

func valueOf(prm rampart.Param) any {
	if prm.Example != nil {
		return prm.Example
	}
	if prm.Schema != nil {
		if prm.Schema.Example != nil {
			return prm.Schema.Example
		}
		if prm.Schema.Default != nil {
			return prm.Schema.Default
		}
		switch prm.Schema.Type {
		case "integer", "number":
			return 1
		}
	}
	return "rampart"
}

func runDBError(ctx context.Context, p *check.Pass) error {
	res, err := probes(ctx, p)
	for _, r := range res {
		hits := slices.DeleteFunc(slices.Clone(r.hits), transient)
		if len(hits) == 0 {
			continue
		}
		h := hits[0]
		engineName := h.Engine
		if engineName == "" {
			engineName = "the database"
		}
		msg := fmt.Sprintf("%s %s answers with %s error text", p.Op.Method, p.Op.Path, engineName)
		if r.param != "" {
			msg += fmt.Sprintf(" when %q is set to %s", r.param, r.value.desc)
		}
		msg += ": " + strings.TrimSpace(h.Snippet)
		f := p.Finding(msg)
		f.Location.URL = r.resp.RequestURL
		f.Location.Param = r.param
		f.Confidence = rampart.Confirmed
		f.Evidence = []rampart.Evidence{p.Evidence(r.resp, "database error text in the response")}
		f.Curl = p.Curl(r.resp)
		p.Report(f)
		return nil
	}
	return err
}

// transient reports whether an error comes from a conflict with concurrent
// transactions (SQLSTATE 40001): the scan's other requests caused it, not
// the value sent, and the request alone would not replay it. TXN-001 is
// the check that proves what such conflicts do.
func transient(h dberr.Hit) bool { return h.Kind == dberr.Serialization || h.Kind == dberr.Retry }

func runTraceback(ctx context.Context, p *check.Pass) error {
	res, err := probes(ctx, p)
	for _, r := range res {
		if !r.traceback {
			continue
		}
		msg := fmt.Sprintf("%s %s answers with a Python traceback", p.Op.Method, p.Op.Path)
		if r.param != "" {
			msg += fmt.Sprintf(" when %q is set to %s", r.param, r.value.desc)
		}
		f := p.Finding(msg + ": source paths and code are visible to the client.")
		f.Location.URL = r.resp.RequestURL
		f.Location.Param = r.param
		f.Confidence = rampart.Confirmed
		f.Evidence = []rampart.Evidence{p.Evidence(r.resp, "Python traceback in the response")}
		f.Curl = p.Curl(r.resp)
		p.Report(f)
		return nil
	}
	return err
}
