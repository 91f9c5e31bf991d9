package scan

import (
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// fits reports whether an identity's credentials are of a kind the
// operation's security requirement takes, as far as the spec says: an
// identity made for one scheme (a raw JWT in Authorization) is not refused
// by an operation that wants another (Authorization: Bearer, an OAuth
// token). Without a requirement or known schemes, anything fits.
func fits(op *rampart.Operation, id *identity.Identity, schemes map[string]surface.Scheme) bool {
	if len(op.Security) == 0 || len(schemes) == 0 {
		return true
	}
	h := id.Header()
	for _, alt := range op.Security {
		ok := true
		for _, name := range alt {
			s, known := schemes[name]
			if known && !fitsScheme(s, h) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func fitsScheme(s surface.Scheme, h http.Header) bool {
	auth := strings.ToLower(strings.TrimSpace(h.Get("Authorization")))
	switch strings.ToLower(s.Type) {
	case "http":
		switch strings.ToLower(s.Scheme) {
		case "bearer":
			return strings.HasPrefix(auth, "bearer ")
		case "basic":
			return strings.HasPrefix(auth, "basic ")
		}
		return auth != ""
	case "oauth2", "openidconnect":
		return strings.HasPrefix(auth, "bearer ")
	case "apikey":
		switch strings.ToLower(s.In) {
		case "header":
			return h.Get(s.Name) != ""
		case "cookie":
			for _, c := range h.Values("Cookie") {
				for _, part := range strings.Split(c, ";") {
					if name, _, _ := strings.Cut(strings.TrimSpace(part), "="); name == s.Name {
						return true
					}
				}
			}
			return false
		}
	}
	return true
}
