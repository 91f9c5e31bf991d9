package codescan

import (
	"fmt"

	"github.com/rampart-sec/rampart"
)

// Data exposure: whole rows of sensitive tables returned to the client.

var exposureFamily = family{name: "exposure", rules: []*Rule{DataExposure}, perAnalysis: (*fileState).checkExposure}

var DataExposure = rule("PY-DATA-001", rampart.FamilyDataExposure, rampart.High, rampart.Firm, "CWE-213", "API3:2023", "",
	"Whole database row returned to the client",
	"SELECT * (or password/secret columns) of a user-like table is returned as the response",
	"A route selects every column (or a password hash, token or secret column) of a sensitive table and "+
		"returns the row as JSON (`return dict(row)`, jsonify(row)): password hashes, e-mail addresses and "+
		"internal flags reach the client.",
	"Select only the columns the client needs and build the response from them explicitly.")

func (f *fileState) checkExposure(a *analysis) {
	if a.route == nil {
		return
	}
	for _, r := range a.responses {
		if r.v.has(lWhole) {
			node := r.node
			if r.v.ev >= 0 && int(r.v.ev) < len(a.events) {
				node = a.events[r.v.ev].node
			}
			c := f.add(DataExposure, node, a, fmt.Sprintf("a whole row with sensitive columns is returned to the client (`%s`)", f.snippet(r.node)))
			f.relate(c, r.node, "returned here")
			c.key = "whole"
		}
	}
}
