package authn

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/checktest"
)

const token = "Bearer tok-1234567890"

func TestMissingRead(t *testing.T) {
	data := `[{"id":1,"owner":"alice","balance":10},{"id":2,"owner":"bob","balance":20}]`
	tests := []struct {
		name    string
		secured bool
		public  bool
		handler http.HandlerFunc
		want    rampart.Confidence
		found   bool
	}{
		{"secured and open to anonymous", true, false, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(data))
		}, rampart.Confirmed, true},
		{"secured and refused", true, false, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != token {
				w.WriteHeader(401)
				return
			}
			w.Write([]byte(data))
		}, 0, false},
		{"200 with an error body", true, false, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != token {
				w.Write([]byte(`{"error":"login required"}`))
				return
			}
			w.Write([]byte(data))
		}, 0, false},
		{"a login page served with 200", true, false, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != token {
				w.Header().Set("Content-Type", "text/html")
				w.Write([]byte(`<html><form>Please log in to continue: <input name=user></form></html>`))
				return
			}
			w.Write([]byte(data))
		}, 0, false},
		{"declared public", false, true, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(data)) }, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			op := checktest.QuickOp("GET", "/accounts", tt.secured)
			op.Responses = []rampart.Response{{Status: "200", ContentType: "application/json"}}
			if tt.public {
				op.Security = [][]string{}
			}
			fs, err := checktest.Quick(t, &MissingRead, srv.URL, checktest.QuickOptions{Mode: rampart.Safe, Ops: []*rampart.Operation{op},
				Users: map[string]string{"alice": token}})
			if err != nil {
				t.Fatal(err)
			}
			if (len(fs) > 0) != tt.found {
				t.Fatalf("findings %v, want found=%v", fs, tt.found)
			}
			if tt.found && fs[0].Confidence != tt.want {
				t.Fatalf("confidence %s", fs[0].Confidence)
			}
		})
	}
}

// Without a spec's security declaration, siblings that refuse anonymous
// callers set the expectation.
func TestSiblingsSetTheExpectation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/accounts/export" {
			w.Write([]byte(`[{"id":1,"iban":"DE00"}]`))
			return
		}
		if r.URL.Path == "/accounts/help" { // a page for people, the same for everyone
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><body><h1>Accounts</h1><p>Call GET /accounts with your token.</p></body></html>`))
			return
		}
		if r.Header.Get("Authorization") != token {
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`[{"id":1,"iban":"DE00"}]`))
	}))
	defer srv.Close()
	ops := []*rampart.Operation{checktest.QuickOp("GET", "/accounts", false), checktest.QuickOp("GET", "/accounts/export", false),
		checktest.QuickOp("GET", "/accounts/help", false), checktest.QuickOp("GET", "/status", false)}
	for _, op := range ops {
		op.Security = nil
	}
	fs, err := checktest.Quick(t, &MissingRead, srv.URL, checktest.QuickOptions{Mode: rampart.Safe, Ops: ops, Users: map[string]string{"alice": token}})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Location.Path != "/accounts/export" {
		t.Fatalf("findings %v", fs)
	}
}

// A spec that declares security on the sibling and none on the operation
// documents the difference (a public catalogue beside private accounts):
// the sibling's refusal sets no expectation. Found by siblings only where
// neither says anything (the spec is silent, or the surface was crawled).
func TestDocumentedDifferenceSetsNoExpectation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/shop/books" {
			w.Write([]byte(`[{"isbn":"978-3-16","title":"Go"}]`))
			return
		}
		if r.Header.Get("Authorization") != token {
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`[{"id":1,"iban":"DE00"}]`))
	}))
	defer srv.Close()
	for _, tt := range []struct {
		name            string
		source          string
		siblingDeclared bool
		found           bool
	}{
		{"spec: sibling secured, books undeclared", rampart.SourceSpec, true, false},
		{"spec silent on both", rampart.SourceSpec, false, true},
		{"crawled surface", rampart.SourceCrawl, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			books := checktest.QuickOp("GET", "/shop/books", false)
			orders := checktest.QuickOp("GET", "/shop/orders", tt.siblingDeclared)
			books.Source, orders.Source = tt.source, tt.source
			fs, err := checktest.Quick(t, &MissingRead, srv.URL, checktest.QuickOptions{Mode: rampart.Safe,
				Ops: []*rampart.Operation{books, orders}, Users: map[string]string{"alice": token}})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(fs) == 1 && fs[0].Location.Path == "/shop/books"; got != tt.found || len(fs) > 1 {
				t.Fatalf("findings %v, want the books read found=%v", fs, tt.found)
			}
		})
	}
}
