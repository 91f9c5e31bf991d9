package apimodel

import (
	"slices"
	"testing"
)

func TestNorm(t *testing.T) {
	for in, want := range map[string]string{
		"account_number": "accountnumber", "accountNumber": "accountnumber", "account-no": "accountnumber",
		"AccountNo": "accountnumber", "acct_num": "acctnumber", "user_name": "username", "userName": "username",
		"e-mail": "email", "emailAddress": "email", "email_address": "email", "employee_uuid": "employeeid",
		"userID": "userid", "login": "username", "id": "id",
	} {
		if got := norm(in); got != want {
			t.Errorf("norm(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParamName(t *testing.T) {
	for _, tc := range []struct{ path, in, name, want string }{
		{"/notes/{id}", "path", "id", "noteid"},
		{"/devices/{name}", "path", "name", "devicename"},
		{"/devices/{name}/telemetry", "path", "name", "devicename"},
		{"/pages/{title}", "path", "title", "pagetitle"},
		{"/loan", "query", "id", "loanid"},
		{"/api/v1/books/{id}", "path", "id", "bookid"},
		{"/categories/{id}", "path", "id", "categoryid"},
		{"/users/{username}/orders/{order_id}", "path", "order_id", "orderid"},
		{"/accounts/{account_number}", "path", "account_number", "accountnumber"},
		{"/{id}", "path", "id", "id"},
		{"/users/{u}/{id}", "path", "id", "id"},
	} {
		if got := paramName(tc.path, tc.in, tc.name); got != tc.want {
			t.Errorf("paramName(%s, %s) = %q, want %q", tc.path, tc.name, got, tc.want)
		}
	}
}

func TestQualify(t *testing.T) {
	for _, tc := range []struct{ thing, field, want string }{
		{"employee", "id", "employeeid"},
		{"account", "number", "accountnumber"},
		{"card", "card_number", "cardnumber"},
		{"transfer", "account_id", "accountid"},
		{"device", "name", "devicename"},
		{"", "id", "id"},
	} {
		if got := qualify(tc.thing, tc.field); got != tc.want {
			t.Errorf("qualify(%q, %q) = %q, want %q", tc.thing, tc.field, got, tc.want)
		}
	}
}

func TestSingular(t *testing.T) {
	for in, want := range map[string]string{
		"accounts": "account", "entries": "entry", "addresses": "address", "boxes": "box", "status": "status",
		"news": "new", "series": "series", "Books": "Book", "class": "class", "analysis": "analysis", "patches": "patch",
	} {
		if in == "news" || in == "series" {
			continue // English plurals a rule cannot know; listed so nobody expects them
		}
		if got := singular(in); got != want {
			t.Errorf("singular(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUserParam(t *testing.T) {
	for name, want := range map[string]bool{
		"user_id": true, "userId": true, "username": true, "email": true, "owner": true, "member_id": true,
		"customerId": true, "uid": true, "account_id": false, "order_id": false, "id": false, "name": false, "title": false,
	} {
		if got := userParam(name); got != want {
			t.Errorf("userParam(%q) = %v", name, got)
		}
	}
}

func TestRoleRefs(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"from_account", []string{"accountid", "accountnumber", "accountcode", "accountkey", "accountslug", "accountref", "accountreference"}},
		{"targetFolderId", []string{"folderid"}},
		{"source_wallet_number", []string{"walletnumber"}},
		{"debtor_account", []string{"accountid", "accountnumber", "accountcode", "accountkey", "accountslug", "accountref", "accountreference"}},
		{"funding_card_number", []string{"cardnumber"}},
		{"payingAccountId", []string{"accountid"}},
		{"my_wallet_id", []string{"walletid"}},
		{"own_account_no", []string{"accountnumber"}},
		{"counterpartyAccountUuid", []string{"accountid"}},
		{"creditor_iban_ref", []string{"ibanref"}},
		{"remitter_account", []string{"accountid", "accountnumber", "accountcode", "accountkey", "accountslug", "accountref", "accountreference"}},
		{"account_number", nil}, // no role: the name stands for itself
		{"to", nil},
		{"from_id", nil}, // a role and a generic name: no thing named
	} {
		if got := roleRefs(tc.name); !slices.Equal(got, tc.want) {
			t.Errorf("roleRefs(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A key roleRefs builds is compared with names in normal form: one that
// is not itself a normal generic name (a "uuid" is an "id" by then) would
// never match anything.
func TestRefKeysAreNormalGenericNames(t *testing.T) {
	for _, k := range refKeys {
		if norm(k) != k || !genericNames[k] {
			t.Errorf("refKeys holds %q: normal form %q, generic %v", k, norm(k), genericNames[norm(k)])
		}
	}
}

func TestRoleThing(t *testing.T) {
	for name, want := range map[string]string{
		"from_account": "account", "fundingCard": "card", "my_source_wallet": "wallet",
		"from_account_number": "", // ends in a key: roleRefs names it
		"account":             "", // no role: the name stands for itself
		"from":                "",
	} {
		if got := roleThing(name); got != want {
			t.Errorf("roleThing(%q) = %q, want %q", name, got, want)
		}
	}
}
