package scan

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/signup"
	"github.com/rampart-sec/rampart/internal/surface"
)

// throwaways are the accounts an active scan signed up for itself.
type throwaways struct {
	mu       sync.Mutex // accounts grows while checks run
	plan     *signup.Plan
	env      signup.Env
	accounts []*signup.Account
}

// signUp gives an active scan accounts of its own where the spec offers
// sign-up and login (unless --no-signup): as many user identities as it
// takes to have two, and one victim for destructive tests. They join the
// pass's identities and the fixtures' victims; a sign-up that fails is a
// note, never the end of the scan.
func signUp(ctx context.Context, pass *check.Pass, base *url.URL, schemes map[string]surface.Scheme, opt Options, rep *rampart.Report) *throwaways {
	t := &throwaways{}
	if opt.Mode < rampart.Active || opt.NoSignup {
		return t
	}
	t.plan = signup.Find(pass.Surface, schemes)
	if t.plan == nil {
		return t
	}
	t.env = signup.Env{Client: pass.Client, Base: base, Body: pass.Body}
	users := 0
	for _, id := range pass.Identities {
		if id.Role == identity.RoleUser {
			users++
		}
	}
	var uses []string
	for range max(0, 2-users) {
		uses = append(uses, signup.UseIdentity)
	}
	uses = append(uses, signup.UseVictim)
	var victims []*identity.Identity
	for _, use := range uses {
		a, err := t.plan.Create(ctx, t.env, use)
		if a != nil {
			t.accounts = append(t.accounts, a)
			opt.Redactor.Add(a.Name, a.Secrets)
		}
		if err != nil {
			note(rep, opt, fmt.Sprintf("%v: the scan goes on without throwaway accounts", err))
			break
		}
		if use == signup.UseVictim {
			victims = append(victims, a.Identity)
			continue
		}
		pass.Identities = append(pass.Identities, a.Identity)
		rep.Identities = append(rep.Identities, a.Name+" (user, throwaway)")
	}
	fixture.SetVictims(pass, victims)
	fixture.SetAccountMaker(pass, &fixture.AccountMaker{Register: t.plan.Register,
		New: func(ctx context.Context, extra map[string]any) (*signup.Account, error) {
			a, err := t.plan.CreateWith(ctx, t.env, signup.UseCheck, extra)
			if a != nil {
				t.mu.Lock()
				t.accounts = append(t.accounts, a)
				t.mu.Unlock()
				opt.Redactor.Add(a.Name, a.Secrets)
			}
			return a, err
		}})
	if len(t.accounts) > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("signed up %d throwaway account(s) with %s %s and logged in with %s %s; "+
			"they are listed in the footprint (--no-signup turns this off)", len(t.accounts),
			t.plan.Register.Method, t.plan.Register.Path, t.plan.Login.Method, t.plan.Login.Path))
	}
	return t
}

// finish removes the accounts where the API lets them delete themselves,
// and writes the scan's footprint: the accounts and every object the
// checks created or changed.
func (t *throwaways) finish(ctx context.Context, pass *check.Pass, rep *rampart.Report) {
	fp := &rampart.Footprint{}
	t.mu.Lock()
	accounts := slices.Clone(t.accounts)
	t.mu.Unlock()
	for _, a := range accounts {
		t.plan.Remove(ctx, t.env, a)
		fp.Accounts = append(fp.Accounts, a.Report())
	}
	fp.Changes, fp.Omitted = fixture.Changes(pass)
	if !fp.Empty() {
		rep.Footprint = fp
	}
}
