package privesc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/check"
	"github.com/rampart-sec/rampart/internal/engine"
	"github.com/rampart-sec/rampart/internal/identity"
	"github.com/rampart-sec/rampart/internal/signup"
	"github.com/rampart-sec/rampart/internal/surface"
)

// maxReadBacks bounds the reads tried for an account's own record.
const maxReadBacks = 4

// persisted is the second proof of MASS-002, for APIs where no read is
// reserved to administrators: the account signed up with the privileged
// fields reads its own record back and it carries them with the values
// sent, while the control account, signed up without them, reads the same
// field with another value. The field is stored per account and the
// sign-up request set it: a privilege anyone can give themselves.
type persisted struct {
	field    string
	value    any
	control  any
	resp     *engine.Response // the account's read (an excerpt)
	ctrlResp *engine.Response
}

// readBack looks for the account's record in up to maxReadBacks plain
// reads: ones without path parameters (a listing, a profile) and ones
// whose single path parameter takes the account's own key.
func readBack(ctx context.Context, p *check.Pass, a *signup.Account, control *identity.Identity, fields map[string]any) *persisted {
	tried := 0
	for _, op := range p.Surface {
		if tried == maxReadBacks || ctx.Err() != nil {
			break
		}
		if op.Method != http.MethodGet || !surface.PlainRead(op) {
			continue
		}
		var paths []rampart.Param
		for _, prm := range op.Params {
			if prm.In == "path" {
				paths = append(paths, prm)
			}
		}
		if len(paths) > 1 {
			continue
		}
		urlFor := func(name, email, id string) (string, bool) {
			if len(paths) == 0 {
				return p.URL(op, map[string]string{}), true
			}
			v, _ := signup.PersonKey(paths[0].Name, id, name, email)
			if v == "" {
				return "", false
			}
			return p.URL(op, map[string]string{paths[0].Name: v}), true
		}
		u, ok := urlFor(a.Name, a.Email, a.ID())
		if !ok {
			continue
		}
		tried++
		resp, err := p.Get(ctx, a.Identity, u, nil)
		if err != nil || resp.Status/100 != 2 {
			continue
		}
		field, value, found := recordField(resp.Body, a.Name, a.Email, fields)
		if !found {
			continue
		}
		cu, ok := urlFor(control.Name, "", "")
		if !ok {
			continue
		}
		cr, err := p.Get(ctx, control, cu, nil)
		if err != nil || cr.Status/100 != 2 {
			continue
		}
		cv, ok := fieldOf(cr.Body, control.Name, field)
		if !ok || same(cv, value) {
			continue // the control has it too: a default, not the request's doing
		}
		return &persisted{field: field, value: value, control: cv, resp: p.Excerpt(resp), ctrlResp: p.Excerpt(cr)}
	}
	return nil
}

// recordField finds, in an answer, the object that is the account's own
// record (a field holds its name or e-mail address) and in it one of the
// privileged fields with the value sent.
func recordField(body []byte, name, email string, fields map[string]any) (string, any, bool) {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return "", nil, false
	}
	var field string
	var value any
	walkObjects(doc, 0, func(o map[string]any) bool {
		if !holds(o, name) && (email == "" || !holds(o, email)) {
			return false
		}
		for k, sent := range fields {
			if v, ok := o[k]; ok && same(v, sent) {
				field, value = k, v
				return true
			}
		}
		return false
	})
	return field, value, field != ""
}

// fieldOf is a field of the record of the named account in an answer.
func fieldOf(body []byte, name, field string) (any, bool) {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return nil, false
	}
	var v any
	var found bool
	walkObjects(doc, 0, func(o map[string]any) bool {
		if !holds(o, name) {
			return false
		}
		v, found = o[field]
		return found
	})
	return v, found
}

// walkObjects calls f on every object of a JSON document, depth first,
// until f returns true.
func walkObjects(v any, depth int, f func(map[string]any) bool) bool {
	if depth > 6 {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if f(x) {
			return true
		}
		for _, c := range x {
			if walkObjects(c, depth+1, f) {
				return true
			}
		}
	case []any:
		for _, c := range x {
			if walkObjects(c, depth+1, f) {
				return true
			}
		}
	}
	return false
}

// holds reports whether a field of the object (not nested) is s.
func holds(o map[string]any, s string) bool {
	for _, v := range o {
		if str, ok := v.(string); ok && strings.EqualFold(str, s) {
			return true
		}
	}
	return false
}

// same compares a JSON value with a value sent, as the API may have stored
// it: true and "true", "admin" and "Admin".
func same(a, b any) bool {
	return strings.EqualFold(fmt.Sprint(a), fmt.Sprint(b))
}
