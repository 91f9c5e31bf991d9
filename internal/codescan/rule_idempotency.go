package codescan

import (
	"fmt"
	"regexp"

	"github.com/rampart-sec/rampart"
)

// Idempotency: money-moving POSTs that insert with no idempotency key and no
// unique constraint.

var idempotencyFamily = family{name: "idempotency", rules: []*Rule{Idempotency}, perRoute: (*fileState).checkIdempotency}

var Idempotency = rule("PY-IDEM-001", rampart.FamilyIdempotency, rampart.Medium, rampart.Tentative, "CWE-837", "API6:2023", "",
	"Money-moving POST without an idempotency key",
	"a state-changing POST that moves money inserts rows with no idempotency key or unique constraint",
	"A POST route on a payment-like resource (transfers, payments, orders, charges, redemptions…) inserts a "+
		"row, never reads an Idempotency-Key, and the insert has no ON CONFLICT and hits no unique constraint "+
		"(from the schema files found). A retried or replayed request has its effect twice.",
	"Require an Idempotency-Key header, store it with the user id and a hash of the request under a unique "+
		"constraint in the same transaction as the effect, and replay the stored response on a repeat.")

var idempotRe = markers("idempot")

var moneyRe = regexp.MustCompile(`(?i)transfer|payment|payout|charge|order|withdraw|deposit|refund|invoice|purchase|checkout|donation|top-?up|booking|redemption|redeem|wallet|ledger|remittance|disburse`)

func (f *fileState) checkIdempotency(r *routeInfo) {
	if !contains(r.methods, "POST") {
		return
	}
	a := r.a
	for _, e := range a.events {
		if e.info == nil || e.info.op != "insert" || e.info.conflict {
			continue
		}
		if !moneyRe.MatchString(e.info.table) && !moneyRe.MatchString(r.path) {
			continue
		}
		if f.proj.schema.lookup(e.info.table).hasUnique() {
			continue
		}
		if f.within(idempotRe, a.def) || f.helpersMention(a, idempotRe) {
			return
		}
		c := f.add(Idempotency, e.node, a, fmt.Sprintf("POST %s inserts into `%s` with no Idempotency-Key and no unique constraint: a retried request moves money twice", r.path, e.info.table))
		c.key = "idem"
		return
	}
}
