package exposure

import (
	"encoding/json"
	"strings"

	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/luhn"
)

// Payment card data that must never leave the card processor's vault: the
// full card number (PAN) with the card verification code, which PCI DSS
// forbids storing at all once a payment is authorised, or with the expiry
// date, which is what a fraudulent payment needs next to the number.
var (
	cvvKey    = lazyre.New(`(?i)^(?:cvv2?|cvc2?|csc|cid|cav2|cvn|card_?(?:verification|security)_?(?:code|value|number)?|security_?code|card_?code|verification_?code)$`)
	cvvValue  = lazyre.New(`^[0-9]{3,4}$`)
	expKey    = lazyre.New(`(?i)^(?:exp|expiry|expires|expiration|exp_?date|expiry_?date|expiration_?date|valid_?(?:thru|through|until)|card_?expiry)$`)
	expValue  = lazyre.New(`^(?:(0[1-9]|1[0-2])\s?/\s?([0-9]{2}|20[0-9]{2})|20[0-9]{2}-(0[1-9]|1[0-2])(?:-[0-3][0-9])?|(0[1-9]|1[0-2])(?:[0-9]{2}|20[0-9]{2}))$`)
	expMonth  = lazyre.New(`(?i)^exp(?:iry|iration)?_?(?:month|mm)$`)
	expYear   = lazyre.New(`(?i)^exp(?:iry|iration)?_?(?:year|yy|yyyy)$`)
	panDigits = lazyre.New(`^[0-9][0-9 -]{11,22}[0-9]$`)
)

// pan says whether a value is a full card number: Luhn-valid, in an
// issuer's range, written as digits with optional spaces or dashes (a
// masked "**** 1111" is not).
func pan(v string) bool {
	if !panDigits.MatchString(v) {
		return false
	}
	d := digitsOnly(v)
	return cardBrand(d) && luhn.Valid(d)
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// cardRecord finds a card in one JSON object: a full card number under any
// key next to a CVV or an expiry date. The hit's value is the number; its
// parts are the CVV and the expiry, masked in evidence with it.
func cardRecord(rec map[string]any) (hit, bool) {
	var num, numKey, cvv, exp string
	var month, year string
	for k, v := range rec {
		s, ok := scalar(v)
		if !ok {
			continue
		}
		switch {
		case num == "" && pan(s):
			num, numKey = s, k
		case cvv == "" && cvvKey.MatchString(k) && cvvValue.MatchString(s):
			cvv = s
		case exp == "" && expKey.MatchString(k) && expValue.MatchString(s):
			exp = s
		case expMonth.MatchString(k):
			month = s
		case expYear.MatchString(k):
			year = s
		}
	}
	if exp == "" && month != "" && year != "" {
		exp = month + "/" + year
	}
	if num == "" || cvv == "" && exp == "" {
		return hit{}, false
	}
	h := hit{class: classCard, high: true, path: numKey, value: num}
	switch {
	case cvv != "" && exp != "":
		h.kind = "card number with CVV and expiry"
		h.parts = []string{cvv, exp}
	case cvv != "":
		h.kind = "card number with CVV"
		h.parts = []string{cvv}
	default:
		h.kind = "card number with expiry"
		h.parts = []string{exp}
	}
	return h, true
}
