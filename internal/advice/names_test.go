package advice

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestNamesOf(t *testing.T) {
	tests := []struct {
		loc  rampart.Location
		want Names
	}{
		{rampart.Location{Path: "/notes/{note_id}", Param: "note_id"}, Names{"notes", "note_id", "Note"}},
		{rampart.Location{Path: "/account/{user_id}"}, Names{"account", "user_id", "Account"}},
		{rampart.Location{Path: "/coupons/{code}/redeem", Param: "code"}, Names{"coupons", "code", "Coupon"}},
		{rampart.Location{Path: "/users/{user_id}/orders/{order_id}", Param: "user_id"}, Names{"users", "user_id", "User"}},
		{rampart.Location{Path: "/users/{user_id}/orders/{order_id}"}, Names{"orders", "order_id", "Order"}},
		{rampart.Location{Path: "/api/v2/categories/{id}"}, Names{"categories", "id", "Category"}},
		{rampart.Location{Path: "/order-items/{id}"}, Names{"order_items", "id", "OrderItem"}},
		{rampart.Location{Path: "/v1/{id}"}, Names{genericTable, "id", "Item"}},
		{rampart.Location{Path: "/x/{a\"b);--}"}, Names{"x", "a_b", "X"}},
		{rampart.Location{}, Names{genericTable, genericID, "Item"}},
		{rampart.Location{Path: "/notes", Param: "sort"}, Names{"notes", "sort", "Note"}},
		{rampart.Location{Path: "/users/{user_id}/orders", Param: "status"}, Names{"orders", "status", "Order"}},
	}
	for _, tt := range tests {
		if got := NamesOf(tt.loc); got != tt.want {
			t.Errorf("NamesOf(%q, %q) = %+v, want %+v", tt.loc.Path, tt.loc.Param, got, tt.want)
		}
	}
}

// A finding gets the advice for its own shape, with examples named after
// its own operation.
func TestAdviceFitsTheFinding(t *testing.T) {
	pgFlask := rampart.Fingerprint{Framework: "Flask", Language: "Python", Database: "PostgreSQL", Driver: "psycopg2"}
	orm := rampart.Fingerprint{Framework: "Flask", Language: "Python", Database: "PostgreSQL", ORM: "SQLAlchemy"}
	tests := []struct {
		name    string
		f       rampart.Finding
		fp      rampart.Fingerprint
		want    []string
		notWant []string
	}{
		{"BOLA on /account names account", rampart.Finding{Check: "BOLA-001", Family: rampart.FamilyBOLA,
			Location: rampart.Location{Method: "GET", Path: "/account/{user_id}", Param: "user_id"}}, pgFlask,
			[]string{"FROM account WHERE id = %s", "(user_id, current_user_id)"}, []string{"notes", "note_id"}},
		{"BOLA with SQLAlchemy names the model", rampart.Finding{Check: "BOLA-001", Family: rampart.FamilyBOLA,
			Location: rampart.Location{Method: "GET", Path: "/orders/{order_id}"}}, orm,
			[]string{"Order.query.filter_by(id=order_id"}, []string{"Note"}},
		{"TXN-002 gets the connection advice, not the retry", rampart.Finding{Check: "TXN-002", Family: rampart.FamilyTxnBoundary}, pgFlask,
			[]string{"ThreadedConnectionPool"}, []string{"could not serialize access", "40001"}},
		{"TXN-001 gets the retry, not the connection advice", rampart.Finding{Check: "TXN-001", Family: rampart.FamilyTxnBoundary}, pgFlask,
			[]string{"could not serialize access"}, []string{"ThreadedConnectionPool", "Give each request its own connection"}},
		{"TXN-001 on an unknown stack: the generic retry", rampart.Finding{Check: "TXN-001", Family: rampart.FamilyTxnBoundary}, rampart.Fingerprint{},
			[]string{"40001"}, []string{"never share one connection"}},
		{"race names the operation's table and key", rampart.Finding{Check: "RACE-001", Family: rampart.FamilyRace,
			Location: rampart.Location{Method: "POST", Path: "/vouchers/{voucher_code}/use", Param: "voucher_code"}}, pgFlask,
			[]string{"UPDATE vouchers SET", "WHERE voucher_code = %s"}, []string{"coupons"}},
		{"idempotency on PostgreSQL: no generic repeat", rampart.Finding{Check: "IDEM-001", Family: rampart.FamilyIdempotency}, pgFlask,
			[]string{"PRIMARY KEY (user_id, key)"}, []string{"Store each `Idempotency-Key` with the caller"}},
		{"identifier advice names the parameter", rampart.Finding{Check: "SQLI-003", Family: rampart.FamilySQLiIdentifier,
			Location: rampart.Location{Method: "GET", Path: "/reports/{table}", Param: "table"}}, pgFlask,
			[]string{"map table through an allowlist"}, []string{"SORTS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := forFinding(tt.f, tt.fp, true)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("advice lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("advice has %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestApplySkipsWhatTheFixSays(t *testing.T) {
	pg := rampart.Fingerprint{Database: "PostgreSQL"}
	para := For(rampart.FamilyRace, pg)
	fs := []rampart.Finding{{Family: rampart.FamilyRace, Remediation: "Do it in one statement.\n" + para}}
	Apply(fs, pg)
	if strings.Count(fs[0].Remediation, para) != 1 {
		t.Fatalf("paragraph repeated:\n%s", fs[0].Remediation)
	}
}
