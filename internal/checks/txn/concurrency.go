package txn

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/dberr"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
)

// On CockroachDB (and PostgreSQL at SERIALIZABLE) concurrent writes to the
// same rows fail with SQLSTATE 40001 and must be retried by the client: a
// Flask view without a retry loop turns that into a 500, often with the
// driver's text ("restart transaction: TransactionRetryWithProtoRefreshError",
// "could not serialize access due to concurrent update"). One request at a
// time never shows it; a synchronised burst of the same write does.

const txnBurst = 10

// txnRounds is how many bursts are tried before concluding: the first
// usually suffices; a second catches a scheduler that serialised the first.
const txnRounds = 2

func txnApplies(op *rampart.Operation) bool { return writes(op) }

// transactional reports whether a body carries a retry or aborted
// transaction error, and which.
func transactional(body []byte) (dberr.Hit, bool) {
	for _, h := range dberr.Match(body) {
		if h.Kind.Transactional() {
			return h, true
		}
	}
	return dberr.Hit{}, false
}

// serverFailure is a 5xx that is not the documented "busy, retry later"
// answer (503 with Retry-After): that one is how a correct app reports a
// transaction it gave up retrying.
func serverFailure(r *engine.Response) bool {
	if r == nil || r.Status < 500 {
		return false
	}
	return !(r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "")
}

// uniqueViolation says a failure is a unique key's: copies of one create
// collide on a value, not on a transaction, and no retry would help.
func uniqueViolation(body []byte) bool {
	for _, h := range dberr.Match(body) {
		if h.Kind == dberr.Unique {
			return true
		}
	}
	return false
}

func runTxn001(ctx context.Context, p *check.Pass) error {
	who := p.FirstUser()
	if who == nil && !p.Op.Public() {
		p.NotTested(rampart.ReasonNeedsIdentity, "needs an authenticated identity to send the write")
		return nil
	}
	n := min(txnBurst, p.Client.MaxBurst())
	if n < 2 {
		p.NotTested(rampart.ReasonExcluded, noBurst)
		return nil
	}
	r := prepare(p, p.Op, nil)
	orig, err := remember(ctx, p, who, r)
	if err != nil {
		return err
	}
	jan := fixture.Track(p, who, p.Op)
	var restoreNote string
	defer func() {
		cctx := context.WithoutCancel(ctx)
		restoreNote = restore(cctx, p, orig, who, r)
		jan.Cleanup(cctx)
	}()

	// One request alone first: the burst is only meaningful for a write
	// that succeeds on its own.
	first, err := p.Send(ctx, who, r.engineRequest(keyHeader(p.Op), keyOrEmpty(p.Op)))
	if err != nil {
		return err
	}
	jan.Add(first)
	if !ok2xx(first) {
		p.NotTestedBy(p.Op, who, first.Status, first.Body)
		return nil
	}
	p.Tested()

	var (
		statuses []int
		leaked   []*engine.Response
		failed   []*engine.Response
		hit      dberr.Hit
		rounds   int
	)
	for rounds = 1; rounds <= txnRounds; rounds++ {
		reqs := make([]*engine.Request, n)
		for i := range reqs {
			// Distinct keys: these are distinct requests that happen to run
			// at once, as from several clients, not replays of one.
			reqs[i] = r.engineRequest(keyHeader(p.Op), keyOrEmpty(p.Op))
		}
		res, err := p.Burst(ctx, who, reqs)
		if err != nil {
			return err
		}
		for _, br := range res {
			if br.Resp == nil {
				statuses = append(statuses, 0)
				continue
			}
			statuses = append(statuses, br.Resp.Status)
			jan.Add(br.Resp)
			if h, ok := transactional(br.Resp.Body); ok {
				if len(leaked) == 0 {
					hit = h
				}
				leaked = append(leaked, br.Resp)
			} else if serverFailure(br.Resp) && !uniqueViolation(br.Resp.Body) {
				failed = append(failed, br.Resp)
			}
		}
		if len(leaked) > 0 || len(failed) > 0 {
			break
		}
	}
	if len(leaked) == 0 && len(failed) == 0 {
		return nil
	}
	// The clean-up runs in the deferred function; run it now so the
	// message can say what it did.
	cctx := context.WithoutCancel(ctx)
	restoreNote = restore(cctx, p, orig, who, r)
	orig = nil
	jan.Cleanup(cctx)

	f := p.Finding("")
	f.Location.URL = first.RequestURL
	var b strings.Builder
	sent := len(statuses)
	fmt.Fprintf(&b, "%s works alone (%d) but fails under concurrent writes: %d identical requests sent in synchronised bursts got %s.",
		p.Op.Key(), first.Status, sent, statusCounts(statuses))
	var ev *engine.Response
	if len(leaked) > 0 {
		f.Confidence = rampart.Confirmed
		ev = leaked[0]
		what := "a transaction retry error"
		switch hit.Kind {
		case dberr.AbortedTxn:
			what = "an aborted-transaction error (25P02)"
		case dberr.Retry:
			what = "CockroachDB's transaction retry error (40001)"
		case dberr.Serialization:
			what = "a serialization failure (40001)"
		}
		fmt.Fprintf(&b, " %d of them returned %s to the client: %q.", len(leaked), what, snippet(hit.Snippet))
		b.WriteString(" The application does not retry the transaction on 40001, so under load requests fail (and the driver's text leaks).")
	} else {
		f.Confidence = rampart.Firm
		ev = failed[0]
		fmt.Fprintf(&b, " %d of them failed with a server error although the same request succeeds alone: concurrent transactions on the same rows conflict and the application neither retries nor reports a retryable 503.", len(failed))
	}
	if note := jan.Note(); note != "" {
		b.WriteString(" " + note)
	}
	if restoreNote != "" {
		b.WriteString(" " + restoreNote)
	}
	f.Message = b.String()
	f.Evidence = []rampart.Evidence{
		p.Evidence(first, "the request alone"),
		p.Evidence(ev, fmt.Sprintf("one of %d concurrent copies", sent)),
	}
	f.Curl = engine.CurlNote(p.Curl(first), fmt.Sprintf(
		"succeeds alone: the failures need %d copies sent at once (Idempotency-Key values of their own, if any)", sent))
	p.Report(f)
	return nil
}

// noBurst is the coverage detail of a burst the scan's settings forbid.
const noBurst = "--concurrency 1 allows no concurrent burst"
