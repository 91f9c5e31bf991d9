package check

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/surface"
)

// maxRejection bounds the validation message a coverage detail quotes.
const maxRejection = 120

// NotTestedBy declares that the unit stopped because the one answer it
// needed was not usable, with the reason the answer's status gives (see
// AnswerReason). who sent the request (nil: anonymous).
func (p *Pass) NotTestedBy(op *rampart.Operation, who *identity.Identity, status int, body []byte) {
	r, d := AnswerReason(op, who, status, body)
	p.NotTested(r, d)
}

// AnswerReason says why an answer stopped a check, in the operation's own
// terms: 401/403 is a refused identity (or one missing, for anonymous; a
// 403 to a user on an object path an object that is not theirs, a value
// the scan did not have), a
// 400/422 a rejected request (with the API's validation message), a 404 on
// an operation with path parameters a value the scan did not have, another
// 404 or a 409 an object missing or in a state that refuses the request, a
// 429 throttling, anything else an error of the target. On a login (public,
// or not secured and taking a password) a 401/403 refuses what the body
// carries, not the identity.
func AnswerReason(op *rampart.Operation, who *identity.Identity, status int, body []byte) (rampart.Reason, string) {
	name := ""
	if who != nil && who.Role != identity.RoleAnonymous {
		name = who.Name
	}
	key := ""
	if op != nil {
		key = op.Method + " " + op.Path + " "
	}
	switch {
	case (status == http.StatusUnauthorized || status == http.StatusForbidden) && loginLike(op):
		return rampart.ReasonBodyRejected, fmt.Sprintf("%sanswered %d: the credentials in the request were refused", key, status)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		if name == "" {
			return rampart.ReasonNeedsIdentity, fmt.Sprintf("%sanswered %d without credentials", key, status)
		}
		if status == http.StatusForbidden && op != nil && len(pathParams(op)) > 0 {
			return rampart.ReasonNoValues, fmt.Sprintf("no values of %s's for %s (%sanswered 403 to %s)",
				name, strings.Join(pathParams(op), ", "), key, name)
		}
		return rampart.ReasonRefused, fmt.Sprintf("%sanswered %d to %s", key, status, name)
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return rampart.ReasonBodyRejected, Rejection(status, body)
	case status == http.StatusNotFound && op != nil && len(pathParams(op)) > 0:
		return rampart.ReasonNoValues, fmt.Sprintf("no values for %s (%sanswered 404)", strings.Join(pathParams(op), ", "), key)
	case status == http.StatusNotFound || status == http.StatusConflict:
		return rampart.ReasonNoObject, fmt.Sprintf("%sanswered %d: no object in a state the request applies to", key, status)
	case status == http.StatusTooManyRequests:
		return rampart.ReasonThrottled, key + "answered 429"
	}
	return rampart.ReasonError, fmt.Sprintf("%sanswered %d", key, status)
}

// loginLike reports whether op checks credentials its body carries: a
// public operation, or one the spec does not secure that takes a password.
func loginLike(op *rampart.Operation) bool {
	if op == nil || op.Secured() {
		return false
	}
	if op.Public() {
		return true
	}
	if op.Body == nil || op.Body.Schema == nil {
		return false
	}
	for k := range op.Body.Schema.Properties {
		for _, w := range surface.Words(k) {
			if w == "password" || w == "passwd" || w == "pwd" || w == "passphrase" {
				return true
			}
		}
	}
	return false
}

func pathParams(op *rampart.Operation) []string {
	var out []string
	for _, prm := range op.Params {
		if prm.In == "path" {
			out = append(out, "{"+prm.Name+"}")
		}
	}
	return out
}

// Rejection renders a validation answer for a coverage detail: "the API
// answered 422: items missing". The fields and what is wrong with them come
// from the parsed answer; an answer that names no field gives its own short
// message (detail, message or error), printable characters only, cut to
// maxRejection.
func Rejection(status int, body []byte) string {
	head := fmt.Sprintf("the API answered %d", status)
	var parts []string
	for _, pr := range accept.Parse(body, accept.Known{}) {
		s := strings.Join(pr.Field, ".") + " " + pr.Kind.String()
		if len(pr.Allowed) > 0 {
			s += " (" + strings.Join(pr.Allowed, ", ") + ")"
		} else if pr.Want != "" {
			s += " (" + pr.Want + ")"
		}
		parts = append(parts, s)
	}
	msg := strings.Join(parts, "; ")
	if msg == "" {
		msg = ownMessage(body)
	}
	if msg == "" {
		return head
	}
	return head + ": " + cut(msg, maxRejection)
}

// ownMessage is the top-level message of a JSON error answer.
func ownMessage(body []byte) string {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	for _, k := range []string{"detail", "message", "error", "msg"} {
		if s, ok := doc[k].(string); ok && strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// cut keeps printable characters on one line, at most n runes.
func cut(s string, n int) string {
	var b strings.Builder
	count := 0
	for _, r := range s {
		if count == n {
			b.WriteString("…")
			break
		}
		if !unicode.IsPrint(r) {
			r = ' '
		}
		b.WriteRune(r)
		count++
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
