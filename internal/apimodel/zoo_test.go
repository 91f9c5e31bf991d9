package apimodel_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
	"github.com/rampart-sec/rampart/internal/tbtest"
)

// zooWant is what the model must answer on a zoo app, written from the
// zoo's README (its seed data and shapes) before the model was run on it:
// for a parameter of a read, a value the identity owns, and the same value
// among another identity's "others".
type zooWant struct {
	op, param string
	owner     string // identity that owns want
	want      string // "" : any own value will do (a key only the API knows, such as a UUID)
	other     string // identity that must see want among others' values
}

var zooWants = map[string][]zooWant{
	"wiki": {{op: "GET /pages/{title}", param: "title", owner: "alice", want: "alice-diary", other: "bob"}},
	"bank": {
		{op: "GET /accounts/{account_number}", param: "account_number", owner: "alice", want: "NL91ZOOB0417164300", other: "bob"},
		{op: "GET /accounts/{account_number}", param: "account_number", owner: "bob", want: "NL55ZOOB0987654321", other: "alice"},
		{op: "GET /accounts/{account_number}/transactions", param: "account_number", owner: "alice", want: "NL20ZOOB0123456789", other: "bob"},
	},
	"shop": {
		{op: "GET /users/{username}/orders/{order_id}", param: "username", owner: "alice", want: "alice", other: "bob"},
		{op: "GET /users/{username}/orders/{order_id}", param: "order_id", owner: "alice", want: "1", other: "bob"},
		{op: "GET /users/{username}/orders/{order_id}", param: "order_id", owner: "bob", want: "4", other: "alice"},
		{op: "GET /invoice", param: "id", owner: "alice", want: "1", other: "bob"},
	},
	"clinic": {
		{op: "GET /patients/{email}", param: "email", owner: "alice", want: "alice@example.com", other: "bob"},
		{op: "GET /patients/{email}/records", param: "email", owner: "bob", want: "bob@example.com", other: "alice"},
	},
	"forum":   {{op: "GET /users/{username}/profile", param: "username", owner: "alice", want: "alice", other: "bob"}},
	"tickets": {{op: "GET /tickets/{ticket_id}", param: "ticket_id", owner: "alice", other: "bob"}},
	"wallet": {
		{op: "GET /cards/{card_number}", param: "card_number", owner: "alice", want: "4111111111111111", other: "bob"},
		{op: "GET /cards/{card_number}/payments", param: "card_number", owner: "bob", want: "4012888888881881", other: "alice"},
	},
	"gateway": {
		{op: "GET /devices/{name}", param: "name", owner: "alice", want: "alice-front-door", other: "bob"},
		{op: "GET /devices/{name}/telemetry", param: "name", owner: "bob", want: "bob-garage-plug", other: "alice"},
	},
	"hr":      {{op: "GET /employees/{employee_id}", param: "employee_id", owner: "alice", other: "bob"}},
	"library": {{op: "GET /loan", param: "id", owner: "alice", want: "1", other: "bob"}},
}

// TestZooModel explores every zoo app (vulnerable variant) as anonymous,
// alice, bob and carol, and asks the model the typed questions the
// checks will ask: who each identity is, and values of the right owner for
// the parameters of the reads. It logs, per app, which parameters of which
// reads the model fills with an own value and with another identity's.
func TestZooModel(t *testing.T) {
	z := tbtest.RequireZoo(t)
	z.Lock(t)
	var table []string
	for _, a := range z.Apps {
		t.Run(a.Name, func(t *testing.T) {
			m, ids, st := exploreZoo(t, a)
			byName := map[string]*identity.Identity{}
			for _, id := range ids {
				byName[id.Name] = id
			}
			if st.Requests > st.Budget {
				t.Errorf("exploration sent %d requests, budget %d", st.Requests, st.Budget)
			}
			for _, id := range ids[1:] {
				p := m.Person(id)
				if !p.Known() {
					t.Errorf("%s: the model does not know who %s is: %+v", a.Name, id.Name, p)
				}
			}
			for _, w := range zooWants[a.Name] {
				op := m.Operation(w.op)
				if op == nil {
					t.Errorf("%s: no operation %s", a.Name, w.op)
					continue
				}
				mine := texts(m.Values(op, w.param, apimodel.Query{As: byName[w.owner], Owner: apimodel.Mine}))
				want := w.want
				if want == "" && len(mine) > 0 {
					want = mine[0]
				}
				if want == "" || !slices.Contains(mine, want) {
					t.Errorf("%s: %s {%s} as %s: own values %q, want %q among them", a.Name, w.op, w.param, w.owner, mine, w.want)
					continue
				}
				others := texts(m.Values(op, w.param, apimodel.Query{As: byName[w.other], Owner: apimodel.Others, Of: byName[w.owner]}))
				if !slices.Contains(others, want) {
					t.Errorf("%s: %s {%s} as %s: %s's values %q, want %q among them", a.Name, w.op, w.param, w.other, w.owner, others, want)
				}
			}
			table = append(table, coverage(a.Name, m, ids)...)
			if dir := os.Getenv("RAMPART_MODEL_DUMP_DIR"); dir != "" {
				writeDump(t, m, ids, dir+"/"+a.Name+".json")
			}
		})
	}
	sort.Strings(table)
	t.Logf("parameters of reads the model fills (own value / another identity's), per identity:\n%s", strings.Join(table, "\n"))
}

func texts(cs []apimodel.Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Value)
	}
	return out
}

// coverage is one line per read with parameters: for each user identity,
// whether every parameter has an own value (M) and another's (O).
func coverage(app string, m *apimodel.Model, ids []*identity.Identity) []string {
	var out []string
	for _, p := range m.Snapshot(ids).Parameters {
		var cells []string
		for _, id := range ids[1:] {
			c := id.Name + ":"
			if len(p.Mine[id.Name]) > 0 {
				c += "M"
			} else {
				c += "-"
			}
			if len(p.Others[id.Name]) > 0 {
				c += "O"
			} else {
				c += "-"
			}
			cells = append(cells, c)
		}
		out = append(out, fmt.Sprintf("| %s | %s | %s | %s |", app, p.Operation, p.Param, strings.Join(cells, " ")))
	}
	return out
}

func exploreZoo(t *testing.T, a *tbtest.ZooApp) (*apimodel.Model, []*identity.Identity, apimodel.ExploreStats) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	target, _ := url.Parse(a.Vuln)
	surf := loadZooSpec(t, ctx, a.Spec(a.Vuln))
	base := surf.BaseURL(target)
	var m *apimodel.Model
	c, err := engine.New(engine.Config{Base: target, Mode: rampart.Safe, Observe: func(r *engine.Response) { m.Observe(r) }})
	if err != nil {
		t.Fatal(err)
	}
	m = apimodel.New(apimodel.Config{Surface: surf.Operations, Base: base})
	ids := []*identity.Identity{identity.Anonymous()}
	for _, spec := range a.Identities() {
		id := identity.New(spec.Name, spec.Role, spec.Headers)
		id.Login = &identity.Login{Login: *spec.Login}
		if err := id.EnsureLoggedIn(ctx, c); err != nil {
			t.Fatalf("%s: %v", spec.Name, err)
		}
		ids = append(ids, id)
	}
	st, err := m.Explore(ctx, c, ids)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d requests (budget %d, %d rounds), %d values", a.Name, st.Requests, st.Budget, st.Rounds, m.Size())
	return m, ids, st
}

func loadZooSpec(t *testing.T, ctx context.Context, spec string) *surface.Surface {
	t.Helper()
	src := surface.Source{Path: spec}
	if strings.HasPrefix(spec, "http://") {
		resp, err := http.Get(spec)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		src = surface.Source{URL: spec, Data: data}
	}
	s, err := surface.Load(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
