package sqli

import (
	"net/http"
	"strings"

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

// neverWords are operation words that exclude a write.
var neverWords = map[string]bool{
	"logout": true, "logoff": true, "signout": true, "revoke": true, "delete": true, "remove": true,
	"destroy": true, "purge": true, "wipe": true, "erase": true, "drop": true, "truncate": true,
	"deactivate": true, "disable": true, "suspend": true, "ban": true, "block": true, "lock": true,
	"close": true, "cancel": true, "reset": true, "password": true, "passwd": true, "chpasswd": true,
	"pwd": true, "passphrase": true, "credentials": true, "mfa": true, "totp": true, "unsubscribe": true,
	"archive": true, "terminate": true, "shutdown": true, "restart": true, "reboot": true,
	"redeem": true, "refund": true, "approve": true, "reject": true, "confirm": true,
}

// writeCandidate reports whether a write's parameters and body fields may
// be injected in active mode.
func writeCandidate(op *rampart.Operation) bool {
	switch op.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return false // DELETE deletes; other methods are not writes we model
	}
	for _, w := range opWords(op) {
		if neverWords[w] {
			return false
		}
	}
	if updateLike(op) && hasSecretField(op) {
		// Updating an existing account's password or key.
		return false
	}
	return true
}

// updateLike reports whether a write changes an existing object: PUT and
// PATCH, and a POST to a path that ends in a parameter and can be read
// (POST /accounts/{id} beside GET /accounts/{id}).
func updateLike(op *rampart.Operation) bool {
	switch op.Method {
	case http.MethodPut, http.MethodPatch:
		return true
	case http.MethodPost:
		return strings.HasSuffix(op.Path, "}")
	}
	return false
}

func hasSecretField(op *rampart.Operation) bool {
	if op.Body == nil || op.Body.Schema == nil {
		return false
	}
	for k := range op.Body.Schema.Properties {
		w := surface.Words(k)
		for _, x := range w {
			switch x {
			case "password", "passwd", "pwd", "passphrase", "secret", "pin":
				return true
			}
		}
	}
	return false
}

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
