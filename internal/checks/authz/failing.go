package authz

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/apimodel"
	"github.com/rampart-sec/rampart/internal/luhn"
	"github.com/rampart-sec/rampart/internal/surface"
)

// A failing variant is a money-moving request made to break a business
// rule the API can only check once it has loaded the object the request
// names: an amount far above any balance or limit, in a currency the
// object does not hold. Refused on the caller's own object, it moves
// nothing; sent for another identity's object it tells, by the reason of
// the refusal, whether the API looked that object up for the caller.

// moneyWords name a numeric body field whose value is moved: the amount of
// a transfer, the price of a payment.
var moneyWords = map[string]bool{
	"amount": true, "sum": true, "total": true, "price": true, "cost": true, "fee": true, "charge": true, "payment": true,
}

// settingWords name fields that set a bound or a balance instead of moving
// money: a huge value there is written, not refused.
var settingWords = map[string]bool{
	"limit": true, "max": true, "maximum": true, "min": true, "minimum": true, "threshold": true, "balance": true,
	"cap": true, "quota": true, "budget": true,
}

// amountRungs are the amounts tried, largest first: a schema that bounds
// the digits (pydantic's max_digits, a NUMERIC(12, 2) column) refuses the
// largest before any lookup, and its validation answer names the field.
var amountRungs = []float64{999999999999, 9999999999, 99999999, 9999999}

// minHuge is the smallest amount trusted to exceed any balance or limit of
// a test account on its own. A field whose schema caps it lower (a 5,000
// transfer maximum) is used only together with a currency the object does
// not hold.
const minHuge = 1e6

// moneyLeaf is a body field of a failing variant.
type moneyLeaf struct {
	path   []string
	schema *rampart.Schema
}

// amountFields finds a body schema's amount-like numeric fields and its
// currency fields, nested objects and array items included.
func amountFields(s *rampart.Schema) (amounts, currencies []moneyLeaf) {
	var walk func(s *rampart.Schema, path []string, depth int)
	walk = func(s *rampart.Schema, path []string, depth int) {
		if s == nil || depth > 6 {
			return
		}
		if len(path) > 0 && len(s.Properties) == 0 && s.Items == nil {
			switch {
			case (s.Type == "number" || s.Type == "integer") && amountPath(path):
				amounts = append(amounts, moneyLeaf{path: slices.Clone(path), schema: s})
			case (s.Type == "string" || s.Type == "") && currencyName(path[len(path)-1]):
				currencies = append(currencies, moneyLeaf{path: slices.Clone(path), schema: s})
			}
			return
		}
		for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
			walk(s.Properties[k], append(slices.Clip(path), k), depth+1)
		}
		if s.Items != nil {
			walk(s.Items, append(slices.Clip(path), "0"), depth+1)
		}
	}
	walk(s, nil, 0)
	return amounts, currencies
}

// amountPath says a field moves money: a money word in its path
// (amount.value, price, total_amount), no word of a setting.
func amountPath(path []string) bool {
	money := false
	for _, seg := range path {
		for _, w := range surface.Words(seg) {
			if settingWords[w] {
				return false
			}
			money = money || moneyWords[w]
		}
	}
	return money
}

func currencyName(name string) bool {
	for _, w := range surface.Words(name) {
		if w == "currency" || w == "ccy" {
			return true
		}
	}
	return false
}

// refusable reports whether an operation's body can be made to fail for
// sure: an amount field, and either a currency to get wrong or no cap
// below minHuge on every amount.
func refusable(op *rampart.Operation) bool {
	if op.Body == nil || op.Body.Schema == nil || !strings.Contains(strings.ToLower(op.Body.ContentType), "json") {
		return false
	}
	amounts, currencies := amountFields(op.Body.Schema)
	if len(amounts) == 0 {
		return false
	}
	if len(currencies) > 0 {
		return true
	}
	for _, a := range amounts {
		if a.schema.Maximum != nil && *a.schema.Maximum < minHuge {
			return false
		}
	}
	return true
}

// hugeAmount is the amount of a rung for one field: the rung, or the
// field's own maximum when that is lower.
func hugeAmount(s *rampart.Schema, rung int) float64 {
	v := amountRungs[min(rung, len(amountRungs)-1)]
	if s != nil && s.Maximum != nil && *s.Maximum < v {
		v = *s.Maximum
		if s.Type == "integer" {
			v = math.Floor(v)
		}
	}
	return v
}

// otherCurrency is a currency the object is unlikely to hold: an enum
// member the API never showed in an answer (the accounts of a login answer
// show theirs), else one other than the request's own; XTS (the ISO code
// reserved for tests) for a free-text field.
func otherCurrency(s *rampart.Schema, current any, seen []apimodel.Candidate) string {
	cur := surface.Format(current)
	if s == nil || len(s.Enum) == 0 {
		if cur == "XTS" {
			return "XXX"
		}
		return "XTS"
	}
	var members []string
	for _, e := range s.Enum {
		if m := surface.Format(e); m != "" {
			members = append(members, m)
		}
	}
	for _, m := range members {
		if m != cur && !slices.ContainsFunc(seen, func(c apimodel.Candidate) bool { return c.Value == m }) {
			return m
		}
	}
	for _, m := range members {
		if m != cur {
			return m
		}
	}
	return cur
}

// madeUp is a value of the same shape as sample that names nothing: the
// same length and kinds of characters (so that a pattern still matches),
// the tail changed; a card number keeps a valid check digit. Plain small
// integers become a large one, which ids of test data never reach; an IBAN
// keeps valid check digits. taken
// says whether a value is one the API has shown.
func madeUp(sample string, taken func(string) bool) string {
	if n, err := strconv.ParseInt(sample, 10, 64); err == nil && len(sample) < 10 && n >= 0 {
		for _, v := range []string{"987654321", "987654329", "876543219"} {
			if !taken(v) {
				return v
			}
		}
	}
	for shift := 5; shift < 10; shift++ {
		v := rotateTail(sample, shift)
		if luhn.Valid(sample) && allDigits(sample) && len(sample) >= 12 {
			v = withCheckDigit(v)
		}
		if ibanValid(sample) {
			v = withIBANCheck(v)
		}
		if v != sample && !taken(v) {
			return v
		}
	}
	return "rampart-no-such-object"
}

// rotateTail changes the last six letters and digits of s, each within its
// class: digits stay digits, hex letters stay hex letters, other letters
// stay letters of the same case.
func rotateTail(s string, shift int) string {
	r := []rune(s)
	changed := 0
	for i := len(r) - 1; i >= 0 && changed < 6; i-- {
		c := r[i]
		switch {
		case c >= '0' && c <= '9':
			r[i] = '0' + (c-'0'+rune(shift))%10
		case c >= 'a' && c <= 'f':
			r[i] = 'a' + (c-'a'+rune(shift))%6
		case c >= 'A' && c <= 'F':
			r[i] = 'A' + (c-'A'+rune(shift))%6
		case c >= 'g' && c <= 'z':
			r[i] = 'g' + (c-'g'+rune(shift))%20
		case c >= 'G' && c <= 'Z':
			r[i] = 'G' + (c-'G'+rune(shift))%20
		default:
			continue
		}
		changed++
	}
	return string(r)
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// withCheckDigit replaces the last digit of s so that it passes the Luhn check.
func withCheckDigit(s string) string {
	for d := '0'; d <= '9'; d++ {
		v := s[:len(s)-1] + string(d)
		if luhn.Valid(v) {
			return v
		}
	}
	return s
}

// fitsLeaf says whether a value suits a body field's schema: a number for
// a number, the pattern when one is declared.
func fitsLeaf(v string, s *rampart.Schema) bool {
	if s == nil {
		return true
	}
	if s.Type == "integer" || s.Type == "number" {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return false
		}
	}
	if len(s.Enum) > 0 {
		return slices.ContainsFunc(s.Enum, func(e any) bool { return surface.Format(e) == v })
	}
	if s.MaxLength > 0 && len([]rune(v)) > s.MaxLength {
		return false
	}
	if s.Pattern != "" && len(s.Pattern) <= 512 {
		if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(v) {
			return false
		}
	}
	return true
}

// putAt sets the value at path in a decoded JSON body, creating objects on
// the way (array items only where they exist), and returns the body.
func putAt(doc any, path []string, v any) any {
	if len(path) == 0 {
		return v
	}
	if arr, ok := doc.([]any); ok {
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(arr) {
			return doc
		}
		arr[i] = putAt(arr[i], path[1:], v)
		return arr
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		obj = map[string]any{}
	}
	obj[path[0]] = putAt(obj[path[0]], path[1:], v)
	return obj
}

// bodyLeaves lists the fields of a decoded body that hold a string or a
// number, with their paths (at most 64).
func bodyLeaves(doc any) [][]string {
	var out [][]string
	accept.Leaves(doc, func(path []string, v any) {
		switch v.(type) {
		case nil, bool:
			return
		}
		if len(out) < 64 {
			out = append(out, path)
		}
	})
	return out
}

// leafName is the name a body field goes by: its last key that is not an
// array index.
func leafName(path []string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if _, err := strconv.Atoi(path[i]); err != nil {
			return path[i]
		}
	}
	return ""
}

// destinationWords name a field that points at where something goes: a
// transfer's recipient legitimately names another identity's account, and
// an API that looks it up (to check it exists) does nothing wrong.
var destinationWords = map[string]bool{
	"to": true, "recipient": true, "payee": true, "beneficiary": true, "destination": true, "dest": true,
	"target": true, "receiver": true, "counterparty": true, "creditor": true,
}

func destinationName(name string) bool {
	for _, w := range surface.Words(name) {
		if destinationWords[w] {
			return true
		}
	}
	return false
}

// ibanValid reports whether s passes the IBAN check (ISO 13616: the
// country and check digits moved to the end, letters as 10..35, mod 97 is 1).
func ibanValid(s string) bool {
	if len(s) < 15 || len(s) > 34 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || !allDigits(s[2:4]) {
		return false
	}
	m, ok := mod97(s[4:] + s[:4])
	return ok && m == 1
}

// withIBANCheck gives s (an IBAN with another tail) the check digits that
// make it valid again.
func withIBANCheck(s string) string {
	m, ok := mod97(s[4:] + s[:2] + "00")
	if !ok {
		return s
	}
	return fmt.Sprintf("%s%02d%s", s[:2], 98-m, s[4:])
}

func mod97(s string) (int, bool) {
	m := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			m = (m*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			m = (m*100 + int(c-'A') + 10) % 97
		default:
			return 0, false
		}
	}
	return m, true
}
