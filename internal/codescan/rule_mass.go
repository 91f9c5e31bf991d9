package codescan

import (
	"fmt"

	"github.com/rampart-sec/rampart"
)

// Mass assignment: the request body, or its keys, decide which fields or
// columns are written.

// Whole request objects first; then privileged fields of a FastAPI body
// model written to the database (fastapi.go).
var massFamily = family{name: "mass", rules: []*Rule{MassModel, MassColumns}, perAnalysis: func(f *fileState, a *analysis) {
	f.checkMass(a)
	f.checkPrivilegedFields(a)
}}

var (
	MassModel = rule("PY-MASS-001", rampart.FamilyMassAssignment, rampart.High, rampart.Firm, "CWE-915", "API3:2023", "",
		"Model built from the whole request body",
		"Model(**request.json), obj.update(**data) or setattr loops copy every field the client sends",
		"A model or ORM update receives the request body as keyword arguments (`Note(**request.get_json())`, "+
			"`query.update(data)`), or `setattr(obj, key, value)` runs for each key of the body. Fields the client "+
			"must not control (role, is_admin, owner_id, balance) are accepted and persisted.",
		"Copy an explicit allowlist of fields (`for k in (\"title\", \"body\"): …`) or load the body through a "+
			"schema with only the writable fields (marshmallow `load_only`/`dump_only`, pydantic).")

	MassColumns = rule("PY-MASS-002", rampart.FamilyMassAssignment, rampart.High, rampart.Firm, "CWE-915", "API3:2023", "",
		"Columns written are chosen by the request's keys",
		"an UPDATE or INSERT takes its column names from the keys of the request body",
		"A write statement's SET or column list is built from the keys of the request (even quoted with "+
			"psycopg2.sql.Identifier), so the client picks which columns change: role, is_admin, balance. "+
			"Checking the key against the table's own columns is not an allowlist.",
		"Build the statement from a fixed list of writable columns and ignore (or reject) other keys.")
)

func (f *fileState) checkMass(a *analysis) {
	for _, m := range a.mass {
		c := f.add(MassModel, m.node, a, m.what)
		c.key = "model"
	}
	for _, e := range a.events {
		if !e.orm {
			f.checkMassColumns(a, e)
		}
	}
}

// checkMassColumns reports a write whose SET or column list is built from
// the keys of the request body, even when they are quoted as identifiers.
func (f *fileState) checkMassColumns(a *analysis, e *sqlEvent) {
	if e.info == nil || e.info.op != "update" && e.info.op != "insert" && e.info.op != "upsert" {
		return
	}
	keyed := false
	for _, p := range e.query.str {
		keyed = keyed || p.hole && p.v.has(lKey)
	}
	if !keyed {
		return
	}
	idents := holeContexts(e.query.str)
	var msg string // once: a statement may have thousands of holes
	for i, p := range e.query.str {
		if p.hole && p.v.has(lKey) && idents[i] {
			if msg == "" {
				msg = fmt.Sprintf("the columns written by `%s` are the keys of the request body", f.snippet(e.node))
			}
			c := f.add(MassColumns, e.node, a, msg)
			c.key = "mass"
		}
	}
}
