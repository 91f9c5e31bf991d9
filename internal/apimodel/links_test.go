package apimodel

import (
	"slices"
	"testing"

	"github.com/rampart-sec/rampart"
)

func vals(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Value)
	}
	return out
}

func TestValuesLinks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ops   []string
		extra func(m *Model) // parameters the path does not declare
		exs   []ex
		op    string
		param string
		q     func(ids map[string]*Query)
		as    string
		owner Owner
		of    string   // with Others: whose values
		want  []string // exactly, best first
	}{
		{
			name: "the ids of a listing feed {thing_id} and {id} under it",
			ops:  []string{"GET /notes", "GET /notes/{note_id}"},
			exs:  []ex{{path: "/notes", who: "alice", body: `{"items":[{"id":1,"title":"a"},{"id":2,"title":"b"}],"next":null}`, exploring: true}},
			op:   "GET /notes/{note_id}", param: "note_id", as: "alice", owner: Mine, want: []string{"1", "2"},
		},
		{
			name: "{id} of a thing takes that thing's ids, not another's",
			ops:  []string{"GET /notes", "GET /transfers", "GET /notes/{id}"},
			exs: []ex{
				{path: "/notes", who: "alice", body: `[{"id":1}]`, exploring: true},
				{path: "/transfers", who: "alice", body: `[{"id":900}]`, exploring: true},
			},
			op: "GET /notes/{id}", param: "id", as: "alice", owner: Mine, want: []string{"1"},
		},
		{
			name: "an account number only in the login answer feeds {account_number}",
			ops:  []string{"GET /accounts/{account_number}"},
			exs: []ex{{method: "POST", path: "/auth/login", who: "alice", login: true,
				body: `{"status":"ok","data":{"access_token":"t","accounts":[{"number":"NL20ZOOB0123456789"},{"number":"NL91ZOOB0417164300"}]}}`}},
			op: "GET /accounts/{account_number}", param: "account_number", as: "alice", owner: Mine,
			want: []string{"NL20ZOOB0123456789", "NL91ZOOB0417164300"},
		},
		{
			name: "a body field named by its role (from_account) takes the accounts' numbers",
			ops:  []string{"POST /transfers"},
			exs: []ex{{method: "POST", path: "/auth/login", who: "alice", login: true,
				body: `{"status":"ok","data":{"access_token":"t","accounts":[{"number":"NL20ZOOB0123456789"}]}}`}},
			op: "POST /transfers", param: "from_account", as: "alice", owner: Mine,
			want: []string{"NL20ZOOB0123456789"},
		},
		{
			name: "a role-prefixed field takes the thing's keys beside the values seen under its own name",
			ops:  []string{"POST /transfers"},
			exs: []ex{
				{method: "POST", path: "/auth/login", who: "alice", login: true,
					body: `{"status":"ok","data":{"access_token":"t","accounts":[{"number":"NL91ZOOB0417164300"}]}}`},
				{method: "POST", path: "/auth/login", who: "bob", login: true,
					body: `{"status":"ok","data":{"access_token":"u","accounts":[{"number":"NL55ZOOB0987654321"}]}}`},
				{method: "POST", path: "/transfers", who: "alice", status: 201,
					sent: `{"from_account":"NL91ZOOB0417164300","to_account":"NL02ZOOB0555555555","amount":{"value":1,"currency":"EUR"}}`,
					body: `{"status":"ok","data":{"id":1,"from_account":"NL91ZOOB0417164300","to_account":"NL02ZOOB0555555555"}}`},
			},
			op: "POST /transfers", param: "from_account", as: "alice", owner: Others, of: "bob",
			want: []string{"NL55ZOOB0987654321"},
		},
		{
			name: "a role-prefixed field takes a reference field named after the thing alone",
			ops:  []string{"GET /standing-orders", "POST /transfers"},
			exs: []ex{{path: "/standing-orders", who: "alice", exploring: true,
				body: `[{"id":4,"account":"NL91ZOOB0417164300","name":"Rent"}]`}},
			op: "POST /transfers", param: "funding_account", as: "alice", owner: Mine,
			want: []string{"NL91ZOOB0417164300"},
		},
		{
			name: "a field named after the thing alone that holds a name is no reference",
			ops:  []string{"GET /threads", "POST /replies"},
			exs:  []ex{{path: "/threads", who: "alice", exploring: true, body: `[{"id":4,"subject":"Quarterly report"}]`}},
			op:   "POST /replies", param: "parent_subject", as: "alice", owner: Any, want: nil,
		},
		{
			name: "a role-prefixed id (target_folder_id) takes the thing's ids",
			ops:  []string{"GET /folders", "POST /moves"},
			exs:  []ex{{path: "/folders", who: "alice", body: `[{"id":7,"name":"inbox"},{"id":9,"name":"archive"}]`, exploring: true}},
			op:   "POST /moves", param: "target_folder_id", as: "alice", owner: Mine, want: []string{"7", "9"},
		},
		{
			name: "card numbers from the login answer feed {card_number} spelt differently",
			ops:  []string{"GET /cards/{cardNo}"},
			exs: []ex{{method: "POST", path: "/login", who: "bob", login: true,
				body: `{"data":{"token":"t","cards":[{"card_number":"4012888888881881","brand":"visa"}]}}`}},
			op: "GET /cards/{cardNo}", param: "cardNo", as: "bob", owner: Mine, want: []string{"4012888888881881"},
		},
		{
			name: "a title the client chose in a create answered with a message feeds {title}",
			ops:  []string{"POST /pages", "GET /pages/{title}"},
			exs:  []ex{{method: "POST", path: "/pages", who: "alice", status: 201, sent: `{"title":"my-notes","body":"x"}`, body: `{"message":"created"}`}},
			op:   "GET /pages/{title}", param: "title", as: "alice", owner: Mine, want: []string{"my-notes"},
		},
		{
			name: "a device name from the listing feeds {name}",
			ops:  []string{"GET /devices", "GET /devices/{name}/telemetry"},
			exs: []ex{
				{method: "POST", path: "/login", who: "alice", login: true, sent: `{"username":"alice","password":"pw"}`, body: `{"access_token":"x"}`},
				{path: "/devices", who: "alice", body: `[{"name":"alice-front-door","kind":"lock","owner":"alice"}]`, exploring: true},
			},
			op: "GET /devices/{name}/telemetry", param: "name", as: "alice", owner: Mine, want: []string{"alice-front-door"},
		},
		{
			name: "the e-mail the identity logged in with feeds {email}",
			ops:  []string{"GET /patients/{email}"},
			exs: []ex{{method: "POST", path: "/auth", who: "alice", login: true, sent: `{"email":"alice@example.com","password":"pw"}`,
				body: `{"token":"opaque"}`}},
			op: "GET /patients/{email}", param: "email", as: "alice", owner: Mine, want: []string{"alice@example.com"},
		},
		{
			name: "the username feeds {username}; its orders {order_id} under it",
			ops:  []string{"GET /users/{username}/orders", "GET /users/{username}/orders/{order_id}"},
			exs: []ex{
				{method: "POST", path: "/login", who: "alice", login: true, sent: `{"username":"alice","password":"pw"}`, body: `{"access_token":"x"}`},
				{path: "/users/alice/orders", who: "alice", body: `{"items":[{"id":3,"status":"new"}],"next":null}`, exploring: true},
			},
			op: "GET /users/{username}/orders/{order_id}", param: "order_id", as: "alice", owner: Mine, want: []string{"3"},
		},
		{
			name: "another identity's values",
			ops:  []string{"GET /notes", "GET /notes/{note_id}"},
			exs: []ex{
				{path: "/notes", who: "alice", body: `[{"id":1}]`, exploring: true},
				{path: "/notes", who: "bob", body: `[{"id":2}]`, exploring: true},
			},
			op: "GET /notes/{note_id}", param: "note_id", as: "alice", owner: Others, want: []string{"2"},
		},
		{
			name: "visible: the identity's own and what it saw, not what only others saw",
			ops:  []string{"GET /notes", "GET /threads", "GET /notes/{note_id}"},
			exs: []ex{
				{path: "/notes", who: "alice", body: `[{"id":1}]`, exploring: true},
				{path: "/notes", who: "bob", body: `[{"id":2}]`, exploring: true},
			},
			op: "GET /notes/{note_id}", param: "note_id", as: "alice", owner: Visible, want: []string{"1"},
		},
		{
			name: "a query id of a thing: /loan?id= from the loans listing",
			ops:  []string{"GET /loans", "GET /loan"},
			extra: func(m *Model) {
				withParams(m, "GET /loan", rampart.Param{Name: "id", In: "query", Required: true, Schema: &rampart.Schema{Type: "integer"}})
			},
			exs: []ex{{path: "/loans", who: "alice", body: `{"loans":[{"id":1,"isbn":"0261103344"},{"id":2,"isbn":"0261103345"}]}`, exploring: true}},
			op:  "GET /loan", param: "id", as: "alice", owner: Mine, want: []string{"1", "2"},
		},
		{
			name: "an integer parameter never gets a name",
			ops:  []string{"GET /items", "GET /items/{item_id}"},
			extra: func(m *Model) {
				op := m.Operation("GET /items/{item_id}")
				op.Params[0].Schema = &rampart.Schema{Type: "integer"}
			},
			exs: []ex{{path: "/items", who: "alice", body: `[{"item_id":"abc"},{"item_id":"12"}]`, exploring: true}},
			op:  "GET /items/{item_id}", param: "item_id", as: "alice", owner: Any, want: []string{"12"},
		},
		{
			name: "format uuid takes UUIDs whatever their field",
			ops:  []string{"GET /employees", "GET /staff/{ref}"},
			extra: func(m *Model) {
				op := m.Operation("GET /staff/{ref}")
				op.Params[0].Schema = &rampart.Schema{Type: "string", Format: "uuid"}
			},
			exs: []ex{{path: "/employees", who: "alice", body: `{"result":{"items":[{"id":"b1f1e036-0425-49b6-a352-84d9240e42ef","name":"Alice A"}]}}`, exploring: true}},
			op:  "GET /staff/{ref}", param: "ref", as: "alice", owner: Any, want: []string{"b1f1e036-0425-49b6-a352-84d9240e42ef"},
		},
		{
			name: "an enum keeps its members only",
			ops:  []string{"GET /things", "GET /reports/{code}"},
			extra: func(m *Model) {
				op := m.Operation("GET /reports/{code}")
				op.Params[0].Schema = &rampart.Schema{Type: "string", Enum: []any{"daily", "weekly"}}
			},
			exs: []ex{{path: "/things", who: "alice", body: `[{"code":"weekly"},{"code":"XYZ-1"}]`, exploring: true}},
			op:  "GET /reports/{code}", param: "code", as: "alice", owner: Any, want: []string{"weekly"},
		},
		{
			name: "a user id parameter takes the person's id",
			ops:  []string{"GET /users/{user_id}"},
			exs: []ex{{method: "POST", path: "/login", who: "bob", login: true, sent: `{"username":"bob","password":"pw"}`,
				body: `{"access_token":"x","user":{"id":2,"username":"bob"}}`}},
			op: "GET /users/{user_id}", param: "user_id", as: "bob", owner: Mine, want: []string{"2"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ids := feed(t, tc.ops, users, tc.exs...)
			if tc.extra != nil {
				tc.extra(m)
			}
			got := vals(m.Values(m.Operation(tc.op), tc.param, Query{As: ids[tc.as], Owner: tc.owner, Of: ids[tc.of]}))
			if !slices.Equal(got, tc.want) {
				t.Errorf("values %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValuesOf(t *testing.T) {
	m, ids := feed(t, []string{"GET /notes", "GET /notes/{note_id}"}, users,
		ex{path: "/notes", who: "alice", body: `[{"id":1}]`, exploring: true},
		ex{path: "/notes", who: "bob", body: `[{"id":2}]`, exploring: true},
		ex{path: "/notes", who: "carol", body: `[{"id":3}]`, exploring: true},
	)
	op := m.Operation("GET /notes/{note_id}")
	if got := vals(m.Values(op, "note_id", Query{As: ids["alice"], Owner: Others})); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("others of alice: %q", got)
	}
	if got := vals(m.Values(op, "note_id", Query{As: ids["alice"], Owner: Others, Of: ids["carol"]})); !slices.Equal(got, []string{"3"}) {
		t.Errorf("carol's, asked by alice: %q", got)
	}
	if c := m.Values(op, "note_id", Query{As: ids["carol"], Owner: Mine}); len(c) != 1 || c[0].Seen != HowListing || c[0].Foreign {
		t.Errorf("carol's own, as carol saw it: %+v", c)
	}
	if c := m.Values(op, "note_id", Query{As: ids["alice"], Owner: Others, Of: ids["bob"]}); len(c) != 1 || c[0].Seen != 0 {
		t.Errorf("bob's, never shown to alice: %+v", c)
	}
	if got := vals(m.Values(op, "note_id", Query{As: ids["anonymous"], Owner: Mine})); len(got) != 0 {
		t.Errorf("the anonymous caller owns %q", got)
	}
	if got := vals(m.Values(op, "note_id", Query{As: ids["alice"], Limit: 1})); len(got) != 1 {
		t.Errorf("limit 1: %q", got)
	}
	var nilModel *Model
	if nilModel.Values(op, "note_id", Query{}) != nil || nilModel.Person(ids["alice"]).Known() {
		t.Error("a nil model answered")
	}
}

func TestProducers(t *testing.T) {
	m, _ := feed(t, []string{"GET /pages", "POST /pages", "GET /pages/{title}", "GET /admin/pages"}, users,
		ex{path: "/pages", who: "alice", body: `{"pages":[{"title":"a-page","owner":"alice"}]}`, exploring: true},
	)
	post := m.Operation("POST /pages")
	post.Body = &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{
		"title": {Type: "string"}, "body": {Type: "string"}}}}
	admin := m.Operation("GET /admin/pages")
	admin.Responses = []rampart.Response{{Status: "200", Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{
		"pages": {Type: "array", Items: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"title": {Type: "string"}}}}}}}}
	got := m.Producers(m.Operation("GET /pages/{title}"), "title")
	var keys []string
	for _, l := range got {
		keys = append(keys, l.From+" "+l.Field+" "+l.By)
	}
	want := []string{"GET /pages pages[].title thing", "GET /admin/pages pages[].title spec", "POST /pages request.title spec"}
	if !slices.Equal(keys, want) {
		t.Errorf("producers %q\nwant %q", keys, want)
	}
}

// One text, two objects: ticket 1 is alice's, comment 1 carol's. Asked for
// a ticket id, the ticket's owner field counts.
func TestValuesOwnerOfTheLinkedThing(t *testing.T) {
	m, ids := feed(t, []string{"GET /tickets", "GET /tickets/{ticket_id}", "GET /tickets/{ticket_id}/comments"}, users,
		ex{method: "POST", path: "/login", who: "alice", login: true, sent: `{"username":"alice","password":"pw"}`, body: `{}`},
		ex{method: "POST", path: "/login", who: "carol", login: true, sent: `{"username":"carol","password":"pw"}`, body: `{}`},
		ex{path: "/tickets", who: "alice", body: `{"result":[{"id":1,"owner":"alice"}]}`, exploring: true},
		ex{path: "/tickets/1/comments", who: "alice", body: `{"result":[{"id":1,"author":"carol"}]}`, exploring: true},
	)
	got := m.Values(m.Operation("GET /tickets/{ticket_id}"), "ticket_id", Query{As: ids["alice"], Owner: Mine})
	if len(got) != 1 || got[0].Value != "1" || got[0].Evidence != HowOwnerField {
		t.Errorf("alice's tickets %+v", got)
	}
}
