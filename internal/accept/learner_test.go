package accept

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/surface"
)

// api is an httptest server whose handler validates one operation in one
// framework's manner, counting what it receives.
type api struct {
	*httptest.Server
	mu   sync.Mutex
	hits int
	seen []string
}

func newAPI(t *testing.T, validate func(r *http.Request, body []byte) (int, any)) *api {
	t.Helper()
	a := &api{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.hits++
		a.seen = append(a.seen, string(body))
		a.mu.Unlock()
		status, out := validate(r, body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if s, ok := out.(string); ok {
			_, _ = io.WriteString(w, s)
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *api) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hits
}

// sender sends through the engine as a scan would (loopback only).
func sender(t *testing.T, a *api) Sender {
	t.Helper()
	base, _ := url.Parse(a.URL)
	client, err := engine.New(engine.Config{Base: base, Mode: rampart.Active, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, r *Request) (*engine.Response, error) {
		body, ct := r.Encode()
		h := r.Header.Clone()
		if body != nil {
			h.Set("Content-Type", ct)
		}
		return client.Do(ctx, &engine.Request{Method: r.Op.Method, URL: surface.URL(base, r.Op, r.Values()), Header: h, Body: body})
	}
}

func obj(body []byte) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return m
}

// fastAPITransfer validates like FastAPI with pydantic 1: every error at
// once, nested models, enums, a constrained string, a required header.
func fastAPITransfer(seenKeys map[string]bool) func(r *http.Request, body []byte) (int, any) {
	account := regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{4}[0-9]{10}$`)
	return func(r *http.Request, body []byte) (int, any) {
		var errs []map[string]any
		add := func(loc []any, msg, typ string, ctx map[string]any) {
			e := map[string]any{"loc": loc, "msg": msg, "type": typ}
			if ctx != nil {
				e["ctx"] = ctx
			}
			errs = append(errs, e)
		}
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			add([]any{"header", "idempotency-key"}, "field required", "value_error.missing", nil)
		}
		m := obj(body)
		for _, f := range []string{"from_account", "amount", "kind", "reference"} {
			if _, ok := m[f]; !ok {
				add([]any{"body", f}, "field required", "value_error.missing", nil)
			}
		}
		if v, ok := m["from_account"].(string); ok && !account.MatchString(v) {
			add([]any{"body", "from_account"}, `string does not match regex "`+account.String()+`"`, "value_error.str.regex",
				map[string]any{"pattern": account.String()})
		}
		if amt, ok := m["amount"].(map[string]any); ok {
			if _, ok := amt["value"]; !ok {
				add([]any{"body", "amount", "value"}, "field required", "value_error.missing", nil)
			} else if v, ok := amt["value"].(float64); !ok || v <= 0 {
				add([]any{"body", "amount", "value"}, "ensure this value is greater than 0", "value_error.number.not_gt",
					map[string]any{"limit_value": 0})
			}
			if c, ok := amt["currency"]; !ok {
				add([]any{"body", "amount", "currency"}, "field required", "value_error.missing", nil)
			} else if c != "EUR" && c != "USD" {
				add([]any{"body", "amount", "currency"}, "value is not a valid enumeration member; permitted: 'EUR', 'USD'",
					"type_error.enum", map[string]any{"enum_values": []string{"EUR", "USD"}})
			}
		} else if _, ok := m["amount"]; ok {
			add([]any{"body", "amount"}, "value is not a valid dict", "type_error.dict", nil)
		}
		if k, ok := m["kind"]; ok && k != "instant" && k != "standard" {
			add([]any{"body", "kind"}, "value is not a valid enumeration member; permitted: 'instant', 'standard'",
				"type_error.enum", nil)
		}
		if len(errs) > 0 {
			return 422, map[string]any{"detail": errs}
		}
		if seenKeys[key] {
			return 422, map[string]any{"detail": "Idempotency-Key reused with a different request"}
		}
		seenKeys[key] = true
		return 201, map[string]any{"id": 7}
	}
}

func TestAcceptedLearnsFromValidationAnswers(t *testing.T) {
	cases := []struct {
		name     string
		op       *rampart.Operation
		validate func(r *http.Request, body []byte) (int, any)
		// want: fields of the accepted body (dotted) and their values.
		want   map[string]any
		rounds int
	}{
		{
			name: "FastAPI 422: nested objects, enums, a pattern, a header",
			op: &rampart.Operation{Method: "POST", Path: "/transfers", Body: &rampart.Body{ContentType: "application/json",
				Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{
					"reference": {Type: "string"}}}}},
			validate: fastAPITransfer(map[string]bool{}),
			want: map[string]any{"amount.currency": "USD", "kind": "instant", "from_account": "AA00aaaa0000000000",
				"reference": "rampart"},
			rounds: 4,
		},
		{
			name: "flask-restful reqparse: one error at a time, message map",
			op: &rampart.Operation{Method: "POST", Path: "/things", Body: &rampart.Body{ContentType: "application/json",
				Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"count": {Type: "string"}}}}},
			validate: func(r *http.Request, body []byte) (int, any) {
				m := obj(body)
				if _, ok := m["title"]; !ok {
					return 400, map[string]any{"message": map[string]any{"title": "Missing required parameter in the JSON body"}}
				}
				if _, ok := m["count"].(float64); !ok {
					return 400, map[string]any{"message": map[string]any{"count": fmt.Sprintf("invalid literal for int() with base 10: '%v'", m["count"])}}
				}
				return 201, map[string]any{"ok": true}
			},
			want:   map[string]any{"title": "Rampart test title", "count": 10},
			rounds: 3,
		},
		{
			name: "marshmallow/webargs 422: nested, enum, format",
			op: &rampart.Operation{Method: "POST", Path: "/pay", Body: &rampart.Body{ContentType: "application/json",
				Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"contact": {Type: "string"}}}}},
			validate: func(r *http.Request, body []byte) (int, any) {
				m := obj(body)
				errs := map[string]any{}
				if c, _ := m["contact"].(string); !strings.Contains(c, "@") {
					errs["contact"] = []string{"Not a valid email address."}
				}
				if v := m["method"]; v != "card" && v != "iban" {
					errs["method"] = []string{"Must be one of: card, iban."}
				}
				if a, ok := m["address"].(map[string]any); !ok && m["address"] == nil {
					errs["address"] = []string{"Missing data for required field."}
				} else if !ok {
					errs["address"] = map[string]any{"_schema": []string{"Invalid input type."}}
				} else if _, ok := a["city"]; !ok {
					errs["address"] = map[string]any{"city": []string{"Missing data for required field."}}
				}
				if len(errs) > 0 {
					return 422, map[string]any{"messages": map[string]any{"json": errs}}
				}
				return 200, map[string]any{"ok": true}
			},
			want:   map[string]any{"contact": "rampart@example.com", "method": "card", "address.city": "Springfield"},
			rounds: 4,
		},
		{
			name: "plain messages",
			op: &rampart.Operation{Method: "POST", Path: "/reservations", Body: &rampart.Body{ContentType: "application/json",
				Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"branch": {Type: "string"}}}}},
			validate: func(r *http.Request, body []byte) (int, any) {
				m := obj(body)
				if _, ok := m["isbn"]; !ok {
					return 400, map[string]any{"error": "missing field 'isbn'"}
				}
				if b := m["branch"]; b != "central" && b != "north" && b != "south" {
					return 400, map[string]any{"error": "branch: central, north or south"}
				}
				return 201, map[string]any{"message": "reserved"}
			},
			want:   map[string]any{"branch": "central", "isbn": "rampart"},
			rounds: 3,
		},
		{
			name: "form-encoded body",
			op: &rampart.Operation{Method: "POST", Path: "/subscribe", Body: &rampart.Body{ContentType: "application/x-www-form-urlencoded",
				Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"email": {Type: "string"}, "plan": {Type: "string"}}}}},
			validate: func(r *http.Request, body []byte) (int, any) {
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
					return 415, map[string]any{"error": "form expected"}
				}
				vals, _ := url.ParseQuery(string(body))
				if p := vals.Get("plan"); p != "free" && p != "pro" {
					return 400, map[string]any{"errors": map[string]any{"plan": "plan must be one of free, pro"}}
				}
				return 200, map[string]any{"subscribed": true}
			},
			want:   map[string]any{"plan": "free", "email": "rampart-t3st@example.com"},
			rounds: 2,
		},
		{
			name: "multipart body with a file",
			op: &rampart.Operation{Method: "POST", Path: "/upload", Body: &rampart.Body{ContentType: "multipart/form-data",
				Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{"file": {Type: "string", Format: "binary"}}}}},
			validate: func(r *http.Request, body []byte) (int, any) {
				_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
				if err != nil {
					return 415, "not multipart"
				}
				mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
				fields, file := map[string]string{}, false
				for {
					p, err := mr.NextPart()
					if err != nil {
						break
					}
					b, _ := io.ReadAll(p)
					if p.FileName() != "" {
						file = true
					}
					fields[p.FormName()] = string(b)
				}
				var errs []map[string]any
				if !file {
					errs = append(errs, map[string]any{"loc": []string{"body", "file"}, "msg": "field required", "type": "value_error.missing"})
				}
				if k := fields["kind"]; k != "invoice" && k != "receipt" {
					errs = append(errs, map[string]any{"loc": []string{"body", "kind"}, "msg": "value is not a valid enumeration member; permitted: 'invoice', 'receipt'", "type": "type_error.enum"})
				}
				if len(errs) > 0 {
					return 422, map[string]any{"detail": errs}
				}
				return 201, map[string]any{"stored": true}
			},
			want:   map[string]any{"kind": "invoice"},
			rounds: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newAPI(t, tc.validate)
			l := New(Options{Tag: "t3st"})
			req, resp, err := l.Accepted(context.Background(), tc.op, sender(t, a))
			if err != nil {
				t.Fatal(err)
			}
			if l.Status(tc.op) != Accepted || resp == nil || resp.Status >= 300 {
				t.Fatalf("status %s (answer %v) after %d requests; bodies sent: %q", l.Status(tc.op), resp, a.count(), a.seen)
			}
			if a.count() != tc.rounds {
				t.Errorf("%d requests, want %d: %q", a.count(), tc.rounds, a.seen)
			}
			for path, want := range tc.want {
				got, _ := getAt(req.Body, undotted(path))
				if fmt.Sprint(got) != fmt.Sprint(want) && !(path == "from_account" && regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{4}[0-9]{10}$`).MatchString(fmt.Sprint(got))) {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
			// Remembered: the next caller gets the accepted request without a
			// request, and so does a fresh Request.
			n := a.count()
			again, resp2, err := l.Accepted(context.Background(), tc.op, sender(t, a))
			if err != nil || resp2 != nil || a.count() != n {
				t.Errorf("second Accepted sent %d requests (err %v)", a.count()-n, err)
			}
			b1, _ := req.Encode()
			b2, _ := again.Encode()
			if tc.op.Path != "/transfers" && string(b1) != string(b2) {
				t.Errorf("the accepted body changed:\n%s\n%s", b1, b2)
			}
		})
	}
}

// The FastAPI transfer needs a new Idempotency-Key on every request: the
// same request twice is two transfers, not a replay.
func TestFreshIdempotencyKeys(t *testing.T) {
	keys := map[string]bool{}
	a := newAPI(t, fastAPITransfer(keys))
	op := &rampart.Operation{Method: "POST", Path: "/transfers", Params: []rampart.Param{{Name: "Idempotency-Key", In: "header", Required: true}},
		Body: &rampart.Body{ContentType: "application/json", Schema: &rampart.Schema{Type: "object"}}}
	l := New(Options{Tag: "t3st"})
	send := sender(t, a)
	if _, _, err := l.Accepted(context.Background(), op, send); err != nil || l.Status(op) != Accepted {
		t.Fatalf("not accepted: %v %s %q", err, l.Status(op), a.seen)
	}
	for i := 0; i < 3; i++ {
		resp, err := send(context.Background(), l.Request(op))
		if err != nil || resp.Status != 201 {
			t.Fatalf("resend %d: %v %v", i, err, resp)
		}
	}
	if len(keys) != 4 {
		t.Errorf("%d distinct keys accepted, want 4", len(keys))
	}
}

// An API that always names a new missing field costs MaxRounds requests,
// and the scan never more than maxSpentPerOp on the operation.
func TestLearningBudget(t *testing.T) {
	n := 0
	a := newAPI(t, func(r *http.Request, body []byte) (int, any) {
		n++
		return 422, map[string]any{"detail": []map[string]any{{"loc": []any{"body", fmt.Sprintf("f%d", n)}, "msg": "field required", "type": "value_error.missing"}}}
	})
	op := &rampart.Operation{Method: "POST", Path: "/x", Body: &rampart.Body{ContentType: "application/json"}}
	l := New(Options{Tag: "t3st"})
	for i := 0; i < 5; i++ {
		if _, _, err := l.Accepted(context.Background(), op, sender(t, a)); err != nil {
			t.Fatal(err)
		}
	}
	if a.count() != maxSpentPerOp {
		t.Errorf("%d requests over five calls, want %d", a.count(), maxSpentPerOp)
	}
	if got := a.count(); got > 5*MaxRounds {
		t.Errorf("%d requests", got)
	}
}

// What a hostile answer can make the learner keep is bounded per
// operation: fixes, tries and value sizes.
func TestLearnerStateIsBounded(t *testing.T) {
	op := &rampart.Operation{Method: "POST", Path: "/x", Body: &rampart.Body{ContentType: "application/json"}}
	l := New(Options{Tag: "t3st"})
	for round := 0; round < 20; round++ {
		var errs []map[string]any
		for i := 0; i < 500; i++ {
			errs = append(errs, map[string]any{"loc": []any{"body", fmt.Sprintf("f%d_%d", round, i)}, "msg": "ensure this value has at least 100000 characters",
				"type": "value_error.any_str.min_length", "ctx": map[string]any{"limit_value": 100000}})
			errs = append(errs, map[string]any{"loc": []any{"body", fmt.Sprintf("g%d_%d", round, i)}, "msg": "field required", "type": "value_error.missing"})
		}
		b, _ := json.Marshal(map[string]any{"detail": errs})
		l.Learn(op, l.Request(op), &engine.Response{Status: 422, Body: b})
	}
	st := l.state(op)
	if len(st.fixes) > maxFixes || len(st.tries) > maxFixes {
		t.Errorf("%d fixes, %d tries kept", len(st.fixes), len(st.tries))
	}
	for k, f := range st.fixes {
		if s, ok := f.v.(string); ok && len(s) > maxValueLen {
			t.Errorf("%s: %d bytes kept", k, len(s))
		}
	}
}

// TestUnsentFieldTakesAShownValue: a field the request did not carry, named
// with a rule ("at least 13 characters") rather than as missing, takes a
// value the API has shown under that name before one made to the rule: an
// ISBN must be a book's, not any 13 characters.
func TestUnsentFieldTakesAShownValue(t *testing.T) {
	const book = "9780131103627"
	op := undocumentedWrite()
	a := newAPI(t, func(r *http.Request, body []byte) (int, any) {
		m := obj(body)
		switch isbn, _ := m["isbn"].(string); {
		case len(isbn) < 13:
			return 422, map[string]any{"detail": []any{map[string]any{"loc": []any{"body", "isbn"}, "msg": "ensure this value has at least 13 characters",
				"type": "value_error.any_str.min_length", "ctx": map[string]any{"limit_value": 13}}}}
		case isbn != book:
			return 404, map[string]any{"detail": "no such book"}
		}
		return 201, map[string]any{"message": "reserved"}
	})
	l := New(Options{Tag: "t3st", Hints: shown("isbn", book)})
	_, resp, err := l.Accepted(context.Background(), op, sender(t, a))
	if err != nil {
		t.Fatal(err)
	}
	if resp == nil || resp.Status != 201 || a.count() != 2 {
		t.Errorf("answer %v after %d requests, want 201 after 2 (the shown ISBN at once): %q", resp, a.count(), a.seen)
	}
}

// TestPlainMessageNamesAFieldTheAPIShowed: a write nothing documents, whose
// API names its fields one by one in plain messages ("isbn: 13 digits
// starting with 978 or 979"), learns a field it never sent when the API
// has shown values under that name elsewhere, and sends one of them.
func TestPlainMessageNamesAFieldTheAPIShowed(t *testing.T) {
	const book = "9780131103627"
	op := undocumentedWrite()
	a := newAPI(t, func(r *http.Request, body []byte) (int, any) {
		if isbn, _ := obj(body)["isbn"].(string); isbn != book {
			return 400, map[string]any{"error": "bad_request", "message": "isbn: 13 digits starting with 978 or 979"}
		}
		return 201, map[string]any{"message": "reserved"}
	})
	l := New(Options{Tag: "t3st", Hints: shown("isbn", book)})
	_, resp, err := l.Accepted(context.Background(), op, sender(t, a))
	if err != nil {
		t.Fatal(err)
	}
	if resp == nil || resp.Status != 201 {
		t.Errorf("answer %v after %d requests, want 201 with the ISBN the API showed: %q", resp, a.count(), a.seen)
	}
	// A name the API never showed stays unread: "error: ..." is no field.
	l2 := New(Options{Tag: "t3st", Hints: func(*rampart.Operation, string, []string) []any { return nil }})
	if _, resp, _ := l2.Accepted(context.Background(), op, sender(t, a)); resp != nil && resp.Status == 201 {
		t.Error("accepted without the shown value")
	}
}

// undocumentedWrite is a POST whose body nothing documents.
func undocumentedWrite() *rampart.Operation {
	return &rampart.Operation{Method: "POST", Path: "/reservations", Body: &rampart.Body{ContentType: "application/json",
		Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{}}}}
}

// shown is the hint of an API that has shown value under a body field's name.
func shown(field string, value any) Hints {
	return func(op *rampart.Operation, in string, path []string) []any {
		if in == "body" && len(path) == 1 && path[0] == field {
			return []any{value}
		}
		return nil
	}
}
