package authz

import (
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/advice"
	"github.com/rampart-sec/rampart/internal/check"
)

// Remediation is chosen per finding. What depends on the database layer
// (psycopg2 or SQLAlchemy, CockroachDB or PostgreSQL) for the bola and
// mass-assignment families is appended by the scan from the advice
// knowledge base (internal/advice); the text here says what depends on the
// kind of finding (a read, a write, an upsert keyed by a path id) and, for
// the family the knowledge base does not cover (bfla), what depends on the
// framework.

type adviceKind int

const (
	adviceRead adviceKind = iota
	adviceWrite
	adviceUpsert
	adviceRole
	adviceMethod
	adviceMass
)

func stackOf(p *check.Pass) rampart.Fingerprint {
	if p.Stack == nil {
		return rampart.Fingerprint{}
	}
	return p.Stack.Fingerprint()
}

// advise returns the remediation for a finding on the pass's operation.
func advise(p *check.Pass, kind adviceKind) string { return adviseOp(p, kind, p.Op) }

// adviseOp returns the remediation for a finding on op, for the checks
// that run once per scan and find flaws on several operations.
func adviseOp(p *check.Pass, kind adviceKind, op *rampart.Operation) string {
	fp := stackOf(p)
	flask := fp.Framework == "Flask"
	orm := strings.EqualFold(fp.ORM, "SQLAlchemy")
	switch kind {
	case adviceRead:
		return "Check ownership in the query that loads the object, on every route that takes an object id, and answer 404 " +
			"when no row comes back (so other users cannot even tell the object exists)."
	case adviceWrite:
		return "Put the owner in the write statement itself (`UPDATE ... WHERE id = %s AND owner_id = %s RETURNING id`, " +
			"the same for DELETE) and answer 404 when no row comes back, so that the check and the write cannot drift apart."
	case adviceUpsert:
		// The example names the operation's own table and id, never
		// another API's.
		var n advice.Names
		if op != nil {
			n = advice.NamesOf(rampart.Location{Path: op.Path})
		} else {
			n = advice.NamesOf(rampart.Location{})
		}
		return "An UPSERT or `INSERT ... ON CONFLICT (id) DO UPDATE` keyed by an id from the URL overwrites whoever owns the row: " +
			"compare the path id with the caller first (`if " + n.ID + " != g.user[\"id\"]: abort(403)`), take the owner from the session " +
			"(never from the URL or body), add `WHERE " + n.Table + ".owner_id = excluded.owner_id` to the DO UPDATE, and answer 403 when " +
			"RETURNING gives no row."
	case adviceRole:
		var b strings.Builder
		if flask {
			b.WriteString("Put a role check on every administrative view, before any lookup, so that users get 403 whatever the id: " +
				"a decorator `def admin_required(view): @wraps(view) def wrapper(*a, **kw): if g.user is None: abort(401); " +
				"if g.user[\"role\"] != \"admin\": abort(403); return view(*a, **kw)`, or `@admin_bp.before_request` that aborts with 403 " +
				"for every route of the admin blueprint. `@login_required` alone only proves the caller is someone.")
		} else {
			b.WriteString("Deny by default: check the caller's role on every administrative route, before any lookup, and answer 403; " +
				"authentication alone only proves the caller is someone.")
		}
		if orm {
			b.WriteString(" With Flask-Login, compare `current_user.role` (a column the user cannot write) rather than a claim from the request.")
		}
		return b.String()
	case adviceMethod:
		return "Register only the methods a route supports (`@app.get(...)`, `methods=[\"GET\"]`) and give every method of a " +
			"`MethodView` its own role and ownership check; a route that answers GET to everyone must not accept PUT, PATCH or DELETE " +
			"from everyone too."
	case adviceMass:
		return "Ownership, role, tenant and balance fields must change only through dedicated, authorised code paths: bind request " +
			"bodies to an explicit allowlist of writable fields, and reject (or ignore) every other key."
	}
	return ""
}
