package authz

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/identity"
)

// maxListPages bounds the pages read past the first to find an object in
// a listing.
const maxListPages = 3

// listedFor reports whether o shows up in who's listing of its collection,
// on the first page or, when the listing is paginated, on the last page
// (a collection ordered oldest first puts a new object there) or the next
// pages it links to: a forum that lists every member's threads ten to a
// page shares a new thread by design even when page one does not show it.
func listedFor(ctx context.Context, p *check.Pass, o *fixture.Object, who *identity.Identity) (bool, error) {
	u := p.URL(o.Res.List, nil)
	seen := map[string]bool{}
	for i := 0; i <= maxListPages && u != "" && !seen[u]; i++ {
		seen[u] = true
		l, err := p.Send(ctx, who, &engine.Request{Method: http.MethodGet, URL: u})
		if err != nil {
			return false, err
		}
		if !ok2xx(l) {
			return false, nil
		}
		if o.Listed(l) {
			return true, nil
		}
		u = nextPage(l, u)
	}
	return false, nil
}

// nextPage is the URL of the page to read after the answer to u: the last
// page when the answer counts its pages, the next when it links one; "" if
// it says neither.
func nextPage(r *engine.Response, u string) string {
	doc, ok := holdings.DecodeJSON(r.Body)
	if !ok {
		return ""
	}
	pg := apimodel.Open(doc).Page
	if pg == nil {
		return ""
	}
	cur, err := url.Parse(u)
	if err != nil {
		return ""
	}
	if pg.Pages > 1 && pg.Page >= 1 && pg.Page < pg.Pages {
		q := cur.Query()
		q.Set("page", strconv.Itoa(pg.Pages))
		cur.RawQuery = q.Encode()
		return cur.String()
	}
	switch n := strings.TrimSpace(pg.Next); {
	case n == "":
		return ""
	case strings.HasPrefix(n, "/") || strings.HasPrefix(n, "http://") || strings.HasPrefix(n, "https://"):
		nu, err := cur.Parse(n)
		if err != nil || nu.Host != cur.Host {
			return ""
		}
		return nu.String()
	default:
		if _, err := strconv.Atoi(n); err == nil {
			q := cur.Query()
			q.Set("page", n)
			cur.RawQuery = q.Encode()
			return cur.String()
		}
	}
	return ""
}
