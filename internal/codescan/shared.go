package codescan

import (
	"regexp"
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// Shared tables. A route that any signed-in caller may use and that lists
// a table whole (SELECT … FROM threads, no WHERE) shows every row of it to
// everyone: the rows are shared (forum threads, a product catalogue), not
// owned, and reading one by its id discloses nothing the listing does not.
// BOLA is then not reported for reads of that table by id, nor for a new
// row that refers to one (a report filed on a thread); an UPDATE or DELETE
// by id still is.

var limitZeroRe = regexp.MustCompile(`\blimit\s+0\b`)

// sharedTables returns the tables that a non-admin route lists whole.
func sharedTables(states []*fileState) map[string]bool {
	out := map[string]bool{}
	for _, f := range states {
		if f == nil {
			continue
		}
		for _, r := range f.routes {
			a := r.a
			if a == nil {
				continue
			}
			f.resolveAuth(r) // what its decorators demand, read from their bodies
			// Signed-in callers, not administrators: an anonymous dump of a
			// table is a flaw of its own (PY-AUTH-001), not a sign that its
			// rows are shared.
			if r.auth == pyast.AuthRole || a.roleCheck || isAdminRoute(r) ||
				r.auth != pyast.AuthLogin && !a.identUsed {
				continue
			}
			for _, e := range a.events {
				if listsWhole(e) {
					out[e.info.table] = true
				}
			}
		}
	}
	return out
}

// listsWhole reports whether a statement returns the rows of its table
// unfiltered: a SELECT without WHERE whose output is not only aggregates
// (SELECT count(*) counts, it does not list) and that is not limited to
// no rows (SELECT * FROM t LIMIT 0 reads the columns).
func listsWhole(e *sqlEvent) bool {
	if e.info == nil || e.info.op != "select" || e.info.table == "" || e.info.where != "" ||
		limitZeroRe.MatchString(e.info.lower) {
		return false
	}
	if e.info.star {
		return true
	}
	for _, c := range e.info.cols {
		if !strings.Contains(c, "(") {
			return true
		}
	}
	return false
}

// sharedParam reports whether every statement that reads by a route
// parameter reads a shared table (and at least one does).
func (f *fileState) sharedParam(a *analysis, param string) bool {
	shared := f.proj.shared
	if len(shared) == 0 {
		return false
	}
	n := 0
	for _, e := range a.events {
		if !usesParam(e, param) || e.info == nil || e.info.op != "select" {
			continue
		}
		if !shared[e.info.table] {
			return false
		}
		n++
	}
	return n > 0
}
