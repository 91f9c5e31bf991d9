package holdings

import (
	"net/http"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

func testdata(t *testing.T, name string) []byte {
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
		if got := IsIDKey(k); got != want {
			t.Errorf("isIDKey(%q) = %v, want %v", k, got, want)
		}
	}
}

func TestUserish(t *testing.T) {
	for k, want := range map[string]bool{
		"user_id": true, "userId": true, "owner": true, "memberUuid": true, "customer_id": true, "uid": true,
		"note_id": false, "id": false, "username": false, "account_id": false,
	} {
		if got := Userish(k); got != want {
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
	doc, ok := DecodeJSON(testdata(t, "account.json"))
	if !ok {
		t.Fatal("fixture is not JSON")
	}
	got := Leaves(doc, nil)
	want := map[string]string{
		"Alice Liddell": "display_name", "current": "kind", "2450.0": "balance",
		"GB33ACME40051512345678": "iban", "Europe/London": "timezone",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("leaves = %v, want %v", got, want)
	}
	// Objects another user owns are pruned.
	doc, _ = DecodeJSON(testdata(t, "list.json"))
	pruned := Leaves(doc, func(m map[string]any) bool { o, ok := OwnerOf(m); return ok && o != "7" })
	if _, ok := pruned["Grace's draft"]; ok {
		t.Errorf("a value of an object owned by someone else was kept: %v", pruned)
	}
	if _, ok := pruned["Quarterly numbers for Q3"]; !ok {
		t.Errorf("the caller's own value was pruned: %v", pruned)
	}
}

func TestItemsIn(t *testing.T) {
	doc, _ := DecodeJSON(testdata(t, "list.json"))
	items := ItemsIn(doc, "/items")
	var got []string
	for _, it := range items {
		got = append(got, it.ID+":"+it.Owner)
	}
	want := []string{"101:7", "102:9", "103:"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items = %q, want %q", got, want)
	}
	if items[0].Fields["ownerid"] != "7" {
		t.Errorf("fields = %v", items[0].Fields)
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
		r := &engine.Response{Status: 200, Body: testdata(t, tt.file)}
		got := findSelf(map[string]*listed{"GET /x": digest(r, &rampart.Operation{Method: "GET", Path: "/x"})})
		if got != tt.want {
			t.Errorf("%s: self = %q, want %q", tt.file, got, tt.want)
		}
	}
	if !isSpecDoc(mustJSON(t, testdata(t, "spec_like.json"))) {
		t.Error("an OpenAPI document is not recognised")
	}
}

func mustJSON(t *testing.T, b []byte) any {
	t.Helper()
	v, ok := DecodeJSON(b)
	if !ok {
		t.Fatalf("not JSON: %s", b)
	}
	return v
}

func TestCandidatesAndSees(t *testing.T) {
	op := &rampart.Operation{Method: "GET", Path: "/items/{item_id}"}
	prm := rampart.Param{Name: "item_id", In: "path"}
	doc, _ := DecodeJSON(testdata(t, "list.json"))
	h := &holdings{selfID: "7", items: ItemsIn(doc, "/items")}
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

func TestMaskAndStrong(t *testing.T) {
	for v, want := range map[string]string{"Alice Liddell": "Ali…ell", "abcd": "••••", "12345": "12…45"} {
		if got := Mask(v); got != want {
			t.Errorf("mask(%q) = %q, want %q", v, got, want)
		}
	}
	for v, want := range map[string]bool{"active": false, "current": false, "EUR 12": true, "a@b.co": true, "Europe/London": true, "1234": false} {
		if got := Strong(v); got != want {
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
		if got := ImpossibleID(tt.prm, tt.sample); got != tt.want {
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
