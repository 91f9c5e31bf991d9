package rampart

import (
	"slices"
	"strings"
)

// ReplayVariable is a shell variable the report's curl lines use in place
// of an identity's credential header: the report never holds the
// credential, so whoever replays a line sets the variable to it first.
type ReplayVariable struct {
	Name string `json:"name"` // ALICE_AUTHORIZATION
	// Identity is whose header it is; empty for a credential header the
	// scan sent as no identity.
	Identity string `json:"identity,omitempty"`
	Header   string `json:"header"` // Authorization
	// Shape is the value with its secret parts left out: "Bearer …",
	// "session=…; csrf_token=…".
	Shape string `json:"shape,omitempty"`
}

// String is the legend line: "$ALICE_AUTHORIZATION = alice's
// Authorization header (Bearer …)".
func (v ReplayVariable) String() string { return "$" + v.Name + " = " + v.Whose() }

// Whose says what the variable holds: "alice's Authorization header
// (Bearer …)".
func (v ReplayVariable) Whose() string {
	whose := "the " + v.Header + " header the scan sent as no identity"
	if v.Identity != "" {
		whose = v.Identity + "'s " + v.Header + " header"
	}
	if v.Shape != "" {
		whose += " (" + v.Shape + ")"
	}
	return whose
}

// ReplayHowTo says how to set the variables before replaying a curl line,
// with ReplayExample in it.
func ReplayHowTo(vars []ReplayVariable) string {
	if len(vars) == 0 {
		return ""
	}
	return "Set them before replaying a curl line: " + ReplayExample(vars) + " with the identity's " +
		"own credential in place of …. Tokens and cookies Rampart forged are written out in the lines."
}

// ReplayExample is the shell line that sets the first variable:
// export ALICE_AUTHORIZATION='Bearer …'.
func ReplayExample(vars []ReplayVariable) string {
	if len(vars) == 0 {
		return ""
	}
	v := vars[0]
	value := v.Shape
	if value == "" {
		value = "…"
	}
	return "export " + v.Name + "='" + strings.ReplaceAll(value, "'", `'\''`) + "'"
}

// UsedReplay returns the variables of vars that a curl line of findings
// (theirs or a related request's) uses, in vars' order.
func UsedReplay(vars []ReplayVariable, findings []Finding) []ReplayVariable {
	var out []ReplayVariable
	for _, v := range vars {
		used := false
		for i := 0; i < len(findings) && !used; i++ {
			f := &findings[i]
			used = usesVariable(f.Curl, v.Name)
			for _, r := range f.Related {
				used = used || usesVariable(r.Curl, v.Name)
			}
		}
		if used && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// usesVariable reports whether a shell line expands $name (not a longer
// name that starts with it).
func usesVariable(line, name string) bool {
	for rest := line; ; {
		i := strings.Index(rest, "$"+name)
		if i < 0 {
			return false
		}
		rest = rest[i+1+len(name):]
		if rest == "" || !isNameByte(rest[0]) {
			return true
		}
	}
}

func isNameByte(b byte) bool {
	return b == '_' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}
