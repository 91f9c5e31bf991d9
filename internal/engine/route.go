package engine

import (
	"cmp"
	"net/url"
	"sync"
)

// routeNames remembers the route a concrete request path was sent as
// (Request.Route, e.g. "GET /items/{id}" for GET /items/1), so that a later
// request to the same path without a route (a check reading another
// operation's object, a link it follows) shares that route's circuit
// breaker and throttle back-off instead of starting a route of its own.
type routeNames struct {
	mu    sync.Mutex
	names map[string]string
}

// maxRouteNames bounds the paths remembered; past it, new paths keep the
// method and path as their route.
const maxRouteNames = 10_000

// routeOf is the key of a request's route for the circuit breaker and the
// throttle back-off: its Route, else the route its method and path were
// last sent as, else the method and path.
func (c *Client) routeOf(method string, u *url.URL, r *Request) string {
	path := method + " " + cmp.Or(u.Path, "/")
	n := &c.routes
	n.mu.Lock()
	defer n.mu.Unlock()
	if r.Route != "" {
		if _, ok := n.names[path]; ok || len(n.names) < maxRouteNames {
			if n.names == nil {
				n.names = map[string]string{}
			}
			n.names[path] = r.Route
		}
		return r.Route
	}
	if name, ok := n.names[path]; ok {
		return name
	}
	return path
}
