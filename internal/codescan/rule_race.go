package codescan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
)

// Races across statements: read-modify-write and check-then-act outside one
// safe transaction.

var raceFamily = family{name: "race", rules: []*Rule{RaceRMW, RaceCheckAct}, perAnalysis: (*fileState).checkRace}

var (
	RaceRMW = rule("PY-RACE-001", rampart.FamilyRace, rampart.High, rampart.Firm, "CWE-362", "API6:2023", "",
		"Read-modify-write across statements",
		"a value read by one statement is changed in Python and written back by another",
		"An UPDATE writes a value computed from a row read earlier (`SET balance = %s` with "+
			"`row[\"balance\"] - amount`), without SELECT … FOR UPDATE and outside a retried serializable "+
			"transaction. Concurrent requests read the same value and the last write wins: lost updates, "+
			"double spends.",
		"Let the database do it in one conditional statement: `UPDATE … SET balance = balance - %s "+
			"WHERE id = %s AND balance >= %s RETURNING balance`, and check that a row came back.")

	RaceCheckAct = rule("PY-RACE-002", rampart.FamilyRace, rampart.High, rampart.Firm, "CWE-367", "API6:2023", "",
		"Check-then-act across statements",
		"a limit or existence check and the write that relies on it are separate statements",
		"A route reads a row, tests it (`if coupon[\"remaining\"] <= 0: abort`, `if already_redeemed: abort`) and "+
			"later writes the same table in another transaction (or in an unmanaged one with no retry), and the "+
			"write does not repeat the condition (no `AND remaining > 0`, no ON CONFLICT, no unique constraint "+
			"in the schema). A burst of concurrent requests passes the check together: coupons used twice, "+
			"limits overrun.",
		"Make the write conditional and check its result (`UPDATE … SET remaining = remaining - 1 WHERE code = %s "+
			"AND remaining > 0 RETURNING …`), add a unique constraint and use ON CONFLICT DO NOTHING, or run check "+
			"and write in one SERIALIZABLE transaction with a 40001 retry.")
)

func (f *fileState) sameTxn(r, w *sqlEvent) bool {
	rs, ws := r.txn(), w.txn()
	if rs != nil || ws != nil {
		return rs == ws
	}
	return r.conn != nil && r.conn == w.conn && r.commits == w.commits
}

func (f *fileState) safeTxn(r, w *sqlEvent) bool {
	if !f.sameTxn(r, w) {
		return false
	}
	if s := r.txn(); s != nil && s.retry {
		return true // SERIALIZABLE with retries: the database catches the race
	}
	return r.retry && w.retry || r.info != nil && r.info.forUpd
}

func (f *fileState) checkRace(a *analysis) {
	t := f.t
	// Lost updates: SET col = <value computed from an earlier read>.
	for _, w := range a.events {
		if w.info == nil || w.info.op != "update" {
			continue
		}
		for i, b := range w.info.binds {
			v, ok := bound(w, i, b)
			if !ok || !v.has(lRow) || !v.has(lArith) || v.ev < 0 || int(v.ev) >= len(a.events) {
				continue
			}
			if !contains(w.info.sets, b.column) {
				continue
			}
			r := a.events[v.ev]
			if r.info == nil || r.info.op != "select" || f.safeTxn(r, w) {
				continue
			}
			c := f.add(RaceRMW, w.node, a, fmt.Sprintf("`%s` is read by one statement, changed in Python and written back by `%s`", b.column, f.snippet(w.node)))
			f.relate(c, r.node, "the read")
			c.key = "rmw"
			break
		}
	}
	// Check-then-act.
	for _, g := range a.guards {
		if !g.terminates || len(g.rows) == 0 {
			continue
		}
		done := false
		for _, ref := range g.rows {
			if done || int(ref.ev) >= len(a.events) {
				break
			}
			r := a.events[ref.ev]
			if r.info == nil || r.info.op != "select" || r.info.table == "" {
				continue
			}
			if strings.HasPrefix(ref.field, "#") {
				n, _ := strconv.Atoi(ref.field[1:])
				cols := selectColumns(r.info)
				if n < len(cols) {
					ref.field = cols[n]
				} else {
					ref.field = ""
				}
			}
			for _, w := range a.events {
				if w.info == nil || w.info.table != r.info.table || t.Nodes[w.node].Start < t.Nodes[g.node].Start {
					continue
				}
				if f.safeTxn(r, w) {
					continue
				}
				tbl := f.proj.schema.lookup(w.info.table)
				var why string
				switch {
				case w.info.op == "update" && ref.field != "" && contains(w.info.sets, ref.field) && !mentions(w.info.where, ref.field) &&
					(tbl == nil || !tbl.checks[ref.field]):
					why = fmt.Sprintf("`%s` is checked here and changed later by `%s`, whose WHERE does not repeat the check", ref.field, f.snippet(w.node))
				case w.info.op == "insert" && !w.info.conflict && !tbl.hasUnique() && r.info.where != "":
					why = fmt.Sprintf("the check for an existing row of `%s` and the insert `%s` are separate statements, with no unique constraint or ON CONFLICT", w.info.table, f.snippet(w.node))
				default:
					continue
				}
				c := f.add(RaceCheckAct, g.node, a, why)
				f.relate(c, r.node, "the read")
				f.relate(c, w.node, "the write")
				c.key = "cta|" + f.snippet(r.node) + "|" + f.snippet(w.node)
				done = true
				break
			}
		}
	}
}
