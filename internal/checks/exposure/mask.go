package exposure

import (
	"encoding/json"
	"strings"

	"github.com/rampart-sec/rampart"
	"github.com/rampart-sec/rampart/internal/lazyre"
)

var pemBlock = lazyre.New(`-----BEGIN [A-Z ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY[A-Z ]*-----|$)`)

// maskEvidence replaces every found value in the evidence, raw and as JSON
// writes it (a PEM key's newlines are \n in a body).
func maskEvidence(ev rampart.Evidence, hits []hit) rampart.Evidence {
	for _, h := range hits {
		m := mask(h)
		forms := []string{h.value}
		if b, err := json.Marshal(h.value); err == nil {
			forms = append(forms, strings.Trim(string(b), `"`))
		}
		forms = append(forms, strings.ReplaceAll(h.value, "\n", `\n`), strings.ReplaceAll(h.value, "/", `\/`))
		for _, f := range forms {
			if len(f) >= 4 {
				ev.Response = strings.ReplaceAll(ev.Response, f, m)
				ev.Request = strings.ReplaceAll(ev.Request, f, m)
			}
		}
	}
	for _, h := range hits {
		// A card's CVV and expiry are short: masked where they stand as a
		// JSON value, so that no other text with the same digits changes.
		for _, part := range h.parts {
			for _, form := range []string{`"` + part + `"`, `: ` + part + `,`, `:` + part + `,`, `: ` + part + `}`, `:` + part + `}`} {
				masked := strings.Replace(form, part, strings.Repeat("*", len(part)), 1)
				ev.Response = strings.ReplaceAll(ev.Response, form, masked)
			}
		}
	}
	ev.Response = pemBlock.ReplaceAllString(ev.Response, "-----BEGIN … PRIVATE KEY----- [masked]")
	return ev
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
