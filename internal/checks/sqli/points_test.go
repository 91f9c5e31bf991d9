package sqli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
)

func TestTargetPoints(t *testing.T) {
	type pt struct{ in, name, base string }
	cases := []struct {
		method, path string
		mode         rampart.Mode
		want         []pt
		noTarget     bool
	}{
		{method: "GET", path: "/items/search", mode: rampart.Safe, want: []pt{{"query", "q", "lamp"}}},
		{method: "GET", path: "/items/{item_id}", mode: rampart.Safe, want: []pt{{"path", "item_id", "1"}}},
		{method: "GET", path: "/items/tenant", mode: rampart.Safe, want: []pt{{"header", "X-Tenant", "lamp"}, {"cookie", "region", "eu"}}},
		// A login body gets a user that does not exist; bodies need active mode.
		{method: "POST", path: "/auth/login", mode: rampart.Active, want: []pt{{"json", "password", "hunter22"}, {"json", "username", "rampart_probe_"}}},
		{method: "POST", path: "/auth/login", mode: rampart.Safe, noTarget: true},
		// In active mode a create's body fields are points, from the request
		// the API accepted; never in safe mode.
		{method: "POST", path: "/items", mode: rampart.Active, want: []pt{{"json", "name", "lamp"}}},
		{method: "POST", path: "/items", mode: rampart.Safe, noTarget: true},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path+" "+tc.mode.String(), func(t *testing.T) {
			h := newHarness(t, tc.mode)
			tg, err := newTarget(context.Background(), h.pass, h.op(t, tc.method, tc.path))
			if tc.noTarget {
				if !errors.Is(err, errNoTarget) {
					t.Fatalf("target %+v, err %v; want none", tg, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tg.points) != len(tc.want) {
				t.Fatalf("points %+v, want %+v", tg.points, tc.want)
			}
			for i, w := range tc.want {
				got := tg.points[i]
				if got.In != w.in || got.Name != w.name || !strings.HasPrefix(got.Base, w.base) {
					t.Errorf("point %d: %s %s %q, want %s %s %q…", i, got.In, got.Name, got.Base, w.in, w.name, w.base)
				}
			}
		})
	}
}

// A probe changes one point and leaves the rest of the request, and the
// identity's own cookies, as the baseline has them.
func TestTargetRequest(t *testing.T) {
	h := newHarness(t, rampart.Active)
	alice := h.pass.FirstUser()
	alice.AddHeader("Cookie", "session=abc123456")

	tg, err := newTarget(context.Background(), h.pass, h.op(t, "GET", "/items/tenant"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := tg.request(h.pass, &tg.points[1], "eu'; x")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("Cookie"); got != "session=abc123456; region=eu'%3B x" {
		t.Errorf("cookie %q", got)
	}
	if r.Header.Get("X-Tenant") != "lamp" || !r.Want429 {
		t.Errorf("request %+v", r)
	}

	login, err := newTarget(context.Background(), h.pass, h.op(t, "POST", "/auth/login"))
	if err != nil {
		t.Fatal(err)
	}
	r, err = login.request(h.pass, &login.points[1], "x'")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["username"] != "x'" || body["password"] != "hunter22" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("body %s, content type %q", r.Body, r.Header.Get("Content-Type"))
	}
	resp, err := login.send(context.Background(), h.pass, nil, "")
	if err != nil || resp.Status != http.StatusUnauthorized {
		t.Fatalf("baseline: %v %v", resp, err)
	}
}

func TestSetJSONNested(t *testing.T) {
	base := []byte(`{"filter":{"terms":[{"name":"lamp","price":3}]},"month":"1","page":1}`)
	out, err := setJSON(base, []any{"filter", "terms", 0, "name"}, "lamp'")
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"filter":{"terms":[{"name":"lamp'","price":3}]},"month":"1","page":1}` {
		t.Errorf("got %s", out)
	}
	if _, err := setJSON(base, []any{"page", "x"}, "v"); err == nil {
		t.Error("set inside a number: no error")
	}
	var leaves []string
	var doc any
	dec := json.NewDecoder(bytes.NewReader(base))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	walkLeaves(doc, nil, nil, 0, func(p []any, v string, num bool, _ *rampart.Schema) {
		leaves = append(leaves, fmt.Sprintf("%s=%s/%v", dotted(p), v, num))
	})
	// A number sent as a string is numeric too: APIs put it in SQL unquoted.
	if got := strings.Join(leaves, " "); got != "filter.terms.0.name=lamp/false filter.terms.0.price=3/true month=1/true page=1/true" {
		t.Errorf("leaves %s", got)
	}
}

func TestOperationKinds(t *testing.T) {
	cases := []struct {
		method, path, id string
		read, auth       bool
	}{
		{"POST", "/login", "", true, true},
		{"POST", "/api/v2/token", "issueApiToken", true, true},
		{"POST", "/auth/sessions", "", true, true},
		{"POST", "/users/search", "searchUsers", true, false},
		{"POST", "/signIn", "", true, true},
		{"POST", "/logout", "", false, false},
		{"POST", "/orders", "createOrder", false, false},
		{"POST", "/coupons/{code}/redeem", "", false, false},
		{"POST", "/accounts/{id}", "upsertAccount", false, false},
		{"POST", "/auth/register", "", false, true},
	}
	for _, tc := range cases {
		op := &rampart.Operation{Method: tc.method, Path: tc.path, ID: tc.id}
		if got := readLikePost(op); got != tc.read {
			t.Errorf("readLikePost(%s %s) = %v", tc.method, tc.path, got)
		}
		if got := authLike(op); got != tc.auth {
			t.Errorf("authLike(%s %s) = %v", tc.method, tc.path, got)
		}
	}
}

func TestIdentCandidates(t *testing.T) {
	for name, want := range map[string]bool{
		"sort": true, "sort_by": true, "orderBy": true, "order": true, "table": true, "columns": true,
		"field": true, "groupBy": true, "q": false, "name": false, "id": false, "page": false, "sorted": false,
	} {
		if got := identCandidate(name, ""); got != want {
			t.Errorf("identCandidate(%q) = %v", name, got)
		}
	}
	if !identCandidate("key", "Sort order of the results") || identCandidate("key", "An API key") {
		t.Error("description hints")
	}
	for v, want := range map[string]string{
		"-created": "-|created|", "name desc": "|name| desc", "price:asc": "|price|:asc", "+a_b,id": "+|a_b|,id",
		"1": "", "a b c": "", `"x"`: "", "": "",
	} {
		s, ok := parseIdent(v)
		got := ""
		if ok {
			got = s.prefix + "|" + s.name + "|" + s.suffix
		}
		if got != want {
			t.Errorf("parseIdent(%q) = %q, want %q", v, got, want)
		}
	}
}
