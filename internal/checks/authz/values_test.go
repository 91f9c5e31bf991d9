package authz

import (
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestPersonReadNeedsPrivateValues(t *testing.T) {
	prm := func(name string) rampart.Param { return rampart.Param{Name: name, In: "path"} }
	reads := []struct {
		path, param string
		want        bool
	}{
		{"/users/{username}/profile", "username", true},
		{"/users/{user_id}", "user_id", true},
		{"/members/{email}", "email", true},
		{"/patients/{email}/records", "email", false},
		{"/users/{username}/orders/{order_id}", "order_id", false},
		{"/notes/{id}", "id", false},
	}
	for _, r := range reads {
		if got := personRead(&rampart.Operation{Method: "GET", Path: r.path}, prm(r.param)); got != r.want {
			t.Errorf("personRead(%s, %s) = %v", r.path, r.param, got)
		}
	}
	hits := []struct {
		hits map[string]string
		want bool
	}{
		{map[string]string{"carol": "username", "I am carol.": "bio", "admin": "role"}, false},
		{map[string]string{"carol": "username", "carol@example.com": "contact.email"}, true},
		{map[string]string{"12.50": "accountBalance"}, true},
		{map[string]string{"A long description": "description", "Acme": "company"}, false},
	}
	for _, h := range hits {
		if got := privateHits(h.hits); got != h.want {
			t.Errorf("privateHits(%v) = %v", h.hits, got)
		}
	}
}

func TestBodyIDParams(t *testing.T) {
	body := func(props ...string) *rampart.Body {
		s := &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{}}
		for _, p := range props {
			s.Properties[p] = &rampart.Schema{Type: "integer"}
		}
		return &rampart.Body{ContentType: "application/json", Schema: s}
	}
	tests := []struct {
		op   *rampart.Operation
		want int
	}{
		{&rampart.Operation{Method: "POST", Path: "/orders/lookup", Body: body("order_id", "note")}, 1},
		{&rampart.Operation{Method: "POST", Path: "/v1/search", Body: body("user_id", "account_id")}, 2},
		{&rampart.Operation{Method: "POST", Path: "/orders", Body: body("order_id")}, 0},
		{&rampart.Operation{Method: "POST", Path: "/transfers", Body: body("from_account")}, 0},
		{&rampart.Operation{Method: "GET", Path: "/orders/lookup", Body: body("order_id")}, 0},
	}
	for _, tt := range tests {
		if got := len(bodyIDParams(tt.op)); got != tt.want {
			t.Errorf("%s: %d id fields, want %d", tt.op.Key(), got, tt.want)
		}
	}
}
