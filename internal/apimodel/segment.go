package apimodel

import (
	"net/url"

	"github.com/rampart-sec/rampart/internal/lazyre"
)

// opaqueRe is a generated key in a path: letters and digits mixed, long
// enough that no route word looks like it (a1b2c3d4, 5f0c9e…).
var opaqueRe = lazyre.New(`^[A-Za-z0-9_-]{8,128}$`)

// SegmentKind says what kind of value one segment of a recorded URL path
// is, by the same detection the model applies to the values it harvests:
// numeric ids, UUIDs, e-mails, account and card numbers, tokens, and
// opaque keys that mix letters and digits. A route word ("notes", "v2",
// "export") is KindOther: telling a username from a route word needs more
// than one URL (see internal/traffic).
func SegmentKind(seg string) Kind {
	if s, err := url.PathUnescape(seg); err == nil {
		seg = s
	}
	if seg == "" {
		return KindOther
	}
	if cardNumber(seg) {
		return KindCard
	}
	if _, k, ok := classify("account", seg); ok && k == KindAccount && ibanRe.MatchString(seg) {
		return k
	}
	// As the value of an "id" field: a number, a UUID, an e-mail, a
	// token; any other key is only one when it looks generated.
	_, k, ok := classify("id", seg)
	switch {
	case !ok:
		return KindOther
	case k == KindKey:
		if opaqueRe.MatchString(seg) && hasDigit(seg) && hasLetter(seg) && !versionRe.MatchString(seg) {
			return KindKey
		}
		return KindOther
	}
	return k
}

// versionRe is an API version segment, which mixes letters and digits
// without being a key.
var versionRe = lazyre.New(`^(?i:v|version|api)[-_.]?[0-9]+(?:[._][0-9]+)*(?:[a-z]+[0-9]*)?$`)

func hasLetter(s string) bool {
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return true
		}
	}
	return false
}
