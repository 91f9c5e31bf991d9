package authz

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
)

// scoreAPI is an API whose objects no operation lists: score cards read by
// an id that is either plain or base64 of the integer, each naming its
// owner in a "user" field. Its users are alice (1), bob (2) and carol (3,
// admin).
type scoreAPI struct {
	base64  bool        // ids are base64 of the integer
	cards   map[int]int // card id → owner's user id
	filter  bool        // a correct API: a user reads only its own cards (admins all)
	public  bool        // anonymous callers read every card too
	noOwner bool        // answers carry no owner field
	list    bool        // GET /exams lists the caller's own cards
	// throttle answers 429 (Retry-After: an hour) from that many reads on
	throttle int
	mu       sync.Mutex
	reads    int // GETs of /exams/…
}

var scoreUsers = map[string]struct {
	id    int
	admin bool
}{
	"Bearer " + authztest.AliceToken: {1, false},
	"Bearer " + authztest.BobToken:   {2, false},
	"Bearer " + authztest.CarolToken: {3, true},
}

func (a *scoreAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	u, authed := scoreUsers[r.Header.Get("Authorization")]
	if r.URL.Path == "/me" {
		if !authed {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"detail":"Authentication credentials were not provided."}`)
			return
		}
		fmt.Fprintf(w, `{"id": %d, "username": "user%d", "email": "user%d@example.com"}`, u.id, u.id, u.id)
		return
	}
	if r.URL.Path == "/exams" && a.list && authed {
		var own []map[string]any
		for id, owner := range a.cards {
			if owner == u.id {
				own = append(own, map[string]any{"id": base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(id))), "exam": fmt.Sprintf("Exam paper %d on algebra", id)})
			}
		}
		json.NewEncoder(w).Encode(own)
		return
	}
	key, ok := strings.CutPrefix(r.URL.Path, "/exams/")
	if r.URL.Path == "/exam" { // the same cards by a query parameter
		key, ok = r.URL.Query().Get("card_id"), true
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	a.mu.Lock()
	a.reads++
	n := a.reads
	a.mu.Unlock()
	if a.throttle > 0 && n >= a.throttle {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"detail":"Request was throttled."}`)
		return
	}
	if !authed && !a.public {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"detail":"Authentication credentials were not provided."}`)
		return
	}
	if a.base64 {
		b, err := base64.StdEncoding.DecodeString(key)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"detail":"invalid id"}`)
			return
		}
		key = string(b)
	}
	id, err := strconv.Atoi(key)
	owner, found := a.cards[id]
	if err != nil || !found || (a.filter && !u.admin && owner != u.id) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"detail":"Not found."}`)
		return
	}
	card := map[string]any{"exam": fmt.Sprintf("Exam paper %d on algebra", id), "score": 50 + id%50}
	if !a.noOwner {
		card["user"] = owner
	}
	json.NewEncoder(w).Encode(card)
}

func scoreSpec(example string, me bool) []byte {
	return scoreSpecList(example, me, false)
}

func scoreSpecList(example string, me, list bool) []byte {
	s := `openapi: 3.0.3
info: {title: exams, version: "1"}
security: [{bearer: []}]
paths:
  /exams/{score_card}:
    get:
      parameters:
        - {name: score_card, in: path, required: true, schema: {type: string, example: "` + example + `"}}
      responses:
        "200": {description: a score card, content: {application/json: {schema: {type: object}}}}
        "401": {description: authentication required}
`
	if list {
		s += `  /exams:
    get:
      responses:
        "200": {description: the caller's score cards, content: {application/json: {schema: {type: array, items: {type: object}}}}}
`
	}
	if me {
		s += `  /me:
    get:
      responses:
        "200": {description: the caller, content: {application/json: {schema: {type: object}}}}
`
	}
	return []byte(s + `components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
`)
}

// Ids no listing gives are walked outward from the spec's example and
// from 1, in the API's spelling, and the answers are judged by their
// owner field.
func TestReadBOLAEnumeration(t *testing.T) {
	users := []authztest.Ident{authztest.Alice, authztest.Bob, authztest.Carol}
	tiredfulLike := map[int]int{1: 1, 2: 1, 56: 2, 93: 3}
	sparse := map[int]int{7: 1, 19: 2, 40: 1}
	dense := map[int]int{}
	for i := 1; i <= 40; i++ {
		dense[i] = 1 + i%2
	}
	tests := []struct {
		name    string
		api     *scoreAPI
		example string
		me      bool
		ids     []authztest.Ident
		want    []string
		says    []string // the finding's message says
		walks   bool     // ids are walked (a guard, not a skipped walk, keeps the finding away)
	}{
		{name: "base64 ids, any user reads any card", api: &scoreAPI{base64: true, cards: tiredfulLike}, example: "MQ==", ids: users, walks: true,
			want: []string{"BOLA-001 GET /exams/{score_card} tentative"},
			says: []string{"score_card=MQ== (base64 of 1) has user=1", "score_card=NTY= (base64 of 56) has user=2", "refused them (401)"}},
		{name: "plain sparse integer ids", api: &scoreAPI{cards: sparse}, example: "7", ids: users, walks: true,
			want: []string{"BOLA-001 GET /exams/{score_card} tentative"},
			says: []string{"score_card=7 has user=1", "score_card=19 has user=2"}},
		{name: "own id known from /me: firm", api: &scoreAPI{base64: true, cards: tiredfulLike}, example: "MQ==", me: true, ids: users, walks: true,
			want: []string{"BOLA-001 GET /exams/{score_card} firm"}, says: []string{"is alice's own"}},
		{name: "per-user filtered: correct API", api: &scoreAPI{base64: true, cards: tiredfulLike, filter: true}, example: "MQ==", ids: users, walks: true},
		{name: "per-user filtered, own id known", api: &scoreAPI{base64: true, cards: tiredfulLike, filter: true}, example: "MQ==", me: true, ids: users, walks: true},
		{name: "public read", api: &scoreAPI{base64: true, cards: tiredfulLike, public: true}, example: "MQ==", ids: users, walks: true},
		{name: "every card has one owner", api: &scoreAPI{base64: true, cards: map[int]int{1: 2, 2: 2, 5: 2}}, example: "MQ==", ids: users, walks: true},
		{name: "no owner field", api: &scoreAPI{base64: true, cards: tiredfulLike, noOwner: true}, example: "MQ==", ids: users, walks: true},
		{name: "dense objects without an owner field: the walk gives up", api: &scoreAPI{cards: dense, noOwner: true}, example: "1", ids: users},
		{name: "throttled: the walk stops", api: &scoreAPI{base64: true, cards: tiredfulLike, throttle: 10}, example: "MQ==", ids: users},
		{name: "random UUID ids: nothing to walk", api: &scoreAPI{cards: tiredfulLike}, example: "7c0e8f4e-1b2c-4d5e-8f90-0123456789ab", ids: users},
		{name: "admin-only identity", api: &scoreAPI{base64: true, cards: tiredfulLike}, example: "MQ==", ids: []authztest.Ident{authztest.Carol}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.api)
			t.Cleanup(srv.Close)
			res := authztest.RunSpecLearning(t, scoreSpec(tt.example, tt.me), srv.URL, rampart.Safe, tt.ids, &ReadBOLA)
			expectWalk(t, res, tt.want, tt.says)
			for _, f := range res.Findings {
				if len(f.Evidence) < 2 {
					t.Errorf("evidence = %d exchanges", len(f.Evidence))
				}
			}
			if len(res.Errors) > 0 {
				t.Errorf("errors: %v", res.Errors)
			}
			// The walk reads at most 64 ids, a baseline and two anonymous
			// reads; the cross-read before it a few.
			if tt.api.reads > enumWalk+3+8 {
				t.Errorf("%d reads of /exams/…, want at most %d", tt.api.reads, enumWalk+3+8)
			}
			if walked := tt.api.reads > 16; walked != tt.walks {
				t.Errorf("%d reads of /exams/…: walked = %v, want %v", tt.api.reads, walked, tt.walks)
			}
			// A walk that judged nothing says so in the unit's coverage.
			if cov := res.Coverage["BOLA-001 GET /exams/{score_card}"]; tt.walks && cov.State == rampart.CoverageNotTested && !strings.Contains(cov.Detail, "walked id(s)") {
				t.Errorf("coverage = %+v: the walk is not mentioned", cov)
			}
		})
	}
}

// A query parameter is walked as a path parameter is: GET /exam?card_id=.
func TestReadBOLAEnumerationQuery(t *testing.T) {
	spec := []byte(`openapi: 3.0.3
info: {title: exams, version: "1"}
security: [{bearer: []}]
paths:
  /exam:
    get:
      parameters:
        - {name: card_id, in: query, required: true, schema: {type: integer, example: 7}}
      responses:
        "200": {description: a score card, content: {application/json: {schema: {type: object}}}}
        "401": {description: authentication required}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
`)
	users := []authztest.Ident{authztest.Alice, authztest.Bob, authztest.Carol}
	sparse := map[int]int{7: 1, 19: 2, 40: 1}
	for _, tt := range []struct {
		name string
		api  *scoreAPI
		want []string
		says []string
	}{
		{name: "any user reads any card", api: &scoreAPI{cards: sparse},
			want: []string{"BOLA-001 GET /exam tentative"}, says: []string{"card_id=7 has user=1", "card_id=19 has user=2"}},
		{name: "per-user filtered: correct API", api: &scoreAPI{cards: sparse, filter: true}},
		{name: "public read", api: &scoreAPI{cards: sparse, public: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.api)
			t.Cleanup(srv.Close)
			res := authztest.RunSpecLearning(t, spec, srv.URL, rampart.Safe, users, &ReadBOLA)
			expectWalk(t, res, tt.want, tt.says)
			if tt.api.reads <= 16 {
				t.Errorf("%d reads of /exam: the ids were not walked", tt.api.reads)
			}
		})
	}
}

// expectWalk checks a walk's findings and what each message says.
func expectWalk(t *testing.T, res authztest.Result, want, says []string) {
	t.Helper()
	if got := authztest.Keys(res.Findings); !reflect.DeepEqual(got, want) {
		t.Errorf("findings = %q, want %q", got, want)
	}
	for _, f := range res.Findings {
		for _, s := range says {
			if !strings.Contains(f.Message, s) {
				t.Errorf("message lacks %q: %s", s, f.Message)
			}
		}
	}
}

// The owner field is never the object's own key: under a query parameter,
// the thing is the path's last literal segment.
func TestCollectionOf(t *testing.T) {
	for _, tc := range []struct{ path, param, want string }{
		{"/exams/{score_card}", "score_card", "exam"},
		{"/users/{uid}/entries/{eid}", "eid", "entry"},
		{"/users/{uid}/{eid}", "eid", ""},
		{"/api/v1/invoices", "invoice_id", "invoice"},
		{"/accounts/{id}/statements", "month", "statement"},
		{"/accounts/{id}", "page", "account"},
	} {
		if got := collectionOf(tc.path, tc.param); got != tc.want {
			t.Errorf("collectionOf(%q, %q) = %q, want %q", tc.path, tc.param, got, tc.want)
		}
	}
}

// With a single identity, the neighbours of its own base64 ids are read
// in the same spelling.
func TestReadBOLAAdjacentEncoded(t *testing.T) {
	api := &scoreAPI{base64: true, list: true, cards: map[int]int{1: 1, 2: 1, 3: 2}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	res := authztest.RunSpecLearning(t, scoreSpecList("MQ==", false, true), srv.URL, rampart.Safe, []authztest.Ident{authztest.Alice}, &ReadBOLA)
	if got, want := authztest.Keys(res.Findings), []string{"BOLA-001 GET /exams/{score_card} tentative"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("findings = %q, want %q", got, want)
	}
	if m := res.Findings[0].Message; !strings.Contains(m, "next to its own (score_card=Mw==") {
		t.Errorf("not the neighbour of its own id in base64: %s", m)
	}
}

func TestOnlyNonJSON(t *testing.T) {
	for _, tt := range []struct {
		types []string
		want  bool
	}{
		{[]string{"text/html"}, true},
		{[]string{"text/html", "application/json"}, false},
		{[]string{"application/problem+json"}, false},
		{nil, false}, // undocumented: may be JSON
	} {
		op := &rampart.Operation{Method: http.MethodGet, Path: "/x/{id}"}
		for _, ct := range tt.types {
			op.Responses = append(op.Responses, rampart.Response{Status: "200", ContentType: ct})
		}
		if got := onlyNonJSON(op); got != tt.want {
			t.Errorf("onlyNonJSON(%v) = %v, want %v", tt.types, got, tt.want)
		}
	}
}
