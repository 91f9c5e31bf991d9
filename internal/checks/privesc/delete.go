package privesc

import (
	"cmp"
	"context"
	"fmt"
	"net/http"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// DeleteAccount is BFLA-005.
var DeleteAccount = check.Check{
	Meta: rampart.Meta{
		ID:       "BFLA-005",
		Family:   rampart.FamilyBFLA,
		Title:    "User deletes another account",
		Severity: rampart.High,
		CWE:      "CWE-285",
		OWASP:    "API5:2023",
		Mode:     rampart.Active,
		Kind:     rampart.KindRuntime,
		Summary:  "a user-role identity deletes another person's account or record, proved by that account no longer logging in",
		Detects: "DELETE operations on people (users, accounts, members, employees, customers) that do not check " +
			"the caller may delete that person: a user identity deletes a throwaway account the scan signed up " +
			"(its id, username or e-mail in the path), and the account can then no longer log in. Only throwaway " +
			"accounts are ever deleted. " + needs,
		Requests: "Per operation: one sign-up and login of a throwaway victim, the DELETE, and one login attempt. At " +
			"most 10 requests per operation.",
		Budget: 10,
		Fix: "Check the caller's role before deleting anyone but itself: `if not current_user.is_admin and " +
			"user_id != current_user.id: abort(403)` (or a role-checking decorator on every admin route).",
		Doc: "docs/checks.md#bfla-005",
	},
	Applies: deletesPerson,
	Run:     runDeleteAccount,
}

var personColl = lazyre.New(`(?i)/(users?|accounts?|members?|employees?|customers?|people|persons?|profiles?|staff|patients?)/\{[^}]+\}/?$`)

func deletesPerson(op *rampart.Operation) bool {
	return op.Method == http.MethodDelete && !op.Public() && personColl.MatchString(op.Path)
}

func runDeleteAccount(ctx context.Context, p *check.Pass) error {
	op := p.Op
	attacker, v, ok := victim(ctx, p)
	if !ok {
		return nil
	}
	me := p.Model.Person(v.Identity)
	vals, ok := ownPath(p, op, v.Name, func(param string) string {
		return cmp.Or(selfValue(v, param), personValue(me, param))
	})
	if !ok {
		return nil
	}
	d, err := p.Send(ctx, attacker, &engine.Request{Method: http.MethodDelete, URL: p.URL(op, vals)})
	if err != nil {
		return err
	}
	p.Tested()
	if d.Status < 200 || d.Status > 299 {
		return nil
	}
	again := identity.New(v.Name, identity.RoleUser, nil)
	again.Login = v.Identity.Login.WithSecret(v.Password(), v.Password())
	if err := again.EnsureLoggedIn(ctx, p.Client); err == nil {
		return nil // it still logs in: nothing was deleted
	}
	f := p.Finding(fmt.Sprintf(
		"%s lets %s delete another account: it deleted the throwaway account %s (answered %d), which can no longer "+
			"log in. Any user can delete anyone.", op.Key(), attacker.Name, v.Name, d.Status))
	f.Location.URL = d.RequestURL
	f.Confidence = rampart.Confirmed
	f.Evidence = []rampart.Evidence{p.Evidence(d, attacker.Name+" deletes "+v.Name)}
	f.Curl = p.Curl(d)
	p.Report(f)
	return nil
}
