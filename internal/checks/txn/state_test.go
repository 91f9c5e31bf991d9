package txn

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/fixture"
)

func snap(t *testing.T, docs map[string]string) snapshot {
	t.Helper()
	s := snapshot{vals: map[string]float64{}, answered: map[string]bool{}}
	for path, doc := range docs {
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		s.answered[path] = true
		flatten(v, path+" ", s.vals, 0)
	}
	return s
}

func TestFlatten(t *testing.T) {
	s := snap(t, map[string]string{
		"/accounts": `{"accounts":[{"id":7,"balance":"12.50","owner_id":3,"kind":"x"},{"id":9,"balance":1}],"generated_at":"2024-01-01T00:00:00Z"}`,
		"/stats":    `{"total":3,"nested":{"count":2},"flags":[true,false]}`,
	})
	want := map[string]float64{
		"/accounts accounts#":              2,
		"/accounts accounts[id=7].balance": 12.5,
		"/accounts accounts[id=9].balance": 1,
		"/stats total":                     3,
		"/stats nested.count":              2,
		"/stats flags#":                    2,
	}
	if len(s.vals) != len(want) {
		t.Errorf("got %v", s.vals)
	}
	for k, v := range want {
		if got, ok := s.vals[k]; !ok || got != v {
			t.Errorf("%s = %v (%v), want %v", k, got, ok, v)
		}
	}
}

func TestDiffAndClassify(t *testing.T) {
	before := snap(t, map[string]string{"/w": `{"wallets":[{"id":1,"balance":100}],"visits":5,"memos":null,"notes":3}`})
	noise := snap(t, map[string]string{"/w": `{"wallets":[{"id":1,"balance":100}],"visits":6,"memos":null,"notes":3}`})
	after := snap(t, map[string]string{"/w": `{"wallets":[{"id":1,"balance":99.99}],"visits":9,"memos":[{"id":4}],"notes":4}`})
	vol := volatileKeys(before, noise)
	if !vol["/w visits"] || len(vol) != 1 {
		t.Fatalf("volatile %v", vol)
	}
	ds := diff(noise, after, vol)
	got := map[string]bool{}
	for _, d := range ds {
		got[d.key] = d.countLike()
	}
	want := map[string]bool{"/w wallets[id=1].balance": false, "/w memos#": true, "/w notes": true}
	if len(got) != len(want) {
		t.Fatalf("deltas %v, want %v", ds, want)
	}
	for k, c := range want {
		if gc, ok := got[k]; !ok || gc != c {
			t.Errorf("%s: present %v countLike %v, want countLike %v", k, ok, gc, c)
		}
	}
}

func TestRepeatedSplit(t *testing.T) {
	first := []delta{{key: "/w balance", before: 100, after: 99.99}, {key: "/w notes", before: 3, after: 4}, {key: "/w other", before: 1, after: 5}}
	tests := []struct {
		name         string
		second       []delta
		factor       float64
		wantQ, wantC int
	}{
		{"moved again by the same amount", []delta{{key: "/w balance", before: 99.99, after: 99.98}, {key: "/w notes", before: 4, after: 5}}, 1, 1, 1},
		{"a counter moved twice by a pair", []delta{{key: "/w notes", before: 4, after: 6}}, 2, 0, 1},
		{"did not move", nil, 1, 0, 0},
		{"moved by another amount", []delta{{key: "/w balance", before: 99.99, after: 90}}, 1, 0, 0},
	}
	for _, tt := range tests {
		q, c := repeatedSplit(first, tt.second, tt.factor)
		if len(q) != tt.wantQ || len(c) != tt.wantC {
			t.Errorf("%s: quantities %v counts %v", tt.name, q, c)
		}
	}
}

func resp(body string, h http.Header) *engine.Response {
	if h == nil {
		h = http.Header{}
	}
	return &engine.Response{Status: 201, Body: []byte(body), Header: h}
}

func TestReplayedHeader(t *testing.T) {
	for h, want := range map[string]bool{"Idempotent-Replayed": true, "X-Idempotency-Replayed": true, "X-Replayed": false} {
		if got := replayed(resp(`{}`, http.Header{h: {"true"}})); got != want {
			t.Errorf("%s: %v", h, got)
		}
	}
}

func TestOperationClassification(t *testing.T) {
	pw := &rampart.Body{Schema: &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{
		"username": {Type: "string"}, "secret": {Type: "string", Format: "password"}}}}
	tests := []struct {
		op   rampart.Operation
		auth bool
	}{
		{rampart.Operation{Method: "POST", Path: "/login"}, true},
		{rampart.Operation{Method: "POST", Path: "/api/v2/token"}, true},
		{rampart.Operation{Method: "POST", Path: "/users/{id}/password-reset"}, true},
		{rampart.Operation{Method: "POST", Path: "/accounts", Body: pw}, true},
		{rampart.Operation{Method: "POST", Path: "/transfers"}, false},
		{rampart.Operation{Method: "POST", Path: "/coupons/{code}/redeem"}, false},
		{rampart.Operation{Method: "POST", Path: "/tokenizer/jobs"}, false},
	}
	for _, tt := range tests {
		if got := isAuthOp(&tt.op); got != tt.auth {
			t.Errorf("isAuthOp(%s) = %v", tt.op.Key(), got)
		}
	}
	if got := fixture.KeyNames("coupon_code"); strings.Join(got, ",") != "coupon_code,code" {
		t.Errorf("keyNames = %v", got)
	}
	if got := fixture.KeyNames("noteId"); strings.Join(got, ",") != "noteId,id" {
		t.Errorf("keyNames = %v", got)
	}
	if k, v := counterOf(map[string]any{"code": "A", "max_uses": 1.0, "remaining": 1.0, "value": 5.0}); k != "remaining" || v != 1 {
		t.Errorf("counterOf = %s %v", k, v)
	}
	if k, _ := counterOf(map[string]any{"max_uses": 1.0, "value": 5.0}); k != "" {
		t.Errorf("counterOf found %s in an item without a counter", k)
	}
}

func TestMutate(t *testing.T) {
	op := &rampart.Operation{Method: "POST", Path: "/p", Body: &rampart.Body{Schema: &rampart.Schema{Properties: map[string]*rampart.Schema{
		"currency": {Type: "string", Enum: []any{"EUR"}}, "memo": {Type: "string", MaxLength: 140}, "amount": {Type: "number"}}}}}
	r := (&request{op: op}).with(map[string]any{"currency": "EUR", "memo": "Lunch", "amount": 1.0, "to_id": 2.0})
	alt, field := mutate(r)
	if field != "memo" || alt.fields["memo"] == "Lunch" || alt.fields["currency"] != "EUR" {
		t.Errorf("mutate changed %s: %v", field, alt.fields)
	}
	r2 := (&request{op: op}).with(map[string]any{"currency": "EUR", "amount": 1.0})
	if alt, field := mutate(r2); field != "amount" || alt.fields["amount"] != 1.01 {
		t.Errorf("mutate changed %s: %v", field, alt)
	}
	if alt, _ := mutate(&request{op: op}); alt != nil {
		t.Errorf("mutated a request without a JSON body")
	}
}

func TestSnippet(t *testing.T) {
	for in, want := range map[string]string{
		`"message": "current transaction is aborted, commands ignored until end of transaction block`:             "current transaction is aborted, commands ignored until end of transaction block",
		`\"message\": \"could not serialize access due to concurrent update`:                                      "could not serialize access due to concurrent update",
		"ERROR: restart transaction: TransactionRetryWithProtoRefreshError:\n  WriteTooOldError (SQLSTATE 40001)": "ERROR: restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError (SQLSTATE 40001)",
	} {
		if got := snippet(in); got != want {
			t.Errorf("snippet(%q) = %q", in, got)
		}
	}
}

// The state oracle parses whatever a target answers: it must never panic
// nor grow without bound on hostile JSON.
func FuzzFlatten(f *testing.F) {
	for _, s := range []string{`{"a":[{"id":1,"b":2}]}`, `[[[[[[[[[[1]]]]]]]]]]`, `{"x":"1.5","y":null}`, `1`, `"s"`, `{"":{"":{"":[]}}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		out := map[string]float64{}
		flatten(v, "/r ", out, 0)
		var cs []candidate
		items(v, []string{"id", "code"}, 0, &cs)
		if len(cs) > maxItems {
			t.Fatalf("%d candidates", len(cs))
		}
		_ = fixture.ResultID(&engine.Response{Body: []byte(s), Header: http.Header{}})
		_ = snippet(s)
	})
}

func TestFirstSegment(t *testing.T) {
	for in, want := range map[string]string{"/reports/summary": "reports", "/api/v2/reports/{t}": "reports", "/": "", "/v1": "", "/notes": "notes"} {
		if got := firstSegment(in); got != want {
			t.Errorf("firstSegment(%s) = %q, want %q", in, got, want)
		}
	}
}
