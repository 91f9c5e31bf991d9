package check

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/rampart-sec/rampart/internal/engine"
)

// maxRejected bounds the API's message in a body-rejected detail: enough
// for "field required: items", short enough for a coverage table.
const maxRejected = 120

// Rejected is the detail of a unit whose request body the API refused:
// the status and the API's own validation message ("the API answered 422:
// field required: items"), on one line and cut short, so the user sees
// which field wants an example.
func Rejected(resp *engine.Response) string {
	if resp == nil {
		return ""
	}
	msg := validationMessage(resp.Body)
	if msg == "" {
		return fmt.Sprintf("the API answered %d", resp.Status)
	}
	return fmt.Sprintf("the API answered %d: %s", resp.Status, msg)
}

func validationMessage(body []byte) string {
	var doc any
	var s string
	if json.Unmarshal(body, &doc) == nil {
		s = messageOf(doc, 0)
	} else {
		s = string(body)
		if strings.Contains(strings.ToLower(s), "<html") {
			return "" // an error page: its markup says nothing of the field
		}
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }), " ")
	if r := []rune(s); len(r) > maxRejected {
		s = string(r[:maxRejected-1]) + "…"
	}
	return s
}

// messageKeys are where validation answers put their message, most
// specific first (FastAPI's detail list, Flask's message, a problem+json
// detail).
var messageKeys = []string{"detail", "errors", "message", "error", "msg", "description", "title"}

// messageOf finds the message in a decoded answer: the first string under
// a message key, a FastAPI-style {"msg", "loc"} as "msg: field".
func messageOf(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var parts []string
		for _, e := range x {
			if m := messageOf(e, depth+1); m != "" {
				parts = append(parts, m)
			}
			if len(parts) == 3 {
				break
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		if msg, ok := x["msg"].(string); ok {
			if loc, ok := x["loc"].([]any); ok && len(loc) > 0 {
				return fmt.Sprintf("%s: %v", msg, loc[len(loc)-1])
			}
			return msg
		}
		for _, k := range messageKeys {
			if m := messageOf(x[k], depth+1); m != "" {
				return m
			}
		}
		// {"field": ["message"]}: the field names what to fix.
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if l, ok := x[k].([]any); ok && len(l) > 0 {
				if s, ok := l[0].(string); ok {
					return k + ": " + s
				}
			}
		}
	}
	return ""
}
