package authz

import (
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIsIDKey(t *testing.T) {
	for k, want := range map[string]bool{
		"id": true, "note_id": true, "noteId": true, "ownerID": true, "uuid": true, "user-id": true, "_id": true,
		"paid": false, "video": false, "ID3": false, "valid": false, "title": false, "Idaho": false,
	} {
		if got := isIDKey(k); got != want {
			t.Errorf("isIDKey(%q) = %v, want %v", k, got, want)
		}
	}
}

func TestUserish(t *testing.T) {
	for k, want := range map[string]bool{
		"user_id": true, "userId": true, "owner": true, "memberUuid": true, "customer_id": true, "uid": true,
		"note_id": false, "id": false, "username": false, "account_id": false,
	} {
		if got := userish(k); got != want {
			t.Errorf("userish(%q) = %v, want %v", k, got, want)
		}
	}
}

func TestCollectionsFor(t *testing.T) {
	tests := []struct {
		path string
		prm  rampart.Param
		want []string
	}{
		{"/notes/{note_id}", rampart.Param{Name: "note_id", In: "path"}, []string{"/note", "/notes", "/noteses", "/notess"}},
		{"/account/{id}", rampart.Param{Name: "id", In: "path"}, []string{"/account", "/accountes", "/accounts"}},
		{"/v1/categories/{id}", rampart.Param{Name: "id", In: "path"}, []string{"/v1/categorie", "/v1/categories", "/v1/categorieses", "/v1/categoriess", "/v1/category"}},
		{"/users/{uid}/notes", rampart.Param{Name: "uid", In: "path"}, nil},
		{"/orders", rampart.Param{Name: "user_id", In: "query"}, []string{"/order", "/orders", "/orderses", "/orderss"}},
	}
	for _, tt := range tests {
		var got []string
		for k := range collectionsFor(tt.path, tt.prm) {
			got = append(got, k)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("collectionsFor(%s, %s) = %q, want %q", tt.path, tt.prm.Name, got, tt.want)
		}
	}
}

func TestLeaves(t *testing.T) {
	doc, ok := decodeJSON(fixture(t, "account.json"))
	if !ok {
		t.Fatal("fixture is not JSON")
	}
	got := leaves(doc, nil)
	want := map[string]string{
		"Alice Liddell": "display_name", "current": "kind", "2450.0": "balance",
		"GB33ACME40051512345678": "iban", "Europe/London": "timezone",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("leaves = %v, want %v", got, want)
	}
	// Objects another user owns are pruned.
	doc, _ = decodeJSON(fixture(t, "list.json"))
	pruned := leaves(doc, func(m map[string]any) bool { o, ok := ownerOf(m); return ok && o != "7" })
	if _, ok := pruned["Grace's draft"]; ok {
		t.Errorf("a value of an object owned by someone else was kept: %v", pruned)
	}
	if _, ok := pruned["Quarterly numbers for Q3"]; !ok {
		t.Errorf("the caller's own value was pruned: %v", pruned)
	}
}

func TestItemsIn(t *testing.T) {
	doc, _ := decodeJSON(fixture(t, "list.json"))
	items := itemsIn(doc, "/items")
	var got []string
	for _, it := range items {
		got = append(got, it.id+":"+it.owner)
	}
	want := []string{"101:7", "102:9", "103:"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items = %q, want %q", got, want)
	}
	if items[0].fields["ownerid"] != "7" {
		t.Errorf("fields = %v", items[0].fields)
	}
}

func TestSelfObject(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"me.json", "7"},
		{"wrapped_me.json", "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
		{"list.json", ""},
		{"account.json", ""},
	}
	for _, tt := range tests {
		r := &engine.Response{Status: 200, Body: fixture(t, tt.file)}
		got := findSelf(map[string]*listed{"GET /x": digest(r, &rampart.Operation{Method: "GET", Path: "/x"})})
		if got != tt.want {
			t.Errorf("%s: self = %q, want %q", tt.file, got, tt.want)
		}
	}
	if !isSpecDoc(mustJSON(t, fixture(t, "spec_like.json"))) {
		t.Error("an OpenAPI document is not recognised")
	}
}

func mustJSON(t *testing.T, b []byte) any {
	t.Helper()
	v, ok := decodeJSON(b)
	if !ok {
		t.Fatalf("not JSON: %s", b)
	}
	return v
}

func TestCandidatesAndSees(t *testing.T) {
	op := &rampart.Operation{Method: "GET", Path: "/items/{item_id}"}
	prm := rampart.Param{Name: "item_id", In: "path"}
	doc, _ := decodeJSON(fixture(t, "list.json"))
	h := &holdings{selfID: "7", items: itemsIn(doc, "/items")}
	inv := &Inventory{by: map[string]*holdings{"ada": h}}
	ada := identityNamed("ada")
	// 101 is ada's, 103 has no owner (visible to her), 102 is Grace's even
	// though the list shows it.
	if got := inv.Candidates(op, prm, ada); !reflect.DeepEqual(got, []string{"101", "103"}) {
		t.Errorf("candidates = %q", got)
	}
	if !inv.Sees(op, prm, ada, "102") || inv.Sees(op, prm, ada, "104") {
		t.Error("Sees: a listed object is shared, an unlisted one is not")
	}
	user := rampart.Param{Name: "user_id", In: "path"}
	if got := inv.Candidates(&rampart.Operation{Method: "GET", Path: "/account/{user_id}"}, user, ada); !reflect.DeepEqual(got, []string{"7"}) {
		t.Errorf("user-like parameter candidates = %q", got)
	}
}

func TestMatchTemplate(t *testing.T) {
	tests := []struct {
		path, tmpl string
		want       map[string]string
	}{
		{"/notes/42", "/notes/{note_id}", map[string]string{"note_id": "42"}},
		{"/api/v1/notes/42", "/notes/{note_id}", map[string]string{"note_id": "42"}},
		{"/users/a%20b/keys/9", "/users/{u}/keys/{k}", map[string]string{"u": "a b", "k": "9"}},
		{"/notes/42/share", "/notes/{note_id}", nil},
		{"/notes", "/notes/{note_id}", nil},
		{"/notes/%zz", "/notes/{note_id}", nil},
	}
	for _, tt := range tests {
		got, ok := matchTemplate(tt.path, tt.tmpl)
		if ok != (tt.want != nil) || (ok && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("matchTemplate(%q, %q) = %v, %v", tt.path, tt.tmpl, got, ok)
		}
	}
}

func TestCreatedID(t *testing.T) {
	res := &Resource{Coll: "/notes", Item: "/notes/{note_id}", Param: "note_id"}
	tests := []struct {
		body string
		want string
	}{
		{`{"id": 12, "title": "x"}`, "12"},
		{`{"note_id": "n-9", "id": 3}`, "n-9"},
		{`{"data": {"id": "abc"}}`, "abc"},
		{`[{"id": 1}]`, ""},
		{`not json`, ""},
	}
	for _, tt := range tests {
		if got := createdID(&engine.Response{Body: []byte(tt.body)}, res); got != tt.want {
			t.Errorf("createdID(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestFitCanary(t *testing.T) {
	c := "rampart0a1b2c3d4e"
	tests := []struct {
		s    *rampart.Schema
		want string
	}{
		{nil, c},
		{&rampart.Schema{Type: "string", MaxLength: 80}, c},
		{&rampart.Schema{Type: "string", Pattern: "^[A-Z0-9-]{4,40}$"}, strings.ToUpper(c)},
		{&rampart.Schema{Type: "string", Format: "email"}, c + "@example.com"},
		{&rampart.Schema{Type: "string", MinLength: 20}, c + "xxx"},
		{&rampart.Schema{Type: "string", MaxLength: 8}, ""},
		{&rampart.Schema{Type: "string", Pattern: "^[0-9]+$"}, ""},
	}
	for _, tt := range tests {
		got, ok := fitCanary(c, tt.s)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("fitCanary(%+v) = %q, %v, want %q", tt.s, got, ok, tt.want)
		}
	}
}

func TestFreeText(t *testing.T) {
	for k, want := range map[string]bool{
		"title": true, "body": true, "display_name": true, "username": true, "email": true,
		"password": false, "api_key": false, "currency": false, "role": false, "status": false, "created_at": false,
		"note_id": false, "website_url": false, "updatedAt": false, "country_code": false,
	} {
		if got := freeText(k, nil); got != want {
			t.Errorf("freeText(%q) = %v, want %v", k, got, want)
		}
	}
	if freeText("title", &rampart.Schema{Type: "string", Enum: []any{"a", "b"}}) {
		t.Error("an enum field is not free text")
	}
}

func TestMaskAndStrong(t *testing.T) {
	for v, want := range map[string]string{"Alice Liddell": "Ali…ell", "abcd": "••••", "12345": "12…45"} {
		if got := mask(v); got != want {
			t.Errorf("mask(%q) = %q, want %q", v, got, want)
		}
	}
	for v, want := range map[string]bool{"active": false, "current": false, "EUR 12": true, "a@b.co": true, "Europe/London": true, "1234": false} {
		if got := strong(v); got != want {
			t.Errorf("strong(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestImpossibleID(t *testing.T) {
	tests := []struct {
		prm    rampart.Param
		sample string
		want   string
	}{
		{rampart.Param{Schema: &rampart.Schema{Type: "integer"}}, "", "987654321"},
		{rampart.Param{}, "42", "987654321"},
		{rampart.Param{}, "3fa85f64-5717-4562-b3fc-2c963f66afa6", "00000000-0000-4000-8000-0000000dead0"},
		{rampart.Param{}, "alpha", "rampart-no-such-object"},
	}
	for _, tt := range tests {
		if got := impossibleID(tt.prm, tt.sample); got != tt.want {
			t.Errorf("impossibleID(%q) = %q, want %q", tt.sample, got, tt.want)
		}
	}
}

func TestCollectableSkipsSessionEnders(t *testing.T) {
	for path, want := range map[string]bool{
		"/notes": true, "/logout": false, "/auth/sign-out": false, "/openapi.json": false, "/notes/{id}": false,
		"/users/{user_id}/notes": false,
	} {
		if got := collectable(&rampart.Operation{Method: http.MethodGet, Path: path}, false); got != want {
			t.Errorf("collectable(%s) = %v, want %v", path, got, want)
		}
	}
	if !collectable(&rampart.Operation{Method: http.MethodGet, Path: "/users/{user_id}/notes"}, true) {
		t.Error("a list under the caller's own id is collected in the second round")
	}
}

func identityNamed(name string) *identity.Identity { return identity.New(name, identity.RoleUser, nil) }
