package codescan

import "github.com/rampart-sec/rampart"

// JWT handling: hard-coded keys, unverified signatures, tokens without
// expiry. They are reported by the configuration walk (config.go: jwtCall,
// configKey, configCall), which also collects the keys for the runtime.

var jwtFamily = family{name: "jwt", rules: []*Rule{JWTSecret, JWTNoVerify, JWTNoExp}}

var (
	JWTSecret = rule("PY-JWT-001", rampart.FamilyJWT, rampart.High, rampart.Firm, "CWE-321", "API2:2023", "P9",
		"Hard-coded JWT signing key",
		"the key given to jwt.encode/jwt.decode (or JWT_SECRET_KEY) is a literal",
		"The HMAC key that signs tokens is a string literal (directly, through a module constant, or as the "+
			"default of an environment lookup). Anyone who reads the source, or guesses a common key, mints "+
			"tokens for any user.",
		"Load the key from the environment or a secret store, make it at least 32 random bytes, and rotate it.")

	JWTNoVerify = rule("PY-JWT-002", rampart.FamilyJWT, rampart.Critical, rampart.Firm, "CWE-347", "API2:2023", "",
		"JWT signature not verified",
		"jwt.decode(..., options={\"verify_signature\": False}), verify=False or the none algorithm",
		"Tokens are decoded without checking their signature (verify_signature False, PyJWT 1.x verify=False) "+
			"or the accepted algorithms include \"none\": a client edits the claims (sub, role) at will.",
		"Always decode with the key and an explicit list of algorithms: "+
			"`jwt.decode(token, key, algorithms=[\"HS256\"])`. Never branch on the token's own alg header.")

	JWTNoExp = rule("PY-JWT-003", rampart.FamilyJWT, rampart.Medium, rampart.Firm, "CWE-613", "API2:2023", "",
		"JWT issued without expiry",
		"jwt.encode() claims have no exp (or decoding disables verify_exp)",
		"The claims given to jwt.encode() have no `exp`, and PyJWT only checks expiry when the claim is there: "+
			"a stolen token stays valid forever. The same holds when decoding passes verify_exp False.",
		"Add `exp` (now + a short lifetime) when issuing, and decode with `options={\"require\": [\"exp\"]}`.")
)
