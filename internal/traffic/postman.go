package traffic

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

// The parts of Postman Collection v2.1
// (https://schema.postman.com/collection/json/v2.1.0/) Rampart reads.
// Fields that may be a string or an object are kept raw and read by hand.
type pmCollection struct {
	Info *struct {
		Schema string `json:"schema"`
	} `json:"info"`
	Item     []json.RawMessage `json:"item"`
	Variable []pmKV            `json:"variable"`
	Auth     *pmAuth           `json:"auth"`
}

type pmItem struct {
	Name     string            `json:"name"`
	Item     []json.RawMessage `json:"item"`
	Request  json.RawMessage   `json:"request"`
	Response []json.RawMessage `json:"response"`
	Variable []pmKV            `json:"variable"`
	Auth     *pmAuth           `json:"auth"`
}

type pmKV struct {
	Key      string          `json:"key"`
	Value    json.RawMessage `json:"value"`
	Disabled bool            `json:"disabled"`
	Type     string          `json:"type"`
	Src      json.RawMessage `json:"src"`
}

// value is a variable's or pair's value as text: Postman writes numbers
// and booleans unquoted.
func (kv pmKV) value() string { return rawText(kv.Value) }

type pmAuth struct {
	Type   string `json:"type"`
	Bearer []pmKV `json:"bearer"`
	APIKey []pmKV `json:"apikey"`
	Basic  []pmKV `json:"basic"`
}

type pmRequest struct {
	Method string          `json:"method"`
	Header json.RawMessage `json:"header"`
	URL    json.RawMessage `json:"url"`
	Body   *struct {
		Mode       string `json:"mode"`
		Raw        string `json:"raw"`
		URLEncoded []pmKV `json:"urlencoded"`
		FormData   []pmKV `json:"formdata"`
		GraphQL    *struct {
			Query     string          `json:"query"`
			Variables json.RawMessage `json:"variables"`
		} `json:"graphql"`
		Options *struct {
			Raw *struct {
				Language string `json:"language"`
			} `json:"raw"`
		} `json:"options"`
	} `json:"body"`
	Auth *pmAuth `json:"auth"`
}

type pmURL struct {
	Raw      string          `json:"raw"`
	Protocol string          `json:"protocol"`
	Host     json.RawMessage `json:"host"`
	Port     json.RawMessage `json:"port"`
	Path     json.RawMessage `json:"path"`
	Query    []pmKV          `json:"query"`
	Variable []pmKV          `json:"variable"`
}

type pmResponse struct {
	Code   int             `json:"code"`
	Header json.RawMessage `json:"header"`
	Body   string          `json:"body"`
}

// PostmanOptions says what a collection cannot: where its requests go
// when their base is a variable the collection leaves empty (exported
// collections usually keep {{baseUrl}} in an environment).
type PostmanOptions struct {
	// Base stands for a URL whose host is an unresolved variable.
	Base *url.URL
}

// ParsePostman reads a Postman Collection v2.1 (v2.0 reads the same for
// the parts Rampart uses). Only a document that is not a collection (no
// item list) is an error; a request that cannot be read is left out with a
// warning.
func ParsePostman(name string, data []byte, opt PostmanOptions) (*Recording, error) {
	var c pmCollection
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w: not a Postman collection (%v)", name, ErrFormat, jsonProblem(err))
	}
	if c.Item == nil {
		if looksLike(data, "log") {
			return nil, fmt.Errorf("%s: %w: no item list; it looks like a HAR file: pass it with --har", name, ErrFormat)
		}
		return nil, fmt.Errorf("%s: %w: no item list: export the collection again as Collection v2.1", name, ErrFormat)
	}
	p := &pmParser{rec: &Recording{File: name, Source: rampart.SourcePostman}, opt: opt}
	vars := p.scope(nil, c.Variable, "variable")
	p.items(c.Item, "item", vars, c.Auth, 0)
	if p.over > 0 {
		p.rec.warn("item", fmt.Sprintf("%d more requests than %d", p.over, MaxExchanges), "left out")
	}
	return p.rec, nil
}

type pmParser struct {
	rec  *Recording
	opt  PostmanOptions
	over int
	nvar int
}

// scope layers a folder's variables over its parent's: the innermost
// definition wins, as in Postman.
func (p *pmParser) scope(parent map[string]string, kvs []pmKV, where string) map[string]string {
	if len(kvs) == 0 {
		return parent
	}
	out := make(map[string]string, len(parent)+len(kvs))
	for k, v := range parent {
		out[k] = v
	}
	for _, kv := range kvs {
		if kv.Disabled || kv.Key == "" {
			continue
		}
		if p.nvar++; p.nvar > MaxVariables {
			p.rec.warn(where, fmt.Sprintf("more than %d variables", MaxVariables), "left out the rest")
			break
		}
		// An empty value is one the exporter keeps in an environment:
		// the variable stays unresolved, so that a {{baseUrl}} still
		// stands for the target.
		if v := kv.value(); v != "" {
			out[kv.Key] = v
		}
	}
	return out
}

func (p *pmParser) items(raws []json.RawMessage, where string, vars map[string]string, auth *pmAuth, depth int) {
	if depth >= MaxDepth {
		p.rec.warn(where, fmt.Sprintf("folders nested deeper than %d", MaxDepth), "left out")
		return
	}
	for i, raw := range raws {
		w := fmt.Sprintf("%s[%d]", where, i)
		var it pmItem
		if err := json.Unmarshal(raw, &it); err != nil {
			p.rec.warn(w, "unreadable item ("+jsonProblem(err)+")", "left out")
			continue
		}
		v := p.scope(vars, it.Variable, w+".variable")
		a := inherit(it.Auth, auth)
		if it.Item != nil {
			p.items(it.Item, w+".item", v, a, depth+1)
			continue
		}
		if len(it.Request) == 0 {
			continue
		}
		if len(p.rec.Exchanges) >= MaxExchanges {
			p.over++
			continue
		}
		x, problem := p.request(it.Request, v, a)
		if x == nil {
			p.rec.warn(w+".request", problem, "left out")
			continue
		}
		x.Where, x.Name = w+".request", it.Name
		p.rec.Exchanges = append(p.rec.Exchanges, x)
		// Each saved example answer is an exchange of its own: its
		// request is the item's, its answer says what the API returns.
		for j, rr := range it.Response {
			if j >= 20 || len(p.rec.Exchanges) >= MaxExchanges {
				break
			}
			var r pmResponse
			if json.Unmarshal(rr, &r) != nil || r.Code < 100 || r.Code > 999 {
				continue
			}
			if x.Status == 0 {
				x.Status, x.RespHeader, x.RespBody = r.Code, pmHeader(r.Header, v), clip([]byte(r.Body))
				continue
			}
			y := *x
			y.Status, y.RespHeader, y.RespBody = r.Code, pmHeader(r.Header, v), clip([]byte(r.Body))
			p.rec.Exchanges = append(p.rec.Exchanges, &y)
		}
	}
}

// inherit is the auth in force: an item's own, unless it says "inherit"
// (or nothing), then its parent's.
func inherit(own, parent *pmAuth) *pmAuth {
	if own == nil || own.Type == "" || own.Type == "inherit" {
		return parent
	}
	return own
}

var pmVar = lazyre.New(`\{\{\s*([^{}]{1,128}?)\s*\}\}`)

// maxExpanded bounds what variable substitution may grow a string to, so
// that variables quoting each other cannot blow up.
const maxExpanded = 64 << 10

// expand replaces {{name}} by the variable's value, three levels deep
// (variables may name variables); an unknown variable stays as it is.
func expand(s string, vars map[string]string) string {
	for range 3 {
		if !strings.Contains(s, "{{") {
			return s
		}
		t := pmVar.ReplaceAllStringFunc(s, func(m string) string {
			name := strings.TrimSpace(m[2 : len(m)-2])
			if v, ok := vars[name]; ok {
				return v
			}
			return m
		})
		if len(t) > maxExpanded || t == s {
			return s
		}
		s = t
	}
	return s
}

func unresolved(s string) bool { return pmVar.MatchString(s) }

func (p *pmParser) request(raw json.RawMessage, vars map[string]string, auth *pmAuth) (*Exchange, string) {
	var rq pmRequest
	if s, ok := rawString(raw); ok {
		rq.Method, rq.URL = "GET", json.RawMessage(strconv.Quote(s))
	} else if err := json.Unmarshal(raw, &rq); err != nil {
		return nil, "unreadable request (" + jsonProblem(err) + ")"
	}
	method := strings.ToUpper(strings.TrimSpace(rq.Method))
	if method == "" {
		method = "GET"
	}
	if !validMethod(method) {
		return nil, "no usable method"
	}
	u, named, problem := p.url(rq.URL, vars)
	if u == nil {
		return nil, problem
	}
	x := &Exchange{Method: method, URL: u, Header: pmHeader(rq.Header, vars), Named: named}
	auth = inherit(rq.Auth, auth)
	applyAuth(x, auth, vars)
	if b := rq.Body; b != nil {
		ct := ""
		switch b.Mode {
		case "raw":
			x.Body = clip([]byte(expand(b.Raw, vars)))
			if b.Options != nil && b.Options.Raw != nil {
				switch strings.ToLower(b.Options.Raw.Language) {
				case "json":
					ct = "application/json"
				case "xml":
					ct = "application/xml"
				}
			}
			if ct == "" && json.Valid(x.Body) && len(bytes.TrimSpace(x.Body)) > 0 && strings.ContainsAny(string(bytes.TrimSpace(x.Body)[:1]), "{[") {
				ct = "application/json"
			}
			if ct == "" {
				ct = "text/plain"
			}
		case "urlencoded":
			q := url.Values{}
			for _, kv := range b.URLEncoded {
				if !kv.Disabled && kv.Key != "" {
					q.Add(expand(kv.Key, vars), expand(kv.value(), vars))
				}
			}
			x.Body, ct = clip([]byte(q.Encode())), "application/x-www-form-urlencoded"
		case "formdata":
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			for _, kv := range b.FormData {
				if kv.Disabled || kv.Key == "" {
					continue
				}
				if kv.Type == "file" {
					// The file itself is on the exporter's disk: an
					// empty part keeps the field.
					src, _ := rawString(kv.Src)
					fw, _ := w.CreateFormFile(kv.Key, pathBase(src))
					_, _ = fw.Write(nil)
					continue
				}
				_ = w.WriteField(expand(kv.Key, vars), expand(kv.value(), vars))
			}
			_ = w.Close()
			x.Body, ct = clip(buf.Bytes()), w.FormDataContentType()
		case "graphql":
			if b.GraphQL != nil {
				doc := map[string]any{"query": b.GraphQL.Query}
				var v any
				if s, ok := rawString(b.GraphQL.Variables); ok {
					_ = json.Unmarshal([]byte(expand(s, vars)), &v)
				} else if len(b.GraphQL.Variables) > 0 {
					_ = json.Unmarshal(b.GraphQL.Variables, &v)
				}
				if v != nil {
					doc["variables"] = v
				}
				body, _ := json.Marshal(doc)
				x.Body, ct = clip(body), "application/json"
			}
		}
		if len(x.Body) > 0 && x.Header.Get("Content-Type") == "" {
			x.Header.Set("Content-Type", ct)
		}
	}
	return x, ""
}

// url builds the request's URL. A URL whose start is a variable the
// collection leaves empty ({{baseUrl}}/notes) goes to opt.Base; :name
// segments are path variables, returned by segment index.
func (p *pmParser) url(raw json.RawMessage, vars map[string]string) (*url.URL, map[int]string, string) {
	var pu pmURL
	if s, ok := rawString(raw); ok {
		pu.Raw = s
	} else if err := json.Unmarshal(raw, &pu); err != nil {
		return nil, nil, "unreadable url (" + jsonProblem(err) + ")"
	}
	text := pu.Raw
	if text == "" {
		host := strings.Join(rawStrings(pu.Host), ".")
		path := strings.Join(rawStrings(pu.Path), "/")
		if host == "" {
			return nil, nil, "no url"
		}
		text = host
		if pu.Protocol != "" {
			text = pu.Protocol + "://" + host
		}
		if port := rawText(pu.Port); port != "" {
			text += ":" + port
		}
		if path != "" {
			text += "/" + path
		}
	}
	// The query is rebuilt from the query list when there is one: it
	// holds the disabled flags the raw text lacks.
	if pu.Query != nil {
		text, _, _ = strings.Cut(text, "?")
	}
	text, _, _ = strings.Cut(text, "#")
	text = expand(strings.TrimSpace(text), vars)
	if m := pmVar.FindStringIndex(text); m != nil && m[0] == 0 {
		if p.opt.Base == nil {
			return nil, nil, "its base URL is a variable with no value: give the collection's variables a value"
		}
		rest := text[m[1]:]
		text = strings.TrimRight(p.opt.Base.String(), "/") + "/" + strings.TrimLeft(rest, "/")
	}
	if !strings.Contains(text, "://") {
		text = "http://" + text
	}
	// Braces of unresolved variables are not URL characters: escape them
	// so that the rest still parses.
	u, err := url.Parse(strings.NewReplacer("{{", "%7B%7B", "}}", "%7D%7D").Replace(text))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Contains(u.Host, "%7B") {
		return nil, nil, "not an http(s) URL"
	}
	if pu.Query != nil {
		q := url.Values{}
		for i, kv := range pu.Query {
			if i >= MaxHeaders {
				break
			}
			if !kv.Disabled && kv.Key != "" {
				q.Add(expand(kv.Key, vars), expand(kv.value(), vars))
			}
		}
		u.RawQuery = q.Encode()
	}
	pathVars := map[string]string{}
	for _, kv := range pu.Variable {
		if kv.Key != "" {
			pathVars[kv.Key] = expand(kv.value(), vars)
		}
	}
	var named map[int]string
	segs := strings.Split(u.EscapedPath(), "/")
	for i, s := range segs {
		if len(s) < 2 || s[0] != ':' {
			continue
		}
		name := s[1:]
		if named == nil {
			named = map[int]string{}
		}
		named[i] = name
		if v := pathVars[name]; v != "" && !unresolved(v) {
			segs[i] = url.PathEscape(v)
		} else {
			segs[i] = "%7B" + url.PathEscape(name) + "%7D"
		}
	}
	if named != nil {
		p := strings.Join(segs, "/")
		if dec, err := url.PathUnescape(p); err == nil {
			u.Path, u.RawPath = dec, p
		}
	}
	if p := urlProblem(u); p != "" {
		return nil, nil, p
	}
	return u, named, ""
}

func pmHeader(raw json.RawMessage, vars map[string]string) http.Header {
	h := http.Header{}
	var kvs []pmKV
	if s, ok := rawString(raw); ok {
		// The v2 string form: "Name: value\nName: value".
		for _, line := range strings.Split(s, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				kvs = append(kvs, pmKV{Key: strings.TrimSpace(k), Value: json.RawMessage(strconv.Quote(strings.TrimSpace(v)))})
			}
		}
	} else {
		_ = json.Unmarshal(raw, &kvs)
	}
	for i, kv := range kvs {
		if i >= MaxHeaders {
			break
		}
		name := expand(kv.Key, vars)
		if kv.Disabled || !validHeaderName(name) {
			continue
		}
		v := expand(kv.value(), vars)
		if unresolved(v) {
			continue // a value only an environment Rampart lacks would give
		}
		h.Add(name, v)
	}
	return h
}

// applyAuth turns a Postman auth block into the header or query parameter
// it stands for, when its values are known; a {{token}} left to an
// environment is left to --identity.
func applyAuth(x *Exchange, a *pmAuth, vars map[string]string) {
	if a == nil {
		return
	}
	get := func(kvs []pmKV, key string) string {
		for _, kv := range kvs {
			if kv.Key == key {
				v := expand(kv.value(), vars)
				if unresolved(v) {
					return ""
				}
				return v
			}
		}
		return ""
	}
	switch a.Type {
	case "bearer":
		if t := get(a.Bearer, "token"); t != "" {
			x.Header.Set("Authorization", "Bearer "+t)
		}
	case "basic":
		u, pw := get(a.Basic, "username"), get(a.Basic, "password")
		if u != "" || pw != "" {
			x.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u+":"+pw)))
		}
	case "apikey":
		k, v := get(a.APIKey, "key"), get(a.APIKey, "value")
		if k == "" || v == "" {
			return
		}
		if get(a.APIKey, "in") == "query" {
			q := x.URL.Query()
			q.Set(k, v)
			x.URL.RawQuery = q.Encode()
			x.authNames = append(x.authNames, k)
		} else if validHeaderName(k) {
			x.Header.Set(k, v)
			x.authNames = append(x.authNames, http.CanonicalHeaderKey(k))
		}
	}
}

func rawString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return "", false
}

// rawText is a scalar as text: strings unquoted, numbers and booleans as
// written, anything else empty.
func rawText(raw json.RawMessage) string {
	if s, ok := rawString(raw); ok {
		return s
	}
	t := strings.TrimSpace(string(raw))
	if t == "" || t == "null" || strings.ContainsAny(t[:1], "{[") {
		return ""
	}
	return t
}

// rawStrings reads a host or path given as "a.b" / "a/b" or as a list.
func rawStrings(raw json.RawMessage) []string {
	if s, ok := rawString(raw); ok {
		return []string{strings.Trim(s, "/")}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for i, e := range list {
		if i >= 256 {
			break
		}
		if s, ok := rawString(e); ok {
			out = append(out, s)
			continue
		}
		// A path segment may be {"type": "string", "value": "x"}.
		var o struct {
			Value string `json:"value"`
		}
		if json.Unmarshal(e, &o) == nil && o.Value != "" {
			out = append(out, o.Value)
		}
	}
	return out
}

func pathBase(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "file"
	}
	return s
}
