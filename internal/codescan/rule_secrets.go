package codescan

import "github.com/rampart-sec/rampart"

// Hard-coded session secrets. They are reported by the configuration walk
// (config.go: configKey, secretValue, literalKey), which also collects the
// keys for the runtime (Result.Keys).

var secretsFamily = family{name: "secrets", rules: []*Rule{SecretLiteral, SecretFallback}}

var (
	SecretLiteral = rule("PY-SECRET-001", rampart.FamilySessionSecret, rampart.High, rampart.Firm, "CWE-321", "API8:2023", "P9",
		"Hard-coded Flask SECRET_KEY",
		"SECRET_KEY is a literal in the source",
		"app.secret_key, config[\"SECRET_KEY\"], config.update/from_mapping(SECRET_KEY=…) or a config class "+
			"attribute is a string literal. Anyone with the source (or a wordlist, for dev, secret, changeme…) "+
			"signs session cookies: forged logins, and with Flask-Login remember cookies and Flask-JWT-Extended "+
			"(which falls back to SECRET_KEY) forged tokens.",
		"Load the key from the environment with no default (`os.environ[\"SECRET_KEY\"]` or "+
			"app.config.from_prefixed_env()), generate it with secrets.token_hex(32), and rotate the leaked one.")

	SecretFallback = rule("PY-SECRET-002", rampart.FamilySessionSecret, rampart.High, rampart.Firm, "CWE-321", "API8:2023", "P9",
		"SECRET_KEY falls back to a literal",
		"os.environ.get(\"SECRET_KEY\", \"literal\") keeps a known key when the variable is unset",
		"The key is read from the environment with a literal default: a deployment that forgets the variable "+
			"runs with a key everyone can read in the source.",
		"Use `os.environ[\"SECRET_KEY\"]` so a missing key stops the app at start-up.")
)
