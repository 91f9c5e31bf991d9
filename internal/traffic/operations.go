package traffic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/surface"
)

// Use is an in-scope exchange and the operation it was read into.
type Use struct {
	Exchange  *Exchange
	Recording *Recording
	Op        *rampart.Operation
}

// Built is the attack surface a set of recordings makes.
type Built struct {
	Operations []*rampart.Operation
	Uses       []Use
	Warnings   []rampart.InputWarning
}

// Build turns the in-scope exchanges of the recordings (credentials
// already stripped) into one operation per method and path template. base
// is the surface's base URL: operation paths are relative to it. inScope
// says whether a URL may be requested; an exchange outside is left out,
// and counted in one warning per recording.
func Build(recs []*Recording, base *url.URL, inScope func(string) bool) *Built {
	out := &Built{}
	basePath := strings.TrimRight(base.EscapedPath(), "/")
	var (
		paths []*pathOf
		named []map[int]string
		uses  []Use
	)
	values := map[string][]int{}
	for _, rec := range recs {
		hosts := map[string]bool{}
		outside := 0
		for _, x := range rec.Exchanges {
			p := x.URL.EscapedPath()
			if !inScope(x.URL.String()) || (basePath != "" && p != basePath && !strings.HasPrefix(p, basePath+"/")) {
				outside++
				hosts[x.URL.Host] = true
				continue
			}
			p = strings.TrimPrefix(p, basePath)
			if p == "" {
				p = "/"
			}
			i := len(paths)
			answer := decodeJSON(x.RespBody)
			paths = append(paths, &pathOf{segs: strings.Split(p, "/"), shape: shapeOf(x, answer)})
			named = append(named, x.Named)
			uses = append(uses, Use{Exchange: x, Recording: rec})
			collectValues(answer, i, values)
			collectValues(decodeJSON(x.Body), i, values)
		}
		if outside > 0 {
			list := slices.Sorted(maps.Keys(hosts))
			if len(list) > 5 {
				list = append(list[:5], "…")
			}
			out.Warnings = append(out.Warnings, rampart.InputWarning{
				File: rec.File, Path: entriesPath(rec.Source),
				Problem: fmt.Sprintf("%d of %d requests go to hosts outside the scan's scope (%s)", outside, len(rec.Exchanges), strings.Join(list, ", ")),
				Repair:  "left out and never requested; add a host with --scope to scan it",
			})
		}
	}
	tmpl := templates(paths, named, values)
	byKey := map[string]*opBuilder{}
	var order []string
	for i, u := range uses {
		key := u.Exchange.Method + " " + tmpl[i]
		b := byKey[key]
		if b == nil {
			b = &opBuilder{op: &rampart.Operation{Method: u.Exchange.Method, Path: tmpl[i], Source: u.Recording.Source}, files: map[string]int{}}
			byKey[key] = b
			order = append(order, key)
		}
		b.add(u.Exchange, u.Recording, paths[i])
		uses[i].Op = b.op
	}
	for _, k := range order {
		out.Operations = append(out.Operations, byKey[k].finish())
	}
	out.Uses = uses
	return out
}

func entriesPath(source string) string {
	if source == rampart.SourceHAR {
		return "log.entries"
	}
	return "item"
}

// opBuilder gathers the exchanges of one operation.
type opBuilder struct {
	op      *rampart.Operation
	n       int
	files   map[string]int
	fileOrd []string
	path    []rampart.Param
	query   map[string]*paramSeen
	qOrder  []string
	header  map[string]*paramSeen
	hOrder  []string
	body    *rampart.Body
	resps   map[string]*rampart.Response
	rOrder  []string
}

type paramSeen struct {
	count  int
	values []string
}

func (b *opBuilder) add(x *Exchange, rec *Recording, p *pathOf) {
	b.n++
	if b.files[rec.File] == 0 {
		b.fileOrd = append(b.fileOrd, rec.File)
	}
	b.files[rec.File]++
	if b.op.Summary == "" && x.Name != "" {
		b.op.Summary = x.Name
	}
	if b.n == 1 {
		b.namePath(p)
	}
	q := x.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) {
		b.query, b.qOrder = seen(b.query, b.qOrder, name, q[name])
	}
	for _, name := range slices.Sorted(maps.Keys(x.Header)) {
		if !customHeader(name) {
			continue
		}
		b.header, b.hOrder = seen(b.header, b.hOrder, http.CanonicalHeaderKey(name), x.Header[name])
	}
	if len(x.Body) > 0 {
		b.addBody(x)
	}
	if x.Status > 0 {
		b.addResponse(x)
	}
}

// namePath gives the path parameters their template's names (a
// collection's :name, or the name the template chose) and the recorded
// value as an example.
func (b *opBuilder) namePath(p *pathOf) {
	segs := strings.Split(b.op.Path, "/")
	for j, s := range segs {
		if !isBrace(s) || j >= len(p.segs) {
			continue
		}
		name := s[1 : len(s)-1]
		pr := rampart.Param{Name: name, In: "path", Required: true, Schema: &rampart.Schema{Type: "string"}}
		if v := unescape(p.segs[j]); !isBrace(p.segs[j]) {
			pr.Example, pr.Schema = scalar(v)
		}
		b.path = append(b.path, pr)
	}
}

func seen(m map[string]*paramSeen, order []string, name string, vs []string) (map[string]*paramSeen, []string) {
	if m == nil {
		m = map[string]*paramSeen{}
	}
	s := m[name]
	if s == nil {
		if len(m) >= MaxHeaders {
			return m, order
		}
		s = &paramSeen{}
		m[name] = s
		order = append(order, name)
	}
	s.count++
	if len(s.values) < 8 && len(vs) > 0 {
		s.values = append(s.values, vs[0])
	}
	return m, order
}

// scalar is a recorded text value as the JSON value it most likely is,
// with its schema.
func scalar(v string) (any, *rampart.Schema) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && (v == "0" || !strings.HasPrefix(v, "0")) {
		return n, &rampart.Schema{Type: "integer"}
	}
	if v == "true" || v == "false" {
		return v == "true", &rampart.Schema{Type: "boolean"}
	}
	return v, &rampart.Schema{Type: "string"}
}

// ordinaryHeaders are what a browser or HTTP client sends by itself; the
// rest of a request's headers (X-Tenant, X-Request-Id) are the API's own
// parameters. Hop-by-hop headers are never parameters.
var ordinaryHeaders = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Accept-Language": true, "Accept-Charset": true,
	"User-Agent": true, "Referer": true, "Origin": true, "Host": true, "Content-Type": true,
	"Content-Length": true, "Cache-Control": true, "Pragma": true, "Dnt": true, "Priority": true,
	"Upgrade-Insecure-Requests": true, "If-None-Match": true, "If-Modified-Since": true,
	"If-Match": true, "If-Unmodified-Since": true, "Range": true, "Postman-Token": true,
	"Connection": true, "Keep-Alive": true, "Te": true, "Trailer": true, "Transfer-Encoding": true,
	"Upgrade": true, "Proxy-Connection": true, "Expect": true, "X-Requested-With": true,
	"Sec-Gpc": true, "Purpose": true, "X-Forwarded-For": true, "X-Forwarded-Proto": true,
	"X-Forwarded-Host": true, "Via": true, "Forwarded": true,
}

func customHeader(name string) bool {
	c := http.CanonicalHeaderKey(name)
	return !ordinaryHeaders[c] && !strings.HasPrefix(c, "Sec-") && !IsCredentialHeader(c)
}

func (b *opBuilder) addBody(x *Exchange) {
	ct := x.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	var example any
	var schema *rampart.Schema
	switch {
	case strings.Contains(mt, "json") || (mt == "" && json.Valid(x.Body)):
		d := json.NewDecoder(bytes.NewReader(x.Body))
		d.UseNumber()
		if d.Decode(&example) != nil {
			return
		}
		schema = surface.InferSchema(example)
		example = withoutSecrets(example)
		if mt == "" {
			mt = "application/json"
		}
	case mt == "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(x.Body))
		if err != nil {
			return
		}
		example, schema = formExample(q)
	case mt == "multipart/form-data":
		r := multipart.NewReader(bytes.NewReader(x.Body), params["boundary"])
		q := url.Values{}
		files := map[string]bool{}
		for i := 0; i < MaxHeaders; i++ {
			part, err := r.NextPart()
			if err != nil {
				break
			}
			v, _ := io.ReadAll(io.LimitReader(part, 4096))
			if part.FileName() != "" {
				files[part.FormName()] = true
				continue
			}
			q.Add(part.FormName(), string(v))
		}
		example, schema = formExample(q)
		for f := range files {
			schema.Properties[f] = &rampart.Schema{Type: "string", Format: "binary"}
		}
	default:
		return
	}
	if b.body == nil {
		b.body = &rampart.Body{ContentType: mt, Required: true, Schema: schema, Example: example}
		return
	}
	if b.body.ContentType == mt && b.body.Schema != nil && schema != nil && b.body.Schema.Properties != nil {
		for k, v := range schema.Properties {
			if _, ok := b.body.Schema.Properties[k]; !ok {
				b.body.Schema.Properties[k] = v
			}
		}
	}
}

// placeholder stands for a secret field's recorded value in an example:
// an example is sent, and a recorded password never is, but an API that
// requires the field must still get one to reach the code behind it.
const placeholder = "rampart-placeholder"

// withoutSecrets replaces the secret fields of an example object with the
// placeholder.
func withoutSecrets(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		if secretField(k) {
			e = placeholder
		}
		out[k] = e
	}
	return out
}

func formExample(q url.Values) (any, *rampart.Schema) {
	ex := map[string]any{}
	s := &rampart.Schema{Type: "object", Properties: map[string]*rampart.Schema{}}
	for k, vs := range q {
		v, sch := scalar(vs[0])
		s.Properties[k] = sch
		if secretField(k) {
			v, s.Properties[k] = placeholder, &rampart.Schema{Type: "string"}
		}
		ex[k] = v
	}
	return ex, s
}

func (b *opBuilder) addResponse(x *Exchange) {
	status := strconv.Itoa(x.Status)
	if b.resps == nil {
		b.resps = map[string]*rampart.Response{}
	}
	r := b.resps[status]
	if r == nil {
		r = &rampart.Response{Status: status}
		b.resps[status] = r
		b.rOrder = append(b.rOrder, status)
	}
	if r.Schema != nil || len(x.RespBody) == 0 {
		return
	}
	ct := x.RespHeader.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt != "" {
		r.ContentType = mt
	}
	if strings.Contains(mt, "json") || (mt == "" && json.Valid(x.RespBody)) {
		d := json.NewDecoder(bytes.NewReader(x.RespBody))
		d.UseNumber()
		var v any
		if d.Decode(&v) == nil {
			r.Schema = surface.InferSchema(v)
			if r.ContentType == "" {
				r.ContentType = "application/json"
			}
		}
	}
}

func (b *opBuilder) finish() *rampart.Operation {
	op := b.op
	op.Params = append(op.Params, b.path...)
	addSeen := func(in string, m map[string]*paramSeen, order []string) {
		for _, name := range order {
			s := m[name]
			pr := rampart.Param{Name: name, In: in, Required: s.count == b.n}
			pr.Example, pr.Schema = scalar(s.values[0])
			for _, v := range s.values[1:] {
				if _, sch := scalar(v); sch.Type != pr.Schema.Type {
					pr.Example, pr.Schema = s.values[0], &rampart.Schema{Type: "string"}
					break
				}
			}
			op.Params = append(op.Params, pr)
		}
	}
	addSeen("query", b.query, b.qOrder)
	addSeen("header", b.header, b.hOrder)
	op.Body = b.body
	for _, s := range b.rOrder {
		op.Responses = append(op.Responses, *b.resps[s])
	}
	var parts []string
	for _, f := range b.fileOrd {
		n := b.files[f]
		word := "requests"
		if n == 1 {
			word = "request"
		}
		parts = append(parts, fmt.Sprintf("%s (%d %s)", f, n, word))
	}
	op.Origin = strings.Join(parts, ", ")
	return op
}
