package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/engine"
)

// Login is the configured flow; see rampart.Login.
type Login struct{ rampart.Login }

func (l *Login) run(ctx context.Context, c *engine.Client, who string) (http.Header, []string, error) {
	req := &engine.Request{Method: l.Method, URL: l.URL, Header: http.Header{}, Identity: who, Login: true}
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	for k, v := range l.Headers {
		req.Header.Set(k, v)
	}
	var secrets []string
	switch {
	case l.JSON != nil:
		b, err := json.Marshal(l.JSON)
		if err != nil {
			return nil, nil, fmt.Errorf("encode json body: %w", err)
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
		secrets = secretValues(l.JSON)
	case l.Form != nil:
		f := url.Values{}
		for k, v := range l.Form {
			f.Set(k, v)
			if sensitiveKey(k) {
				secrets = append(secrets, v)
			}
		}
		req.Body = []byte(f.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Secrets = secrets
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return nil, nil, fmt.Errorf("%s %s answered %d", req.Method, l.URL, resp.Status)
	}
	h := http.Header{}
	if t := l.Token; t != nil {
		var tok string
		if t.From == "header" {
			tok = resp.Header.Get(t.Path)
		} else {
			var doc any
			if err := json.Unmarshal(resp.Body, &doc); err != nil {
				return nil, nil, fmt.Errorf("answer is not JSON, cannot read token.path %q", t.Path)
			}
			tok = lookup(doc, t.Path)
		}
		if tok == "" {
			return nil, nil, fmt.Errorf("no token at %q in the answer", t.Path)
		}
		name, prefix := t.Header, t.Prefix
		if name == "" {
			name = "Authorization"
		}
		if prefix == "" && strings.EqualFold(name, "Authorization") && !strings.Contains(tok, " ") {
			prefix = "Bearer "
		}
		h.Set(name, prefix+tok)
		secrets = append(secrets, tok)
	}
	if len(l.Cookies) > 0 {
		var pairs []string
		for _, ck := range (&http.Response{Header: resp.Header}).Cookies() {
			if keepCookie(l.Cookies, ck.Name) {
				pairs = append(pairs, ck.Name+"="+ck.Value)
				secrets = append(secrets, ck.Value)
			}
		}
		if len(pairs) == 0 {
			return nil, nil, fmt.Errorf("the answer set none of the cookies %v", l.Cookies)
		}
		sort.Strings(pairs)
		h.Set("Cookie", strings.Join(pairs, "; "))
	}
	return h, secrets, nil
}

func keepCookie(names []string, n string) bool {
	for _, x := range names {
		if x == "*" || x == n {
			return true
		}
	}
	return false
}

// lookup follows a dotted path (data.tokens.0.access) through decoded JSON.
func lookup(doc any, path string) string {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return ""
			}
			cur = v[i]
		default:
			return ""
		}
	}
	switch v := cur.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"pass", "secret", "token", "key", "otp", "pin"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

func secretValues(m map[string]any) []string {
	var out []string
	for k, v := range m {
		switch x := v.(type) {
		case string:
			if sensitiveKey(k) {
				out = append(out, x)
			}
		case map[string]any:
			out = append(out, secretValues(x)...)
		}
	}
	return out
}
