package codescan

import (
	"fmt"

	"github.com/rampart-sec/rampart"
)

// Transaction boundaries: writes never committed, connections shared by every
// request, and multi-statement transactions with no retry on 40001.

var txnFamily = family{name: "txn", rules: []*Rule{TxnNoCommit, TxnGlobalConn, TxnNoRetry}, perAnalysis: (*fileState).checkTxn}

var (
	TxnNoCommit = rule("PY-TXN-001", rampart.FamilyTxnBoundary, rampart.Medium, rampart.Firm, "CWE-662", "API8:2023", "P4",
		"Write without commit or rollback",
		"INSERT/UPDATE/DELETE runs on a connection that is never committed or rolled back",
		"A function writes through a cursor of a connection it obtained (psycopg2.connect, get_db(), a pool) "+
			"with no .commit(), no `with conn:` block and no transaction helper: the write is lost, or the open "+
			"transaction holds locks (on CockroachDB, write intents) and later requests on the connection fail "+
			"with 25P02 (InFailedSqlTransaction).",
		"Wrap each unit of work in `with conn:` (psycopg2 commits, or rolls back on an exception), "+
			"`with engine.begin():`, or try/commit/except rollback; raise.")

	TxnGlobalConn = rule("PY-TXN-002", rampart.FamilyTxnBoundary, rampart.Medium, rampart.Firm, "CWE-567", "API8:2023", "P5",
		"Module-level database connection shared by requests",
		"a connection (or cursor) created at import time is used by request handlers",
		"A module-level psycopg2/psycopg/sqlite3 connection is used by routes: every request and thread shares "+
			"one transaction. Reads leave it idle in transaction, one failed statement aborts it for everybody "+
			"(25P02), and on CockroachDB the open transaction holds intents and provokes 40001 retries.",
		"Use a pool (psycopg2.pool.ThreadedConnectionPool, psycopg_pool, SQLAlchemy create_engine) or a "+
			"connection per request kept in flask.g and closed in teardown_appcontext; wrap each unit of work "+
			"in `with conn:`.")

	TxnNoRetry = rule("PY-TXN-003", rampart.FamilyTxnBoundary, rampart.Medium, rampart.Firm, "CWE-662", "API8:2023", "P6",
		"Multi-statement transaction without a 40001 retry",
		"a transaction of several statements has no retry on serialization failures (CockroachDB's 40001)",
		"Several statements, at least one a write, run in one transaction on a raw connection with no loop "+
			"that catches psycopg2.errors.SerializationFailure (or tests pgcode 40001) and retries, and no "+
			"run_transaction(). Under SERIALIZABLE isolation (CockroachDB's default) concurrent requests fail "+
			"with `restart transaction` errors, and error paths leave the transaction open.",
		"Run the unit of work through a retry helper: `for attempt in range(N): try: with conn: … return; "+
			"except psycopg2.errors.SerializationFailure: sleep(backoff)`, or sqlalchemy-cockroachdb's "+
			"run_transaction(sessionmaker(engine), callback). Keep side effects out of the retried callback.")
)

func (f *fileState) checkTxn(a *analysis) {
	autocommit := f.autocommit()
	// Module-level connections used by this function.
	seenConn := map[*object]bool{}
	for _, e := range a.events {
		if e.conn != nil && e.conn.moduleLevel && !seenConn[e.conn] {
			seenConn[e.conn] = true
			c := f.add(TxnGlobalConn, e.conn.node, a, fmt.Sprintf("`%s` is created at import time and shared by every request; this handler runs `%s` on it",
				e.conn.name, f.snippet(e.node)))
			f.relate(c, e.node, "used here")
			c.key = e.conn.name
		}
	}
	if autocommit {
		return
	}
	// Unmanaged statements, grouped by connection and commit count.
	type groupKey struct {
		conn    *object
		commits int
	}
	groups := map[groupKey][]*sqlEvent{}
	var order []groupKey
	for _, e := range a.events {
		if e.conn == nil || e.conn.moduleLevel || e.txn() != nil || e.orm || e.info == nil {
			continue
		}
		k := groupKey{e.conn, e.commits}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], e)
	}
	for _, k := range order {
		evs := groups[k]
		writes := 0
		retried := false
		for _, e := range evs {
			if isWrite(e) {
				writes++
			}
			retried = retried || e.retry
		}
		if writes == 0 {
			continue
		}
		committed := a.commits[k.conn] > k.commits || a.commitAny > 0
		if !committed {
			var first *sqlEvent
			for _, e := range evs {
				if isWrite(e) {
					first = e
					break
				}
			}
			c := f.add(TxnNoCommit, first.node, a, fmt.Sprintf("`%s` writes on `%s`, which this function never commits or rolls back", f.snippet(first.node), k.conn.name))
			c.key = "nocommit"
			continue
		}
		if len(evs) >= 2 && !retried {
			c := f.add(TxnNoRetry, evs[0].node, a, fmt.Sprintf("%d statements (%d writes) run in one transaction on `%s` with no retry on serialization failures (40001)%s",
				len(evs), writes, k.conn.name, rollbackNote(a)))
			c.crdbSeverity = true
			c.key = "noretry"
			for _, e := range evs[1:] {
				f.relate(c, e.node, "same transaction")
			}
		}
	}
	// Managed blocks (with conn:) of several statements, not retried.
	scopes := map[*txnScope][]*sqlEvent{}
	var sorder []*txnScope
	for _, e := range a.events {
		s := e.txn()
		if s == nil || !s.managed || s.retry || e.wrapper || e.info == nil {
			continue
		}
		if _, ok := scopes[s]; !ok {
			sorder = append(sorder, s)
		}
		scopes[s] = append(scopes[s], e)
	}
	for _, s := range sorder {
		evs := scopes[s]
		writes := 0
		for _, e := range evs {
			if isWrite(e) {
				writes++
			}
		}
		if len(evs) >= 2 && writes > 0 {
			c := f.add(TxnNoRetry, evs[0].node, a, fmt.Sprintf("a transaction of %d statements (%d writes) has no retry on serialization failures (40001)", len(evs), writes))
			c.crdbSeverity = true
			c.conf = rampart.Tentative
			c.key = "noretry-managed"
		}
	}
}

func rollbackNote(a *analysis) string {
	if a.rollbacks == 0 {
		return ", and no rollback on its error paths"
	}
	return ""
}
