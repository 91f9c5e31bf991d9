package txn

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/surface"
)

// wallet is a deterministic fake API (testdata/wallet.yaml) whose
// transaction handling each test chooses: correct, or broken in one of the
// ways the checks look for. Nothing in it depends on timing: where a flaw
// needs two requests inside the same window (check-then-act), the handler
// waits at a barrier until a second request has reached the same point,
// which a synchronised burst guarantees and a sequential client never does.
type walletCfg struct {
	payKeys     string // ignore | user | global | nohash | racy
	payConflict string // none | leak | plain500 | busy | unique
	topupKeys   bool   // /topups honours Idempotency-Key (undocumented)
	voucher     string // locked | racy
	counter     bool   // vouchers show uses_left
	stats       string // pool | shared | poisoned | error
}

type stored struct {
	hash   string
	status int
	body   []byte
}

type wallet struct {
	cfg walletCfg

	mu       sync.Mutex // guards the state below
	balances map[int]float64
	owner    map[int]string
	labels   map[int]string
	payments []map[string]any
	nextID   int
	memos    map[int]string // id → owner
	uses     map[string]int
	values   map[string]float64
	vowner   map[string]string // "" for public vouchers
	claimed  map[string]bool   // user|code
	keys     map[string]stored
	poisoned bool

	payLock sync.Mutex // the "row lock" of a payment transaction
	confMu  sync.Mutex
	confCh  chan struct{} // closed at the first conflict

	reqMu sync.Mutex
	reqs  []string // "METHOD /path"
}

var users = map[string]string{"Bearer tok-alice": "alice", "Bearer tok-bob": "bob"}

func newWallet(cfg walletCfg) *wallet {
	w := &wallet{cfg: cfg,
		balances: map[int]float64{10: 1000, 11: 50, 20: 1000},
		owner:    map[int]string{10: "alice", 11: "alice", 20: "bob"},
		labels:   map[int]string{10: "Main", 11: "Savings", 20: "Main"},
		nextID:   100, memos: map[int]string{}, claimed: map[string]bool{}, keys: map[string]stored{},
		uses:   map[string]int{"A-ONE": 1, "A-TWO": 1, "SPRING": 100, "B-ONE": 1},
		values: map[string]float64{"A-ONE": 5, "A-TWO": 5, "SPRING": 2, "B-ONE": 5},
		vowner: map[string]string{"A-ONE": "alice", "A-TWO": "alice", "SPRING": "", "B-ONE": "bob"},
	}
	if cfg.stats == "poisoned" {
		w.poisoned = true
	}
	return w
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	json.NewEncoder(rw).Encode(v)
}

// barrier blocks until n callers have arrived, or a deadline passes: a
// sequential client never brings a second caller, so its request goes on
// after the deadline; a synchronised burst brings one within microseconds.
// Nothing asserts a time.
type barrier struct {
	mu      sync.Mutex
	arrived int
	ch      chan struct{}
}

func (b *barrier) wait(n int) {
	b.mu.Lock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	b.arrived++
	ch := b.ch
	if b.arrived >= n {
		close(b.ch)
		b.ch, b.arrived = nil, 0
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(time.Second):
		b.mu.Lock()
		if b.ch == ch {
			b.arrived--
		}
		b.mu.Unlock()
	}
}

func (w *wallet) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.reqMu.Lock()
	w.reqs = append(w.reqs, r.Method+" "+r.URL.Path)
	w.reqMu.Unlock()
	user := users[r.Header.Get("Authorization")]
	if user == "" {
		writeJSON(rw, 401, map[string]string{"error": "unauthorized"})
		return
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == "GET" && r.URL.Path == "/wallets":
		w.mu.Lock()
		var out []map[string]any
		for _, id := range sortedInts(w.owner) {
			if w.owner[id] == user {
				out = append(out, map[string]any{"id": id, "owner_id": user, "label": w.labels[id], "balance": w.balances[id]})
			}
		}
		w.mu.Unlock()
		writeJSON(rw, 200, map[string]any{"wallets": out})
	case r.URL.Path == "/payments" && r.Method == "GET":
		w.mu.Lock()
		var out []map[string]any
		for _, p := range w.payments {
			if p["user"] == user {
				out = append(out, p)
			}
		}
		w.mu.Unlock()
		writeJSON(rw, 200, map[string]any{"payments": out})
	case r.URL.Path == "/payments" && r.Method == "POST":
		w.pay(rw, r, user)
	case r.URL.Path == "/topups" && r.Method == "POST":
		w.topup(rw, r, user)
	case r.URL.Path == "/memos" && r.Method == "GET":
		w.mu.Lock()
		var out []map[string]any
		for _, id := range sortedInts(w.memos) {
			if w.memos[id] == user {
				out = append(out, map[string]any{"id": id, "text": "memo"})
			}
		}
		w.mu.Unlock()
		writeJSON(rw, 200, map[string]any{"memos": out})
	case r.URL.Path == "/memos" && r.Method == "POST":
		w.mu.Lock()
		w.nextID++
		id := w.nextID
		w.memos[id] = user
		w.mu.Unlock()
		rw.Header().Set("Location", fmt.Sprintf("/memos/%d", id))
		writeJSON(rw, 201, map[string]any{"id": id, "text": "memo"})
	case len(segs) == 2 && segs[0] == "memos" && r.Method == "DELETE":
		id, _ := strconv.Atoi(segs[1])
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.memos[id] != user {
			writeJSON(rw, 404, map[string]string{"error": "not_found"})
			return
		}
		delete(w.memos, id)
		rw.WriteHeader(204)
	case len(segs) == 3 && segs[0] == "wallets" && segs[2] == "label" && r.Method == "POST":
		id, _ := strconv.Atoi(segs[1])
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.owner[id] != user {
			writeJSON(rw, 404, map[string]string{"error": "not_found"})
			return
		}
		w.labels[id] = fmt.Sprint(body["label"])
		writeJSON(rw, 200, map[string]any{"id": id, "label": w.labels[id], "balance": w.balances[id]})
	case r.URL.Path == "/vouchers" && r.Method == "GET":
		w.mu.Lock()
		codes := slices.Sorted(maps.Keys(w.uses))
		var out []map[string]any
		for _, c := range codes {
			if (w.vowner[c] != "" && w.vowner[c] != user) || w.uses[c] <= 0 || w.claimed[user+"|"+c] {
				continue
			}
			v := map[string]any{"code": c, "value": w.values[c]}
			if w.cfg.counter {
				v["uses_left"] = w.uses[c]
			}
			out = append(out, v)
		}
		w.mu.Unlock()
		writeJSON(rw, 200, map[string]any{"vouchers": out})
	case len(segs) == 3 && segs[0] == "vouchers" && segs[2] == "claim" && r.Method == "POST":
		w.claim(rw, segs[1], user)
	case len(segs) == 2 && segs[0] == "stats" && r.Method == "GET":
		w.statsRead(rw, segs[1], user)
	default:
		writeJSON(rw, 404, map[string]string{"error": "not_found"})
	}
}

var claimBarrier, keyBarrier barrier

func (w *wallet) conflicted() chan struct{} {
	w.confMu.Lock()
	defer w.confMu.Unlock()
	if w.confCh == nil {
		w.confCh = make(chan struct{})
	}
	return w.confCh
}

func (w *wallet) conflict() {
	ch := w.conflicted()
	w.confMu.Lock()
	defer w.confMu.Unlock()
	select {
	case <-ch:
	default:
		close(ch)
	}
}

func (w *wallet) claim(rw http.ResponseWriter, code, user string) {
	if w.cfg.voucher == "locked" {
		w.mu.Lock()
		defer w.mu.Unlock()
	}
	check := func() (int, string) {
		if w.cfg.voucher != "locked" {
			w.mu.Lock()
			defer w.mu.Unlock()
		}
		if _, ok := w.uses[code]; !ok || (w.vowner[code] != "" && w.vowner[code] != user) {
			return 404, "voucher not found"
		}
		if w.uses[code] <= 0 {
			return 409, "voucher used up"
		}
		if w.claimed[user+"|"+code] {
			return 409, "already claimed"
		}
		return 0, ""
	}
	if status, msg := check(); status != 0 {
		writeJSON(rw, status, map[string]string{"error": msg})
		return
	}
	if w.cfg.voucher == "racy" {
		claimBarrier.wait(2) // read and write in separate steps
		w.mu.Lock()
		defer w.mu.Unlock()
	}
	w.uses[code]--
	w.claimed[user+"|"+code] = true
	w.balances[10] += w.values[code]
	w.nextID++
	writeJSON(rw, 200, map[string]any{"claim_id": w.nextID, "amount": w.values[code], "balance": w.balances[10]})
}

func (w *wallet) pay(rw http.ResponseWriter, r *http.Request, user string) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(rw, 400, map[string]string{"error": "bad json"})
		return
	}
	canon, _ := json.Marshal(body)
	key := r.Header.Get("Idempotency-Key")
	storeKey := user + "|" + key
	if w.cfg.payKeys == "global" {
		storeKey = key
	}
	if w.cfg.payKeys != "ignore" {
		if key == "" {
			writeJSON(rw, 400, map[string]string{"error": "Idempotency-Key required"})
			return
		}
		w.mu.Lock()
		s, seen := w.keys[storeKey]
		w.mu.Unlock()
		if seen {
			if s.hash != string(canon) && w.cfg.payKeys != "nohash" {
				writeJSON(rw, 422, map[string]string{"error": "key used with another request"})
				return
			}
			rw.Header().Set("Content-Type", "application/json")
			rw.Header().Set("Idempotent-Replayed", "true")
			rw.WriteHeader(s.status)
			rw.Write(s.body)
			return
		}
		if w.cfg.payKeys == "racy" {
			keyBarrier.wait(2) // looked up, not yet inserted: no unique constraint
		}
	}
	if !w.payLock.TryLock() {
		w.conflict()
		switch w.cfg.payConflict {
		case "leak":
			writeJSON(rw, 500, map[string]string{"error": "database_error",
				"message": "could not serialize access due to read/write dependencies among transactions"})
			return
		case "plain500":
			writeJSON(rw, 500, map[string]string{"error": "internal_error"})
			return
		case "unique":
			rw.Header().Set("Content-Type", "text/plain")
			rw.WriteHeader(500)
			fmt.Fprint(rw, "500 Internal Server Error\n\npsycopg2.errors.UniqueViolation: duplicate key value violates unique constraint \"payments_reference_key\"\nDETAIL:  Key (reference)=(rent) already exists.\n")
			return
		case "busy":
			rw.Header().Set("Retry-After", "1")
			writeJSON(rw, 503, map[string]string{"error": "busy"})
			return
		default:
			w.payLock.Lock()
		}
	} else if w.cfg.payConflict != "none" {
		// Hold the "row lock" until a concurrent request has run into it
		// (a sequential request goes on after the deadline).
		select {
		case <-w.conflicted():
		case <-time.After(time.Second):
		}
	}
	defer w.payLock.Unlock()
	from, _ := body["from_wallet_id"].(float64)
	to, _ := body["to_wallet_id"].(float64)
	amount, _ := body["amount"].(float64)
	w.mu.Lock()
	defer w.mu.Unlock()
	if s, seen := w.keys[storeKey]; seen && w.cfg.payKeys != "ignore" && w.cfg.payKeys != "racy" {
		// The key's unique constraint: a concurrent twin inserted it between
		// this request's lookup and here, so this one answers with its result.
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Idempotent-Replayed", "true")
		rw.WriteHeader(s.status)
		rw.Write(s.body)
		return
	}
	if w.owner[int(from)] != user {
		writeJSON(rw, 404, map[string]string{"error": "source wallet not found"})
		return
	}
	w.balances[int(from)] -= amount
	w.balances[int(to)] += amount
	w.nextID++
	p := map[string]any{"id": w.nextID, "from_wallet_id": from, "to_wallet_id": to, "amount": amount, "memo": body["memo"], "user": user}
	w.payments = append(w.payments, p)
	out, _ := json.Marshal(p)
	if w.cfg.payKeys != "ignore" {
		w.keys[storeKey] = stored{hash: string(canon), status: 201, body: out}
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(201)
	rw.Write(out)
}

func (w *wallet) topup(rw http.ResponseWriter, r *http.Request, user string) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	key := r.Header.Get("Idempotency-Key")
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cfg.topupKeys && key != "" {
		if s, ok := w.keys["topup|"+user+"|"+key]; ok {
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(s.status)
			rw.Write(s.body)
			return
		}
	}
	id, _ := body["wallet_id"].(float64)
	amount, _ := body["amount"].(float64)
	if w.owner[int(id)] != user {
		writeJSON(rw, 404, map[string]string{"error": "wallet not found"})
		return
	}
	w.balances[int(id)] += amount
	w.nextID++
	out, _ := json.Marshal(map[string]any{"id": w.nextID, "wallet_id": id, "balance": w.balances[int(id)]})
	if w.cfg.topupKeys && key != "" {
		w.keys["topup|"+user+"|"+key] = stored{status: 201, body: out}
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(201)
	rw.Write(out)
}

func (w *wallet) statsRead(rw http.ResponseWriter, dataset, user string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.poisoned {
		writeJSON(rw, 500, map[string]string{"error": "database_error",
			"message": "current transaction is aborted, commands ignored until end of transaction block"})
		return
	}
	count := 0
	for _, o := range w.memos {
		if o == user {
			count++
		}
	}
	switch dataset {
	case "overview":
		total := 0.0
		for id, o := range w.owner {
			if o == user {
				total += w.balances[id]
			}
		}
		writeJSON(rw, 200, map[string]any{"memos": count, "total": total})
	case "memos":
		writeJSON(rw, 200, map[string]any{"dataset": "memos", "rows": count})
	default:
		if w.cfg.stats == "pool" {
			writeJSON(rw, 404, map[string]string{"error": "unknown dataset"})
			return
		}
		if w.cfg.stats == "shared" {
			w.poisoned = true
		}
		writeJSON(rw, 500, map[string]string{"error": "database_error",
			"message": fmt.Sprintf("syntax error at or near %q\nLINE 1: SELECT count(*) FROM %s WHERE owner = $1", dataset, dataset)})
	}
}

func (w *wallet) requests() []string {
	w.reqMu.Lock()
	defer w.reqMu.Unlock()
	return append([]string(nil), w.reqs...)
}

func sortedInts[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// walletOps loads the fake API's spec as a scan would.
func walletOps(t *testing.T) []*rampart.Operation {
	t.Helper()
	s, err := surface.Load(context.Background(), surface.Source{Path: "testdata/wallet.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	return s.Operations
}

func opsNamed(t *testing.T, keys ...string) []*rampart.Operation {
	t.Helper()
	all := walletOps(t)
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	var out []*rampart.Operation
	for _, op := range all {
		if want[op.Key()] || (op.Method == "GET" && !strings.Contains(op.Path, "{")) || op.Method == "DELETE" {
			out = append(out, op)
		}
	}
	return out
}

func serve(t *testing.T, cfg walletCfg) (*wallet, *httptest.Server) {
	t.Helper()
	w := newWallet(cfg)
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return w, srv
}
