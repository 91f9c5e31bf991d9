package apimodel

import (
	"testing"
)

func TestOwnership(t *testing.T) {
	login := func(who, sent, answer string) ex {
		return ex{method: "POST", path: "/login", who: who, login: true, sent: sent, body: answer}
	}
	for _, tc := range []struct {
		name     string
		ops      []string
		exs      []ex
		value    string
		owner    string
		evidence How
		public   bool
	}{
		{
			name:  "an account number in the login answer is the caller's",
			ops:   []string{"GET /accounts/{account_number}"},
			exs:   []ex{login("alice", `{"username":"alice","password":"pw"}`, `{"status":"ok","data":{"access_token":"t","accounts":[{"number":"NL91ZOOB0417164300","kind":"checking"}]}}`)},
			value: "NL91ZOOB0417164300", owner: "alice", evidence: HowLogin,
		},
		{
			name:  "the login request's username is the caller's",
			ops:   []string{"GET /users/{username}"},
			exs:   []ex{login("bob", `{"username":"bob","password":"pw"}`, `{"message":"logged in"}`)},
			value: "bob", owner: "bob", evidence: HowLoginSent,
		},
		{
			name:  "a form login's username too",
			ops:   []string{"GET /users/{username}"},
			exs:   []ex{{method: "POST", path: "/login", who: "bob", login: true, sent: "username=bob&password=pw", sentType: "application/x-www-form-urlencoded", body: `{}`}},
			value: "bob", owner: "bob", evidence: HowLoginSent,
		},
		{
			name:  "an id in the answer to a create is its creator's",
			ops:   []string{"POST /notes", "GET /notes/{note_id}"},
			exs:   []ex{{method: "POST", path: "/notes", who: "alice", status: 201, sent: `{"title":"x"}`, body: `{"id":77,"title":"x"}`}},
			value: "77", owner: "alice", evidence: HowCreated,
		},
		{
			name:  "a key the client sent in a create answered with a message is the client's",
			ops:   []string{"POST /pages", "GET /pages/{title}"},
			exs:   []ex{{method: "POST", path: "/pages", who: "bob", status: 201, sent: `{"title":"bobs-page","body":"hello"}`, body: `{"message":"created"}`}},
			value: "bobs-page", owner: "bob", evidence: HowSent,
		},
		{
			name:  "a probe sent in a create is nobody's key",
			ops:   []string{"POST /pages", "GET /pages/{title}"},
			exs:   []ex{{method: "POST", path: "/pages", who: "bob", status: 201, sent: `{"title":"x' OR '1'='1"}`, body: `{"message":"created"}`}},
			value: "x' OR '1'='1", owner: "<not kept>",
		},
		{
			name: "a known id sent in a POST (a lookup of another's order) is not the sender's",
			ops:  []string{"GET /orders", "POST /orders/lookup"},
			exs: []ex{
				{path: "/orders", who: "bob", body: `[{"id":4}]`, exploring: true},
				{path: "/orders", who: "alice", body: `[{"id":1}]`, exploring: true},
				{method: "POST", path: "/orders/lookup", who: "alice", sent: `{"order_id":4}`, body: `{"id":4,"status":"new"}`},
			},
			value: "4", owner: "bob", evidence: HowExclusive,
		},
		{
			name: "an answer to a create naming a known value did not create it",
			ops:  []string{"GET /orders", "POST /orders/{order_id}/report"},
			exs: []ex{
				{path: "/orders", who: "bob", body: `[{"id":4}]`, exploring: true},
				{path: "/orders", who: "alice", body: `[{"id":1}]`, exploring: true},
				{method: "POST", path: "/orders/4/report", who: "alice", sent: `{"reason":"spam"}`, body: `{"order_id":4,"report_id":900}`},
			},
			value: "4", owner: "bob", evidence: HowExclusive,
		},
		{
			name: "what the create's answer made new is the creator's",
			ops:  []string{"GET /orders", "POST /orders/{order_id}/report"},
			exs: []ex{
				{path: "/orders", who: "bob", body: `[{"id":4}]`, exploring: true},
				{method: "POST", path: "/orders/4/report", who: "alice", sent: `{"reason":"spam"}`, body: `{"order_id":4,"report_id":900}`},
			},
			value: "900", owner: "alice", evidence: HowCreated,
		},
		{
			name: "an owner field naming an identity's username",
			ops:  []string{"GET /pages"},
			exs: []ex{
				login("alice", `{"username":"alice","password":"pw"}`, `{"message":"logged in"}`),
				{path: "/pages", who: "bob", body: `{"pages":[{"title":"alice-diary","owner":"alice"}]}`, exploring: true},
			},
			value: "alice-diary", owner: "alice", evidence: HowOwnerField,
		},
		{
			name: "an owner field naming an identity's id, nested",
			ops:  []string{"GET /notes"},
			exs: []ex{
				login("alice", `{"username":"alice","password":"pw"}`, `{"user":{"id":41,"username":"alice"}}`),
				{path: "/notes", who: "carol", body: `[{"id":9001,"owner":{"id":41}}]`, exploring: true},
			},
			value: "9001", owner: "alice", evidence: HowOwnerField,
		},
		{
			name: "an owner field naming someone the scan does not know",
			ops:  []string{"GET /notes"},
			exs: []ex{
				{path: "/notes", who: "alice", body: `[{"id":5,"owner":"mallory"}]`, exploring: true},
			},
			value: "5",
		},
		{
			name: "only in its own listing",
			ops:  []string{"GET /notes"},
			exs: []ex{
				{path: "/notes", who: "alice", body: `[{"id":1}]`, exploring: true},
				{path: "/notes", who: "bob", body: `[{"id":2}]`, exploring: true},
			},
			value: "1", owner: "alice", evidence: HowExclusive,
		},
		{
			name: "an administrator's listing of everything does not take the user's objects",
			ops:  []string{"GET /notes", "GET /admin/notes"},
			exs: []ex{
				{path: "/notes", who: "alice", body: `[{"id":1}]`, exploring: true},
				{path: "/notes", who: "bob", body: `[{"id":2}]`, exploring: true},
				{path: "/admin/notes", who: "carol", body: `[{"id":1},{"id":2},{"id":3}]`, exploring: true},
			},
			value: "2", owner: "bob", evidence: HowExclusive,
		},
		{
			name: "what only the administrator lists is the administrator's",
			ops:  []string{"GET /notes", "GET /admin/notes"},
			exs: []ex{
				{path: "/notes", who: "alice", body: `[{"id":1}]`, exploring: true},
				{path: "/admin/notes", who: "carol", body: `[{"id":1},{"id":3}]`, exploring: true},
			},
			value: "3", owner: "carol", evidence: HowExclusive,
		},
		{
			name: "listed by two users: nobody's",
			ops:  []string{"GET /threads"},
			exs: []ex{
				{path: "/threads", who: "alice", body: `[{"id":1}]`, exploring: true},
				{path: "/threads", who: "bob", body: `[{"id":1}]`, exploring: true},
			},
			value: "1",
		},
		{
			name: "a check reading another user's listing later does not undo ownership",
			ops:  []string{"GET /users/{username}/orders"},
			exs: []ex{
				{path: "/users/alice/orders", who: "alice", body: `{"items":[{"id":3}]}`, exploring: true},
				{path: "/users/alice/orders", who: "bob", body: `{"items":[{"id":3}]}`},
			},
			value: "3", owner: "alice", evidence: HowExclusive,
		},
		{
			name: "seen by the anonymous caller: public",
			ops:  []string{"GET /books"},
			exs: []ex{
				{path: "/books", who: "", body: `[{"isbn":"0261103344"}]`, exploring: true},
				{path: "/books", who: "alice", body: `[{"isbn":"0261103344"}]`, exploring: true},
			},
			value: "0261103344", public: true,
		},
		{
			name: "the anonymous caller answered at an identity's URL (a gate probe) makes nothing public",
			ops:  []string{"GET /users/{username}/orders", "GET /users/{username}/orders/{order_id}"},
			exs: []ex{
				{path: "/users/alice/orders", who: "alice", body: `{"items":[{"id":3}]}`, exploring: true},
				{path: "/users/alice/orders/3", who: "", body: `{"id":3,"total":9}`, gate: true},
			},
			value: "3", owner: "alice", evidence: HowExclusive,
		},
		{
			name: "public and owned: the owner field still says whose",
			ops:  []string{"GET /pages"},
			exs: []ex{
				login("carol", `{"username":"carol","password":"pw"}`, `{}`),
				{path: "/pages", who: "", body: `{"pages":[{"title":"welcome","owner":"carol"}]}`, exploring: true},
			},
			value: "welcome", owner: "carol", evidence: HowOwnerField, public: true,
		},
		{
			name: "the same value in two logins is nobody's",
			ops:  []string{"GET /teams/{team}"},
			exs: []ex{
				login("alice", `{"username":"alice","password":"pw"}`, `{"team_code":"RED-TEAM"}`),
				login("bob", `{"username":"bob","password":"pw"}`, `{"team_code":"RED-TEAM"}`),
			},
			value: "RED-TEAM",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := feed(t, tc.ops, users, tc.exs...)
			got := ownerOfValue(m, tc.value)
			if got.owner != tc.owner || got.evidence != tc.evidence || got.public != tc.public {
				t.Errorf("owner %q by %q public %v, want %q by %q public %v", got.owner, got.evidence, got.public, tc.owner, tc.evidence, tc.public)
			}
		})
	}
}

// An answer already harvested is skipped, but never the same answer shown
// to another identity, nor to exploring after a check.
func TestRepeatedAnswers(t *testing.T) {
	body := `[{"id":1}]`
	m, _ := feed(t, []string{"GET /notes"}, users,
		ex{path: "/notes", who: "alice", body: body},
		ex{path: "/notes", who: "alice", body: body},
		ex{path: "/notes", who: "bob", body: body},
		ex{path: "/notes", who: "alice", body: body, exploring: true},
	)
	m.mu.RLock()
	defer m.mu.RUnlock()
	e := m.values["1"]
	if e == nil || e.howSeen("alice")&howExplored == 0 || e.howSeen("bob") == 0 {
		t.Fatalf("sightings %+v", e)
	}
	if n := len(m.answers); n != 3 {
		t.Errorf("%d answers harvested, want 3 (the repeat skipped)", n)
	}
}
