package cli

import (
	"fmt"
	"strings"
)

// configReference is docs/config.md, generated from configEntries.
func configReference(entries []configEntry) string {
	var b strings.Builder
	b.WriteString(`# Configuration reference

<!-- Generated from internal/cli/config.go and configkeys.go; do not edit.
     Regenerate: go test ./internal/cli -run TestConfigReference -update -->

` + "`rampart scan --config rampart.yaml`" + ` and ` + "`rampart code --config rampart.yaml`" + ` read these keys; ` + "`rampart init`" + ` writes a commented
starter file with every one of them. Every key is optional, and a flag given on the command line wins
over the file. ` + "`${VAR}`" + ` is replaced from the environment (an unset variable is an error), so
secrets stay out of the file. A list is a YAML list or one comma-separated string: ` + "`checks: \"sqli,bola\"`" + `
is ` + "`checks: [sqli, bola]`" + `.

An unknown key or a value of the wrong type is a usage error (exit 2) that names the key and its
line, e.g. ` + "`config rampart.yaml: line 4: concurrency: want an integer, got a string`" + `.

| Key | Type | Flag | Default | What it does |
|---|---|---|---|---|
`)
	for _, e := range entries {
		def := e.Default
		if def != "" {
			def = "`" + def + "`"
		}
		flag := e.Flag
		if flag != "" {
			flag = "`" + flag + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", e.Path, e.Type, flag, def, mdCell(e.Help))
	}
	keys := make([]string, len(codeKeys))
	for i, k := range codeKeys {
		keys[i] = "`" + k + "`"
	}
	b.WriteString(`
` + "`rampart code`" + ` reads ` + strings.Join(keys, ", ") + ` (` + "`source`" + ` is its DIR when none is given); every
other key is a ` + "`rampart scan`" + ` setting that it leaves alone, naming them in one line on stderr
(` + "`rampart: config rampart.yaml: rampart code leaves target, identities to rampart scan`" + `).
` + "`rampart scan`" + ` does not read ` + "`code`" + `.
`)
	b.WriteString(`
An identity needs ` + "`headers`" + ` or a ` + "`login`" + `. A login succeeds when it answers 2xx, or a
redirect that carries the credential; a redirect back to the login page is a failed login (exit 2).
The README's "Config file and login flows" shows complete examples.
`)
	return b.String()
}

func mdCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

// starterIdentities, starterIgnore, starterCode and starterJWT are the commented examples of the
// nested keys; TestInitStarterConfig loads them uncommented.
const starterIdentities = `#identities:
#  - name: alice
#    role: user
#    headers:
#      Authorization: "Bearer ${ALICE_TOKEN}"
#  - name: carol
#    role: admin
#    login:
#      method: POST
#      url: /login
#      headers: {X-Client: rampart}
#      json: {username: carol, password: "${CAROL_PASSWORD}"}
#      token: {from: body, path: data.access_token, header: Authorization, scheme: Bearer}
#      secrets: [code]
#  - name: dave
#    role: user
#    login:
#      url: /user/login
#      form: {username: dave, password: "${DAVE_PASSWORD}"}
#      cookies: [session]
#  - name: erin
#    role: user
#    login:
#      url: /session
#      json: {username: erin, password: "${ERIN_PASSWORD}"}
#      token: {from: header, path: X-Session-Token, header: X-Session-Token, prefix: ""}
`

const starterCode = `#code:
#  exclude: ["tests/*", "*_test.py"]
#  workers: 0
#  max-file-size: 2MiB
#  follow-symlinks: false
`

const starterJWT = `#jwt:
#  public_keys: [public.pem]
`

const starterIgnore = `#ignore:
#  - check: HDR-003
#    path: /health
#    reason: the banner is stripped by the production proxy
#    expires: 2027-03-31
#  - id: 0123456789abcdef
#    reason: accepted risk, ticket SEC-42
`

// starterConfig is what `rampart init` writes: every key with its help in a
// comment ("# "), its default or an example commented out ("#key:"), and
// only target set, so the file loads as it is.
func starterConfig(entries []configEntry) string {
	var b strings.Builder
	b.WriteString(`# Rampart configuration: rampart scan --config rampart.yaml
# (rampart code --config rampart.yaml reads the keys that apply to it).
# Every key is optional and a command-line flag wins over the file. Remove
# the "#" before a key to set it. ${VAR} is read from the environment (unset
# is an error), so secrets stay out of this file. A list is a YAML list or
# one comma-separated string. Reference: docs/config.md.
`)
	for _, e := range entries {
		if e.Depth > 0 {
			continue
		}
		b.WriteString("\n")
		help := e.Help
		if e.Flag != "" {
			help += " (" + e.Flag + ")"
		}
		for _, line := range wrap(help, 74) {
			b.WriteString("# " + line + "\n")
		}
		switch e.Path {
		case "target":
			b.WriteString("target: " + e.Example + "\n")
		case "identities":
			writeNestedHelp(&b, entries, "identities.")
			b.WriteString(starterIdentities)
		case "ignore":
			writeNestedHelp(&b, entries, "ignore.")
			b.WriteString(starterIgnore)
		case "code":
			writeNestedHelp(&b, entries, "code.")
			b.WriteString(starterCode)
		case "jwt":
			writeNestedHelp(&b, entries, "jwt.")
			b.WriteString(starterJWT)
		default:
			v := e.Default
			if v == "" {
				v = e.Example
			}
			b.WriteString("#" + e.Path + ": " + yamlScalar(v) + "\n")
		}
	}
	return b.String()
}

// writeNestedHelp comments each key under prefix with its help.
func writeNestedHelp(b *strings.Builder, entries []configEntry, prefix string) {
	for _, e := range entries {
		if !strings.HasPrefix(e.Path, prefix) {
			continue
		}
		// Help lines are "# text"; only commented-out YAML starts "#x" or "#  ".
		for _, line := range wrap("- "+strings.TrimPrefix(e.Path, prefix)+": "+e.Help, 74) {
			b.WriteString("# " + line + "\n")
		}
	}
}

// yamlScalar quotes a value YAML would read as something else.
func yamlScalar(v string) string {
	if v == "" || strings.HasPrefix(v, "-") || strings.ContainsAny(v, ":#{}[]&*!|>'\"%@`") {
		return fmt.Sprintf("%q", v)
	}
	return v
}
