package authz

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
)

// articles is an API whose DELETE asks for a header, in the ways the
// tests below need: Tiredful-API's `IsAdmin` (a 200 whose body says the
// header is missing, then "Invalid header value" until it is "True"), a
// secure twin that checks the caller's role whatever the header says,
// an API whose PATCH lets anyone through with `X-Role: admin`, and an API
// that answers nothing without `X-Api-Version: 2`.
type articles struct {
	mode string // "isadmin", "isadmin-role", "role", "xrole", "version"

	mu       sync.Mutex
	next     int
	items    map[int]map[string]any
	versions map[string]int // X-Api-Version values received, by value
	sent     []string       // X-Api-Version of every request, in order
}

func newArticles(mode string) *articles {
	return &articles{mode: mode, next: 100, items: map[int]map[string]any{
		1: {"id": 1, "title": "Seeded", "body": "by the authors", "owner": "carol"}}, versions: map[string]int{}}
}

var articleUsers = map[string][2]string{
	"Bearer " + authztest.AliceToken: {"alice", "user"},
	"Bearer " + authztest.BobToken:   {"bob", "user"},
	"Bearer " + authztest.CarolToken: {"carol", "admin"},
}

func (a *articles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	a.versions[r.Header.Get("X-Api-Version")]++
	a.sent = append(a.sent, r.Header.Get("X-Api-Version"))
	if a.mode == "version" && r.Header.Get("X-Api-Version") != "2" {
		out(http.StatusBadRequest, map[string]any{"error": "X-Api-Version header must be 2"})
		return
	}
	who, ok := articleUsers[r.Header.Get("Authorization")]
	if !ok {
		out(http.StatusUnauthorized, map[string]any{"detail": "Authentication credentials were not provided."})
		return
	}
	rest, _ := strings.CutPrefix(r.URL.Path, "/articles")
	rest = strings.Trim(rest, "/")
	if rest == "" {
		switch r.Method {
		case http.MethodGet:
			list := []map[string]any{}
			for i := 0; i <= a.next; i++ {
				if it, ok := a.items[i]; ok && (it["owner"] == who[0] || who[1] == "admin") {
					list = append(list, it)
				}
			}
			out(http.StatusOK, list)
		case http.MethodPost:
			var in map[string]any
			if json.NewDecoder(r.Body).Decode(&in) != nil || in["title"] == nil {
				out(http.StatusBadRequest, map[string]any{"title": []string{"This field is required."}})
				return
			}
			a.next++
			it := map[string]any{"id": a.next, "title": in["title"], "body": in["body"], "owner": who[0]}
			a.items[a.next] = it
			out(http.StatusCreated, it)
		default:
			out(http.StatusMethodNotAllowed, map[string]any{"detail": "method not allowed"})
		}
		return
	}
	id, err := strconv.Atoi(rest)
	it, found := a.items[id]
	if err != nil || !found {
		out(http.StatusNotFound, map[string]any{"detail": "Not found."})
		return
	}
	switch r.Method {
	case http.MethodGet:
		out(http.StatusOK, it)
	case http.MethodDelete:
		// Django REST framework's Response(json.dumps("...")): a JSON string encoded twice.
		dumps := func(s string) { b, _ := json.Marshal(s); out(http.StatusOK, string(b)) }
		switch a.mode {
		case "isadmin", "isadmin-role":
			v, sent := r.Header["Isadmin"]
			switch {
			case !sent:
				dumps("IsAdmin header missing")
				return
			case v[0] != "True":
				dumps("Invalid header value")
				return
			case a.mode == "isadmin-role" && who[1] != "admin" && it["owner"] != who[0]:
				out(http.StatusForbidden, map[string]any{"detail": "You do not have permission to perform this action."})
				return
			}
		case "role":
			if who[1] != "admin" && it["owner"] != who[0] {
				out(http.StatusForbidden, map[string]any{"detail": "You do not have permission to perform this action."})
				return
			}
		}
		delete(a.items, id)
		dumps("Successfully deleted")
	case http.MethodPatch:
		switch role := r.Header.Get("X-Role"); {
		case a.mode != "xrole":
			if who[1] != "admin" && it["owner"] != who[0] {
				out(http.StatusForbidden, map[string]any{"detail": "You do not have permission to perform this action."})
				return
			}
		case role == "":
			out(http.StatusForbidden, map[string]any{"detail": "X-Role header is required"})
			return
		case role != "admin":
			out(http.StatusForbidden, map[string]any{"detail": "invalid X-Role header"})
			return
		}
		var in map[string]any
		_ = json.NewDecoder(r.Body).Decode(&in)
		for _, k := range []string{"title", "body"} {
			if v, ok := in[k]; ok {
				it[k] = v
			}
		}
		out(http.StatusOK, it)
	default:
		out(http.StatusMethodNotAllowed, map[string]any{"detail": "method not allowed"})
	}
}

func (a *articles) seeded() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.items[1]
	return ok && len(a.items) == 1
}

func serveArticles(t *testing.T, mode string) (*articles, string, []byte) {
	t.Helper()
	spec, err := os.ReadFile("testdata/articles.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api := newArticles(mode)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv.URL, spec
}

// An admin-only DELETE guarded only by `IsAdmin: True`, answered 200
// "IsAdmin header missing" without it: a user deletes the admin's object
// with the header (BFLA-006); APIs that check the caller's role give no
// finding, whether or not they also want the header.
func TestHeaderRole(t *testing.T) {
	tests := []struct {
		mode string
		want []string
	}{
		{mode: "isadmin", want: []string{"BFLA-006 DELETE /articles/{article_id} confirmed"}},
		{mode: "xrole", want: []string{"BFLA-006 PATCH /articles/{article_id} confirmed"}},
		{mode: "isadmin-role"},
		{mode: "role"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			api, url, spec := serveArticles(t, tt.mode)
			res := authztest.RunSpec(t, spec, url, rampart.Active, authztest.All, &HeaderRole)
			res.Expect(t, tt.want)
			if !api.seeded() {
				t.Errorf("the scan left objects or removed the seeded one: %v", api.items)
			}
			for _, f := range res.Findings {
				header, value := "Isadmin", "True"
				if f.Location.Method == http.MethodPatch {
					header, value = "X-Role", "admin"
				}
				if !strings.Contains(f.Message, "header "+header) || !strings.Contains(f.Message, value) || !strings.Contains(f.Message, "alice") ||
					strings.Contains(f.Message, "not removed") {
					t.Errorf("message does not name the header, its value and the user: %s", f.Message)
				}
				if len(f.Evidence) < 4 || !strings.Contains(f.Evidence[1].Note, "without") {
					t.Errorf("evidence lacks the request without the header: %+v", f.Evidence)
				}
			}
		})
	}
}

// An API that answers nothing without `X-Api-Version: 2`: the header is
// learned from its first refusal, and BOLA-002, which knows nothing of
// it, then reaches the DELETE and proves bob deletes alice's article.
func TestLearnedHeaderReachesTheOperation(t *testing.T) {
	api, url, spec := serveArticles(t, "version")
	res := authztest.RunSpec(t, spec, url, rampart.Active, authztest.All, &WriteBOLA)
	want := "BOLA-002 DELETE /articles/{article_id} confirmed"
	if got := authztest.Keys(res.Findings); !slicesContains(got, want) {
		t.Errorf("findings = %q, want %q among them", got, want)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.versions["2"] == 0 {
		t.Errorf("no request carried X-Api-Version: 2 (%v)", api.versions)
	}
	// The identities' first reads go out together, before any answer
	// taught the header: one each at most.
	if n := api.versions[""]; n > len(authztest.All)+1 {
		t.Errorf("%d requests without the header: %q", n, api.sent)
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
