// Package txn holds the checks no single request can prove: replays and
// idempotency keys, races on limited resources, transaction retry errors
// under concurrency and the poisoned shared connection. They are what a
// Flask app on CockroachDB (SERIALIZABLE by default) gets wrong when it has
// no clear transaction boundaries, no retry on 40001 and no idempotency.
//
// Every check here reads state back rather than trusting status codes, runs
// alone after the parallel phase (Exclusive), announces a per-operation
// request budget (Meta.Budget, enforced by the pass) and cleans up what it
// created.
package txn

import (
	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

// Replay is IDEM-001.
var Replay = check.Check{
	Meta: rampart.Meta{
		ID:       "IDEM-001",
		Family:   rampart.FamilyIdempotency,
		Title:    "Replayed request has its effect again",
		Severity: rampart.High,
		CWE:      "CWE-837",
		OWASP:    "API6:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "the same state-changing request sent twice (in sequence and concurrently) moves state twice",
		Detects: "POST operations whose replay repeats the effect. The check reads the caller's state before and " +
			"after each request (the operation's collection and the spec's reads with numeric fields: balances, " +
			"counters) and sends the request twice with the same Idempotency-Key (the documented key header, else " +
			"Idempotency-Key), then twice concurrently with one new key. A duplicated effect is a quantity that " +
			"moves again by the same amount (a balance debited twice), or, when the operation documents an " +
			"idempotency key, a second object or record for the same key. An operation documented as creating a " +
			"new object per call is not reported for creating one: two records with new ids are its contract, " +
			"a balance moving twice is not. A replay the server refuses (409) is left to RACE-001.",
		Requests: "Budget 48 per POST operation: up to 6 reads per state snapshot (two before, one after each " +
			"step), the request twice in sequence with one key, once without the key when the spec requires one, " +
			"two concurrent copies with a new key (last-byte synchronised), a GET and a write to restore an " +
			"existing object it changed (and a read to verify it), and one DELETE per created object with one read of its collection to verify the removal.",
		Fix: "Make retries safe: require an Idempotency-Key on state-changing requests and store it with the effect, in the " +
			"same transaction, bound to the caller by a unique constraint; a replay returns the stored response, and the same " +
			"key with a different request is refused. Where a header cannot be added, a unique constraint on a client reference " +
			"(`UNIQUE (user_id, client_ref)`) gives the same guarantee.",
		Doc:    "docs/checks.md#idem-001",
		Budget: 48,
	},
	Applies:   idemApplies,
	Run:       runIdem001,
	Exclusive: true,
	Group:     "idempotency",
}

// KeyBinding is IDEM-002.
var KeyBinding = check.Check{
	Meta: rampart.Meta{
		ID:       "IDEM-002",
		Family:   rampart.FamilyIdempotency,
		Title:    "Idempotency key not bound to its user or request",
		Severity: rampart.High,
		CWE:      "CWE-639",
		OWASP:    "API1:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a used idempotency key returns another user's stored result, or accepts a different request",
		Detects: "On operations that honour an idempotency key (the replay returns the stored result), two misuses " +
			"of a used key: another identity sending the same key and request must not receive the first " +
			"identity's stored result (high: the key is a global lookup, so whoever learns a key reads another " +
			"user's result); the same key with a different payload must be refused with 409 or 422 (medium when " +
			"the different request is executed, low when the stored result is returned silently).",
		Requests: "Budget 52 per POST operation: shares IDEM-001's replay (48 when IDEM-001 is not selected), then " +
			"the key with a changed payload, the key as a second identity, and one DELETE per created object with one read of its collection to verify the removal.",
		Fix: "Key stored results by (user_id, idem_key) — `PRIMARY KEY (user_id, idem_key)` — never by the key alone, " +
			"and store a hash of the request (method, path, canonical JSON body) with the key: `if row.request_hash " +
			"!= request_hash: abort(422)`. Look the key up with the authenticated user's id from the session or " +
			"token, never from the request body.",
		Doc:    "docs/checks.md#idem-002",
		Budget: 52,
	},
	Applies:   idemApplies,
	Run:       runIdem002,
	Exclusive: true,
	Group:     "idempotency",
}

// LimitOverrun is RACE-001.
var LimitOverrun = check.Check{
	Meta: rampart.Meta{
		ID:       "RACE-001",
		Family:   rampart.FamilyRace,
		Title:    "Limit overrun by concurrent requests",
		Severity: rampart.High,
		CWE:      "CWE-367",
		OWASP:    "API6:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a synchronised burst uses a limited resource (single-use coupon, stock) more times than it allows",
		Detects: "Writes that act on an existing resource (a path parameter filled from the caller's own listing, " +
			"e.g. POST /…/{code}/redeem). The resource with the fewest uses left (a remaining/stock/available " +
			"counter below the burst size) gets 8 identical requests released together by last-byte " +
			"synchronisation; more successes than it had uses left is an overrun. Without a counter, the limit is " +
			"measured in sequence on one listed resource (successes before the first refusal) and the burst is " +
			"sent on another. Confirmed when the state read back shows every success took effect (a balance that " +
			"moved once per success by the resource's value, the counter below zero, distinct result ids). A " +
			"correctly locked counter (one conditional UPDATE) gives exactly as many successes as uses.",
		Requests: "Budget 36 per POST operation on a resource: up to 3 listing reads, up to 3 sequential " +
			"calibration requests (only without a counter), up to 6 reads before and after, one burst of 8 (capped " +
			"by --concurrency), one sequential request after it, and a read and a write per resource to restore an " +
			"item the action edits. The resource used is consumed (the finding names it).",
		Fix: "Check and use the limit in one statement (a conditional `UPDATE … SET remaining = remaining - 1 " +
			"WHERE … AND remaining > 0`; no row: 409), record each use behind a unique constraint (one use per " +
			"user where that is the rule), and credit the effect in the same transaction. Never read the limit in " +
			"one transaction and write it in another, nor on a separate connection.",
		Doc:    "docs/checks.md#race-001",
		Budget: 36,
	},
	Applies:   raceApplies,
	Run:       runRace,
	Exclusive: true,
}

// RetryLeak is TXN-001.
var RetryLeak = check.Check{
	Meta: rampart.Meta{
		ID:       "TXN-001",
		Family:   rampart.FamilyTxnBoundary,
		Title:    "Transaction retry errors under concurrent writes",
		Severity: rampart.Medium,
		CWE:      "CWE-755",
		OWASP:    "API8:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "concurrent copies of a write fail with 40001/restart transaction/could not serialize access, or 500",
		Detects: "Writes that succeed alone but fail when the same request arrives concurrently: a synchronised " +
			"burst of identical requests (distinct idempotency keys) whose answers carry a serialization failure " +
			"(SQLSTATE 40001: PostgreSQL's `could not serialize access`, CockroachDB's `restart transaction: " +
			"TransactionRetryWithProtoRefreshError`, RETRY_* reasons) or an aborted transaction (25P02) — " +
			"confirmed — or a plain 500 (firm). A 503 with Retry-After is the documented way to give up and is " +
			"not reported, nor is a unique-key violation (23505, `Duplicate entry`): copies of one create " +
			"collide on a value, which no retry would change. On CockroachDB every transaction can get 40001; an app without a retry loop fails " +
			"under load.",
		Requests: "Budget 44 per write operation: one request alone, then up to two bursts of 10 (capped by " +
			"--concurrency) stopping at the first failure, a GET and a write to restore an existing object it " +
			"changed (and a read to verify it), one DELETE per created object with one read of its collection to verify the removal.",
		Fix: "Give each request one explicit transaction and retry it as a whole on a serialization failure " +
			"(SQLSTATE 40001) with backoff; after the last attempt answer 503 with Retry-After, never the " +
			"exception text. Prefer one conditional statement (`UPDATE … SET balance = balance - %s WHERE id = %s " +
			"AND balance >= %s`) to read-then-write.",
		Doc:    "docs/checks.md#txn-001",
		Budget: 44,
	},
	Applies:   txnApplies,
	Run:       runTxn001,
	Exclusive: true,
}

// PoisonedConnection is TXN-002.
var PoisonedConnection = check.Check{
	Meta: rampart.Meta{
		ID:       "TXN-002",
		Family:   rampart.FamilyTxnBoundary,
		Title:    "Failed statement poisons a shared connection (25P02)",
		Severity: rampart.High,
		CWE:      "CWE-460",
		OWASP:    "API8:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "after one malformed read, reads that worked fail with `current transaction is aborted` (25P02)",
		Detects: "A connection (or session) shared between requests whose failed transaction is never rolled back: " +
			"after one error-inducing read (a quote appended to a parameter), the same valid read and its sibling " +
			"reads under the same path prefix, which answered before, now fail with SQLSTATE 25P02 `current " +
			"transaction is aborted, commands ignored until end of transaction block`. A valid read already " +
			"failing with 25P02 is reported as it is. Every request of every user on that connection fails until " +
			"the process restarts. Only reads are sent, but the proof leaves a vulnerable app broken until it " +
			"restarts, so it needs active mode.",
		Requests: "Budget 16 per read operation: the valid read; for operations with path or query parameters, up " +
			"to 4 sibling reads before and after, and up to 2 malformed values for each of up to 3 parameters, " +
			"stopping at the first server error.",
		Fix: "Never share a connection or session between requests: give each request its own (borrowed from a " +
			"pool and returned when the request ends) and roll back on every error, so that one failed statement " +
			"cannot leave the next request in an aborted transaction (25P02).",
		Doc:    "docs/checks.md#txn-002",
		Budget: 16,
	},
	Applies:   poisonApplies,
	Run:       runPoison,
	Exclusive: true,
}

// All is this package's checks, in the order the registry lists them.
func All() []*check.Check {
	return []*check.Check{&PoisonedConnection, &Replay, &KeyBinding, &LimitOverrun, &RetryLeak}
}
