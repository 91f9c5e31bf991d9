package traffic

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
)

var target, _ = url.Parse("http://127.0.0.1:8801")

func readPostman(t *testing.T, name string) *Recording {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ParsePostman(name, data, PostmanOptions{Base: target})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestParsePostman reads a collection with nested folders, collection and
// folder variables, :param path variables, every body mode, auth at each
// level (bearer via an empty {{token}}, an apikey on a folder, basic and
// noauth on requests), a request given as a string and a saved answer.
func TestParsePostman(t *testing.T) {
	rec := readPostman(t, "collection.postman.json")
	got := map[string]*Exchange{}
	for _, x := range rec.Exchanges {
		got[x.Where] = x
	}
	x := func(where string) *Exchange {
		if e := got[where]; e != nil {
			return e
		}
		t.Fatalf("no exchange at %s; have %v", where, keys(got))
		return nil
	}
	for _, tc := range []struct {
		name, got, want string
	}{
		{"{{baseUrl}} with no value is the target; disabled query left out", x("item[0].item[0].request").URL.String(), "http://127.0.0.1:8801/notes?page=1"},
		{"folder variable in a header", x("item[0].item[0].request").Header.Get("X-Tenant"), "acme"},
		{"{{token}} with no value sends nothing", x("item[0].item[0].request").Header.Get("Authorization"), ""},
		{"saved answer", fmt.Sprint(x("item[0].item[0].request").Status, " ", string(x("item[0].item[0].request").RespBody)), `200 [{"id": 12, "title": "Groceries"}]`},
		{"item name", x("item[0].item[1].request").Name, "Get note"},
		{":param with a variable value", x("item[0].item[1].request").URL.Path, "/notes/12"},
		{":param is named", x("item[0].item[1].request").Named[2], "note_id"},
		{":param without value stays a template", x("item[0].item[3].request").URL.Path, "/notes/{note_id}/attachments"},
		{"raw json body", x("item[0].item[2].request").Header.Get("Content-Type"), "application/json"},
		{"formdata", fmt.Sprint(strings.Contains(string(x("item[0].item[3].request").Body), `name="caption"`)), "true"},
		{"apikey auth on a grandparent folder", x("item[1].item[0].item[0].request").Header.Get("X-Admin-Key"), "adm-secret-9d8c7b6a"},
		{"noauth on the request", x("item[1].item[0].item[1].request").Header.Get("X-Admin-Key"), ""},
		{"urlencoded", string(x("item[1].item[0].item[1].request").Body), "password=higher-2024&username=carol"},
		{"request as a string", x("item[2].request").Method + " " + x("item[2].request").URL.String(), "GET http://127.0.0.1:8801/search?q=milk"},
		{"basic auth", x("item[3].request").Header.Get("Authorization"), "Basic Ym9iOmNhbi13ZS1maXgtMjAyNA=="},
		{"graphql", string(x("item[3].request").Body), `{"query":"query { me { id } }","variables":{"x":1}}`},
		{"other host kept for the scope to judge", x("item[4].request").URL.Host, "other.example.test"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if len(rec.Warnings) != 1 || rec.Warnings[0].Path != "item[5].request" || rec.Warnings[0].Problem != "no url" {
		t.Errorf("warnings: %v", rec.Warnings)
	}
}

func keys(m map[string]*Exchange) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestParsePostmanWithoutBase(t *testing.T) {
	data, err := os.ReadFile("testdata/collection.postman.json")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := ParsePostman("c.json", data, PostmanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Exchanges) != 1 || rec.Exchanges[0].URL.Host != "other.example.test" {
		t.Errorf("%d exchanges, want only the one with a literal URL", len(rec.Exchanges))
	}
	if !strings.Contains(rec.Warnings[0].Problem, "base URL is a variable with no value") {
		t.Errorf("first warning %v", rec.Warnings[0])
	}
}

func TestParsePostmanRefuses(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"not json", "{", "JSON syntax error"},
		{"no items", `{"info": {}}`, "no item list"},
		{"a HAR", `{"log": {"entries": []}}`, "looks like a HAR file: pass it with --har"},
	} {
		_, err := ParsePostman("c.json", []byte(tc.data), PostmanOptions{Base: target})
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestPostmanBounds: nesting, variables that expand into each other and
// request counts stay within the limits.
func TestPostmanBounds(t *testing.T) {
	deep := strings.Repeat(`{"item":[`, MaxDepth+5) + `{"request":"http://h/x"}` + strings.Repeat(`]}`, MaxDepth+5)
	rec, err := ParsePostman("deep.json", []byte(`{"item":[`+deep+`]}`), PostmanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Exchanges) != 0 || len(rec.Warnings) != 1 || !strings.Contains(rec.Warnings[0].Problem, "nested deeper") {
		t.Errorf("deep: %d exchanges, %v", len(rec.Exchanges), rec.Warnings)
	}
	// a = {{b}}{{b}}, b = {{c}}{{c}}, ...: doubling at each level.
	var vars []string
	for i := range 30 {
		vars = append(vars, fmt.Sprintf(`{"key":"v%d","value":"{{v%d}}{{v%d}}"}`, i, i+1, i+1))
	}
	vars = append(vars, `{"key":"v30","value":"`+strings.Repeat("x", 1000)+`"}`)
	doc := `{"variable":[` + strings.Join(vars, ",") + `],"item":[{"request":{"method":"POST","url":"http://h/x","body":{"mode":"raw","raw":"{{v0}}"}}}]}`
	rec, err = ParsePostman("bomb.json", []byte(doc), PostmanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Exchanges[0].Body); n > maxExpanded {
		t.Errorf("a body of %d bytes from variables, want at most %d", n, maxExpanded)
	}
}
