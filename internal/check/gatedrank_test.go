package check

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
)

// A surface that declares no security (a crawled one) puts ten public
// pages before the one read that needs credentials, and only the third
// identity may read it. With the API model's exploration, FindGated probes
// that read first and as that identity; without it, the eight probes are
// spent on public pages.
func TestFindGatedAsksTheModel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/pages/"):
			fmt.Fprintf(w, `{"title":%q,"body":"welcome"}`, r.URL.Path)
		case r.URL.Path == "/plans" && who == "joker":
			fmt.Fprint(w, `{"plans":[{"id":1,"plan":"rob the bank"}]}`)
		case r.URL.Path == "/plans" && who == "":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"log in"}`)
		case r.URL.Path == "/plans":
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":"villains only"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	var ops []*rampart.Operation
	for i := range 10 {
		ops = append(ops, &rampart.Operation{Method: "GET", Path: fmt.Sprintf("/pages/p%d", i), Source: rampart.SourceCrawl})
	}
	ops = append(ops, &rampart.Operation{Method: "GET", Path: "/plans", Source: rampart.SourceCrawl})
	ids := []*identity.Identity{
		identity.New("ann", identity.RoleUser, http.Header{"Authorization": {"Bearer ann"}}),
		identity.New("bob", identity.RoleUser, http.Header{"Authorization": {"Bearer bob"}}),
		identity.New("joker", identity.RoleUser, http.Header{"Authorization": {"Bearer joker"}}),
	}
	for _, explored := range []bool{false, true} {
		t.Run(fmt.Sprintf("explored=%v", explored), func(t *testing.T) {
			m := apimodel.New(apimodel.Config{Surface: ops, Base: base})
			c, err := engine.New(engine.Config{Base: base, Mode: rampart.Safe, Observe: m.Observe})
			if err != nil {
				t.Fatal(err)
			}
			if explored {
				// As the scan explores: every identity and the anonymous caller.
				if _, err := m.Explore(context.Background(), c, append([]*identity.Identity{identity.Anonymous()}, ids...)); err != nil {
					t.Fatal(err)
				}
			}
			p := NewPassFor(Env{Client: c, Surface: ops, Model: m}, func(rampart.Finding) {})
			p.URL = func(op *rampart.Operation, _ map[string]string) string { return srv.URL + op.Path }
			p = p.WithOp(rampart.Meta{ID: "T-001", Budget: 100}, nil)
			garbageOf := func(ctx context.Context, id *identity.Identity, u string) (*engine.Response, error) {
				return p.Get(ctx, nil, u, http.Header{"Authorization": {"Bearer rampart-garbage"}})
			}
			gs := p.FindGated(context.Background(), ids, garbageOf, 1)
			found := len(gs) == 1 && gs[0].Op.Path == "/plans" && gs[0].Identity.Name == "joker"
			if found != explored {
				t.Fatalf("gated reads %+v; want /plans as joker: %v", gs, explored)
			}
		})
	}
}
