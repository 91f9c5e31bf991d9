package apimodel

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/internal/jwt"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/luhn"
)

// Kind is what sort of value a harvested value is.
type Kind uint8

// Kinds of values.
const (
	KindOther    Kind = iota
	KindNumber        // a numeric id: 7, "42"
	KindUUID          // 7c0e8f4e-…
	KindEmail         // alice@example.com
	KindUsername      // alice (a username, login or handle field)
	KindSlug          // alice-diary: a key the client chose, lower-case words and dashes
	KindName          // a title or name: "Front door", "The Hobbit"
	KindAccount       // an account number or IBAN
	KindCard          // a payment card number
	KindToken         // a token, API key or session value
	KindKey           // another opaque key: an ISBN, a code, a base64 id
)

var kindNames = [...]string{"other", "number", "uuid", "email", "username", "slug", "name", "account", "card", "token", "key"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "other"
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

var (
	uuidRe  = lazyre.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	emailRe = lazyre.New(`^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}$`)
	ibanRe  = lazyre.New(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$`)
	slugRe  = lazyre.New(`^[a-z0-9]+(?:[-_.][a-z0-9]+)+$`)
	intRe   = lazyre.New(`^-?[0-9]{1,19}$`)
	// keyRe is what an opaque key may hold: no spaces nor quotes.
	keyRe = lazyre.New(`^[A-Za-z0-9._~:+/=@-]{1,128}$`)
)

// Fields whose values are secrets never become values: the model keeps
// keys, and a password is no key.
var secretWords = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true, "hash": true, "salt": true, "cvv": true,
	"cvc": true, "cvv2": true, "pin": true, "otp": true, "secret": true, "answer": true,
}

var tokenWords = map[string]bool{
	"token": true, "jwt": true, "apikey": true, "bearer": true, "session": true, "sid": true, "csrf": true,
}

var nameWords = map[string]bool{"name": true, "title": true, "label": true, "subject": true}

var keyWords = map[string]bool{
	"code": true, "key": true, "isbn": true, "sku": true, "ref": true, "reference": true, "slug": true,
	"serial": true, "tag": true, "number": true, "iban": true,
}

var userWords = map[string]bool{
	"username": true, "user": true, "owner": true, "author": true, "creator": true, "member": true,
	"nickname": true, "createdby": true, "preferredusername": true, "screenname": true, "sub": true,
}

// classify says whether a scalar of a field is a value worth keeping, and
// of what kind. Amounts, flags, dates and free text are not.
func classify(field string, v any) (string, Kind, bool) {
	w := words(field)
	for _, x := range w {
		if secretWords[x] {
			return "", 0, false
		}
	}
	last := ""
	if len(w) > 0 {
		last = w[len(w)-1]
	}
	joined := strings.Join(w, "")
	has := func(set map[string]bool) bool {
		for _, x := range w {
			if set[x] {
				return true
			}
		}
		return set[joined]
	}
	idField := last == "id"
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !intRe.MatchString(s) {
			return "", 0, false
		}
		switch {
		case has(map[string]bool{"account": true, "iban": true}) && len(s) >= 6:
			return s, KindAccount, true
		case has(map[string]bool{"card": true, "pan": true}) && len(s) >= 12:
			return s, KindCard, true
		case idField || userWords[joined] || (last == "number" || last == "code"):
			return s, KindNumber, true
		}
		return "", 0, false
	case string:
		s := strings.TrimSpace(x)
		if s == "" || !utf8.ValidString(s) {
			return "", 0, false
		}
		if jwt.Looks(s) || (has(tokenWords) && len(s) >= 16 && !strings.ContainsAny(s, " \t")) {
			return s, KindToken, true
		}
		if len(s) > 256 {
			return "", 0, false
		}
		switch {
		case uuidRe.MatchString(s):
			return s, KindUUID, true
		case emailRe.MatchString(s):
			return s, KindEmail, true
		case has(map[string]bool{"card": true, "pan": true}) && cardNumber(s):
			return s, KindCard, true
		case ibanRe.MatchString(s) || (has(map[string]bool{"account": true, "iban": true}) && keyRe.MatchString(s) && hasDigit(s) && len(s) >= 6):
			return s, KindAccount, true
		case cardNumber(s) && (last == "number" || last == "pan"):
			return s, KindCard, true
		case userWords[joined] || (len(w) >= 1 && userWords[last] && len(w) <= 2 && !idField):
			if intRe.MatchString(s) {
				return s, KindNumber, true
			}
			if keyRe.MatchString(s) && len(s) <= 64 {
				return s, KindUsername, true
			}
			return "", 0, false
		case idField:
			if intRe.MatchString(s) {
				return s, KindNumber, true
			}
			if keyRe.MatchString(s) {
				return s, KindKey, true
			}
			return "", 0, false
		case nameWords[last]:
			if slugRe.MatchString(s) {
				return s, KindSlug, true
			}
			if len(s) <= 128 && !strings.ContainsAny(s, "\r\n\t") {
				return s, KindName, true
			}
			return "", 0, false
		case keyWords[last] || has(map[string]bool{"slug": true, "isbn": true, "iban": true}):
			if slugRe.MatchString(s) {
				return s, KindSlug, true
			}
			if keyRe.MatchString(s) {
				return s, KindKey, true
			}
		}
	}
	return "", 0, false
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// cardNumber says whether s is 13 to 19 digits (spaces or dashes allowed
// between groups) that pass the Luhn check.
func cardNumber(s string) bool {
	digits := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '-':
		default:
			return false
		}
	}
	return len(digits) >= 13 && len(digits) <= 19 && luhn.Valid(string(digits))
}

// UnmarshalText reads a kind back from its name.
func (k *Kind) UnmarshalText(b []byte) error {
	*k = KindOther
	for i, n := range kindNames {
		if n == string(b) {
			*k = Kind(i)
		}
	}
	return nil
}
