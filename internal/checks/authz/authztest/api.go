// Package authztest is a deterministic in-memory API for the authorization
// checks' unit tests: users, notes, orders, accounts and an admin area,
// each flaw switchable, every request recorded, so that a test asserts
// from what the API received and from its state afterwards.
package authztest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Spec is the API's OpenAPI document.
//
//go:embed api.yaml
var Spec []byte

// Flaws switch the API's authorization bugs on.
type Flaws struct {
	ReadBOLA    bool // GET /notes/{id} does not check the owner
	WriteBOLA   bool // PUT /notes/{id} does not check the owner
	DeleteBOLA  bool // DELETE /notes/{id} does not check the owner
	Public      bool // notes are readable by everyone, anonymous callers included
	ErrorBody   bool // a foreign note answers 200 {"error": "forbidden"}
	IgnoreID    bool // GET /notes/{id} returns the caller's first note whatever the id
	Shared      bool // every note is listed for, and readable by, every user
	PublicView  bool // a foreign note answers a reduced card {id, title}
	QueryBOLA   bool // GET /orders?user_id= returns that user's orders (else the caller's own, with 200)
	UpsertBOLA  bool // PUT /accounts/{user_id} writes any user's account
	AdminRead   bool // GET /admin/users is open to users
	AdminCreate bool // POST /admin/users is open to users
	AdminDelete bool // DELETE /admin/users/{id} is open to users
	AdminLookup bool // DELETE /admin/users/{id} looks the user up before checking the role (404 for users)
	MethodSwap  bool // the undeclared DELETE /users/{id} works for anyone
	Mass        bool // PUT /profile persists role and is_admin
	AnonWrite   bool // note writes need no credentials
	DeadToken   bool // alice's token is rejected (an identity that cannot log in)
}

// User is an account of the API.
type User struct {
	ID                                  int
	Username, Email, Display, Bio, Role string
	IsAdmin                             bool
	Token                               string
	Nickname, IBAN                      string
	deleted                             bool
}

// Note is a note.
type Note struct {
	ID, Owner   int
	Title, Body string
}

// Request is one request the API received.
type Request struct {
	Method, Path, Auth, Body string
}

// API is the fake. The zero value is not usable: call New.
type API struct {
	Flaws Flaws

	mu     sync.Mutex
	users  map[int]*User
	notes  map[int]*Note
	next   int
	nextU  int
	reqs   []Request
	orders map[int][]map[string]any
}

// Tokens of the seeded users.
const (
	AliceToken = "tok-alice-5f2a9c81d7"
	BobToken   = "tok-bob-77e1c02b94"
	CarolToken = "tok-carol-0c9d4e6f13"
)

// New returns the API with alice and bob (users), carol (admin) and their
// notes, orders and accounts.
func New(f Flaws) *API {
	a := &API{Flaws: f, users: map[int]*User{}, notes: map[int]*Note{}, next: 100, nextU: 50}
	for _, u := range []*User{
		{ID: 1, Username: "alice", Email: "alice@wonder.example", Display: "Alice Liddell", Bio: "Late for a very important date",
			Role: "user", Token: AliceToken, Nickname: "Alice main", IBAN: "GB33ACME40051512345678"},
		{ID: 2, Username: "bob", Email: "bob@builder.example", Display: "Bob Martin", Bio: "Can we fix it",
			Role: "user", Token: BobToken, Nickname: "Bob main", IBAN: "GB94ACME40051587654321"},
		{ID: 3, Username: "carol", Email: "carol@marvel.example", Display: "Carol Danvers", Bio: "Higher further faster",
			Role: "admin", IsAdmin: true, Token: CarolToken, Nickname: "Carol main", IBAN: "GB71ACME40051511223344"},
	} {
		a.users[u.ID] = u
	}
	for _, n := range []*Note{
		{ID: 10, Owner: 1, Title: "Alice secret plan", Body: "Tea at four with the Hatter, bring 4471 tarts"},
		{ID: 11, Owner: 1, Title: "Alice shopping list", Body: "Looking glass polish and jam"},
		{ID: 12, Owner: 2, Title: "Bob site checklist", Body: "Hard hats and the gate code 9921"},
		{ID: 14, Owner: 3, Title: "Carol access review", Body: "Revoke stale VPN keys by Friday"},
	} {
		a.notes[n.ID] = n
	}
	a.orders = map[int][]map[string]any{
		1: {{"id": 500, "user_id": 1, "item": "Red bicycle with a basket", "total": 349.99}},
		2: {{"id": 600, "user_id": 2, "item": "Blue kayak and paddle", "total": 812.5}},
		3: {{"id": 700, "user_id": 3, "item": "Flight suit, size M", "total": 1200.0}},
	}
	return a
}

// Requests returns what the API received so far.
func (a *API) Requests() []Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Request(nil), a.reqs...)
}

// Notes returns a copy of every note.
func (a *API) Notes() []Note {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Note
	for _, n := range a.notes {
		out = append(out, *n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// User returns a copy of a user.
func (a *API) User(id int) (User, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// Users returns the ids of the users that are not deleted.
func (a *API) Users() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []int
	for id, u := range a.users {
		if !u.deleted {
			out = append(out, id)
		}
	}
	sort.Ints(out)
	return out
}

func (a *API) caller(r *http.Request) *User {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok == "" {
		return nil
	}
	for _, u := range a.users {
		if u.Token == tok && !u.deleted {
			if a.Flaws.DeadToken && u.ID == 1 {
				return nil
			}
			return u
		}
	}
	return nil
}

func write(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func fail(w http.ResponseWriter, code int, msg string) {
	write(w, code, map[string]string{"error": msg})
}

func noteView(n *Note) map[string]any {
	return map[string]any{"id": n.ID, "owner_id": n.Owner, "title": n.Title, "body": n.Body}
}

func profile(u *User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "email": u.Email, "display_name": u.Display,
		"bio": u.Bio, "role": u.Role, "is_admin": u.IsAdmin}
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	_ = json.Unmarshal(raw, &body)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reqs = append(a.reqs, Request{Method: r.Method, Path: r.URL.RequestURI(), Auth: r.Header.Get("Authorization"), Body: string(raw)})
	me := a.caller(r)
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	id := func(i int) int {
		if i >= len(segs) {
			return -1
		}
		n, err := strconv.Atoi(segs[i])
		if err != nil {
			return -1
		}
		return n
	}
	route := r.Method + " /" + segs[0]
	if len(segs) > 1 {
		route += "/{}"
		if segs[0] == "admin" {
			route = r.Method + " /admin/" + segs[1]
			if len(segs) > 2 {
				route += "/{}"
			}
		}
	}
	public := route == "GET /users/{}" || (a.Flaws.Public && route == "GET /notes/{}") ||
		(a.Flaws.AnonWrite && strings.HasSuffix(route, "/notes") || a.Flaws.AnonWrite && strings.HasSuffix(route, "/notes/{}")) ||
		(a.Flaws.MethodSwap && route == "DELETE /users/{}")
	if me == nil && !public {
		fail(w, 401, "authentication required")
		return
	}
	myID := 0
	if me != nil {
		myID = me.ID
	}
	switch route {
	case "GET /me", "GET /profile":
		write(w, 200, profile(me))
	case "PUT /profile":
		if v, ok := body["display_name"].(string); ok {
			me.Display = v
		}
		if v, ok := body["bio"].(string); ok {
			me.Bio = v
		}
		if a.Flaws.Mass {
			if v, ok := body["role"].(string); ok {
				me.Role = v
			}
			if v, ok := body["is_admin"].(bool); ok {
				me.IsAdmin = v
			}
		}
		write(w, 200, profile(me))
	case "GET /notes":
		var out []any
		for _, n := range a.sortedNotes() {
			if n.Owner == myID || a.Flaws.Shared {
				out = append(out, noteView(n))
			}
		}
		write(w, 200, map[string]any{"notes": out})
	case "POST /notes":
		title, _ := body["title"].(string)
		if title == "" {
			fail(w, 400, "title is required")
			return
		}
		text, _ := body["body"].(string)
		a.next++
		n := &Note{ID: a.next, Owner: myID, Title: title, Body: text}
		a.notes[n.ID] = n
		w.Header().Set("Location", fmt.Sprintf("/notes/%d", n.ID))
		write(w, 201, noteView(n))
	case "GET /notes/{}", "PUT /notes/{}", "DELETE /notes/{}":
		a.note(w, r.Method, id(1), me, body)
	case "GET /orders":
		who := myID
		if q := r.URL.Query().Get("user_id"); q != "" {
			n, err := strconv.Atoi(q)
			if err != nil {
				fail(w, 400, "user_id must be an integer")
				return
			}
			if a.Flaws.QueryBOLA {
				who = n
			} // otherwise ownership comes from the session: a foreign user_id still answers 200 with the caller's own orders
		}
		write(w, 200, map[string]any{"orders": a.orders[who]})
	case "GET /accounts":
		write(w, 200, map[string]any{"accounts": []any{a.account(me)}})
	case "GET /accounts/{}":
		u := a.users[id(1)]
		if u == nil || (u.ID != myID && !a.Flaws.UpsertBOLA) {
			fail(w, 404, "account not found")
			return
		}
		write(w, 200, a.account(u))
	case "PUT /accounts/{}":
		u := a.users[id(1)]
		if u == nil || (u.ID != myID && !a.Flaws.UpsertBOLA) {
			fail(w, 403, "not your account")
			return
		}
		nick, _ := body["nickname"].(string)
		if nick == "" {
			fail(w, 400, "nickname is required")
			return
		}
		u.Nickname = nick
		write(w, 200, a.account(u))
	case "GET /admin/users":
		if me.Role != "admin" && !a.Flaws.AdminRead {
			fail(w, 403, "administrators only")
			return
		}
		var out []any
		for _, uid := range a.userIDs() {
			u := a.users[uid]
			out = append(out, map[string]any{"id": u.ID, "username": u.Username, "email": u.Email})
		}
		write(w, 200, map[string]any{"users": out})
	case "POST /admin/users":
		if me.Role != "admin" && !a.Flaws.AdminCreate {
			fail(w, 403, "administrators only")
			return
		}
		name, _ := body["username"].(string)
		email, _ := body["email"].(string)
		if name == "" || email == "" {
			fail(w, 400, "username and email are required")
			return
		}
		a.nextU++
		u := &User{ID: a.nextU, Username: name, Email: email, Display: name, Role: "user", Token: fmt.Sprintf("tok-%d", a.nextU)}
		a.users[u.ID] = u
		w.Header().Set("Location", fmt.Sprintf("/users/%d", u.ID))
		write(w, 201, map[string]any{"id": u.ID, "username": u.Username, "email": u.Email})
	case "DELETE /admin/users/{}":
		u := a.users[id(2)]
		if a.Flaws.AdminLookup && (u == nil || u.deleted) {
			fail(w, 404, "user not found")
			return
		}
		if me.Role != "admin" && !a.Flaws.AdminDelete {
			fail(w, 403, "administrators only")
			return
		}
		if u == nil || u.deleted || u.ID <= 3 && me.ID == u.ID {
			fail(w, 404, "user not found")
			return
		}
		u.deleted = true
		w.WriteHeader(204)
	case "GET /users/{}":
		u := a.users[id(1)]
		if u == nil || u.deleted {
			fail(w, 404, "user not found")
			return
		}
		write(w, 200, map[string]any{"id": u.ID, "username": u.Username, "display_name": u.Display, "bio": u.Bio})
	case "DELETE /users/{}":
		if !a.Flaws.MethodSwap {
			fail(w, 405, "method not allowed")
			return
		}
		u := a.users[id(1)]
		if u == nil || u.deleted {
			fail(w, 404, "user not found")
			return
		}
		u.deleted = true
		w.WriteHeader(204)
	case "PUT /users/{}", "PATCH /users/{}", "PATCH /notes/{}":
		fail(w, 405, "method not allowed")
	default:
		fail(w, 404, "not found")
	}
}

func (a *API) account(u *User) map[string]any {
	return map[string]any{"id": u.ID, "owner_id": u.ID, "nickname": u.Nickname, "iban": u.IBAN, "holder": u.Display}
}

func (a *API) sortedNotes() []*Note {
	var out []*Note
	for _, n := range a.notes {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (a *API) userIDs() []int {
	var out []int
	for id, u := range a.users {
		if !u.deleted {
			out = append(out, id)
		}
	}
	sort.Ints(out)
	return out
}

// note serves one note by the flaws' rules.
func (a *API) note(w http.ResponseWriter, method string, id int, me *User, body map[string]any) {
	myID := 0
	if me != nil {
		myID = me.ID
	}
	n := a.notes[id]
	if method == http.MethodGet && a.Flaws.IgnoreID {
		for _, x := range a.sortedNotes() {
			if x.Owner == myID {
				write(w, 200, noteView(x))
				return
			}
		}
	}
	if n == nil {
		fail(w, 404, "note not found")
		return
	}
	mine := n.Owner == myID || a.Flaws.Shared || a.Flaws.AnonWrite
	switch method {
	case http.MethodGet:
		switch {
		case mine || a.Flaws.ReadBOLA || a.Flaws.Public:
			write(w, 200, noteView(n))
		case a.Flaws.ErrorBody:
			write(w, 200, map[string]any{"error": "forbidden", "message": "not your note"})
		case a.Flaws.PublicView:
			write(w, 200, map[string]any{"id": n.ID, "title": n.Title})
		default:
			fail(w, 404, "note not found")
		}
	case http.MethodPut:
		if !mine && !a.Flaws.WriteBOLA {
			fail(w, 404, "note not found")
			return
		}
		if v, ok := body["title"].(string); ok {
			n.Title = v
		}
		if v, ok := body["body"].(string); ok {
			n.Body = v
		}
		write(w, 200, noteView(n))
	case http.MethodDelete:
		if !mine && !a.Flaws.DeleteBOLA {
			fail(w, 404, "note not found")
			return
		}
		delete(a.notes, id)
		w.WriteHeader(204)
	}
}
