package privesc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// Takeover is BOLA-003.
var Takeover = check.Check{
	Meta: rampart.Meta{
		ID:       "BOLA-003",
		Family:   rampart.FamilyBOLA,
		Title:    "Another user's password changed",
		Severity: rampart.Critical,
		CWE:      "CWE-639",
		OWASP:    "API1:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a user changes another account's password (account takeover), proved by logging in with the new one",
		Detects: "Password-changing writes (a path or a body field that says password) keyed by a person (username, " +
			"e-mail, user id) that do not check the caller is that person: a user identity sets a new password on a " +
			"throwaway account the scan signed up, and logging in as that account with the new password succeeds. " +
			"Only throwaway accounts are ever the victim. " + needs,
		Requests: "Per operation: one sign-up and login of a throwaway victim, the write, and one login with the new " +
			"password; the account is removed at the end. At most 10 requests per operation.",
		Budget: 10,
		Fix: "Take the account from the session, never from the path: `user = current_user` and " +
			"`PUT /me/password` with the current password in the body (`if not check_password_hash(user.pw, " +
			"body[\"current_password\"]): abort(403)`); where admins reset others' passwords, check the role first.",
		Doc: "docs/checks.md#bola-003",
	},
	Applies: changesPassword,
	Run:     runTakeover,
}

var passWord = lazyre.New(`(?i)(^|[/_-])(password|passwd|pass)([/_-]|$)`)

// changesPassword selects writes that set a password of the person their
// path names.
func changesPassword(op *rampart.Operation) bool {
	switch op.Method {
	case http.MethodPut, http.MethodPatch, http.MethodPost:
	default:
		return false
	}
	if op.Public() || !strings.Contains(op.Path, "{") {
		return false
	}
	if passWord.MatchString(op.Path) {
		return true
	}
	if op.Body == nil || op.Body.Schema == nil {
		return false
	}
	for name := range op.Body.Schema.Properties {
		if passWord.MatchString(name) && !strings.Contains(strings.ToLower(name), "current") && !strings.Contains(strings.ToLower(name), "old") {
			return true
		}
	}
	return false
}

func runTakeover(ctx context.Context, p *check.Pass) error {
	op := p.Op
	attacker, v, ok := victim(ctx, p)
	if !ok {
		return nil
	}
	vals, ok := ownPath(p, op, v.Name, func(param string) string { return selfValue(v, param) })
	if !ok {
		return nil
	}
	var b [6]byte
	rand.Read(b[:])
	newPass := "Rt9!" + hex.EncodeToString(b[:]) + "zQ"
	fields := map[string]any{}
	if op.Body != nil && op.Body.Schema != nil {
		for name := range op.Body.Schema.Properties {
			low := strings.ToLower(name)
			if passWord.MatchString(name) && !strings.Contains(low, "current") && !strings.Contains(low, "old") {
				fields[name] = newPass
			}
		}
	}
	if len(fields) == 0 {
		fields["password"] = newPass
	}
	body, ct := p.Body(op)
	body, ct = withFields(body, ct, fields)
	w, err := p.Send(ctx, attacker, &engine.Request{Method: op.Method, URL: p.URL(op, vals), Body: body,
		Header: http.Header{"Content-Type": {ct}}, Secrets: []string{newPass}})
	if err != nil {
		return err
	}
	p.Tested()
	if w.Status < 200 || w.Status > 299 {
		return nil
	}
	again := identity.New(v.Name, identity.RoleUser, nil)
	again.Login = v.Identity.Login.WithSecret(v.Password(), newPass)
	if err := again.EnsureLoggedIn(ctx, p.Client); err != nil {
		return nil // the new password does not work: nothing changed
	}
	f := p.Finding(fmt.Sprintf(
		"%s lets %s change another account's password: it set a new password on the throwaway account %s (answered "+
			"%d), and logging in as %s with that password then succeeded. Any user can take over any account.",
		op.Key(), attacker.Name, v.Name, w.Status, v.Name))
	f.Location.URL = w.RequestURL
	f.Confidence = rampart.Confirmed
	f.Evidence = []rampart.Evidence{p.Evidence(w, attacker.Name+" sets "+v.Name+"'s password")}
	f.Curl = p.Curl(w)
	p.Report(f)
	return nil
}
