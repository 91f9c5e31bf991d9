package pyast

import (
	"strconv"
	"strings"
)

// Helpers that read common Python shapes off the tree. They never panic on
// None or on nodes of an unexpected kind: they return None, "" or false.

// DottedName returns "a.b.c" for an identifier or a chain of attributes on
// an identifier, and "" for anything else (calls, subscripts, literals).
func (t *Tree) DottedName(id ID) string {
	id = t.Unwrap(id)
	if id < 0 {
		return ""
	}
	switch t.Nodes[id].Kind {
	case KindIdentifier:
		return t.Text(id)
	case KindAttribute:
		obj := t.DottedName(t.Child(id, FieldObject))
		attr := t.Child(id, FieldAttribute)
		if obj == "" || attr < 0 {
			return ""
		}
		// Written without spaces, comments or parentheses, the chain is its
		// own text: no need to build it.
		if s := t.Text(id); len(s) == len(obj)+1+int(t.Nodes[attr].End-t.Nodes[attr].Start) {
			return s
		}
		return obj + "." + t.Text(attr)
	case KindDottedName:
		return t.Text(id)
	}
	return ""
}

// RootName returns the identifier at the root of an expression made of
// attributes, subscripts and calls (request for request.args.get("x")),
// and None if the root is not an identifier.
func (t *Tree) RootName(id ID) ID {
	for t.valid(id) {
		switch t.Nodes[id].Kind {
		case KindIdentifier:
			return id
		case KindAttribute:
			id = t.Child(id, FieldObject)
		case KindSubscript:
			id = t.Child(id, FieldValue)
		case KindCall:
			id = t.Child(id, FieldFunction)
		case KindParenthesizedExpression:
			id = t.NamedChild(id, 0)
		default:
			return None
		}
	}
	return None
}

// LastName returns the last identifier of a name or attribute chain (the
// "execute" of cur.execute, the "login_required" of auth.login_required),
// looking through a call (jwt_required() → "jwt_required").
func (t *Tree) LastName(id ID) string {
	id = t.Unwrap(id)
	if id < 0 {
		return ""
	}
	switch t.Nodes[id].Kind {
	case KindIdentifier:
		return t.Text(id)
	case KindAttribute:
		return t.Text(t.Child(id, FieldAttribute))
	case KindCall:
		return t.LastName(t.Child(id, FieldFunction))
	}
	return ""
}

// Callee returns a call's function expression.
func (t *Tree) Callee(call ID) ID {
	if t.Kind(call) != KindCall {
		return None
	}
	return t.Child(call, FieldFunction)
}

// Args returns a call's argument_list, None for a generator argument.
func (t *Tree) Args(call ID) ID {
	a := t.Child(call, FieldArguments)
	if t.Kind(a) != KindArgumentList {
		return None
	}
	return a
}

// Arg returns the i-th positional argument of a call (0-based), None if
// there is none. Keyword arguments and splats are skipped.
func (t *Tree) Arg(call ID, i int) ID {
	for c := t.First(t.Args(call)); c >= 0; c = t.Next(c) {
		switch t.Nodes[c].Kind {
		case KindKeywordArgument, KindListSplat, KindDictionarySplat, KindToken:
			continue
		}
		if i == 0 {
			return c
		}
		i--
	}
	return None
}

// Kwarg returns the value of a keyword argument, None if absent.
func (t *Tree) Kwarg(call ID, name string) ID {
	for c := t.First(t.Args(call)); c >= 0; c = t.Next(c) {
		if t.Nodes[c].Kind == KindKeywordArgument && t.Is(t.Child(c, FieldName), name) {
			return t.Child(c, FieldValue)
		}
	}
	return None
}

// ArgOrKwarg returns the i-th positional argument, or else the keyword one.
func (t *Tree) ArgOrKwarg(call ID, i int, name string) ID {
	if a := t.Arg(call, i); a >= 0 {
		return a
	}
	return t.Kwarg(call, name)
}

// StringPrefix returns the lower-cased prefix of a string literal (f, rb…).
func (t *Tree) StringPrefix(id ID) string {
	if t.Kind(id) != KindString {
		return ""
	}
	b := t.Bytes(id)
	i := 0
	for i < len(b) && b[i] != '"' && b[i] != '\'' {
		i++
	}
	return strings.ToLower(string(b[:i]))
}

// IsFString reports whether a string literal is an f-string with at least
// one interpolation.
func (t *Tree) IsFString(id ID) bool {
	if t.Kind(id) != KindString || !strings.Contains(t.StringPrefix(id), "f") {
		return false
	}
	return t.ChildOfKind(id, KindInterpolation) >= 0
}

// StringValue returns the value of a string literal, or of an implicit
// concatenation of them, when it has no interpolation. Common escapes are
// decoded; others are kept as written.
func (t *Tree) StringValue(id ID) (string, bool) {
	id = t.Unwrap(id)
	switch t.Kind(id) {
	case KindConcatenatedString:
		var b strings.Builder
		for c := t.First(id); c >= 0; c = t.Next(c) {
			s, ok := t.StringValue(c)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	case KindString:
		raw := strings.Contains(t.StringPrefix(id), "r")
		if s, ok, plain := t.plainString(id, raw); plain {
			return s, ok
		}
		var b strings.Builder
		for c := t.First(id); c >= 0; c = t.Next(c) {
			switch t.Nodes[c].Kind {
			case KindInterpolation:
				return "", false
			case KindStringContent:
				if raw {
					b.Write(t.Bytes(c))
				} else {
					b.WriteString(unescape(t.Bytes(c)))
				}
			case KindEscapeSequence:
				b.WriteString(unescape(t.Bytes(c)))
			}
		}
		return b.String(), true
	}
	return "", false
}

// plainString answers StringValue for a string of at most one piece of
// text with nothing to decode (most literals): that text is the value, as
// it is in the source, with no copy. plain is false for any other string.
func (t *Tree) plainString(id ID, raw bool) (s string, ok, plain bool) {
	text := None
	for c := t.First(id); c >= 0; c = t.Next(c) {
		switch t.Nodes[c].Kind {
		case KindInterpolation:
			return "", false, true
		case KindEscapeSequence:
			return "", false, false
		case KindStringContent:
			if text >= 0 {
				return "", false, false
			}
			text = c
		}
	}
	if text < 0 {
		return "", true, true
	}
	if !raw && containsByte(t.Bytes(text), '\\') {
		return "", false, false
	}
	return t.Text(text), true, true
}

// unescape decodes the escapes that matter for reading SQL and keys; it
// leaves the rest as written.
func unescape(b []byte) string {
	if !containsByte(b, '\\') {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			sb.WriteByte(b[i])
			continue
		}
		i++
		switch b[i] {
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case '\\', '\'', '"':
			sb.WriteByte(b[i])
		case '\n':
			// line continuation inside a string
		default:
			sb.WriteByte('\\')
			sb.WriteByte(b[i])
		}
	}
	return sb.String()
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// Bool returns the value of a True/False literal.
func (t *Tree) Bool(id ID) (value, ok bool) {
	switch t.Kind(t.Unwrap(id)) {
	case KindTrue:
		return true, true
	case KindFalse:
		return false, true
	}
	return false, false
}

// Int returns the value of an integer literal.
func (t *Tree) Int(id ID) (int64, bool) {
	id = t.Unwrap(id)
	if t.Kind(id) != KindInteger {
		return 0, false
	}
	s := strings.ReplaceAll(t.Text(id), "_", "")
	v, err := strconv.ParseInt(s, 0, 64)
	return v, err == nil
}

// StringList returns the strings of a list, tuple or set literal of string
// literals (methods=["GET", "POST"]); ok is false if any element is not one.
func (t *Tree) StringList(id ID) (out []string, ok bool) {
	id = t.Unwrap(id)
	switch t.Kind(id) {
	case KindList, KindTuple, KindSet:
	default:
		if s, ok := t.StringValue(id); ok {
			return []string{s}, true
		}
		return nil, false
	}
	for c := t.First(id); c >= 0; c = t.Next(c) {
		s, ok := t.StringValue(c)
		if !ok {
			return out, false
		}
		out = append(out, s)
	}
	return out, true
}

// Operator returns the operator token of a binary, boolean, unary or
// augmented-assignment node ("%", "+", "and", "+="), "" if none.
func (t *Tree) Operator(id ID) string {
	return t.Text(t.Child(id, FieldOperator))
}

// CompareOps returns the operators of a comparison ("==", "not in", …).
func (t *Tree) CompareOps(id ID) []string {
	var out []string
	for c := t.First(id); c >= 0; c = t.Next(c) {
		if t.Nodes[c].Field == FieldOperators {
			op := t.Text(c)
			if !strings.ContainsAny(op, "\t\r\n\\") && !strings.Contains(op, "  ") && op == strings.TrimSpace(op) {
				out = append(out, op) // ==, in, not in: already as written
			} else { // a backslash between the words can only continue the line
				out = append(out, strings.Join(strings.Fields(strings.ReplaceAll(op, "\\", " ")), " "))
			}
		}
	}
	return out
}

// Operands returns the operands of a comparison, in order.
func (t *Tree) Operands(id ID) []ID {
	var out []ID
	for c := t.First(id); c >= 0; c = t.Next(c) {
		if t.Nodes[c].Field != FieldOperators {
			out = append(out, c)
		}
	}
	return out
}

// Body returns the block of a function, class, loop, with or clause.
func (t *Tree) Body(id ID) ID {
	if b := t.Child(id, FieldBody); b >= 0 {
		return b
	}
	if b := t.Child(id, FieldConsequence); b >= 0 {
		return b
	}
	return t.ChildOfKind(id, KindBlock)
}

// FuncName returns a function or class definition's name.
func (t *Tree) FuncName(def ID) string {
	return t.Text(t.Child(def, FieldName))
}

// Params returns the parameter names of a function definition, in order,
// with *args and **kwargs under their bare names.
func (t *Tree) Params(def ID) []string {
	var out []string
	ps := t.Child(def, FieldParameters)
	for c := t.First(ps); c >= 0; c = t.Next(c) {
		if name := t.ParamName(c); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// ParamName returns the name a parameter node binds, "" for separators.
func (t *Tree) ParamName(p ID) string {
	switch t.Kind(p) {
	case KindIdentifier:
		return t.Text(p)
	case KindDefaultParameter, KindTypedDefaultParameter:
		if n := t.Child(p, FieldName); t.Kind(n) == KindIdentifier {
			return t.Text(n)
		}
	case KindTypedParameter, KindListSplatPattern, KindDictionarySplatPattern:
		for c := t.First(p); c >= 0; c = t.Next(c) {
			if n := t.ParamName(c); n != "" {
				return n
			}
		}
	}
	return ""
}

// Definition returns the function or class definition a node is, or
// decorates; None otherwise.
func (t *Tree) Definition(id ID) ID {
	switch t.Kind(id) {
	case KindFunctionDefinition, KindClassDefinition:
		return id
	case KindDecoratedDefinition:
		return t.Child(id, FieldDefinition)
	}
	return None
}

// Decorators returns the decorator nodes of a definition, top to bottom.
func (t *Tree) Decorators(def ID) []ID {
	p := t.Parent(def)
	if p < 0 || t.Kind(p) != KindDecoratedDefinition {
		return nil
	}
	var out []ID
	for c := t.First(p); c >= 0; c = t.Next(c) {
		if t.Nodes[c].Kind == KindDecorator {
			out = append(out, c)
		}
	}
	return out
}

// Statement returns the statement (a direct child of a block or module) that
// contains a node.
func (t *Tree) Statement(id ID) ID {
	for t.valid(id) {
		p := t.Parent(id)
		if p < 0 {
			return id
		}
		switch t.Nodes[p].Kind {
		case KindBlock, KindModule:
			return id
		}
		id = p
	}
	return None
}

// EnclosingFunc returns the innermost function definition around a node.
func (t *Tree) EnclosingFunc(id ID) ID { return t.Ancestor(id, KindFunctionDefinition) }
