package session

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
	"github.com/rampart-sec/rampart/internal/identity"
)

// plainAPI keeps who the caller is in a cookie; how it is encoded and
// whether it is signed is the case under test.
type plainAPI struct {
	encoding string // "b64" (Python's json.dumps, base64), "json" (URL-escaped JSON), "signed" (b64 + HMAC)
}

var plainKey = []byte("0c4f2d9b7e1a86f35d0b9e4c7a2f1e68")

func (a plainAPI) cookieFor(user string) string {
	text := fmt.Sprintf(`{"username": %q, "theme": "dark"}`, user)
	switch a.encoding {
	case "json":
		return url.QueryEscape(text)
	case "signed":
		b := base64.StdEncoding.EncodeToString([]byte(text))
		m := hmac.New(sha256.New, plainKey)
		m.Write([]byte(b))
		return b + "." + hex.EncodeToString(m.Sum(nil))
	}
	return base64.StdEncoding.EncodeToString([]byte(text))
}

func (a plainAPI) userOf(v string) string {
	var text string
	switch a.encoding {
	case "json":
		t, err := url.QueryUnescape(v)
		if err != nil {
			return ""
		}
		text = t
	case "signed":
		b, sig, ok := strings.Cut(v, ".")
		m := hmac.New(sha256.New, plainKey)
		m.Write([]byte(b))
		if !ok || sig != hex.EncodeToString(m.Sum(nil)) {
			return ""
		}
		t, _ := base64.StdEncoding.DecodeString(b)
		text = string(t)
	default:
		t, _ := base64.StdEncoding.DecodeString(v)
		text = string(t)
	}
	var m map[string]any
	if json.Unmarshal([]byte(text), &m) != nil {
		return ""
	}
	u, _ := m["username"].(string)
	return u
}

func (a plainAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/notes" {
		http.NotFound(w, r)
		return
	}
	c, err := r.Cookie("app_session")
	user := ""
	if err == nil {
		user = a.userOf(c.Value)
	}
	w.Header().Set("Content-Type", "application/json")
	if user == "" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"log in"}`)
		return
	}
	fmt.Fprintf(w, `{"owner":%q,"notes":[{"id":%d,"text":"note of %s"}]}`, user, len(user), user)
}

func TestUnsignedSessionCookie(t *testing.T) {
	tests := []struct {
		name  string
		api   plainAPI
		users []string
		want  bool
	}{
		{"base64 JSON, two identities", plainAPI{encoding: "b64"}, []string{"elliot", "tim"}, true},
		{"URL-escaped JSON", plainAPI{encoding: "json"}, []string{"elliot", "tim"}, true},
		{"signed: nothing to edit", plainAPI{encoding: "signed"}, []string{"elliot", "tim"}, false},
		{"one identity: no second user to become", plainAPI{encoding: "b64"}, []string{"elliot"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := checktest.NewServer(t, tt.api)
			var ids []*identity.Identity
			for _, u := range tt.users {
				ids = append(ids, identity.New(u, "user", http.Header{"Cookie": {"app_session=" + tt.api.cookieFor(u)}}))
			}
			env := checktest.New(t, srv, rampart.Safe, []*rampart.Operation{checktest.Op("GET", "/notes")}, ids...)
			env.Run(t, &Unsigned)
			fs := env.Of("SESS-003")
			if (len(fs) == 1) != tt.want {
				t.Fatalf("findings: %v", fs)
			}
			if tt.want {
				f := fs[0]
				if f.Confidence != rampart.Confirmed || f.Location.Path != "/notes" || !strings.Contains(f.Message, "username") {
					t.Errorf("finding: %s %s %s", f.Confidence, f.Location.Path, f.Message)
				}
				last := srv.Requests()[len(srv.Requests())-1]
				if strings.Contains(last.Header.Get("Cookie"), tt.api.cookieFor(tt.users[0])) {
					t.Errorf("the forgery was sent as the first identity's own cookie")
				}
			}
			if n := len(srv.Requests()); n > Unsigned.Budget {
				t.Errorf("%d requests", n)
			}
		})
	}
}
