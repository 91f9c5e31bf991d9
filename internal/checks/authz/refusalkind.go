package authz

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/holdings"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// refusal is what kind of refusal an answer is: its status and its
// message with the object's own value and every number taken out, so that
// "from_account NL91… holds EUR" and "from_account NL55… holds EUR" are
// the same refusal and "no such account" another.
type refusal struct {
	status int
	text   string // normalised message, "" when the answer has none
	shown  string // the message as the API wrote it, cut short, for the finding
}

func refusalOf(r *engine.Response, values ...string) refusal {
	msg := strings.TrimPrefix(check.Rejected(r), fmt.Sprintf("the API answered %d", r.Status))
	msg = strings.TrimSpace(strings.TrimPrefix(msg, ":"))
	norm := msg
	for _, v := range values {
		if v != "" {
			norm = strings.ReplaceAll(norm, v, "<object>")
		}
	}
	var b strings.Builder
	digit := false
	for _, c := range strings.ToLower(norm) {
		if unicode.IsDigit(c) {
			if !digit {
				b.WriteByte('#')
			}
			digit = true
			continue
		}
		digit = false
		b.WriteRune(c)
	}
	for _, v := range values {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, holdings.Mask(v))
		}
	}
	shown := []rune(msg)
	if len(shown) > 80 {
		shown = append(shown[:79], '…')
	}
	return refusal{status: r.Status, text: strings.Join(strings.Fields(b.String()), " "), shown: string(shown)}
}

func (r refusal) same(o refusal) bool { return r.status == o.status && r.text == o.text }

// notFoundText is how APIs say an object does not exist.
var notFoundText = lazyre.New(`(?i)(not found|no such|unknown|does ?n[o']t exist|not exist|non-?existent|no matching)`)

// notFound reports whether an answer says the object does not exist: a 404
// or 410, or a refusal that says so. A made-up object refused for its
// format (a checksum, a pattern) says nothing of a lookup, and a
// validation answer that names a field is not one either.
func notFound(resp *engine.Response, r refusal) bool {
	if resp.Status == 404 || resp.Status == 410 {
		return true
	}
	return resp.Status >= 400 && resp.Status < 500 && notFoundText.MatchString(r.text) &&
		len(accept.Parse(resp.Body, accept.Known{})) == 0
}

// String is how a finding quotes it: 422 "from_account holds EUR".
func (r refusal) String() string {
	if r.shown == "" {
		return fmt.Sprintf("%d", r.status)
	}
	return fmt.Sprintf("%d %q", r.status, r.shown)
}
