package accept

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

func TestHeaderProblems(t *testing.T) {
	tests := []struct {
		body string
		want []string // "Name kind [allowed]"
	}{
		// Tiredful-API: DRF's Response(json.dumps("...")), a JSON string encoded twice, at 200.
		{`"\"IsAdmin header missing\""`, []string{"IsAdmin missing"}},
		{`"IsAdmin header missing"`, []string{"IsAdmin missing"}},
		{`IsAdmin header missing`, []string{"IsAdmin missing"}},
		{`"\"Invalid header value\""`, []string{" invalid"}},
		{`{"message": "Missing header X-Tenant-Id"}`, []string{"X-Tenant-Id missing"}},
		{`{"error": "missing required header: 'X-Request-Source'"}`, []string{"X-Request-Source missing"}},
		{`{"detail": "X-Api-Version header is required"}`, []string{"X-Api-Version missing"}},
		{`{"detail": "The X-Api-Version header is mandatory."}`, []string{"X-Api-Version missing"}},
		{`{"error": "header 'X-Client' required"}`, []string{"X-Client missing"}},
		{`{"error": "Header X-Client was not provided"}`, []string{"X-Client missing"}},
		{`{"errors": ["No X-Tenant header"]}`, []string{"X-Tenant missing"}},
		{`{"message": "This endpoint requires the X-Feature header"}`, []string{"X-Feature missing"}},
		{`{"msg": "Please provide the X-Device-Id header."}`, []string{"X-Device-Id missing"}},
		{`{"error": "X-Api-Version header must be 2"}`, []string{"X-Api-Version enum [2]"}},
		{`{"error": "X-Api-Version header must be one of 2, 3"}`, []string{"X-Api-Version enum [2 3]"}},
		{`{"error": "header X-Api-Version must be 'v2' or 'v3'"}`, []string{"X-Api-Version enum [v2 v3]"}},
		{`{"error": "IsAdmin header must be set to True"}`, []string{"IsAdmin enum [True]"}},
		{`{"error": "X-Api-Version header must be provided"}`, []string{"X-Api-Version missing"}},
		{`{"error": "X-Api-Version header must be a supported version"}`, []string{"X-Api-Version invalid"}},
		{`{"error": "invalid X-Mode header"}`, []string{"X-Mode invalid"}},
		{`{"error": "Invalid value for header X-Mode"}`, []string{"X-Mode invalid"}},
		{`{"error": "Unsupported 'X-Api-Version' header value"}`, []string{"X-Api-Version invalid"}},
		{`{"error": "X-Mode header is invalid; must be one of fast, slow"}`, []string{"X-Mode enum [fast slow]"}},
		{`{"error": "header X-Mode not supported"}`, []string{"X-Mode invalid"}},
		{"<html><body><h1>400</h1><p>Missing request header X-Trace-Origin</p></body></html>", []string{"X-Trace-Origin missing"}},
		{`{"status": 400, "error": {"message": "X-Role header required"}}`, []string{"X-Role missing"}},
		{`[{"message": "missing header x-tenant"}]`, []string{"x-tenant missing"}},
		{`{"detail": "Bad header value"}`, []string{" invalid"}},
		// Negatives: credentials are authentication, not the request's shape.
		{`"Authorization header missing"`, nil},
		{`{"detail": "Authentication credentials were not provided."}`, nil},
		{`{"error": "missing Authorization header"}`, nil},
		{`{"error": "Invalid token in Authorization header"}`, nil},
		{`{"error": "X-Api-Key header is required"}`, nil},
		{`{"error": "X-Auth-Token header missing"}`, nil},
		{`{"error": "CSRF token missing or incorrect"}`, nil},
		{`{"error": "Content-Type header must be application/json"}`, nil},
		{`{"message": "Cookie header missing"}`, nil},
		// Body fields and query parameters are no headers.
		{`{"error": "missing field title"}`, nil},
		{`{"error": "title is required"}`, nil},
		{`{"detail": [{"loc": ["body", "amount"], "msg": "field required", "type": "value_error.missing"}]}`, nil},
		// English words where a name goes.
		{`{"error": "missing request header"}`, nil},
		{`{"error": "no header found"}`, nil},
		{`{"message": "Header required"}`, nil},
		// Data that mentions a header is no complaint.
		{`{"id": 1, "name": "X-Api-Version header must be 2", "a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7}`, nil},
		{`{"id": 1, "title": "Missing header X-Foo"}`, nil},
		{``, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range HeaderProblems([]byte(tt.body)) {
			s := p.Name + " " + p.Kind.String()
			if len(p.Allowed) > 0 {
				s += " " + formatList(p.Allowed)
			}
			got = append(got, s)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("HeaderProblems(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func formatList(v []string) string {
	s := "["
	for i, x := range v {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s + "]"
}

func TestHeaderNames(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		learnable, priv, yesno bool
	}{
		{"IsAdmin", true, true, true},
		{"ISADMIN", true, true, true},
		{"X-Admin", true, true, true},
		{"X-Role", true, true, false},
		{"X-User-Role", true, true, false},
		{"X-Superuser", true, true, true},
		{"X-Is-Staff", true, true, true},
		{"X-Debug", true, false, true},
		{"X-Feature-Enabled", true, false, true},
		{"Has-Access", true, false, true},
		{"X-Api-Version", true, false, false},
		{"X-Tenant-Id", true, false, false},
		{"Idempotency-Key", true, false, false},
		{"Authorization", false, false, false},
		{"X-Api-Key", false, false, false},
		{"X-Auth-Token", false, false, false},
		{"X-CSRFToken", false, false, false},
		{"Cookie", false, false, false},
		{"Content-Type", false, false, false},
	} {
		if got := Learnable(tt.name); got != tt.learnable {
			t.Errorf("Learnable(%s) = %v", tt.name, got)
		}
		if got := Privileged(tt.name); tt.learnable && got != tt.priv {
			t.Errorf("Privileged(%s) = %v", tt.name, got)
		}
		if got := booleanName(tt.name); tt.learnable && got != tt.yesno {
			t.Errorf("booleanName(%s) = %v", tt.name, got)
		}
	}
}

// The learner tries values for a header an answer asks for, stops at the
// first one the API no longer complains about, and its requests carry it.
func TestLearnerLearnsAHeader(t *testing.T) {
	type answer struct {
		status int
		body   string
	}
	tests := []struct {
		name   string
		op     *rampart.Operation
		answer func(h http.Header) answer
		header string
		want   string
		sent   int
	}{
		{
			name: "a yes/no header refused with 200 until True",
			op:   &rampart.Operation{Method: "DELETE", Path: "/articles/{id}", Params: []rampart.Param{{Name: "id", In: "path"}}},
			answer: func(h http.Header) answer {
				switch v := h.Get("IsAdmin"); {
				case v == "":
					return answer{200, `"\"IsAdmin header missing\""`}
				case v != "True":
					return answer{200, `"\"Invalid header value\""`}
				}
				return answer{200, `"\"Successfully deleted\""`}
			},
			header: "Isadmin", want: "", sent: 1,
		},
		{
			name: "a yes/no header that grants nothing, refused with 200 until True",
			op:   &rampart.Operation{Method: "GET", Path: "/report"},
			answer: func(h http.Header) answer {
				switch v := h.Get("X-Feature-Enabled"); {
				case v == "":
					return answer{200, `"X-Feature-Enabled header missing"`}
				case v != "True":
					return answer{200, `"Invalid header value"`}
				}
				return answer{200, `{"rows": []}`}
			},
			header: "X-Feature-Enabled", want: "True", sent: 3,
		},
		{
			name: "a version the answer names",
			op:   &rampart.Operation{Method: "GET", Path: "/items"},
			answer: func(h http.Header) answer {
				if h.Get("X-Api-Version") != "2" {
					return answer{400, `{"error": "X-Api-Version header must be one of 2"}`}
				}
				return answer{200, `[{"id": 1}]`}
			},
			header: "X-Api-Version", want: "2", sent: 2,
		},
		{
			name: "the spec's example first",
			op: &rampart.Operation{Method: "GET", Path: "/items", Params: []rampart.Param{{Name: "X-Tenant", In: "header",
				Schema: &rampart.Schema{Type: "string", Example: "acme"}}}},
			answer: func(h http.Header) answer {
				if h.Get("X-Tenant") != "acme" {
					return answer{400, `{"error": "missing header X-Tenant"}`}
				}
				return answer{200, `[]`}
			},
			header: "X-Tenant", want: "acme", sent: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Options{Tag: "t"})
			sent := 0
			req, _, err := l.Accepted(t.Context(), tt.op, func(_ context.Context, r *Request) (*engine.Response, error) {
				sent++
				a := tt.answer(r.Header)
				return &engine.Response{Status: a.status, Body: []byte(a.body)}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get(tt.header); got != tt.want {
				t.Errorf("request carries %s: %q, want %q", tt.header, got, tt.want)
			}
			if sent != tt.sent {
				t.Errorf("sent %d requests, want %d", sent, tt.sent)
			}
			hs := l.Headers(tt.op)
			if tt.want == "" {
				// A privilege header: learned, never sent by the learner.
				if l.Status(tt.op) != Rejected || len(hs) != 1 || !hs[0].Privileged || hs[0].Value != "true" {
					t.Errorf("status %v, Headers = %+v", l.Status(tt.op), hs)
				}
				return
			}
			if l.Status(tt.op) != Accepted {
				t.Errorf("status %v", l.Status(tt.op))
			}
			if tt.sent > 1 && (len(hs) != 1 || !hs[0].Confirmed || hs[0].Value != tt.want) {
				t.Errorf("Headers = %+v", hs)
			}
		})
	}
}

// A header confirmed on one operation is carried by requests for every
// other; a privileged one is never added to requests the learner did not
// build, and an Authorization complaint teaches nothing.
func TestCarry(t *testing.T) {
	l := New(Options{Tag: "t"})
	a := &rampart.Operation{Method: "GET", Path: "/a"}
	b := &rampart.Operation{Method: "GET", Path: "/b"}
	d := &rampart.Operation{Method: "DELETE", Path: "/a/{id}"}
	if ch := l.Observe(a, http.Header{}, &engine.Response{Status: 400, Body: []byte(`{"error":"X-Api-Version header must be 2"}`)}); len(ch) != 1 {
		t.Fatalf("changed %q", ch)
	}
	h := http.Header{}
	l.Carry(b, h, false)
	if h.Get("X-Api-Version") != "" {
		t.Errorf("carried before confirmation: %v", h)
	}
	l.Observe(a, http.Header{"X-Api-Version": {"2"}}, &engine.Response{Status: 200, Body: []byte(`[]`)})
	h = http.Header{}
	l.Carry(b, h, false)
	if h.Get("X-Api-Version") != "2" {
		t.Errorf("b carries %v", h)
	}
	l.Observe(d, http.Header{"X-Api-Version": {"2"}}, &engine.Response{Status: 200, Body: []byte(`"IsAdmin header missing"`)})
	if hs := l.Headers(d); len(hs) != 1 || !hs[0].Privileged || hs[0].Value != "true" {
		t.Errorf("Headers(d) = %+v", hs)
	}
	h = http.Header{}
	l.Carry(d, h, false)
	if h.Get("Isadmin") != "" {
		t.Errorf("a privileged header was carried: %v", h)
	}
	if l.Carry(d, h, true); h.Get("Isadmin") != "true" {
		t.Errorf("not carried for an admin: %v", h)
	}
	if r := l.Request(d); r.Header.Get("Isadmin") != "" {
		t.Errorf("the learner's request carries a privileged header: %v", r.Header)
	}
	l.Observe(b, http.Header{}, &engine.Response{Status: 401, Body: []byte(`{"error":"Authorization header missing"}`)})
	if hs := l.Headers(b); len(hs) != 0 {
		t.Errorf("learned a credential: %+v", hs)
	}
}
