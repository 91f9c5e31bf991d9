package codescan

import (
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

func (u *unit) eval(id pyast.ID) val {
	t := u.t()
	id = t.Unwrap(id)
	if id < 0 {
		return newVal()
	}
	switch t.Kind(id) {
	case pyast.KindIdentifier:
		return u.name(id)
	case pyast.KindAttribute:
		return u.attribute(id)
	case pyast.KindSubscript:
		return u.subscript(id)
	case pyast.KindCall:
		return u.call(id)
	case pyast.KindString:
		return u.str(id)
	case pyast.KindConcatenatedString:
		out := val{ev: -1, cnst: true}
		for c := t.First(id); c >= 0; c = t.Next(c) {
			v := u.str(c)
			out.str = append(out.str, v.str...)
			out.l |= v.l
			out.p |= v.p
			out.built = out.built || v.built
			out.cnst = out.cnst && v.cnst
		}
		return out
	case pyast.KindInteger, pyast.KindFloat, pyast.KindTrue, pyast.KindFalse, pyast.KindNone, pyast.KindEllipsis:
		return constVal()
	case pyast.KindBinaryOperator:
		return u.binop(id)
	case pyast.KindBooleanOperator:
		a := u.eval(t.Child(id, pyast.FieldLeft))
		b := u.eval(t.Child(id, pyast.FieldRight))
		return merge(a, b)
	case pyast.KindComparisonOperator:
		// A role compared outside an if (`allowed = user["role"] == "admin"`,
		// `return g.user["role"] in STAFF`) is a role check once a guard
		// tests the result.
		var g guard
		u.condition(id, &g)
		out := constVal()
		if g.role {
			out.l |= lRole
		}
		return out
	case pyast.KindNotOperator:
		out := constVal()
		out.l |= u.eval(t.Child(id, pyast.FieldArgument)).l & lRole
		return out
	case pyast.KindUnaryOperator:
		v := taintOf(u.eval(t.Child(id, pyast.FieldArgument)))
		v.l |= lArith
		return v
	case pyast.KindConditionalExpression:
		a := u.eval(t.NamedChild(id, 0))
		u.eval(t.NamedChild(id, 1))
		b := u.eval(t.NamedChild(id, 2))
		return merge(a, b)
	case pyast.KindList, pyast.KindTuple, pyast.KindSet, pyast.KindExpressionList:
		out := val{ev: -1, cnst: true}
		elems := []val{}
		for c := t.First(id); c >= 0; c = t.Next(c) {
			v := u.eval(c)
			elems = append(elems, v)
			out.l |= v.l &^ lWhole
			if v.has(lWhole) {
				out.l |= lWhole
			}
			out.p |= v.p
			out.pw |= v.pw
			out.cnst = out.cnst && v.cnst
		}
		out.setElements(elems)
		return out
	case pyast.KindDictionary:
		out := val{ev: -1, cnst: true}
		for c := t.First(id); c >= 0; c = t.Next(c) {
			var v val
			switch t.Kind(c) {
			case pyast.KindPair:
				if k := t.Child(c, pyast.FieldKey); t.Kind(k) != pyast.KindString {
					kv := u.eval(k)
					out.l |= kv.l & (lKey | lReq)
				}
				v = u.eval(t.Child(c, pyast.FieldValue))
			case pyast.KindDictionarySplat:
				v = u.eval(t.NamedChild(c, 0))
				out.l |= v.l & lKey
			default:
				v = u.eval(c)
			}
			out.l |= v.l &^ lKey
			out.p |= v.p
			out.pw |= v.pw
			out.cnst = out.cnst && v.cnst
			out.exc = out.exc || v.exc
		}
		return out
	case pyast.KindListComprehension, pyast.KindSetComprehension, pyast.KindGeneratorExpression, pyast.KindDictionaryComprehension:
		return u.comprehension(id)
	case pyast.KindLambda:
		return u.lambdaVal(id)
	case pyast.KindAwait:
		return u.eval(t.NamedChild(id, 0))
	case pyast.KindNamedExpression:
		v := u.eval(t.Child(id, pyast.FieldValue))
		u.bind(t.Child(id, pyast.FieldName), v)
		return v
	case pyast.KindKeywordArgument:
		return u.eval(t.Child(id, pyast.FieldValue))
	case pyast.KindListSplat, pyast.KindDictionarySplat:
		return u.eval(t.NamedChild(id, 0))
	case pyast.KindSlice:
		for c := t.First(id); c >= 0; c = t.Next(c) {
			u.eval(c)
		}
		return constVal()
	case pyast.KindError, pyast.KindParenthesizedExpression:
		out := newVal()
		for c := t.First(id); c >= 0; c = t.Next(c) {
			out = merge(out, u.eval(c))
		}
		return out
	}
	return newVal()
}

func (u *unit) name(id pyast.ID) val {
	t := u.t()
	b := t.Bytes(id)
	for x := u; x != nil; x = x.parent {
		if v, ok := x.env[string(b)]; ok {
			return v
		}
	}
	if !u.module {
		if v, ok := u.f.env[string(b)]; ok {
			return v
		}
	}
	name := string(b)
	if u.f.mod.IsIdentitySource(id) {
		u.a.identUsed = true
		return val{ev: -1, l: lIdent}
	}
	switch name {
	case "request":
		return val{ev: -1, obj: u.f.requestObj}
	case "True", "False", "None", "__name__":
		return constVal()
	}
	if q, ok := u.f.mod.Imports[name]; ok {
		if q == "flask.request" {
			return val{ev: -1, obj: u.f.requestObj}
		}
		return constVal() // an imported module, class or constant
	}
	if _, ok := u.f.mod.Defs[name]; ok {
		return constVal()
	}
	if isUpperConst(name) {
		return constVal()
	}
	return newVal()
}

func isUpperConst(s string) bool {
	hasUpper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			hasUpper = true
		case c == '_' || c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return hasUpper
}

func (u *unit) attribute(id pyast.ID) val {
	t := u.t()
	if u.f.mod.IsIdentitySource(id) {
		u.a.identUsed = true
		u.eval(t.Child(id, pyast.FieldObject))
		return val{ev: -1, l: lIdent}
	}
	objNode := t.Child(id, pyast.FieldObject)
	attr := t.Text(t.Child(id, pyast.FieldAttribute))
	if u.f.restPayload(objNode, attr) {
		return val{ev: -1, l: lReq | lInj | lKey}
	}
	if t.Is(objNode, "g") {
		if o, ok := u.f.gObjects[attr]; ok {
			return val{ev: -1, obj: o}
		}
	}
	if configMappings[t.DottedName(id)] {
		return constVal()
	}
	obj := u.eval(objNode)
	if obj.obj != nil {
		switch obj.obj.kind {
		case objRequest:
			switch {
			case requestDicts[attr]:
				return val{ev: -1, l: lReq | lInj | lKey}
			case requestTexts[attr]:
				v := val{ev: -1, l: lReq | lInj}
				if attr == "origin" {
					v.l |= lOrigin
				}
				return v
			}
			return constVal()
		case objCursor:
			if attr == "connection" && obj.obj.conn != nil {
				return val{ev: -1, obj: obj.obj.conn}
			}
			if attr == "description" || attr == "rowcount" || attr == "lastrowid" {
				return val{ev: obj.obj.lastEv, l: lRow}
			}
		}
	}
	if obj.exc {
		switch attr {
		case "description", "name", "code", "status_code", "status":
			return constVal()
		}
		return val{ev: -1, l: lExc}
	}
	return fieldOf(obj, attr)
}

func (u *unit) subscript(id pyast.ID) val {
	t := u.t()
	if u.f.mod.IsIdentitySource(id) {
		u.a.identUsed = true
		u.eval(t.Child(id, pyast.FieldValue))
		return val{ev: -1, l: lIdent}
	}
	objNode := t.Unwrap(t.Child(id, pyast.FieldValue))
	keyNode := t.Child(id, pyast.FieldSubscript)
	key := u.eval(keyNode)
	if t.Is(objNode, "session") {
		return newVal() // set by the app itself; identity keys were handled above
	}
	obj := u.eval(objNode)
	if obj.cnst && !obj.has(lReq|lRow|lIdent) {
		return constVal() // a lookup in a constant table: an allowlist
	}
	k, _ := t.StringValue(keyNode)
	if n, ok := t.Int(keyNode); ok && obj.has(lRow) {
		k = "#" + strconv.Itoa(int(n)) // row[0]: resolved against the SELECT list
	}
	v := fieldOf(obj, k)
	if obj.has(lReq) && strings.EqualFold(k, "origin") {
		v.l |= lOrigin
	}
	if t.Kind(keyNode) == pyast.KindSlice {
		v.l |= obj.l & lInj
	}
	_ = key
	return v
}

func (u *unit) str(id pyast.ID) val {
	t := u.t()
	if s, ok := t.StringValue(id); ok {
		return litVal(s)
	}
	out := val{ev: -1, cnst: true, built: true}
	raw := strings.Contains(t.StringPrefix(id), "r")
	for c := t.First(id); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case pyast.KindStringContent, pyast.KindEscapeSequence:
			s := t.Text(c)
			if !raw {
				if v, ok := unescapeLit(s); ok {
					s = v
				}
			}
			out.str = append(out.str, part{lit: s})
		case pyast.KindInterpolation:
			v := u.eval(t.Child(c, pyast.FieldExpression))
			if v.exc {
				v.l |= lExc
			}
			hv := v
			out.str = append(out.str, part{hole: true, v: &hv})
			out.l |= v.l &^ (lWhole | lKey)
			out.l |= v.l & lKey
			out.p |= v.p
			out.cnst = out.cnst && v.cnst
		}
	}
	return out
}

func unescapeLit(s string) (string, bool) {
	if !strings.Contains(s, `\`) {
		return s, true
	}
	r := strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\'`, "'", `\"`, `"`, `\\`, `\`)
	return r.Replace(s), true
}

// binop evaluates a binary operation. A chain such as a + b + c + … nests
// on its left (((a + b) + c) + …): it is folded in a loop, so that a chain of
// any length costs neither stack depth nor a copy of the string built so far
// at each term.
func (u *unit) binop(id pyast.ID) val {
	t := u.t()
	spine := []pyast.ID{id}
	for l := t.Unwrap(t.Child(id, pyast.FieldLeft)); t.Kind(l) == pyast.KindBinaryOperator; l = t.Unwrap(t.Child(l, pyast.FieldLeft)) {
		spine = append(spine, l)
	}
	acc := u.eval(t.Child(spine[len(spine)-1], pyast.FieldLeft))
	owned := false // acc.str is a slice no other value refers to
	for k := len(spine) - 1; k >= 0; k-- {
		n := spine[k]
		b := u.eval(t.Child(n, pyast.FieldRight))
		acc, owned = applyBinop(t.Operator(n), acc, b, owned)
	}
	return acc
}

// applyBinop is a op b. When owned, a.str may be appended to in place.
func applyBinop(op string, a, b val, owned bool) (val, bool) {
	switch {
	case op == "%" && a.str != nil:
		return formatPercent(a, b), false
	case op == "+" && (a.str != nil || b.str != nil):
		out := taintOf(merge(a, b))
		out.l &^= lWhole
		if owned {
			out.str = append(a.str, asHole(b)...)
		} else {
			out.str = append(append([]part{}, asHole(a)...), asHole(b)...)
		}
		out.built = true
		out.cnst = a.cnst && b.cnst
		out.ev = -1
		return out, true
	}
	out := taintOf(merge(a, b))
	out.l |= lArith
	out.l &^= lWhole | lKey
	out.cnst = a.cnst && b.cnst
	return out, false
}

// formatPercent models "…%s…" % args: each conversion becomes a hole.
func formatPercent(f, args val) val {
	out := val{ev: -1, built: true, cnst: f.cnst && args.cnst}
	next := 0
	argFor := func(name string) val {
		if elems := args.elements(); name == "" && elems != nil {
			if next < len(elems) {
				v := elems[next]
				next++
				return v
			}
			return newVal()
		}
		return taintOf(args)
	}
	for _, p := range f.str {
		if p.hole {
			out.str = append(out.str, p)
			continue
		}
		// The literal text between directives is cut out of s, not copied
		// byte by byte: only a %% (one % kept) joins two pieces.
		s := p.lit
		pending, from := "", 0
		for i := 0; i < len(s); i++ {
			if s[i] != '%' || i+1 >= len(s) {
				continue
			}
			if s[i+1] == '%' {
				pending += s[from : i+1]
				i++
				from = i + 1
				continue
			}
			j := i + 1
			name := ""
			if s[j] == '(' {
				k := strings.IndexByte(s[j:], ')')
				if k < 0 {
					continue // a % as written
				}
				name = s[j+1 : j+k]
				j += k + 1
			}
			for j < len(s) && strings.IndexByte("#0- +123456789.*lh", s[j]) >= 0 {
				j++
			}
			if j >= len(s) || strings.IndexByte("sdirfgeExXocaub", s[j]) < 0 {
				continue // a % as written
			}
			if text := pending + s[from:i]; text != "" {
				out.str = append(out.str, part{lit: text})
			}
			pending = ""
			v := argFor(name)
			if v.exc {
				v.l |= lExc
			}
			hv := v
			out.str = append(out.str, part{hole: true, v: &hv})
			out.l |= v.l &^ lWhole
			out.p |= v.p
			i = j
			from = j + 1
		}
		if text := pending + s[from:]; text != "" {
			out.str = append(out.str, part{lit: text})
		}
	}
	return out
}

// formatBraces models "…{}…".format(args) and sql.SQL("…{}…").format(…).
func formatBraces(f val, pos []val, kw kwargs) val {
	out := val{ev: -1, built: true, cnst: f.cnst}
	next := 0
	for _, p := range f.str {
		if p.hole {
			out.str = append(out.str, p)
			continue
		}
		s := p.lit
		var lit strings.Builder
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c == '{' && i+1 < len(s) && s[i+1] == '{' {
				lit.WriteByte('{')
				i++
				continue
			}
			if c == '}' && i+1 < len(s) && s[i+1] == '}' {
				lit.WriteByte('}')
				i++
				continue
			}
			if c != '{' {
				lit.WriteByte(c)
				continue
			}
			k := strings.IndexByte(s[i:], '}')
			if k < 0 {
				lit.WriteByte(c)
				continue
			}
			field := s[i+1 : i+k]
			if j := strings.IndexAny(field, "!:"); j >= 0 {
				field = field[:j]
			}
			var v val
			switch {
			case field == "":
				if next < len(pos) {
					v = pos[next]
				} else {
					v = newVal()
				}
				next++
			case field[0] >= '0' && field[0] <= '9':
				n := int(field[0] - '0')
				if n < len(pos) {
					v = pos[n]
				} else {
					v = newVal()
				}
			default:
				if kv, ok := kw.get(strings.SplitN(strings.SplitN(field, ".", 2)[0], "[", 2)[0]); ok {
					v = kv
				} else {
					v = newVal()
				}
			}
			if lit.Len() > 0 {
				out.str = append(out.str, part{lit: lit.String()})
				lit.Reset()
			}
			if v.exc {
				v.l |= lExc
			}
			hv := v
			safe := len(v.str) == 1 && v.str[0].safeIdent
			if safe {
				out.str = append(out.str, v.str[0])
			} else if v.str != nil && !v.built && v.cnst {
				out.str = append(out.str, v.str...) // a constant piece
			} else {
				out.str = append(out.str, part{hole: true, v: &hv})
			}
			out.l |= v.l &^ lWhole
			out.p |= v.p
			out.cnst = out.cnst && v.cnst
			i += k
		}
		if lit.Len() > 0 {
			out.str = append(out.str, part{lit: lit.String()})
		}
	}
	return out
}

// comprehensionInPlace turns the undo log on for comprehensions; a test
// compares every analysis with it off (a copy of the environment).
var comprehensionInPlace = true

// comprehension evaluates [body for x in it if cond] as the union of its
// body, with x bound to what iterating yields, narrowed by the conditions.
// The names it binds are its own: they are set on the environment with the
// undo log on and taken back after, rather than on a copy of the whole
// environment (a copy per comprehension was a tenth of the copies).
func (u *unit) comprehension(id pyast.ID) val {
	if !comprehensionInPlace || u.env == nil {
		saved := u.env
		u.env = copyEnv(saved)
		out := u.comprehensionValue(id)
		u.env = saved
		return out
	}
	logging, mark := u.logging, len(u.undo)
	u.logging = true
	out := u.comprehensionValue(id)
	u.rollback(mark)
	u.logging = logging
	return out
}

// comprehensionValue binds a comprehension's names in u.env and evaluates
// it (comprehension puts the environment back).
func (u *unit) comprehensionValue(id pyast.ID) val {
	t := u.t()
	var body, key pyast.ID = t.Child(id, pyast.FieldBody), pyast.None
	if t.Kind(body) == pyast.KindPair {
		key = t.Child(body, pyast.FieldKey)
		body = t.Child(body, pyast.FieldValue)
	}
	for c := t.First(id); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case pyast.KindForInClause:
			right := t.Child(c, pyast.FieldRight)
			it := u.eval(right)
			u.bind(t.Child(c, pyast.FieldLeft), u.iterElem(right, it))
		case pyast.KindIfClause:
			cond := t.NamedChild(c, 0)
			u.eval(cond)
			onTrue, _ := u.refine(cond)
			u.apply(onTrue)
		}
	}
	v := u.eval(body)
	out := taintOf(v)
	out.l = v.l
	if key >= 0 {
		kv := u.eval(key)
		out.l |= kv.l & (lKey | lReq)
		out.cnst = out.cnst && kv.cnst
	}
	if len(v.str) == 1 && v.str[0].safeIdent {
		out.str = []part{{hole: true, v: &val{ev: -1, l: v.l}, safeIdent: true}}
	}
	return out
}
