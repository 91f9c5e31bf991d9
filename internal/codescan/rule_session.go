package codescan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/pyast"
)

// Session exposure: sensitive data written to Flask's client-side session
// (met by the configuration walk, config.go, which calls sessionKey).

var sessionFamily = family{name: "session", rules: []*Rule{SessionData}}

var SessionData = rule("PY-SESS-001", rampart.FamilySessionExposure, rampart.Low, rampart.Firm, "CWE-315", "API3:2023", "",
	"Sensitive data in the client-side session",
	"roles, e-mail addresses or secrets are stored in Flask's cookie session",
	"Flask's default session is a signed, not encrypted, cookie: anyone can base64-decode it. Storing "+
		"roles, permissions, e-mail addresses, tokens or passwords there exposes them, and with a weak "+
		"SECRET_KEY lets clients forge them.",
	"Keep only an opaque user id in the session and load the rest server-side on each request, or use a "+
		"server-side session store (Flask-Session).")

var serverSessionRe = markers("flask_session", "session(app)", "session_type", "session_interface")

var sessionSensitiveRe = regexp.MustCompile(`(?i)role|admin|perm|scope|group|password|passwd|secret|token|api_?key|ssn|credit|card|iban|balance|email|phone|address|birth|salary|is_staff|superuser`)

func (f *fileState) sessionKey(node pyast.ID, key string) {
	if !sessionSensitiveRe.MatchString(key) || strings.HasPrefix(key, "_") || key == "csrf_token" {
		return
	}
	c := f.add(SessionData, node, nil, fmt.Sprintf("session[%q] is stored in the client-side session cookie, which anyone can decode", key))
	c.key = "session-" + key
}
