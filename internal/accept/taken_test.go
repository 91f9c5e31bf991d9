package accept

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

func TestTakenWords(t *testing.T) {
	for _, tc := range []struct {
		body  string
		taken bool
		word  string // a word the texts hold
	}{
		{`{"status": "fail", "message": "Book Already exists!"}`, true, "book"},
		{`{"username": ["A user with that username already exists."]}`, true, "username"},
		{`{"detail": "duplicate key value violates unique constraint \"users_email_key\""}`, true, "email"},
		{`{"errors": {"slug": ["has already been taken"]}}`, true, ""},
		{`That e-mail address is already registered.`, true, "email"},
		{`{"error": "title must be unique"}`, true, "title"},
		{`{"message": "Title is required"}`, false, ""},
		{`{"message": "insufficient funds"}`, false, ""},
		{`{"message": "the account exists"}`, false, ""},
		{`{"already exists": "x"}`, false, ""}, // a key is no message
		{"500 Internal Server Error\n\nUniqueViolation: duplicate key value violates unique constraint \"users_email_key\"", true, "email"},
	} {
		words, taken := takenWords([]byte(tc.body))
		if taken != tc.taken {
			t.Errorf("%s: taken = %v, want %v", tc.body, taken, tc.taken)
		}
		if tc.word != "" && !strings.Contains(" "+strings.Join(words, " ")+" ", " "+tc.word+" ") {
			t.Errorf("%s: words %q lack %q", tc.body, words, tc.word)
		}
	}
}

func bookOp() *rampart.Operation {
	str := &rampart.Schema{Type: "string"}
	return &rampart.Operation{Method: "POST", Path: "/books", Body: &rampart.Body{ContentType: "application/json",
		Schema: &rampart.Schema{Type: "object", Required: []string{"book_title", "secret"}, Properties: map[string]*rampart.Schema{
			"book_title": str, "secret": str, "genre": {Type: "string", Enum: []any{"novel", "essay"}},
		}}}}
}

// A create refused because the value it sends is taken ("Book Already
// exists!": the title is one the API showed) gets a new value in the
// fields the answer is about, on this request and on every later one; the
// others stay as they were.
func TestTakenValuesBecomeUnique(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		answer func(title string) any
		field  string
	}{
		{"a message that names the thing (VAmPI)", 400, func(string) any {
			return map[string]any{"status": "fail", "message": "Book Already exists!"}
		}, "book_title"},
		{"a field-keyed answer (DRF)", 400, func(string) any {
			return map[string]any{"book_title": []any{"book with this book title already exists."}}
		}, "book_title"},
		{"a 409 naming no field: the identifying one", 409, func(string) any {
			return map[string]any{"detail": "duplicate key value violates unique constraint \"books_pkey\""}
		}, "book_title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			titles := map[string]bool{"Clean Code": true}
			a := newAPI(t, func(r *http.Request, body []byte) (int, any) {
				m := obj(body)
				title, _ := m["book_title"].(string)
				mu.Lock()
				defer mu.Unlock()
				if titles[title] {
					return tc.status, tc.answer(title)
				}
				titles[title] = true
				return 201, map[string]any{"status": "success"}
			})
			l := New(Options{Tag: "t3st", Hints: shown("book_title", "Clean Code")})
			op := bookOp()
			req, resp, err := l.Accepted(context.Background(), op, sender(t, a))
			if err != nil {
				t.Fatal(err)
			}
			if resp == nil || resp.Status != 201 || a.count() != 2 {
				t.Fatalf("answer %v after %d requests, want 201 after 2: %q", resp, a.count(), a.seen)
			}
			sent := req.Body.(map[string]any)
			if title, _ := sent[tc.field].(string); !strings.HasPrefix(title, "Clean Code-t3st") {
				t.Errorf("%s = %q, want the shown title made unique", tc.field, title)
			}
			first := obj([]byte(a.seen[0]))
			if sent["secret"] != first["secret"] || sent["genre"] != first["genre"] {
				t.Errorf("other fields changed: %v, then %v", first, sent)
			}
			// Every later request for op is a create of its own.
			seen := map[any]bool{sent[tc.field]: true}
			for range 3 {
				v := l.Request(op).Body.(map[string]any)[tc.field]
				if seen[v] {
					t.Errorf("%s %q sent twice", tc.field, v)
				}
				seen[v] = true
			}
		})
	}
}

// An answer that says nothing is taken leaves the learner as it was; a
// field that is unique already and still refused is not made unique again.
func TestTakenOnlyWhenSaid(t *testing.T) {
	a := newAPI(t, func(r *http.Request, body []byte) (int, any) {
		return 409, map[string]any{"message": "the shelf is full"}
	})
	l := New(Options{Tag: "t3st"})
	op := bookOp()
	if _, resp, _ := l.Accepted(context.Background(), op, sender(t, a)); resp == nil || resp.Status != 409 || a.count() != 1 || l.Status(op) != Passed {
		t.Errorf("a 409 that names nothing taken: %v after %d requests, status %v", resp, a.count(), l.Status(op))
	}
	b := newAPI(t, func(r *http.Request, body []byte) (int, any) {
		return 400, map[string]any{"message": "Book already exists"}
	})
	l2 := New(Options{Tag: "t3st"})
	if _, resp, _ := l2.Accepted(context.Background(), op, sender(t, b)); resp == nil || b.count() != 2 {
		t.Errorf("always taken: %d requests, want 2 (one retry with a unique title)", b.count())
	}
}

func TestUniqueFitsTheSchema(t *testing.T) {
	l := New(Options{Tag: "t3st"})
	for _, tc := range []struct {
		base string
		s    *rampart.Schema
		want string // a regular expression
	}{
		{"Clean Code", nil, `^Clean Code-t3st\d{4}$`},
		{"rampart@example.com", &rampart.Schema{Format: "email"}, `^rampart-t3st\d{4}@example\.com$`},
		{"A very long title indeed", &rampart.Schema{MaxLength: 16}, `^A very -t3st\d{4}$`},
		{"abc", &rampart.Schema{Pattern: `^[a-z0-9]+$`}, `^rampartt3st\d{4}$`},
		{"abc", &rampart.Schema{Pattern: `^[A-Z]{3}$`}, `^abc$`}, // nothing fits: as it was
	} {
		got := l.unique(tc.base, tc.s)
		if !regexp.MustCompile(tc.want).MatchString(got) {
			t.Errorf("unique(%q, %+v) = %q, want %s", tc.base, tc.s, got, tc.want)
		}
	}
}

// Once a create is accepted, a later one refused as taken (a unique
// violation in a 500 traceback, to a request a check sent) makes the
// field unique for every request after it; the base is the learner's own
// value, not the probe the check had put there.
func TestTakenAfterAccepted(t *testing.T) {
	op := bookOp()
	l := New(Options{Tag: "t3st"})
	l.Learn(op, l.Request(op), &engine.Response{Status: 201, Body: []byte(`{"status": "success"}`)})
	if l.Status(op) != Accepted {
		t.Fatalf("status %v", l.Status(op))
	}
	first := l.Request(op).Body.(map[string]any)["book_title"].(string)
	probe := map[string]any{"book_title": first + "'", "secret": "s", "genre": "novel"}
	sent, _ := json.Marshal(probe)
	traceback := "500 Internal Server Error\n\nTraceback (most recent call last):\n  File \"app.py\", line 9, in create\n" +
		"    await conn.execute(q, (title, secret, genre))\n" +
		"psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint \"books_book_title_idx\"\n" +
		"DETAIL:  Key (book_title)=(" + first + ") already exists.\n"
	resp := &engine.Response{Status: 500, Body: []byte(traceback),
		Request: &engine.Request{Method: "POST", URL: "/books", Body: sent}}
	l.Observe(op, http.Header{}, resp)
	seen := map[string]bool{}
	for range 3 {
		m := l.Request(op).Body.(map[string]any)
		title, _ := m["book_title"].(string)
		if !strings.HasPrefix(title, first+"-t3st") || seen[title] {
			t.Errorf("book_title %q: want %q made unique, once", title, first)
		}
		seen[title] = true
		if m["secret"] == nil || strings.Contains(m["secret"].(string), "t3st") {
			t.Errorf("secret changed: %v", m["secret"])
		}
	}
	// An answer that says nothing is taken changes nothing.
	l2 := New(Options{Tag: "t3st"})
	l2.Learn(op, l2.Request(op), &engine.Response{Status: 201})
	before := l2.Request(op).Body.(map[string]any)["book_title"]
	l2.Observe(op, http.Header{}, &engine.Response{Status: 500, Body: []byte("KeyError: 'title'"), Request: resp.Request})
	if after := l2.Request(op).Body.(map[string]any)["book_title"]; after != before {
		t.Errorf("book_title %v became %v on an answer that says nothing is taken", before, after)
	}
}
