package tbtest

import (
	"fmt"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// FoldSecure rewrites a zoo app for one variant: conditions, conditional
// expressions and boolean operations whose value SECURE decides are
// replaced by that value, the dead branch of an if is blanked to `pass`,
// the dead side of a conditional expression to None, and other uses of
// SECURE become the literal. Every line keeps its number.
func FoldSecure(src []byte, secure bool) ([]byte, error) {
	tree, err := pyast.Parse(src)
	if err != nil {
		return nil, err
	}
	if errs := tree.SyntaxErrors(); len(errs) > 0 {
		return nil, fmt.Errorf("syntax error at line %d", errs[0].Line)
	}
	out := append([]byte(nil), src...)
	fold := &folder{t: tree, secure: secure, out: out, dead: map[pyast.ID]bool{}}
	fold.walk(tree.Root())
	return fold.out, nil
}

type folder struct {
	t      *pyast.Tree
	secure bool
	out    []byte
	dead   map[pyast.ID]bool // statements after an if that always ends the request
}

// value returns what an expression is in this variant, when SECURE decides.
func (f *folder) value(id pyast.ID) (v, ok bool) {
	t := f.t
	id = t.Unwrap(id)
	switch t.Kind(id) {
	case pyast.KindIdentifier:
		if t.Is(id, "SECURE") {
			return f.secure, true
		}
	case pyast.KindTrue:
		return true, true
	case pyast.KindFalse:
		return false, true
	case pyast.KindNotOperator:
		v, ok := f.value(t.Child(id, pyast.FieldArgument))
		return !v, ok
	case pyast.KindBooleanOperator:
		a, aok := f.value(t.Child(id, pyast.FieldLeft))
		b, bok := f.value(t.Child(id, pyast.FieldRight))
		if t.Operator(id) == "and" {
			switch {
			case aok && !a || bok && !b:
				return false, true
			case aok && bok:
				return true, true
			}
		} else {
			switch {
			case aok && a || bok && b:
				return true, true
			case aok && bok:
				return false, true
			}
		}
	}
	return false, false
}

// replace writes text over a node, padding with spaces and keeping its
// newlines (inside brackets, where a multi-line expression is).
func (f *folder) replace(id pyast.ID, text string) {
	n := f.t.Nodes[id]
	span := f.out[n.Start:n.End]
	j := 0
	for i := range span {
		switch {
		case span[i] == '\n' || span[i] == '\r':
		case j < len(text):
			span[i] = text[j]
			j++
		default:
			span[i] = ' '
		}
	}
}

// literal replaces an expression by its value, in parentheses so that a
// multi-line one stays inside brackets.
func (f *folder) literal(id pyast.ID, v bool) {
	s := "False"
	if v {
		s = "True"
	}
	n := f.t.Nodes[id]
	if int(n.End-n.Start) < len(s)+2 {
		f.replace(id, s)
		return
	}
	f.replace(id, "("+s)
	f.out[n.End-1] = ')'
}

// blank turns a block into `pass`.
func (f *folder) blank(block pyast.ID) { f.replace(block, "pass") }

func (f *folder) walk(id pyast.ID) {
	t := f.t
	if f.dead[id] {
		return
	}
	switch t.Kind(id) {
	case pyast.KindIfStatement, pyast.KindElifClause:
		cond := t.Child(id, pyast.FieldCondition)
		v, ok := f.value(cond)
		if !ok {
			break
		}
		f.literal(cond, v)
		body := t.Child(id, pyast.FieldConsequence)
		if v {
			f.walk(body)
			if t.Kind(id) == pyast.KindIfStatement && pyast.Terminates(t, body) {
				for s := t.Next(id); s >= 0; s = t.Next(s) {
					f.replace(s, "")
					f.dead[s] = true
				}
			}
		} else {
			f.blank(body)
		}
		for c := t.First(id); c >= 0; c = t.Next(c) {
			if t.Field(c) != pyast.FieldAlternative {
				continue
			}
			if v && t.Kind(id) == pyast.KindIfStatement {
				f.replace(c, "") // else/elif of a branch always taken
			} else {
				f.walk(c)
			}
		}
		return
	case pyast.KindConditionalExpression:
		cond := t.NamedChild(id, 1)
		v, ok := f.value(cond)
		if !ok {
			break
		}
		f.literal(cond, v)
		if v {
			f.walk(t.NamedChild(id, 0))
			f.replace(t.NamedChild(id, 2), "None")
		} else {
			f.replace(t.NamedChild(id, 0), "None")
			f.walk(t.NamedChild(id, 2))
		}
		return
	case pyast.KindBooleanOperator, pyast.KindNotOperator:
		if v, ok := f.value(id); ok {
			f.literal(id, v)
			return
		}
	case pyast.KindIdentifier:
		if t.Is(id, "SECURE") && t.Field(id) != pyast.FieldLeft {
			if f.secure {
				f.replace(id, "True")
			} else {
				f.replace(id, "False")
			}
		}
		return
	}
	for c := t.First(id); c >= 0; c = t.Next(c) {
		f.walk(c)
	}
}
