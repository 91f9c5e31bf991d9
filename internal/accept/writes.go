package accept

import (
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Which writes a check may send probes into, in active mode: one policy for
// every check that alters a write's values (injection, error probes).

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

// WriteCandidate reports whether a write's parameters and body fields may
// be injected in active mode.
func WriteCandidate(op *rampart.Operation) bool {
	switch op.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return false // DELETE deletes; other methods are not writes we model
	}
	for _, w := range OpWords(op) {
		if neverWords[w] {
			return false
		}
	}
	if UpdateLike(op) && hasSecretField(op) {
		// Updating an existing account's password or key.
		return false
	}
	return true
}

// UpdateLike reports whether a write changes an existing object: PUT and
// PATCH, and a POST to a path that ends in a parameter and can be read
// (POST /accounts/{id} beside GET /accounts/{id}).
func UpdateLike(op *rampart.Operation) bool {
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
		if secretField(k) {
			return true
		}
	}
	return false
}

// secretField says whether a field's name says it holds a secret.
func secretField(name string) bool {
	for _, x := range surface.Words(name) {
		switch x {
		case "password", "passwd", "pwd", "passphrase", "secret", "pin":
			return true
		}
	}
	return false
}

// OpWords are the words of an operation's literal path segments and its
// operationId: what it says it does.
func OpWords(op *rampart.Operation) []string {
	var out []string
	for _, seg := range strings.Split(op.Path, "/") {
		if seg == "" || strings.Contains(seg, "{") {
			continue
		}
		out = append(out, surface.Words(seg)...)
	}
	out = append(out, surface.Words(op.ID)...)
	// "sign in" and "log in" as separate words mean the same.
	for i := 0; i+1 < len(out); i++ {
		if (out[i] == "sign" || out[i] == "log") && out[i+1] == "in" {
			out = append(out, out[i]+"in")
		}
	}
	return out
}
