package apimodel

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Envelope is what Open took off an answer to reach its payload.
type Envelope struct {
	// Payload is the object or list the answer carries.
	Payload any
	// Path is the keys walked to reach it, dotted ("data", "result.items");
	// empty when the answer is its own payload.
	Path string
	// Collection is the key of a named collection the payload sat under
	// ({"pages": [...]} → "pages"): it names the things listed.
	Collection string
	// Page is the pagination the envelope announced, nil when none.
	Page *Page
}

// Page is pagination an envelope announces.
type Page struct {
	Next  string `json:"next,omitempty"` // a URL, a cursor or a page number, as written
	Page  int    `json:"page,omitempty"`
	Pages int    `json:"pages,omitempty"`
	Total int    `json:"total,omitempty"`
}

// payloadKeys hold an envelope's payload.
var payloadKeys = map[string]bool{
	"data": true, "result": true, "results": true, "items": true, "payload": true, "records": true,
	"content": true, "entries": true, "objects": true, "rows": true, "hits": true, "docs": true,
	"response": true, "body": true, "list": true, "elements": true, "resources": true, "value": true,
}

// metaKeys are what an envelope says beside its payload: status, messages,
// pagination.
var metaKeys = map[string]bool{
	"status": true, "success": true, "ok": true, "code": true, "message": true, "msg": true, "error": true,
	"errors": true, "meta": true, "links": true, "page": true, "pages": true, "perpage": true,
	"pagesize": true, "size": true, "limit": true, "offset": true, "total": true, "count": true,
	"totalcount": true, "totalpages": true, "totalitems": true, "totalresults": true, "next": true,
	"previous": true, "prev": true, "cursor": true, "nextcursor": true, "nextpage": true, "prevcursor": true,
	"hasmore": true, "hasnext": true, "hasprevious": true, "timestamp": true, "version": true,
	"requestid": true, "first": true, "last": true, "warnings": true, "info": true, "kind": true,
	"type": true, "pagination": true, "paging": true, "self": true, "href": true,
}

// containerMeta are the meta keys whose value may be an object or a list
// ({"meta": {...}, "links": {...}}); "pages" holding a list is content.
var containerMeta = map[string]bool{
	"meta": true, "links": true, "pagination": true, "paging": true, "errors": true, "warnings": true, "info": true,
}

func metaKey(k string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", "@", "").Replace(k))
	return metaKeys[n]
}

// maxEnvelopes bounds how many envelopes Open takes off.
const maxEnvelopes = 4

// Unwrap returns the payload of a decoded answer: the object or list
// inside {"status":…,"data":{…}}, {"result":…}, {"items":[…],"next":…},
// {"pages":[…],"total":3} and the like, however many of them nest.
// Anything else is its own payload. Checks unwrap with it, so that every
// part of Rampart agrees on what an answer carries.
func Unwrap(doc any) any { return Open(doc).Payload }

// UnwrapBody decodes a JSON body (bounded, see decode) and unwraps it;
// false when the body is not a JSON object or array.
func UnwrapBody(body []byte) (any, bool) {
	doc, ok := decode(body)
	if !ok {
		return nil, false
	}
	return Unwrap(doc), true
}

// Open unwraps a decoded answer and says what it took off.
func Open(doc any) Envelope {
	env := Envelope{Payload: doc}
	var path []string
	for range maxEnvelopes {
		m, ok := env.Payload.(map[string]any)
		if !ok {
			break
		}
		key := envelopeKey(m)
		if key == "" {
			break
		}
		if p := pageOf(m); p != nil {
			env.Page = p
		}
		if !payloadKeys[strings.ToLower(key)] {
			env.Collection = key
		}
		path = append(path, key)
		env.Payload = m[key]
	}
	env.Path = strings.Join(path, ".")
	return env
}

// envelopeKey is the key of m that holds its payload, "" when m is no
// envelope: one payload-named key (or, failing that, one key holding a
// list, or the only key holding an object) beside nothing but
// envelope-meta keys.
func envelopeKey(m map[string]any) string {
	var payload, lists, objects []string
	for k, v := range m {
		switch v.(type) {
		case map[string]any, []any:
		default:
			if !metaKey(k) {
				return "" // a field of an object, not an envelope
			}
			continue
		}
		switch {
		case payloadKeys[strings.ToLower(k)]:
			payload = append(payload, k)
		case containerMeta[strings.ToLower(strings.TrimLeft(k, "_"))]:
			// links, meta, errors: what an envelope carries beside
		default:
			if _, isList := v.([]any); isList {
				lists = append(lists, k)
			} else {
				objects = append(objects, k)
			}
		}
	}
	switch {
	case len(payload) == 1 && len(lists)+len(objects) == 0:
		return payload[0]
	case len(payload) == 0 && len(lists) == 1 && len(objects) == 0:
		return lists[0]
	case len(payload) == 0 && len(lists) == 0 && len(objects) == 1 && len(m) == 1:
		return objects[0]
	}
	return ""
}

func pageOf(m map[string]any) *Page {
	var p Page
	found := false
	for k, v := range m {
		if scalarText(v) == "" {
			continue // a "pages" list is content, not a count
		}
		n := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
		switch n {
		case "next", "nextpage", "nextcursor", "cursor":
			if s := scalarText(v); s != "" {
				p.Next, found = s, true
			}
		case "page":
			p.Page, found = intOf(v), true
		case "pages", "totalpages":
			p.Pages, found = intOf(v), true
		case "total", "totalcount", "totalitems", "totalresults", "count":
			p.Total, found = intOf(v), true
		}
	}
	if !found {
		return nil
	}
	return &p
}

func intOf(v any) int {
	if s := scalarText(v); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	return 0
}

// scalarText renders a JSON scalar; "" for containers and booleans.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}
