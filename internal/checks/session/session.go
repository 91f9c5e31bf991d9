// Package session checks Flask's client-side session cookies: whether the
// SECRET_KEY that signs them is a documented default or a tutorial
// placeholder (proved by forging a cookie the application accepts), and
// whether they carry data the client should not be able to read.
package session

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/flaskkey"
	"github.com/rampart-sec/rampart/internal/flasksession"
	"github.com/rampart-sec/rampart/internal/secrets"
)

// Secret is SESS-001.
var Secret = check.Check{
	Meta: rampart.Meta{
		ID:       "SESS-001",
		Family:   rampart.FamilySessionSecret,
		Title:    "Flask session cookie signed with a guessable SECRET_KEY",
		Severity: rampart.Critical,
		CWE:      "CWE-798",
		OWASP:    "API2:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "the session cookie's SECRET_KEY is a known default; a forged cookie logs in as another user",
		Detects: "Flask (itsdangerous) session cookies set by the API or held by the scan's identities, verified " +
			"offline against an embedded list of documented default and tutorial keys (plus --wordlist), on every " +
			"core. On a hit it forges a cookie claiming another identity (an administrator when the scan has one) " +
			"and proves the application accepts it: a \"who am I\" read (found from the spec and from the " +
			"identities' own answers) returns that identity's record for a request that carries nothing but the " +
			"forged cookie. Then critical and confirmed; a key that verifies but no proof is high. When the key is " +
			"known it also tries a forged Flask-Login remember_token. The key is masked unless --show-secrets.",
		Requests: "GET of the root and of up to four read operations without path parameters (anonymous) to " +
			"collect cookies; up to 16 GETs to learn who the identities are (shared); per proof endpoint (at most " +
			"two) one GET without credentials, one or two GETs with forged cookies and one with a forged " +
			"remember_token. At most 40 requests. Cracking itself is offline.",
		Budget: 40,
		Fix: "Generate the key once and keep it out of the code: `python -c 'import secrets; print(secrets.token_hex(32))'`, " +
			"store it in a secret manager and load it with `app.config[\"SECRET_KEY\"] = os.environ[\"SECRET_KEY\"]` " +
			"(or `app.config.from_prefixed_env()` with FLASK_SECRET_KEY) and no literal fallback. Changing the key " +
			"logs every user out, which is what you want: do not put the old key in SECRET_KEY_FALLBACKS. Keep only " +
			"the user id in the session and load the role from the database on each request, or move sessions " +
			"server-side (Flask-Session with a CockroachDB/PostgreSQL or Redis store) so a cookie is only a random id.",
		Doc: "docs/checks.md#sess-001",
	},
	Run: runSecret,
}

// Exposure is SESS-002.
var Exposure = check.Check{
	Meta: rampart.Meta{
		ID:       "SESS-002",
		Family:   rampart.FamilySessionExposure,
		Title:    "Sensitive data readable in the Flask session cookie",
		Severity: rampart.Medium,
		CWE:      "CWE-315",
		OWASP:    "API3:2023",
		Mode:     rampart.Safe,
		Kind:     rampart.KindRuntime,
		Summary:  "the client-side session cookie carries secrets, personal data or authorization state in clear",
		Detects: "A Flask session cookie is signed, not encrypted: anyone holding it reads it with a base64 " +
			"decode (and zlib when it starts with '.'). The check decodes every session cookie the API sets or the " +
			"identities hold, resolves Flask's tagged JSON, and reports credentials and secrets (high), personal " +
			"data such as e-mail addresses and phone numbers (medium) and authorization state such as a role or " +
			"an admin flag, which the server cannot revoke until the cookie expires (low). Values are masked.",
		Requests: "Shares SESS-001's collection: GET of the root and of up to four read operations, anonymous. " +
			"At most 6 requests.",
		Budget: 6,
		Fix: "Keep only an opaque user id in `session` and read everything else from the database per request " +
			"(`g.user = db.get_user(session[\"user_id\"])`); never store passwords, tokens, e-mail addresses or " +
			"roles in it. If the session must hold more, use server-side sessions (Flask-Session with a " +
			"CockroachDB/PostgreSQL table) so the cookie is a random identifier.",
		Doc: "docs/checks.md#sess-002",
	},
	Run: runExposure,
}

func runSecret(ctx context.Context, p *check.Pass) error {
	c, err := flaskkey.Crack(ctx, p)
	switch {
	case c == nil:
		p.NotApplicable(noSessionCookie)
		return err
	case c.Key == nil:
		p.Tested() // every candidate key was tried on the cookie
		return err
	}
	s := c.From
	keyText := secrets.Show(c.Key, p.Settings.ShowSecrets)
	f := p.Finding("")
	f.Location = s.Loc
	f.Key = "secret-key"
	f.Confidence = rampart.Confirmed
	f.Severity = rampart.High
	if s.Resp != nil {
		f.Evidence = append(f.Evidence, p.Evidence(s.Resp, "the session cookie as the API sets it"))
	}
	f.Evidence = append(f.Evidence, rampart.Evidence{Note: fmt.Sprintf(
		"cookie %q (%s) verifies offline with SECRET_KEY %s (HMAC-SHA1, salt %q), found among %d candidates in %s",
		s.Name, s.From, keyText, flasksession.Salt, c.Result.Tried, c.Result.Elapsed.Round(1e3))})
	proof, err := forge(ctx, p, s, c.Key)
	if err != nil && ctx.Err() != nil {
		return err
	}
	msg := fmt.Sprintf("The Flask session cookie %q (%s) is signed with a guessable SECRET_KEY: %s.", s.Name, s.From, keyText)
	if at := p.Settings.WrittenAt(c.Key); at != "" {
		msg = fmt.Sprintf("The Flask session cookie %q (%s) is signed with the SECRET_KEY written in the source at %s (%s).", s.Name, s.From, at, keyText)
	}
	if proof != nil {
		f.Severity = rampart.Critical
		f.Evidence = append(f.Evidence, proof.evidence...)
		f.Related = append(f.Related, rampart.Related{
			Location: rampart.Location{Method: proof.op.Method, Path: proof.op.Path, URL: proof.resp.RequestURL},
			Note:     "the forged " + proof.what + " accepted here",
			Curl:     p.Curl(proof.resp),
		})
		f.Curl = p.Curl(proof.resp)
		msg += fmt.Sprintf(" A forged %s claiming to be %s was accepted: %s %s, sent with nothing but that %s, "+
			"answered with that user's record. Anyone can sign in as any user.",
			proof.what, proof.who.Label(), proof.op.Method, proof.op.Path, proof.what)
	} else {
		msg += " Anyone who knows the key can forge a session; no \"who am I\" endpoint accepted a forged cookie " +
			"during the scan, so the impact was not demonstrated."
	}
	f.Message = msg
	p.Report(f)
	return nil
}

func runExposure(ctx context.Context, p *check.Pass) error {
	all, err := flaskkey.Cookies(ctx, p)
	if len(all) == 0 {
		p.NotApplicable(noSessionCookie)
	}
	for _, s := range all {
		data, derr := s.Cookie.Data()
		if derr != nil {
			continue
		}
		p.Tested()
		items := classify(data, "")
		if len(items) == 0 {
			continue
		}
		sort.Slice(items, func(i, j int) bool {
			if items[i].sev != items[j].sev {
				return items[i].sev > items[j].sev
			}
			return items[i].path < items[j].path
		})
		f := p.Finding("")
		f.Location = s.Loc
		f.Key = s.Name + " " + s.From
		f.Confidence = rampart.Confirmed
		f.Severity = items[0].sev
		var parts []string
		for _, it := range items {
			parts = append(parts, fmt.Sprintf("%s (%s: %s)", it.path, it.kind, it.shown))
		}
		comp := ""
		if s.Cookie.Compressed {
			comp = ", zlib-compressed"
		}
		f.Message = fmt.Sprintf("The Flask session cookie %q (%s%s) is readable by the client and carries %s.",
			s.Name, s.From, comp, strings.Join(parts, ", "))
		if s.Resp != nil {
			f.Evidence = append(f.Evidence, p.Evidence(s.Resp, "the cookie as the API sets it"))
			f.Curl = p.Curl(s.Resp)
		}
		f.Evidence = append(f.Evidence, rampart.Evidence{Note: "decoded session (sensitive values masked): " + maskedJSON(data, items)})
		p.Report(f)
	}
	p.NotApplicable("no session cookie seen decodes to data")
	return err
}

// noSessionCookie is why the Flask session checks have nothing to judge.
const noSessionCookie = "no Flask session cookie seen (set by the API or held by an identity)"

// item is one readable field worth reporting.
type item struct {
	path  string
	kind  string
	sev   rampart.Severity
	shown string
}

// Field names by what they hold. Flask-Login's _user_id/_fresh/_id and
// Flask-WTF's csrf_token are framework bookkeeping, not a leak.
var (
	ignored   = map[string]bool{"_user_id": true, "_fresh": true, "_id": true, "csrf_token": true, "_permanent": true, "_flashes": true}
	secretSub = []string{"password", "passwd", "pwd", "secret", "api_key", "apikey", "private_key", "access_token", "refresh_token", "auth_token", "id_token", "bearer", "otp", "totp", "mfa_seed", "card_number", "cvv", "ssn"}
	piiSub    = []string{"email", "e_mail", "phone", "mobile", "msisdn", "address", "birth", "dob", "iban", "national_id", "passport", "tax_id"}
	authzKeys = map[string]bool{"role": true, "roles": true, "is_admin": true, "admin": true, "isadmin": true, "is_staff": true,
		"is_superuser": true, "superuser": true, "permissions": true, "perms": true, "scope": true, "scopes": true,
		"groups": true, "privileges": true, "access_level": true, "level": true, "user_role": true, "tenant_id": true}
)

func classify(data map[string]any, prefix string) []item {
	var out []item
	for k, v := range data {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		low := strings.ToLower(k)
		if ignored[low] && prefix == "" {
			continue
		}
		if m, ok := v.(map[string]any); ok {
			out = append(out, classify(m, path)...)
			continue
		}
		text := valueText(v)
		switch {
		case containsAny(low, secretSub) && !strings.Contains(low, "csrf") && text != "":
			out = append(out, item{path, "credential or secret", rampart.High, mask(text)})
		case containsAny(low, piiSub) && text != "":
			out = append(out, item{path, "personal data", rampart.Medium, mask(text)})
		case emailLike(text):
			out = append(out, item{path, "personal data", rampart.Medium, mask(text)})
		case authzKeys[low]:
			out = append(out, item{path, "authorization state", rampart.Low, clip(text)})
		}
	}
	return out
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case json.Number:
		return x.String()
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func emailLike(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-3 && strings.Contains(s[at:], ".") && !strings.ContainsAny(s, " \n<>") && len(s) < 256
}

// mask keeps the first character (and an e-mail's domain) so a reader can
// tell what leaked without the report leaking it again.
func mask(s string) string {
	r := []rune(s)
	if at := strings.IndexByte(s, '@'); at > 0 && emailLike(s) {
		return string([]rune(s[:at])[:1]) + "***" + s[at:]
	}
	if len(r) <= 2 {
		return "***"
	}
	return string(r[:1]) + strings.Repeat("*", min(len(r)-1, 8))
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func maskedJSON(data map[string]any, items []item) string {
	masked := map[string]bool{}
	for _, it := range items {
		if it.kind != "authorization state" {
			masked[it.path] = true
		}
	}
	var walk func(m map[string]any, prefix string) map[string]any
	walk = func(m map[string]any, prefix string) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			path := k
			if prefix != "" {
				path = prefix + "." + k
			}
			switch {
			case masked[path]:
				out[k] = mask(valueText(v))
			case ignored[strings.ToLower(k)] && prefix == "" && k != "_permanent" && k != "_fresh":
				out[k] = "…"
			default:
				if mm, ok := v.(map[string]any); ok {
					out[k] = walk(mm, path)
				} else if b, ok := v.([]byte); ok {
					out[k] = fmt.Sprintf("bytes(%d)", len(b))
				} else {
					out[k] = v
				}
			}
		}
		return out
	}
	b, err := json.Marshal(walk(data, ""))
	if err != nil {
		return "(undisplayable)"
	}
	return string(b)
}
