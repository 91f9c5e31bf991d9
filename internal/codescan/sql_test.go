package codescan

import (
	"reflect"
	"testing"
)

func TestColumnBefore(t *testing.T) {
	tests := map[string]string{
		"select * from t where id = ":           "id",
		"where a.owner_id=":                     "owner_id",
		"where x <> ":                           "x",
		"where name like ":                      "name",
		"where id in (":                         "id",
		"where id = any(":                       "id",
		"values (":                              "",
		"limit ":                                "",
		`where "t"."user_id" >= `:               "user_id",
		"set balance = balance + ":              "",
		"where owner_id is null or owner_id = ": "owner_id",
	}
	for in, want := range tests {
		if got := columnBefore(in); got != want {
			t.Errorf("columnBefore(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSQL(t *testing.T) {
	tests := []struct {
		sql   string
		op    string
		table string
		binds []string
		sets  []string
	}{
		{"SELECT id FROM notes WHERE id = %s AND owner_id = %s", "select", "notes", []string{"id", "owner_id"}, nil},
		{"INSERT INTO accounts AS a (id, owner_id, name) VALUES (%s, %s, %s) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
			"insert", "accounts", []string{"id", "owner_id", "name"}, []string{"name"}},
		{"UPSERT INTO settings (user_id, theme) VALUES ($1, $2)", "upsert", "settings", []string{"user_id", "theme"}, nil},
		{"UPDATE wallets SET balance = %(b)s WHERE owner_id = %(o)s", "update", "wallets", []string{"balance", "owner_id"}, []string{"balance"}},
		{"DELETE FROM public.notes WHERE id = :id", "delete", "notes", []string{"id"}, nil},
		{"WITH x AS (SELECT 1) UPDATE t SET a = 1 WHERE b = ?", "update", "t", []string{"b"}, []string{"a"}},
		{"SELECT '%s' AS lit, x FROM t WHERE y LIKE %s", "select", "t", []string{"y"}, nil},
	}
	for _, tt := range tests {
		info := parseSQL(tt.sql)
		var binds []string
		for _, b := range info.binds {
			binds = append(binds, b.column)
		}
		if info.op != tt.op || info.table != tt.table || !reflect.DeepEqual(binds, tt.binds) || !reflect.DeepEqual(info.sets, tt.sets) {
			t.Errorf("%s:\n got op=%s table=%s binds=%v sets=%v\nwant op=%s table=%s binds=%v sets=%v",
				tt.sql, info.op, info.table, binds, info.sets, tt.op, tt.table, tt.binds, tt.sets)
		}
	}
	if i := parseSQL("INSERT INTO p (a) VALUES (%s) ON CONFLICT (a) DO UPDATE SET a = excluded.a WHERE p.owner = excluded.owner"); !i.upsert || !i.doWhere {
		t.Errorf("DO UPDATE … WHERE not seen: %+v", i)
	}
}

func TestHoleContext(t *testing.T) {
	q := &val{}
	tests := []struct {
		parts []part
		hole  int
		ident bool
	}{
		{[]part{{lit: "SELECT * FROM "}, {hole: true, v: q}, {lit: " WHERE a = %s"}}, 1, true},
		{[]part{{lit: "SELECT a FROM t ORDER BY "}, {hole: true, v: q}, {lit: " "}, {hole: true, v: q}}, 3, true},
		{[]part{{lit: "SELECT a FROM t WHERE name = '"}, {hole: true, v: q}, {lit: "'"}}, 1, false},
		{[]part{{lit: "SELECT a FROM t WHERE id = "}, {hole: true, v: q}}, 1, false},
		{[]part{{lit: "UPDATE t SET "}, {hole: true, v: q}, {lit: " = %s"}}, 1, true},
		{[]part{{lit: "SELECT a FROM t WHERE "}, {hole: true, v: q}, {lit: " = %s"}}, 1, true},
		{[]part{{lit: "SELECT a FROM t LIMIT "}, {hole: true, v: q}}, 1, false},
		{[]part{{lit: "INSERT INTO t ("}, {hole: true, v: q}, {lit: ") VALUES (%s)"}}, 1, true},
	}
	for _, tt := range tests {
		if got := holeContexts(tt.parts)[tt.hole]; got != tt.ident {
			t.Errorf("%s: identifier = %v, want %v", render(tt.parts), got, tt.ident)
		}
	}
}

func TestSchema(t *testing.T) {
	s := newSchema()
	s.add(`-- comment
CREATE TABLE coupons (
    code TEXT PRIMARY KEY,
    remaining INT4 NOT NULL CHECK (remaining >= 0),
    owner_id INT8
);
CREATE TABLE redemptions (id SERIAL PRIMARY KEY, code TEXT, user_id INT8, UNIQUE (code, user_id));
CREATE TABLE plain (id SERIAL PRIMARY KEY, note TEXT);
CREATE TABLE users (id INT8 PRIMARY KEY, email TEXT UNIQUE, password_hash TEXT);
CREATE UNIQUE INDEX plain_note ON plain (note);`)
	if !s.lookup("coupons").checks["remaining"] || s.lookup("coupons").hasUnique() {
		t.Errorf("coupons: %+v", s.lookup("coupons"))
	}
	if !s.lookup("redemptions").hasUnique() || !s.lookup("plain").hasUnique() {
		t.Error("unique constraints not read")
	}
	if !s.lookup("users").sensitive() || s.lookup("coupons").sensitive() {
		t.Error("sensitive columns misread")
	}
}
