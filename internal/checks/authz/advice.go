package authz

import (
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
)

// Remediation is chosen per finding from what the scan learned about the
// stack: a psycopg2 app gets SQL with the owner in the WHERE clause, a
// SQLAlchemy app gets the query filter, and CockroachDB gets the UPSERT
// caveat. The check's Meta.Fix is the stack-neutral fallback.

type adviceKind int

const (
	adviceRead adviceKind = iota
	adviceWrite
	adviceUpsert
	adviceRole
	adviceMethod
	adviceAnonWrite
	adviceMass
)

func stackOf(p *check.Pass) rampart.Fingerprint {
	if p.Stack == nil {
		return rampart.Fingerprint{}
	}
	return p.Stack.Fingerprint()
}

// advise returns the remediation for a finding.
func advise(p *check.Pass, kind adviceKind) string {
	fp := stackOf(p)
	flask := fp.Framework == "Flask"
	orm := strings.EqualFold(fp.ORM, "SQLAlchemy")
	crdb := fp.Database == "CockroachDB"
	db := fp.Database
	if db == "" {
		db = "CockroachDB/PostgreSQL"
	}
	var b strings.Builder
	switch kind {
	case adviceRead, adviceWrite, adviceUpsert:
		b.WriteString("Check ownership in the query itself, on every route that takes an object id, and answer 404 when no row comes back. ")
		if orm {
			b.WriteString("With SQLAlchemy: `Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()`; " +
				"for writes, `db.session.execute(update(Note).where(Note.id == note_id, Note.owner_id == current_user.id).values(...))` " +
				"and `abort(404)` when `rowcount == 0`. ")
		} else {
			b.WriteString("With psycopg2: `cur.execute(\"SELECT ... FROM notes WHERE id = %s AND owner_id = %s\", (note_id, g.user[\"id\"]))`, " +
				"then `if row is None: abort(404)`; for writes put the owner in the statement: " +
				"`UPDATE notes SET title = %s WHERE id = %s AND owner_id = %s RETURNING id` and " +
				"`DELETE FROM notes WHERE id = %s AND owner_id = %s RETURNING id`, so that the check and the write are one statement. ")
		}
		if kind == adviceUpsert || crdb {
			b.WriteString("An UPSERT or `INSERT ... ON CONFLICT (id) DO UPDATE` keyed by an id from the URL overwrites whoever owns the row: " +
				"take the owner from the session (never from the URL or body), add `WHERE accounts.owner_id = excluded.owner_id` to the " +
				"DO UPDATE, and answer 403 when RETURNING gives no row. ")
		}
		b.WriteString("Random ids (UUIDs, `gen_random_uuid()` on " + db + ") are defence in depth, not the control.")
	case adviceRole:
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
	case adviceMethod:
		b.WriteString("Register only the methods a route supports (`@app.get(...)`, `methods=[\"GET\"]`) and give every method of a " +
			"`MethodView` its own role and ownership check; a route that answers GET to everyone must not accept PUT, PATCH or DELETE " +
			"from everyone too.")
	case adviceAnonWrite:
		b.WriteString("Require authentication on every state-changing route: `@login_required` (Flask-Login) or `@jwt_required()` " +
			"on the view, or an `app.before_request` hook that answers 401 for every endpoint outside an explicit public allowlist, " +
			"and then check ownership of the object as for reads.")
	case adviceMass:
		b.WriteString("Accept an explicit allowlist of fields: `changes = {k: data[k] for k in (\"display_name\", \"bio\", \"locale\") if k in data}`, " +
			"or a marshmallow schema with `role = fields.Str(dump_only=True)` (and `load_only` for secrets) and `unknown = RAISE`. " +
			"Never `Model(**request.json)`, a `setattr` loop over the body, or `UPDATE ... SET {column}` built from request keys. ")
		if orm {
			b.WriteString("With SQLAlchemy, assign the allowed attributes one by one instead of `obj.__dict__.update(data)`. ")
		} else {
			b.WriteString("With psycopg2, name the columns in the SQL text (`UPDATE users SET display_name = %s, bio = %s WHERE id = %s`) " +
				"instead of building them with `sql.Identifier(field)` from the body. ")
		}
		b.WriteString("Ownership, role, tenant and balance columns on " + db + " change only through dedicated, authorised code paths.")
	}
	return b.String()
}
