package rampart

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Identity is an account a scan acts as, as the user configures it.
type Identity struct {
	Name    string      `yaml:"name" json:"name"`
	Role    string      `yaml:"role" json:"role"` // user or admin
	Headers http.Header `yaml:"headers" json:"-"`
	Login   *Login      `yaml:"login" json:"login,omitempty"`
}

// Login is a login flow: the request that logs an identity in, and where
// the credential is in the answer. Identities with one log themselves in
// and log in again when their token expires during a scan.
type Login struct {
	Method  string            `yaml:"method" json:"method"`
	URL     string            `yaml:"url" json:"url"` // a path on the target, or an in-scope URL
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	JSON    map[string]any    `yaml:"json" json:"json,omitempty"`
	Form    map[string]string `yaml:"form" json:"form,omitempty"`
	// Token says where the token is in the answer and how to send it. Nil
	// with Cookies set means the session cookie is the credential.
	Token *TokenSource `yaml:"token" json:"token,omitempty"`
	// Cookies names the cookies to keep from the answer ("*" keeps all).
	Cookies []string `yaml:"cookies" json:"cookies,omitempty"`
	// Secrets names more fields of the JSON or form body whose values are
	// credentials, to be redacted from every output; fields whose names
	// say so (password, token, secret, key, otp, pin...) already are.
	SecretFields []string `yaml:"secrets" json:"secrets,omitempty"`
}

// TokenSource locates a token in a login answer and says how to send it.
type TokenSource struct {
	From   string `yaml:"from" json:"from"`     // body (default) or header
	Path   string `yaml:"path" json:"path"`     // dotted JSON path (body: data.access_token, items.0.token) or header name (header)
	Header string `yaml:"header" json:"header"` // where to send it; default Authorization
	// Scheme is the word before the token in the header: "Bearer" (the
	// default on Authorization), "Token", "JWT", or "" for the token alone.
	// Unset, a header other than Authorization carries the token alone.
	Scheme *string `yaml:"scheme" json:"scheme,omitempty"`
	// Prefix is the exact text before the token ("Bearer "); kept for
	// older configs, Scheme says the same more simply.
	Prefix string `yaml:"prefix" json:"prefix,omitempty"`
}

// Send returns the header name and value that carry a token.
func (t *TokenSource) Send(tok string) (name, value string) {
	name = t.Header
	if name == "" {
		name = "Authorization"
	}
	switch {
	case t.Scheme != nil && *t.Scheme == "":
		return name, tok
	case t.Scheme != nil:
		return name, strings.TrimSpace(*t.Scheme) + " " + tok
	case t.Prefix != "":
		return name, t.Prefix + tok
	case strings.EqualFold(name, "Authorization") && !strings.Contains(tok, " "):
		return name, "Bearer " + tok
	}
	return name, tok
}

// Validate says what is wrong with a flow before the scan starts.
func (l *Login) Validate() error {
	if l.URL == "" {
		return errors.New("login: url is required")
	}
	if l.JSON != nil && l.Form != nil {
		return errors.New("login: set json or form, not both")
	}
	if l.Token == nil && len(l.Cookies) == 0 {
		return errors.New("login: say where the credential is (token: or cookies:)")
	}
	if l.Token != nil {
		switch l.Token.From {
		case "", "body", "header":
		default:
			return fmt.Errorf("login: token.from %q (want body or header)", l.Token.From)
		}
		if l.Token.Path == "" {
			return errors.New("login: token.path is required (a JSON path such as access_token, or a header name)")
		}
		if l.Token.Scheme != nil && l.Token.Prefix != "" {
			return errors.New("login: set token.scheme or token.prefix, not both")
		}
		if l.Token.Scheme != nil && strings.ContainsAny(strings.TrimSpace(*l.Token.Scheme), " \t\r\n") {
			return fmt.Errorf("login: token.scheme %q: one word such as Bearer or Token, or \"\" for the token alone", *l.Token.Scheme)
		}
	}
	return nil
}
