package apimodel_test

import (
	"fmt"
	"net/http"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// exchange is what the engine hands its observer.
func exchange(method, url, who string, login bool, sent, answer string) *engine.Response {
	req := &engine.Request{Method: method, URL: url, Identity: who, Login: login, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(sent)}
	return &engine.Response{Request: req, Method: method, RequestURL: url, Status: 200, Header: http.Header{}, Body: []byte(answer)}
}

// Account numbers that only a login answer shows feed the parameter of the
// read that takes them, as the account's owner's.
func ExampleModel_Values() {
	m := apimodel.New(apimodel.Config{Surface: []*rampart.Operation{
		{Method: "GET", Path: "/accounts/{account_number}", Params: []rampart.Param{{Name: "account_number", In: "path", Required: true}}},
	}})
	for _, who := range []string{"alice", "bob"} {
		number := map[string]string{"alice": "NL91ZOOB0417164300", "bob": "NL55ZOOB0987654321"}[who]
		m.Observe(exchange("POST", "http://api.test/auth/login", who, true, `{"username":"`+who+`","password":"…"}`,
			`{"status":"ok","data":{"access_token":"opaque","accounts":[{"number":"`+number+`"}]}}`))
	}
	alice, bob := identity.New("alice", "user", nil), identity.New("bob", "user", nil)
	op := m.Operation("GET /accounts/{account_number}")
	for _, c := range m.Values(op, "account_number", apimodel.Query{As: alice, Owner: apimodel.Others, Of: bob}) {
		fmt.Printf("%s: %s's, from the %s\n", c.Value, c.Owner, c.Evidence)
	}
	fmt.Println(m.Person(alice).Username, m.Person(alice).Accounts)
	// Output:
	// NL55ZOOB0987654321: bob's, from the login answer
	// alice [NL91ZOOB0417164300]
}

// A title the client chose in a create whose answer is only a message
// feeds {title} of the read, as the creator's.
func ExampleModel_Values_clientChosenKey() {
	m := apimodel.New(apimodel.Config{Surface: []*rampart.Operation{
		{Method: "POST", Path: "/pages"},
		{Method: "GET", Path: "/pages/{title}", Params: []rampart.Param{{Name: "title", In: "path", Required: true}}},
	}})
	m.Observe(exchange("POST", "http://api.test/pages", "alice", false, `{"title":"alice-notes","body":"…"}`, `{"message":"created"}`))
	for _, c := range m.Values(m.Operation("GET /pages/{title}"), "title", apimodel.Query{As: identity.New("alice", "user", nil), Owner: apimodel.Mine}) {
		fmt.Printf("%s (%s, %s)\n", c.Value, c.Evidence, c.Field)
	}
	// Output:
	// alice-notes (sent in a create, request.title)
}

func ExampleUnwrap() {
	payload, _ := apimodel.UnwrapBody([]byte(`{"result":{"items":[{"id":"u-1"}],"next":2}}`))
	fmt.Println(payload)
	// Output:
	// [map[id:u-1]]
}
