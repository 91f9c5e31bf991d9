package codescan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Configuration: debug mode and the Werkzeug debugger, in Python settings and
// in .env files. The family's per-file hook is the configuration walk
// (checkConfig, config.go): it meets every setting and library call once and
// reports the debug, secret, JWT, CORS and session rules as it goes.

var configFamily = family{name: "config", rules: []*Rule{DebugMode, DebugPIN}, perFile: (*fileState).checkConfig}

var (
	DebugMode = rule("PY-DEBUG-001", rampart.FamilyDebugExposure, rampart.High, rampart.Firm, "CWE-489", "API8:2023", "P8",
		"Flask debug mode enabled",
		"app.run(debug=True), app.debug = True, DEBUG = True or FLASK_DEBUG=1",
		"Debug mode turns on the Werkzeug debugger: any exception page lets the client run Python in the server "+
			"(once the PIN is known, or always when it is disabled), and errors show source and SQL. Worse when "+
			"the server listens on 0.0.0.0.",
		"Read debug from the environment with a false default, and serve with gunicorn or waitress, never "+
			"app.run() in production.")

	DebugPIN = rule("PY-DEBUG-002", rampart.FamilyDebugExposure, rampart.Critical, rampart.Firm, "CWE-489", "API8:2023", "P8",
		"Werkzeug debugger console without a PIN",
		"WERKZEUG_DEBUG_PIN=off or DebuggedApplication(evalex=True)",
		"The debugger's PIN is disabled (WERKZEUG_DEBUG_PIN=off) or the interactive console is mounted with "+
			"DebuggedApplication(app, evalex=True): any client that triggers an error, or opens /console, "+
			"runs code on the server.",
		"Remove the PIN override and the DebuggedApplication wrapper; never enable the debugger outside a "+
			"developer's machine.")
)

// envSetting flags os.environ settings that open the debugger.
func (f *fileState) envSetting(node pyast.ID, k, v string) {
	switch strings.ToUpper(k) {
	case "WERKZEUG_DEBUG_PIN":
		if strings.EqualFold(v, "off") {
			f.add(DebugPIN, node, nil, "WERKZEUG_DEBUG_PIN is set to off: the debugger runs code for anyone who triggers an error").key = "pin"
		}
	case "FLASK_DEBUG":
		if v == "1" || strings.EqualFold(v, "true") {
			f.add(DebugMode, node, nil, "FLASK_DEBUG=1 turns on debug mode").key = "env"
		}
	case "FLASK_ENV":
		if strings.EqualFold(v, "development") {
			f.add(DebugMode, node, nil, "FLASK_ENV=development turns on debug mode").key = "env"
		}
	}
}

var envDebugRe = regexp.MustCompile(`(?i)\b(FLASK_DEBUG\s*[=:]\s*["']?(1|true)\b|FLASK_ENV\s*[=:]\s*["']?development\b|WERKZEUG_DEBUG_PIN\s*[=:]\s*["']?off\b)`)

func scanEnvFile(path string, src []byte) []envFinding {
	var out []envFinding
	for i, line := range strings.Split(string(src), "\n") {
		m := envDebugRe.FindString(line)
		if m == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		r := DebugMode
		if strings.Contains(strings.ToUpper(m), "WERKZEUG_DEBUG_PIN") {
			r = DebugPIN
		}
		out = append(out, envFinding{rule: r, path: path, line: i + 1, sev: r.Severity, key: "env", code: strings.TrimSpace(line),
			msg: fmt.Sprintf("`%s` turns on the Werkzeug debugger", strings.TrimSpace(m))})
	}
	return out
}
