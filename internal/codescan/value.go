package codescan

import (
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// labels say where a value comes from. Taint is a set: a query built from
// the caller's id and a search term carries both.
type labels uint16

const (
	lReq    labels = 1 << iota // the requester controls it (query, form, JSON, headers, cookies, path)
	lInj                       // …and it is free text that can carry SQL
	lKey                       // the requester chose the keys (a whole request dict, or one of its keys)
	lPath                      // a route parameter
	lIdent                     // the caller's identity or something derived from it
	lRow                       // read from the database
	lWhole                     // a whole row, sensitive columns included
	lExc                       // exception text (str(e), traceback)
	lOrigin                    // the request's Origin header
	lArith                     // computed with arithmetic
	lOpaque                    // returned by a call the analysis does not know (a service's answer)
	lRole                      // the answer to "is the caller privileged?" (role compared, held in a variable or returned)
)

// kinds of object a value can stand for.
type objKind uint8

const (
	objNone objKind = iota
	objRequest
	objConn
	objCursor
	objFunc
	objEngine   // a pool or an SQLAlchemy engine/session
	objInstance // an instance of a class of the scanned tree (methods.go)
)

// object is a connection, cursor or function value, shared by the values
// that alias it.
type object struct {
	kind        objKind
	node        pyast.ID
	moduleLevel bool
	conn        *object // a cursor's connection
	fn          *funcValue
	lastEv      int32 // a cursor's last statement, -1 if none
	name        string
	file        *fileState
	cls         classKey // an instance's class
}

// funcValue is a nested function or lambda seen as a value: its body was
// analysed where it was defined, and how it is called decides the
// transaction its statements run in.
type funcValue struct {
	def   pyast.ID
	ret   val
	scope *txnScope // set when it is passed to a transaction runner
	name  string
}

// part is one piece of a string built at run time.
type part struct {
	lit       string
	hole      bool
	v         *val
	safeIdent bool // psycopg2.sql.Identifier/Literal: quoted by the driver
}

// val is what the analysis knows about a value. It is copied a lot: keep
// it small.
type val struct {
	p     uint64 // parameters of the analysed function it depends on
	pw    uint64 // …passed on whole (not a field of them)
	str   []part // when a string (or an sql.Composable) built from parts
	obj   *object
	x     *valExtra // what few values carry: see valExtra
	ev    int32     // the statement whose result this is, -1 if none
	l     labels
	cnst  bool // a literal, a module constant or configuration
	built bool // str was built by formatting or concatenation
	exc   bool // an exception object (str(e) gives lExc)
}

// valExtra holds the parts of a value that few values have, out of line:
// environments are maps of values copied at every branch, and a value
// 48 bytes smaller makes each copy a third smaller. An extra is never
// changed once a value points to it (values are copied freely): the
// setters make a new one.
type valExtra struct {
	elems []val  // tuple or list literal elements
	field string // the last field read from a row: coupon["remaining"] → remaining
	param string // the route parameter it comes from
}

// elements are the elements of a tuple or list literal; nil when v is not
// one (an empty literal has a non-nil, empty list).
func (v val) elements() []val {
	if v.x == nil {
		return nil
	}
	return v.x.elems
}

// rowField is the last field read from a row (coupon["remaining"] → remaining).
func (v val) rowField() string {
	if v.x == nil {
		return ""
	}
	return v.x.field
}

// routeParam is the route parameter v comes from.
func (v val) routeParam() string {
	if v.x == nil {
		return ""
	}
	return v.x.param
}

func (v *val) setExtra(e valExtra) {
	if e.elems == nil && e.field == "" && e.param == "" {
		v.x = nil
		return
	}
	v.x = &e
}

func (v *val) extra() valExtra {
	if v.x == nil {
		return valExtra{}
	}
	return *v.x
}

func (v *val) setElements(elems []val) {
	e := v.extra()
	e.elems = elems
	v.setExtra(e)
}

func (v *val) setRowField(field string) {
	e := v.extra()
	e.field = field
	v.setExtra(e)
}

func (v *val) setRouteParam(param string) {
	e := v.extra()
	e.param = param
	v.setExtra(e)
}

func newVal() val { return val{ev: -1} }

func constVal() val { return val{ev: -1, cnst: true} }

func litVal(s string) val {
	return val{ev: -1, cnst: true, str: []part{{lit: s}}}
}

// merge joins what two branches say about one variable.
func merge(a, b val) val {
	out := a
	out.l |= b.l
	out.p |= b.p
	out.pw |= b.pw
	out.cnst = a.cnst && b.cnst
	out.exc = a.exc || b.exc
	switch {
	case a.str == nil:
		out.str, out.built = b.str, b.built
	case b.str != nil && b.built && !a.built:
		out.str, out.built = b.str, b.built
	}
	if out.obj == nil {
		out.obj = b.obj
	}
	if out.ev < 0 {
		out.ev = b.ev
	}
	if a.x == b.x {
		return out
	}
	e := out.extra()
	ae, be := a.elements(), b.elements()
	if len(ae) != len(be) {
		e.elems = nil
	} else if ae != nil {
		e.elems = make([]val, len(ae))
		for i := range ae {
			e.elems[i] = merge(ae[i], be[i])
		}
	}
	if e.field == "" {
		e.field = b.rowField()
	}
	if e.param == "" {
		e.param = b.routeParam()
	}
	out.setExtra(e)
	return out
}

// taintOf keeps what flows from v into something derived from it (a call's
// result, a field), without the structure.
func taintOf(v val) val {
	out := val{l: v.l, p: v.p, pw: v.pw, cnst: v.cnst, ev: v.ev, exc: v.exc}
	if v.x != nil && (v.x.field != "" || v.x.param != "") {
		out.setExtra(valExtra{field: v.x.field, param: v.x.param})
	}
	return out
}

// field is a part of v: a subscript or attribute. It is no longer a whole
// row, nor the whole of a parameter; a request dict's value is no longer a
// set of keys.
func fieldOf(v val, name string) val {
	out := taintOf(v)
	out.l &^= lWhole | lKey
	out.pw = 0
	if name != "" && v.l&lRow != 0 {
		out.setRowField(name)
	}
	if v.exc {
		out.exc = false
		out.l |= lExc
	}
	return out
}

// asHole turns a value into a single hole of a built string.
func asHole(v val) []part {
	if v.str != nil {
		return v.str
	}
	c := v
	return []part{{hole: true, v: &c}}
}

// isDynamic reports whether a built string has a part that is not constant.
func isDynamic(ps []part) bool {
	for _, p := range ps {
		if p.hole && !p.safeIdent && !p.v.cnst {
			return true
		}
	}
	return false
}

// holeLabels is the union of the labels of a string's holes.
func holeLabels(ps []part) labels {
	var l labels
	for _, p := range ps {
		if p.hole {
			l |= p.v.l
		}
	}
	return l
}

// render writes a built string with each hole as {?}.
func render(ps []part) string {
	var b strings.Builder
	for _, p := range ps {
		if p.hole {
			b.WriteString("{?}")
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// literal returns the text of a string with no holes.
func literal(v val) (string, bool) {
	if v.str == nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range v.str {
		if p.hole {
			return "", false
		}
		b.WriteString(p.lit)
	}
	return b.String(), true
}

func (v val) has(l labels) bool { return v.l&l != 0 }
