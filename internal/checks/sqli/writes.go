package sqli

import (
	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/accept"
	"github.com/rampart-sec/rampart/internal/surface"
)

// In active mode every write is a candidate for injection, except those a
// probe must never reach: each accepted probe performs the write, so a
// delete deletes, a logout ends the scan's session, a password change
// locks the identity out, and a cancel or a deactivation cannot be undone.
// Creates (POST to a collection) and updates (restored afterwards, see
// update.go) remain.

// writeOverhead is what a write adds to a unit's requests: learning a
// request the API accepts (at most accept.MaxRounds, once per operation
// and scan), and for an update the read before, the write back and the
// read that verifies it.
const writeOverhead = accept.MaxRounds + 3

// writesNote is the part of each check's Requests that writes add.
const writesNote = "Writes (active mode only): POST, PUT and PATCH operations except deletes, logouts, " +
	"revocations, password changes, cancellations, redemptions and resets. Their baseline is a request the API " +
	"accepts, learned once per operation from its validation answers (at most 4 requests); an update is read " +
	"first, its baseline writes back the values it read, and after the probes it is written back and read again " +
	"(3 more requests); an update without a read at its path is not probed. Each accepted probe performs the " +
	"write (a create creates an object whose values say rampart)."

// credentialBody reports whether a request's body names an account and
// carries its password: a login in all but name.
func credentialBody(op *rampart.Operation, req *accept.Request) bool {
	m, ok := req.Body.(map[string]any)
	if !ok {
		return false
	}
	account, secret := false, false
	for k := range m {
		if credentialField(k) {
			account = true
		}
		for _, w := range surface.Words(k) {
			if w == "password" || w == "passwd" || w == "pwd" || w == "passphrase" {
				secret = true
			}
		}
	}
	return account && secret
}
