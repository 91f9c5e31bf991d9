// Package signup gives an active scan accounts of its own: where the API's
// spec offers sign-up (a POST that creates a user from a username or
// e-mail address and a password) and login (a POST that takes them and
// answers a token or sets a cookie), the scanner signs up throwaway
// accounts, with names that say so (rampart-tmp-…), logs in as them, and
// removes them at the end where the API lets an account delete itself.
//
// A sign-up request sends only the fields the spec requires plus the
// username, e-mail address and password: whether the API accepts more
// (a role at sign-up) is a check's question, not this package's.
package signup

import (
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/lazyre"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Plan is what the spec offers for accounts of the scan's own.
type Plan struct {
	Register *rampart.Operation
	Login    *rampart.Operation
	// Fields of the sign-up body: the username, e-mail and password fields
	// (user or email may be empty, not both), and confirmations of the
	// password.
	user, email, pass string
	confirm           []string
	// Fields of the login body, and what goes in the first: the username,
	// or the e-mail address when the login takes one.
	loginUser, loginPass string
	loginByEmail         bool
	// How the credential is sent, from the spec's security schemes.
	how identity.Sending
	// Deletes are the operations an account may remove itself with, best
	// first.
	deletes []*rampart.Operation
}

var (
	registerWord = lazyre.New(`(?i)^(register|registration|signup|sign-up|sign_up|join|enroll|enrol|create-account|createaccount)$`)
	loginWord    = lazyre.New(`(?i)^(login|log-in|signin|sign-in|sign_in|logon|session|sessions|auth|authenticate|token|tokens)$`)
	// personWord marks collections of accounts: POST /users creates one.
	personWord  = lazyre.New(`(?i)^(users?|accounts?|members?|profiles?|customers?|employees?|people|persons?|me|self)$`)
	passField   = lazyre.New(`(?i)^(pass(word|wd)?|pwd|new_?password)$`)
	confirmPass = lazyre.New(`(?i)^(password_?2|confirm_?password|password_?confirm(ation)?|repeat_?password|password_?again)$`)
	userField   = lazyre.New(`(?i)^(user_?name|login|handle|nick_?name|screen_?name|account_?name)$`)
	emailField  = lazyre.New(`(?i)^(e_?mail|email_?address|mail)$`)
	// registerText finds sign-up in an operation's id or summary:
	// "Sign up", createUser, "Create an account".
	registerText = lazyre.New(`(?i)(sign.?up|register|registration|create.?(an?.?|new.?)?(user|account|member)\b)`)
	adminWord    = lazyre.New(`(?i)^(admin|admins|administration|staff|internal|manage|management|backoffice)$`)
	changeWord   = lazyre.New(`(?i)(password|passwd|reset|forgot|change|verify|confirm|logout|refresh)`)
)

// segments are the literal words of a path.
func segments(path string) []string {
	var out []string
	for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
		if s != "" && !strings.HasPrefix(s, "{") {
			out = append(out, s)
		}
	}
	return out
}

func anySegment(path string, re *lazyre.Regexp) bool {
	return slices.ContainsFunc(segments(path), re.MatchString)
}

// credentialFields finds the username, e-mail and password fields of a
// body schema.
func credentialFields(op *rampart.Operation) (user, email, pass string, confirm []string) {
	if op.Body == nil || op.Body.Schema == nil {
		return "", "", "", nil
	}
	props := op.Body.Schema.Properties
	for _, k := range sortedKeys(props) {
		s := props[k]
		switch {
		case confirmPass.MatchString(k):
			confirm = append(confirm, k)
		case pass == "" && (passField.MatchString(k) || (s != nil && s.Format == "password")):
			pass = k
		case email == "" && (emailField.MatchString(k) || (s != nil && strings.Contains(strings.ToLower(s.Format), "email"))):
			email = k
		case user == "" && userField.MatchString(k):
			user = k
		}
	}
	return user, email, pass, confirm
}

func sortedKeys(m map[string]*rampart.Schema) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// bodyKind is the media type family of an operation's body: JSON or a form.
func bodyKind(op *rampart.Operation) string {
	ct := strings.ToLower(op.Body.ContentType)
	switch {
	case ct == "" || strings.Contains(ct, "json"):
		return "json"
	case strings.Contains(ct, "x-www-form-urlencoded"):
		return "form"
	}
	return ""
}

// Find reads the plan from the spec: nil when the API offers no sign-up
// or no login the scan can use.
func Find(ops []*rampart.Operation, schemes map[string]surface.Scheme) *Plan {
	var reg, login *rampart.Operation
	regScore, loginScore := 0, 0
	for _, op := range ops {
		if op.Method != http.MethodPost || strings.Contains(op.Path, "{") || op.Body == nil || bodyKind(op) == "" {
			continue
		}
		user, email, pass, _ := credentialFields(op)
		if pass == "" || (user == "" && email == "") || anySegment(op.Path, changeWord) {
			continue
		}
		// A sign-up is open to anonymous callers: an operation the spec
		// secures (an admin creating users) is not one.
		open := (op.Public() || op.Security == nil) && !anySegment(op.Path, adminWord)
		register := anySegment(op.Path, registerWord) || registerText.MatchString(op.ID+" "+op.Summary) || createsPerson(op.Path)
		switch {
		case register && open:
			if regScore < 2 {
				reg, regScore = op, 2
			}
		case !register && anySegment(op.Path, loginWord):
			score := 1
			if strings.Contains(strings.ToLower(op.Path), "login") {
				score = 2
			}
			if score > loginScore {
				login, loginScore = op, score
			}
		case open && personWord.MatchString(lastSegment(op.Path)):
			if regScore < 1 {
				reg, regScore = op, 1
			}
		}
	}
	if reg == nil || login == nil {
		return nil
	}
	pl := &Plan{Register: reg, Login: login}
	pl.user, pl.email, pl.pass, pl.confirm = credentialFields(reg)
	lu, le, lp, _ := credentialFields(login)
	pl.loginPass = lp
	switch {
	case lu != "" && pl.user != "":
		pl.loginUser = lu
	case le != "" && pl.email != "":
		pl.loginUser, pl.loginByEmail = le, true
	case lu != "" && pl.email != "":
		// A login field called username that the API fills with the
		// e-mail address it signed up with.
		pl.loginUser, pl.loginByEmail = lu, true
	default:
		return nil
	}
	pl.how = sending(ops, schemes)
	pl.deletes = deletes(ops)
	return pl
}

// createsPerson reports whether a path reads "create a user":
// /user/create, /users/new, /accounts/add.
func createsPerson(path string) bool {
	segs := segments(path)
	if len(segs) < 2 {
		return false
	}
	switch strings.ToLower(segs[len(segs)-1]) {
	case "create", "new", "add":
		return personWord.MatchString(segs[len(segs)-2])
	}
	return false
}

func lastSegment(path string) string {
	s := segments(path)
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// sending says how the API's secured operations want the credential: the
// security scheme most of them name.
func sending(ops []*rampart.Operation, schemes map[string]surface.Scheme) identity.Sending {
	count := map[string]int{}
	for _, op := range ops {
		for _, alt := range op.Security {
			for _, name := range alt {
				count[name]++
			}
		}
	}
	best := ""
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range count {
			if !yield(k) {
				return
			}
		}
	}) {
		if _, ok := schemes[name]; ok && (best == "" || count[name] > count[best]) {
			best = name
		}
	}
	s, ok := schemes[best]
	if !ok {
		return identity.Sending{}
	}
	switch {
	case s.Type == "apiKey" && s.In == "cookie" && s.Name != "":
		return identity.Sending{Cookie: s.Name}
	case s.Type == "apiKey" && s.In == "header" && s.Name != "" && !strings.EqualFold(s.Name, "Authorization"):
		none := ""
		return identity.Sending{Header: s.Name, Scheme: &none}
	}
	return identity.Sending{} // bearer, oauth2: Authorization: Bearer
}

// deletes are the DELETE operations an account may remove itself with:
// one on the caller's own account (/me, /account), then one on an account
// collection's item (/users/{username}).
func deletes(ops []*rampart.Operation) []*rampart.Operation {
	var self, item []*rampart.Operation
	for _, op := range ops {
		if op.Method != http.MethodDelete {
			continue
		}
		segs := strings.Split(strings.Trim(op.Path, "/"), "/")
		last := segs[len(segs)-1]
		switch {
		case !strings.Contains(op.Path, "{") && personWord.MatchString(last):
			self = append(self, op)
		case strings.HasPrefix(last, "{") && len(segs) >= 2 && strings.Count(op.Path, "{") == 1 && personWord.MatchString(segs[len(segs)-2]):
			item = append(item, op)
		}
	}
	return append(self, item...)
}
