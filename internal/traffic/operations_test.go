package traffic

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func exchanges(specs ...string) []*Exchange {
	var out []*Exchange
	for _, s := range specs {
		method, rest, _ := strings.Cut(s, " ")
		raw, body, _ := strings.Cut(rest, " => ")
		u, _ := url.Parse("http://127.0.0.1:8801" + raw)
		x := &Exchange{Method: method, URL: u, Header: hdr()}
		if body != "" {
			x.Status, x.RespHeader, x.RespBody = 200, hdr("Content-Type", "application/json"), []byte(body)
		}
		out = append(out, x)
	}
	return out
}

func inScope(u string) bool { return strings.HasPrefix(u, "http://127.0.0.1:8801/") }

// TestTemplates: ids found by the API model's value kinds are
// parameters; a word is one when it varies between sibling URLs and the
// recording shows it is data (siblings answering alike, or the value
// carried by another exchange); constant words, versions and words never
// shown as data stay route words.
func TestTemplates(t *testing.T) {
	for _, tc := range []struct {
		name string
		ex   []string
		want []string
	}{
		{"numeric ids", []string{"GET /orders/123", "GET /orders/456"}, []string{"GET /orders/{id}"}},
		{"one numeric id is enough", []string{"GET /orders/123"}, []string{"GET /orders/{id}"}},
		{"uuid", []string{"GET /carts/7c0e8f4e-1b2a-4c3d-9e8f-0a1b2c3d4e5f/items"}, []string{"GET /carts/{id}/items"}},
		{"email", []string{"GET /people/alice%40example.com"}, []string{"GET /people/{id}"}},
		{"nested ids named after their collection", []string{"GET /users/3/notes/7"}, []string{"GET /users/{user_id}/notes/{id}"}},
		{"usernames seen as data", []string{
			"GET /users => [{\"username\": \"alice\"}, {\"username\": \"bob\"}]",
			"GET /users/alice/profile", "GET /users/bob/profile",
		}, []string{"GET /users", "GET /users/{id}/profile"}},
		{"words never seen as data stay routes", []string{"GET /reports/summary", "GET /reports/daily"}, []string{"GET /reports/summary", "GET /reports/daily"}},
		{"a constant word stays", []string{"GET /accounts/export", "GET /accounts/7"}, []string{"GET /accounts/export", "GET /accounts/{id}"}},
		{"versions stay, even answering alike", []string{"GET /api/v1/me => {\"id\": 1}", "GET /api/v2/me => {\"id\": 1}"}, []string{"GET /api/v1/me", "GET /api/v2/me"}},
		{"siblings answering alike are one parameter, one answering otherwise a route", []string{
			"GET /reports/notes => {\"table\": \"notes\", \"count\": 3}",
			"GET /reports/summary => {\"notes\": 3, \"accounts\": 1}",
			"GET /reports/transfers => {\"table\": \"transfers\", \"count\": 1}",
		}, []string{"GET /reports/{id}", "GET /reports/summary"}},
		{"a parameter whose values name the API's collections", []string{
			"GET /notes", "GET /transfers",
			"GET /reports/notes => {\"table\": \"notes\", \"count\": 3}",
			"GET /reports/transfers => {\"table\": \"transfers\", \"count\": 1}",
		}, []string{"GET /notes", "GET /transfers", "GET /reports/{collection}"}},
		{"collections in a common envelope stay apart", []string{
			"GET /api/v1/orders => {\"items\": [{\"id\": 1, \"total\": 3}], \"next\": null}",
			"GET /api/v1/customers => {\"items\": [{\"id\": 1, \"name\": \"Ann\"}], \"next\": null}",
		}, []string{"GET /api/v1/orders", "GET /api/v1/customers"}},
		{"a word its own answer echoes is no data", []string{
			"GET /reports/transfers => {\"table\": \"transfers\", \"count\": 1}",
			"GET /reports/summary => {\"notes\": 3, \"accounts\": 1}",
		}, []string{"GET /reports/transfers", "GET /reports/summary"}},
		{"the first segment is never a parameter by variance", []string{"GET /alice => [\"alice\", \"bob\"]", "GET /bob"}, []string{"GET /alice", "GET /bob"}},
		{"methods apart", []string{"GET /notes/1", "PUT /notes/2", "DELETE /notes/3"}, []string{"GET /notes/{id}", "PUT /notes/{id}", "DELETE /notes/{id}"}},
	} {
		rec := &Recording{File: "t.har", Source: rampart.SourceHAR, Exchanges: exchanges(tc.ex...)}
		b := Build([]*Recording{rec}, mustURL("http://127.0.0.1:8801"), inScope)
		var got []string
		for _, op := range b.Operations {
			got = append(got, op.Key())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestBuild reads the browser HAR into operations under a base path:
// third-party hosts left out in one warning, parameters, bodies and
// answers with schemas and the recorded values as examples, and no
// credential anywhere.
func TestBuild(t *testing.T) {
	rec := readHAR(t, "browser.har")
	StripAll(rec, false)
	b := Build([]*Recording{rec}, mustURL("https://app.example.test/api"), func(u string) bool {
		return strings.HasPrefix(u, "https://app.example.test/")
	})
	ops := map[string]*rampart.Operation{}
	var keys []string
	for _, op := range b.Operations {
		ops[op.Key()] = op
		keys = append(keys, op.Key())
		if op.Source != rampart.SourceHAR {
			t.Errorf("%s: source %q", op.Key(), op.Source)
		}
	}
	want := []string{"POST /login", "GET /notes", "GET /notes/{id}", "GET /users", "GET /users/{id}/profile",
		"GET /reports/summary", "GET /reports/daily", "POST /notes", "POST /notes/{id}/attachments"}
	if !slices.Equal(keys, want) {
		t.Fatalf("operations %v, want %v", keys, want)
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	for _, tc := range []struct{ name, got, want string }{
		{"origin counts requests", ops["GET /notes/{id}"].Origin, "browser.har (2 requests)"},
		{"path param example", js(ops["GET /notes/{id}"].Params[0]), `{"name":"id","in":"path","required":true,"schema":{"type":"integer"},"example":12}`},
		{"custom header is a param", js(ops["GET /notes/{id}"].Params[1]), `{"name":"X-Tenant","in":"header","required":true,"schema":{"type":"string"},"example":"acme"}`},
		{"query param", js(ops["GET /notes"].Params), `[{"name":"page","in":"query","required":true,"schema":{"type":"integer"},"example":1}]`},
		{"credential query param is no param", js(ops["GET /reports/summary"].Params), `null`},
		{"json body with a placeholder for the password", js(ops["POST /login"].Body), `{"contentType":"application/json","required":true,"schema":{"type":"object","properties":{"password":{"type":"string"},"username":{"type":"string"}}},"example":{"password":"rampart-placeholder","username":"alice"}}`},
		{"form body", js(ops["POST /notes"].Body.Example), `{"pinned":true,"title":"New"}`},
		{"multipart file", js(ops["POST /notes/{id}/attachments"].Body.Schema.Properties["file"]), `{"type":"string","format":"binary"}`},
		{"answer schema", js(ops["GET /notes"].Responses), `[{"status":"200","contentType":"application/json","schema":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},"owner":{"type":"string"},"title":{"type":"string"}}}}}]`},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
	all := js(b.Operations)
	for _, s := range secretsOf {
		if strings.Contains(all, s) {
			t.Errorf("operations hold the recorded credential %s", s)
		}
	}
	if len(b.Warnings) != 1 || b.Warnings[0].Path != "log.entries" ||
		b.Warnings[0].Problem != "2 of 13 requests go to hosts outside the scan's scope (analytics.thirdparty.test, cdn.thirdparty.test)" {
		t.Errorf("scope warnings: %v", b.Warnings)
	}
	for _, u := range b.Uses {
		if !strings.HasPrefix(u.Exchange.URL.String(), "https://app.example.test/api/") {
			t.Errorf("out-of-scope exchange used: %s", u.Exchange.URL)
		}
	}
}
