package check

import (
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/identity"
)

func TestAnswerReason(t *testing.T) {
	alice := identity.New("alice", identity.RoleUser, nil)
	item := &rampart.Operation{Method: "GET", Path: "/notes/{id}", Params: []rampart.Param{{Name: "id", In: "path"}}}
	coll := &rampart.Operation{Method: "POST", Path: "/notes"}
	login := &rampart.Operation{Method: "POST", Path: "/login", Security: [][]string{{}}}
	pwLogin := &rampart.Operation{Method: "POST", Path: "/auth/login", Body: &rampart.Body{ContentType: "application/json",
		Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"username": {Type: "string"}, "password": {Type: "string"}}}}}
	fastapi := []byte(`{"detail":[{"loc":["body","items"],"msg":"field required","type":"value_error.missing"}]}`)
	for _, tt := range []struct {
		name   string
		op     *rampart.Operation
		who    *identity.Identity
		status int
		body   []byte
		reason rampart.Reason
		detail string // a part of it
	}{
		{"user refused", coll, alice, 403, nil, rampart.ReasonRefused, "POST /notes answered 403 to alice"},
		{"user's token refused on an object", item, alice, 401, nil, rampart.ReasonRefused, "GET /notes/{id} answered 401 to alice"},
		{"another's object", item, alice, 403, nil, rampart.ReasonNoValues, "no values of alice's for {id} (GET /notes/{id} answered 403 to alice)"},
		{"login with a password, security undeclared", pwLogin, alice, 401, nil, rampart.ReasonBodyRejected, "credentials in the request were refused"},
		{"anonymous refused", item, nil, 401, nil, rampart.ReasonNeedsIdentity, "answered 401 without credentials"},
		{"login refuses the body", login, alice, 401, nil, rampart.ReasonBodyRejected, "credentials in the request were refused"},
		{"validation", coll, alice, 422, fastapi, rampart.ReasonBodyRejected, "the API answered 422: items missing"},
		{"plain message", coll, alice, 400, []byte(`{"error":"bad\nthing"}`), rampart.ReasonBodyRejected, "the API answered 400: bad thing"},
		{"no value for the path", item, alice, 404, nil, rampart.ReasonNoValues, "no values for {id}"},
		{"conflict", coll, alice, 409, nil, rampart.ReasonNoObject, "answered 409"},
		{"throttled", coll, alice, 429, nil, rampart.ReasonThrottled, "answered 429"},
		{"server error", coll, alice, 500, nil, rampart.ReasonError, "POST /notes answered 500"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, d := AnswerReason(tt.op, tt.who, tt.status, tt.body)
			if r != tt.reason || !strings.Contains(d, tt.detail) {
				t.Errorf("got %s %q, want %s with %q", r, d, tt.reason, tt.detail)
			}
		})
	}
}

func TestRejectionIsShortAndOneLine(t *testing.T) {
	d := Rejection(400, []byte(`{"message":"`+strings.Repeat("x\n", 300)+`"}`))
	if strings.Contains(d, "\n") || len([]rune(d)) > maxRejection+len("the API answered 400: ")+1 {
		t.Errorf("detail %q (%d runes)", d, len([]rune(d)))
	}
}
