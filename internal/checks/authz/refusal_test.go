package authz

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/checks/authz/authztest"
	"github.com/rampart-sec/rampart/internal/luhn"
)

// moneyAPI is a bank and a wallet in one: accounts keyed by their number
// (POST /transfers names the source in its body, as the zoo's bank does)
// and cards keyed by theirs (POST /cards/{card_number}/payments, as the
// zoo's wallet), each identity's own listed by GET /accounts and GET
// /cards. Every money-moving request needs a new Idempotency-Key.
type moneyAPI struct {
	owned     bool // the lookup is scoped to the caller (the secure answer: 404 for another's object)
	ruleFirst bool // currency and amount rules come before the lookup: the refusal says nothing of the object
	lenient   bool // no currency, balance or limit rule: any request for an existing object goes through
	malformed bool // an unknown number is refused for its format, before the rules: "checksum mismatch"
	history   bool // GET /transfers shows alice's past transfer: her from_account, never the others' accounts

	mu       sync.Mutex
	accounts map[string]*moneyObj
	cards    map[string]*moneyObj
	keys     map[string]bool
	moves    []string // "alice debited NL91…": what moved
	sent     []string // every request: "alice POST /transfers {body}"
}

type moneyObj struct {
	owner, currency string
	funds           float64 // a balance or what is left of a credit limit
}

func newMoneyAPI() *moneyAPI {
	return &moneyAPI{
		accounts: map[string]*moneyObj{
			"NL91ZOOB0417164300": {"alice", "EUR", 1000}, "NL20ZOOB0123456789": {"alice", "EUR", 5000},
			"NL55ZOOB0987654321": {"bob", "EUR", 800}, "NL02ZOOB0555555555": {"carol", "EUR", 10000},
		},
		cards: map[string]*moneyObj{
			"4111111111111111": {"alice", "EUR", 2000}, "4012888888881881": {"bob", "EUR", 1000},
			"378282246310005": {"carol", "EUR", 5000},
		},
		keys: map[string]bool{},
	}
}

var (
	accountRe = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{4}[0-9]{10}$`)
	cardRe    = regexp.MustCompile(`^[0-9]{13,19}$`)
)

func (m *moneyAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	who := map[string]string{"Bearer " + authztest.AliceToken: "alice", "Bearer " + authztest.BobToken: "bob",
		"Bearer " + authztest.CarolToken: "carol"}[r.Header.Get("Authorization")]
	var raw json.RawMessage
	_ = json.NewDecoder(r.Body).Decode(&raw)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, fmt.Sprintf("%s %s %s %s", who, r.Method, r.URL.Path, raw))
	w.Header().Set("Content-Type", "application/json")
	answer := func(status int, detail any) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"detail": detail})
	}
	if who == "" {
		answer(401, "bearer token required")
		return
	}
	list := func(objs map[string]*moneyObj, key string) {
		var out []map[string]any
		for n, o := range objs {
			if o.owner == who {
				out = append(out, map[string]any{key: n, "currency": o.currency})
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	}
	card, payment := strings.CutPrefix(r.URL.Path, "/cards/")
	card, payment = strings.CutSuffix(card, "/payments")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/accounts":
		list(m.accounts, "number")
		return
	case r.Method == http.MethodGet && r.URL.Path == "/cards":
		list(m.cards, "card_number")
		return
	case r.Method == http.MethodGet && r.URL.Path == "/transfers":
		sent := []map[string]any{}
		if m.history && who == "alice" {
			sent = append(sent, map[string]any{"id": 1, "from_account": "NL91ZOOB0417164300", "to_account": "NL02ZOOB0555555555",
				"amount": map[string]any{"value": 5, "currency": "EUR"}})
		}
		_ = json.NewEncoder(w).Encode(sent)
		return
	case r.Method != http.MethodPost || (r.URL.Path != "/transfers" && !payment):
		answer(404, "not found")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) < 8 {
		answer(422, []map[string]any{{"loc": []string{"header", "idempotency-key"}, "msg": "field required", "type": "value_error.missing"}})
		return
	}
	if m.keys[who+" "+key] {
		answer(409, "Idempotency-Key reused")
		return
	}
	m.keys[who+" "+key] = true
	var body struct {
		From   string `json:"from_account"`
		Amount struct {
			Value    float64 `json:"value"`
			Currency string  `json:"currency"`
		} `json:"amount"`
	}
	_ = json.Unmarshal(raw, &body)
	objs, name, number, maxValue := m.accounts, "account", body.From, 9999999999.99
	if payment {
		objs, name, number, maxValue = m.cards, "card", card, 9999999.99
	}
	switch {
	case payment && !cardRe.MatchString(number), !payment && !accountRe.MatchString(number):
		answer(422, []map[string]any{{"loc": []string{"body", "from_account"}, "msg": "string does not match regex", "type": "value_error.str.regex"}})
		return
	case body.Amount.Value <= 0 || body.Amount.Value > maxValue:
		answer(422, []map[string]any{{"loc": []string{"body", "amount", "value"}, "msg": "ensure that there are no more than 12 digits in total",
			"type": "value_error.decimal.max_digits"}})
		return
	case m.malformed && objs[number] == nil:
		answer(422, "checksum mismatch")
		return
	case m.ruleFirst && body.Amount.Currency != "EUR":
		answer(422, "only EUR payments are accepted")
		return
	case m.ruleFirst && body.Amount.Value > 5000:
		answer(422, "the amount is over the per-payment maximum")
		return
	}
	o := objs[number]
	if o == nil || (m.owned && o.owner != who) {
		answer(404, "no such "+name)
		return
	}
	if !m.lenient {
		if o.currency != body.Amount.Currency {
			answer(422, fmt.Sprintf("this %s is in %s", name, o.currency))
			return
		}
		if o.funds < body.Amount.Value {
			answer(409, "insufficient funds on "+number)
			return
		}
	}
	o.funds -= body.Amount.Value
	m.moves = append(m.moves, fmt.Sprintf("%s moved %v from %s's %s %s", who, body.Amount.Value, o.owner, name, number))
	w.WriteHeader(201)
	_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"id": len(m.moves)}})
}

func (m *moneyAPI) log() (moves, sent []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.moves...), append([]string(nil), m.sent...)
}

// BOLA-004 proves a money-moving write on another identity's object by the
// reason the API refuses it, and never moves money but, at worst, the
// attacker's own when its own request goes through.
func TestRefusalBOLA(t *testing.T) {
	spec, err := os.ReadFile("testdata/money.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const (
		transfers = "POST /transfers"
		payments  = "POST /cards/{card_number}/payments"
	)
	tests := []struct {
		name     string
		api      *moneyAPI
		want     []string
		coverage map[string]rampart.CoverageState
		reason   rampart.Reason
		// sends: how many money-moving requests the check sends at least.
		sends int
	}{
		{name: "source account and card not checked", api: &moneyAPI{},
			want:     []string{"BOLA-004 POST /cards/{card_number}/payments firm", "BOLA-004 POST /transfers firm"},
			coverage: map[string]rampart.CoverageState{transfers: rampart.CoverageProved, payments: rampart.CoverageProved}, sends: 6},
		{name: "a transfer history shows the caller's from_account: the others' accounts still come from the model",
			api:      &moneyAPI{history: true},
			want:     []string{"BOLA-004 POST /cards/{card_number}/payments firm", "BOLA-004 POST /transfers firm"},
			coverage: map[string]rampart.CoverageState{transfers: rampart.CoverageProved, payments: rampart.CoverageProved}, sends: 6},
		{name: "secure: another's object answers like none", api: &moneyAPI{owned: true},
			coverage: map[string]rampart.CoverageState{transfers: rampart.CoverageTested, payments: rampart.CoverageTested}, sends: 6},
		{name: "business rules before the lookup tell nothing", api: &moneyAPI{ruleFirst: true},
			coverage: map[string]rampart.CoverageState{transfers: rampart.CoverageTested, payments: rampart.CoverageTested}, sends: 6},
		{name: "rules before the lookup, a made-up number refused for its format", api: &moneyAPI{ruleFirst: true, malformed: true},
			coverage: map[string]rampart.CoverageState{transfers: rampart.CoverageTested, payments: rampart.CoverageTested}, sends: 6},
		{name: "own huge request accepted: nothing sent for the victim", api: &moneyAPI{lenient: true},
			coverage: map[string]rampart.CoverageState{transfers: rampart.CoverageNotTested, payments: rampart.CoverageNotTested},
			reason:   rampart.ReasonNoObject, sends: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := tt.api
			fresh := newMoneyAPI()
			api.accounts, api.cards, api.keys = fresh.accounts, fresh.cards, fresh.keys
			srv := httptest.NewServer(api)
			t.Cleanup(srv.Close)
			res := authztest.RunSpecExplored(t, spec, srv.URL, rampart.Active, authztest.All, &RefusalBOLA)
			res.Expect(t, tt.want)
			for op, state := range tt.coverage {
				c := res.Coverage["BOLA-004 "+op]
				if c.State != state || (tt.reason != "" && c.Reason != tt.reason) {
					t.Errorf("%s coverage = %s %s (%s), want %s %s", op, c.State, c.Reason, c.Detail, state, tt.reason)
				}
			}
			moves, sent := api.log()
			writes := 0
			for _, s := range sent {
				if !strings.Contains(s, " POST ") {
					continue
				}
				writes++
				if api.lenient && (strings.Contains(s, "NL55ZOOB") || strings.Contains(s, "NL02ZOOB") ||
					strings.Contains(s, "4012888888881881") || strings.Contains(s, "378282246310005")) {
					t.Errorf("sent for another identity's object after the own request went through: %s", s)
				}
			}
			if writes < tt.sends {
				t.Errorf("%d money-moving requests, want at least %d: %q", writes, tt.sends, sent)
			}
			for _, mv := range moves {
				if !api.lenient || !strings.HasPrefix(mv, "alice moved") || !strings.Contains(mv, "from alice's") {
					t.Errorf("money moved: %s", mv)
				}
			}
		})
	}
}

// The finding says whose object was named, how each request was refused,
// and that nothing changed; its evidence holds the three requests.
func TestRefusalBOLAFinding(t *testing.T) {
	spec, err := os.ReadFile("testdata/money.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api := newMoneyAPI()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	res := authztest.RunSpecExplored(t, spec, srv.URL, rampart.Active, authztest.All, &RefusalBOLA)
	var f *rampart.Finding
	for i := range res.Findings {
		if res.Findings[i].Location.Path == "/transfers" {
			f = &res.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no finding on POST /transfers: %q", authztest.Keys(res.Findings))
	}
	for _, want := range []string{"for alice", "from_account=NL5…321 (bob's)", `422 "this account is in EUR"`,
		`404 "no such account"`, "Nothing was changed", "amount.currency=USD"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message lacks %q: %s", want, f.Message)
		}
	}
	if f.Location.Param != "from_account" || len(f.Evidence) != 3 || f.Curl == "" {
		t.Errorf("param %q, %d evidence, curl %q", f.Location.Param, len(f.Evidence), f.Curl)
	}
}

func TestMadeUp(t *testing.T) {
	none := func(string) bool { return false }
	tests := []struct{ in, want string }{
		{"NL55ZOOB0987654321", "NL55ZOOB0987109876"},
		{"4012888888881881", "4012888888336332"},
		{"42", "987654321"},
	}
	for _, tt := range tests {
		got := madeUp(tt.in, none)
		if got != tt.want {
			t.Errorf("madeUp(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if len(got) != len(tt.in) && tt.in != "42" {
			t.Errorf("madeUp(%q) = %q: another length", tt.in, got)
		}
	}
	if !luhn.Valid(madeUp("4012888888881881", none)) {
		t.Error("a card number's made-up twin fails the Luhn check")
	}
	if iban := madeUp("GB82WEST12345698765432", none); !ibanValid("GB82WEST12345698765432") || !ibanValid(iban) || iban == "GB82WEST12345698765432" {
		t.Errorf("an IBAN's made-up twin %q fails the IBAN check", iban)
	}
	if got := madeUp("42", func(v string) bool { return v == "987654321" }); got == "987654321" {
		t.Errorf("madeUp returned a value the API has shown")
	}
}

func TestRefusable(t *testing.T) {
	num := func(max float64) *rampart.Schema { return &rampart.Schema{Type: "number", Maximum: &max} }
	body := func(props map[string]*rampart.Schema) *rampart.Operation {
		return &rampart.Operation{Method: "POST", Path: "/x", Body: &rampart.Body{ContentType: "application/json",
			Schema: &rampart.Schema{Type: "object", Properties: props}}}
	}
	tests := []struct {
		name string
		op   *rampart.Operation
		want bool
	}{
		{"nested amount and currency", body(map[string]*rampart.Schema{"amount": {Type: "object", Properties: map[string]*rampart.Schema{
			"value": {Type: "number"}, "currency": {Type: "string", Enum: []any{"EUR", "USD"}}}}}), true},
		{"uncapped amount alone", body(map[string]*rampart.Schema{"amount": {Type: "number"}}), true},
		{"amount capped at 5000 without a currency", body(map[string]*rampart.Schema{"amount": num(5000)}), false},
		{"capped amount with a currency", body(map[string]*rampart.Schema{"amount": num(5000), "currency": {Type: "string"}}), true},
		{"a limit is a setting, not money moved", body(map[string]*rampart.Schema{"credit_limit": {Type: "number"}}), false},
		{"a currency alone is a setting", body(map[string]*rampart.Schema{"currency": {Type: "string", Enum: []any{"EUR", "USD"}}}), false},
	}
	for _, tt := range tests {
		if got := refusable(tt.op); got != tt.want {
			t.Errorf("%s: refusable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A field that holds prose (a memo, a description, a headline) is neither
// tried nor named as a field whose values were missing.
func TestNamedFieldsLeaveProseOut(t *testing.T) {
	op := &rampart.Operation{Method: http.MethodPost, Path: "/transfers", Body: &rampart.Body{}}
	req := &accept.Request{Body: map[string]any{
		"from_account": "NL91ABNA0417164300", "to_account": "NL20INGB0001234567", "memo": "rent",
		"headline": "June", "details": map[string]any{"description": "flat", "wallet_id": "w-1"},
	}}
	var got []string
	for _, f := range namedFields(op, req) {
		got = append(got, f.label())
	}
	slices.Sort(got)
	if want := []string{"details.wallet_id", "from_account", "to_account"}; !slices.Equal(got, want) {
		t.Errorf("named fields %q, want %q", got, want)
	}
}
