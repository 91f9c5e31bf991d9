package privesc

import (
	"context"
	"fmt"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/fixture"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/signup"
)

// noAccounts says why a check that acts only on throwaway accounts had
// none: the user turned sign-up off, or the API offers none the scan can
// use.
func noAccounts(p *check.Pass) {
	if signup.Find(p.Surface, p.Schemes) != nil {
		p.NotTested(rampart.ReasonExcluded, "--no-signup: it acts only on throwaway accounts the scan signs up")
		return
	}
	p.NotTested(rampart.ReasonNeedsSignup, "it acts only on throwaway accounts the scan signs up, and the API offers no sign-up and login it can use")
}

// noUser says the check needs a user-role identity to act as.
func noUser(p *check.Pass) {
	p.NotTested(rampart.ReasonNeedsIdentity, "needs a user-role identity to act as")
}

// signupFailed says a throwaway account could not be made.
func signupFailed(p *check.Pass, err error) {
	if err == nil {
		err = fmt.Errorf("no account")
	}
	p.NotTested(rampart.ReasonError, "signing up a throwaway account failed: "+err.Error())
}

// noGates says why there is no read only administrators get data from,
// which every promotion is proved by.
func noGates(p *check.Pass) {
	admin, user := roles(p)
	switch {
	case admin == nil:
		p.NotTested(rampart.ReasonNeedsAdmin, "needs an admin identity to find what only administrators read, the proof of a promotion")
	case user == nil:
		noUser(p)
	default:
		p.NotApplicable(fmt.Sprintf("no read answers %s (admin) with data and refuses %s (user): a promotion would not show", admin.Name, user.Name))
	}
}

// victim is the user identity a destructive check acts as and a throwaway
// account it acts on, signed up for the unit and able to log in (the
// proof); false, said in the unit's coverage, when there is none.
func victim(ctx context.Context, p *check.Pass) (*identity.Identity, *signup.Account, bool) {
	m := fixture.Accounts(p)
	_, attacker := roles(p)
	if m == nil {
		noAccounts(p)
		return nil, nil, false
	}
	if attacker == nil {
		noUser(p)
		return nil, nil, false
	}
	v, err := m.New(ctx, nil)
	if err != nil || v == nil || v.Identity == nil || v.Identity.Login == nil {
		signupFailed(p, err)
		return nil, nil, false
	}
	return attacker, v, true
}

// ownPath fills every path parameter of op with who's own key (value
// gives it by the parameter's name). When one has none it says so in the
// unit's coverage and returns false: these checks aim at nobody else.
func ownPath(p *check.Pass, op *rampart.Operation, who string, value func(param string) string) (map[string]string, bool) {
	vals := map[string]string{}
	for _, prm := range op.Params {
		if prm.In != "path" {
			continue
		}
		v := value(prm.Name)
		if v == "" {
			noKey(p, who, prm.Name)
			return nil, false
		}
		vals[prm.Name] = v
	}
	return vals, true
}

// noKey says the account's own key for a path parameter is unknown.
func noKey(p *check.Pass, who, param string) {
	p.NotTested(rampart.ReasonNoValues, fmt.Sprintf("no value of {%s} for %s's own account", param, who))
}
