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
