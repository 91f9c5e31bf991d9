package codescan

import (
	"strings"

	"github.com/rampart-sec/rampart/internal/pyast"
)

// Calls through classes. Request data handed to a method of a model or a
// repository (User.get_user(username), self.find(title), Repo(db).one(id))
// flows through the method's summary as through a module-level helper's.
//
// Methods of module-level classes are summarised under "Class.method";
// self (or cls) is the method's first parameter, and a call through an
// instance passes the receiver in that place. A receiver is followed when
// its class is known without guessing: a class of the scanned tree named
// directly (defined in the module or imported: User.get_user,
// models.User.get_user), self or cls inside the class, an instance built
// on the spot (Repo(db).one(id)) or kept in a local variable (repo =
// Repo(db); repo.one(id)). A method a class does not define is looked for
// in its bases of the scanned tree, in order. Any other receiver (an
// attribute of self, a parameter, a function's result) stays unknown: no
// method is guessed by its name.

// methodKind is how a method binds its first parameter.
type methodKind uint8

const (
	methodInstance methodKind = iota // self
	methodStatic                     // none
	methodClass                      // cls
)

type method struct {
	def  pyast.ID
	kind methodKind
	recv string // the first parameter's name (self, cls)
	key  string // Class.method
}

// classInfo is a module-level class: its methods and its bases.
type classInfo struct {
	methods map[string]method
	bases   []string // dotted names, as written
}

// classKey names a module-level class of a scanned file by name.
type classKey struct {
	f    *fileState
	name string
}

// maxClassDepth bounds walks up base classes and through re-exports.
const maxClassDepth = 8

// collectClasses reads the module-level classes' methods. It runs when the
// file is parsed.
func (f *fileState) collectClasses() {
	t := f.t
	for name, d := range f.mod.Defs {
		if t.Kind(d) != pyast.KindClassDefinition {
			continue
		}
		ci := &classInfo{methods: map[string]method{}}
		for c := t.First(t.Body(d)); c >= 0; c = t.Next(c) {
			m := t.Definition(c)
			if t.Kind(m) != pyast.KindFunctionDefinition {
				continue
			}
			k := methodInstance
			if c != m { // decorated
				for _, dec := range t.Decorators(m) {
					switch e := t.NamedChild(dec, 0); {
					case t.Is(e, "staticmethod"):
						k = methodStatic
					case t.Is(e, "classmethod"):
						k = methodClass
					}
				}
			}
			first := ""
			for p := t.First(t.Child(m, pyast.FieldParameters)); p >= 0 && first == ""; p = t.Next(p) {
				first = t.ParamName(p)
			}
			if first == "" {
				k = methodStatic // nothing to bind the receiver to
			}
			x := method{def: m, kind: k, key: name + "." + t.FuncName(m)}
			if k != methodStatic {
				x.recv = first
			}
			ci.methods[t.FuncName(m)] = x
		}
		sup := t.Child(d, pyast.FieldSuperclasses)
		for c := t.First(sup); c >= 0; c = t.Next(c) {
			switch t.Kind(c) {
			case pyast.KindIdentifier, pyast.KindAttribute:
				ci.bases = append(ci.bases, t.DottedName(c))
			}
		}
		if f.classes == nil {
			f.classes = map[string]*classInfo{}
			f.methodDefs = map[string]pyast.ID{}
		}
		f.classes[name] = ci
		for _, x := range ci.methods {
			f.methodDefs[x.key] = x.def
		}
	}
}

// defOf returns the definition of a function or method ("Class.method") of
// the file.
func (f *fileState) defOf(name string) pyast.ID {
	if d, ok := f.mod.Defs[name]; ok {
		return d
	}
	if d, ok := f.methodDefs[name]; ok {
		return d
	}
	return pyast.None
}

// refOf names a module-level function or method definition of the file.
func (f *fileState) refOf(def pyast.ID) (funcRef, bool) {
	name := f.t.FuncName(def)
	if d, ok := f.mod.Defs[name]; ok && d == def {
		return funcRef{f, name}, true
	}
	if c, _, ok := f.methodOf(def); ok {
		return funcRef{f, c.name + "." + name}, true
	}
	return funcRef{}, false
}

// methodOf returns the class a definition is a method of, if it is one of
// a module-level class.
func (f *fileState) methodOf(def pyast.ID) (classKey, method, bool) {
	if f.classes == nil {
		return classKey{}, method{}, false
	}
	t := f.t
	p := t.Parent(def)
	if t.Kind(p) == pyast.KindDecoratedDefinition {
		p = t.Parent(p)
	}
	if t.Kind(p) != pyast.KindBlock {
		return classKey{}, method{}, false
	}
	cls := t.Parent(p)
	if t.Kind(cls) != pyast.KindClassDefinition {
		return classKey{}, method{}, false
	}
	name := t.FuncName(cls)
	ci := f.classes[name]
	if ci == nil || f.mod.Defs[name] != cls {
		return classKey{}, method{}, false
	}
	m, ok := ci.methods[t.FuncName(def)]
	if !ok || m.def != def {
		return classKey{}, method{}, false
	}
	return classKey{f, name}, m, true
}

// namesClassOrImport reports whether a (dotted) name starts with a class
// of the file or an imported name: only those can lead to a class of the
// scanned tree. It is the cheap test made before resolving.
func (f *fileState) namesClassOrImport(name string) bool {
	head, _, _ := strings.Cut(name, ".")
	if f.classes[head] != nil {
		return true
	}
	_, ok := f.mod.Imports[head]
	return ok
}

// importedAs returns the absolute dotted name an imported name stands for.
// Each import is resolved once per file: calls through imported names are
// resolved many times, and absolute allocates. The module table it reads
// is complete before any file is analysed.
func (f *fileState) importedAs(local string) (string, bool) {
	f.absOnce.Do(func() {
		f.absImports = make(map[string]string, len(f.mod.Imports))
		for k, q := range f.mod.Imports {
			f.absImports[k] = f.absolute(q)
		}
	})
	q, ok := f.absImports[local]
	return q, ok
}

// resolveClass finds the class of the scanned tree a (dotted) name refers
// to: one defined in the file, or imported (by name or through its module).
func (f *fileState) resolveClass(name string) (classKey, bool) {
	return f.resolveClassDepth(name, 0)
}

func (f *fileState) resolveClassDepth(name string, depth int) (classKey, bool) {
	if name == "" || depth > maxClassDepth {
		return classKey{}, false
	}
	head, rest, dotted := strings.Cut(name, ".")
	if !dotted {
		if _, ok := f.mod.Defs[name]; ok {
			// classes holds the names whose (last) definition is a class
			// (collectClasses): no need to read the tree, which may be
			// parked or released by now.
			if f.classes[name] != nil {
				return classKey{f, name}, true
			}
			return classKey{}, false
		}
	}
	q, ok := f.importedAs(head)
	if !ok {
		return classKey{}, false
	}
	if dotted {
		q += "." + rest
	}
	i := strings.LastIndexByte(q, '.')
	if i <= 0 {
		return classKey{}, false
	}
	g := f.proj.lookupModule(q[:i])
	if g == nil {
		return classKey{}, false
	}
	cls := q[i+1:]
	if g.classes[cls] != nil {
		return classKey{g, cls}, true
	}
	if _, ok := g.mod.Imports[cls]; ok && g != f {
		return g.resolveClassDepth(cls, depth+1) // re-exported (a package's __init__)
	}
	return classKey{}, false
}

// findMethod looks a method up in a class, then in its bases of the
// scanned tree.
func findMethod(c classKey, name string, depth int) (funcRef, method, bool) {
	ci := c.f.classes[c.name]
	if ci == nil || depth > maxClassDepth {
		return funcRef{}, method{}, false
	}
	if m, ok := ci.methods[name]; ok {
		return funcRef{c.f, m.key}, m, true
	}
	for _, b := range ci.bases {
		if bc, ok := c.f.resolveClass(b); ok {
			if ref, m, ok := findMethod(bc, name, depth+1); ok {
				return ref, m, true
			}
		}
	}
	return funcRef{}, method{}, false
}

// resolveMethod resolves Class.method and module.Class.method names (the
// callee written as is): the method a call through the class itself runs.
func (f *fileState) resolveMethod(name string) (funcRef, bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || !f.namesClassOrImport(name) {
		return funcRef{}, false
	}
	c, ok := f.resolveClass(name[:i])
	if !ok {
		return funcRef{}, false
	}
	ref, _, ok := findMethod(c, name[i+1:], 0)
	return ref, ok
}

// enclosingMethod returns the method a node is in (through nested
// functions) and the name its receiver has there.
func (f *fileState) enclosingMethod(id pyast.ID) (classKey, method, string, bool) {
	if f.classes == nil {
		return classKey{}, method{}, "", false
	}
	t := f.t
	for def := t.EnclosingFunc(id); def >= 0; def = t.EnclosingFunc(def) {
		if c, m, ok := f.methodOf(def); ok {
			if m.kind == methodStatic {
				return classKey{}, method{}, "", false
			}
			return c, m, m.recv, true
		}
	}
	return classKey{}, method{}, "", false
}

// receiverClass works out the class a call's receiver belongs to, and
// whether the receiver is an instance (or, in a classmethod, the class)
// that the method binds as its first parameter.
func (u *unit) receiverClass(call, recvNode pyast.ID, recv val) (classKey, bool, bool) {
	if recv.obj != nil && recv.obj.kind == objInstance {
		return recv.obj.cls, true, true
	}
	t := u.t()
	f := u.f
	recvNode = t.Unwrap(recvNode)
	switch t.Kind(recvNode) {
	case pyast.KindIdentifier:
		// Every call through a name comes here: no string is made until
		// the name can be a receiver or a class.
		b := t.Bytes(recvNode)
		if mc := u.methodCtx(); mc.recv != "" && string(b) == mc.recv {
			return classKey{f, mc.cls}, mc.bound, true
		}
		if f.classes[string(b)] == nil {
			if _, ok := f.mod.Imports[string(b)]; !ok {
				return classKey{}, false, false
			}
		}
		name := string(b)
		if hasLocal(u, name) {
			return classKey{}, false, false
		}
		c, ok := f.resolveClass(name)
		return c, false, ok
	case pyast.KindAttribute:
		head := t.RootName(recvNode)
		if head < 0 || f.classes[string(t.Bytes(head))] == nil {
			if _, ok := f.mod.Imports[string(t.Bytes(head))]; !ok {
				return classKey{}, false, false
			}
		}
		name := t.DottedName(recvNode)
		if name == "" || hasLocal(u, name) {
			return classKey{}, false, false
		}
		c, ok := f.resolveClass(name)
		return c, false, ok
	}
	return classKey{}, false, false
}

// methodCall applies the summary of the method a call runs, when its
// receiver's class is known.
func (u *unit) methodCall(call, fn, recvNode pyast.ID, recv val, args []val) (val, bool) {
	if u.f.classes == nil && len(u.f.mod.Imports) == 0 && recv.obj == nil {
		return val{}, false
	}
	t := u.t()
	c, bound, ok := u.receiverClass(call, recvNode, recv)
	if !ok {
		return val{}, false
	}
	ref, m, ok := findMethod(c, t.Text(t.Child(fn, pyast.FieldAttribute)), 0)
	if !ok {
		return val{}, false
	}
	s := u.f.summaryAt(ref)
	if s == nil {
		return val{}, false // a route's handler, or a method of a file not summarised
	}
	u.a.noteCall(ref)
	switch {
	case m.kind == methodStatic:
	case m.kind == methodClass:
		self := constVal()
		if bound {
			self = recv
		}
		args = append([]val{self}, args...)
	case bound:
		args = append([]val{recv}, args...)
	}
	return u.applySummary(call, ref.name, s, args), true
}

// methodRaises reports whether a call through a receiver runs a method
// that always raises (self.deny()).
func (u *unit) methodRaises(call pyast.ID) bool {
	t := u.t()
	fn := t.Callee(call)
	if t.Kind(fn) != pyast.KindAttribute {
		return false
	}
	recvNode := t.Child(fn, pyast.FieldObject)
	recv := newVal()
	if id := t.Unwrap(recvNode); t.Kind(id) == pyast.KindIdentifier {
		recv, _ = u.lookup(t.Text(id)) // an instance kept in a variable
	}
	c, _, ok := u.receiverClass(call, recvNode, recv)
	if !ok {
		return false
	}
	ref, _, ok := findMethod(c, t.Text(t.Child(fn, pyast.FieldAttribute)), 0)
	if !ok {
		return false
	}
	s := u.f.summaryAt(ref)
	return s != nil && s.raises
}

// instanceOf marks what a call of a class of the scanned tree returns: an
// instance of it, whose methods later calls can resolve.
func (u *unit) instanceOf(call, fn pyast.ID, out val) val {
	if out.obj != nil || u.f.classes == nil && len(u.f.mod.Imports) == 0 {
		return out
	}
	t := u.t()
	head := t.RootName(fn)
	if head < 0 {
		return out
	}
	if b := t.Bytes(head); u.f.classes[string(b)] == nil {
		if _, ok := u.f.mod.Imports[string(b)]; !ok {
			return out
		}
	}
	name := t.DottedName(fn)
	if name == "" || hasLocal(u, name) {
		return out
	}
	if c, ok := u.f.resolveClass(name); ok {
		out.obj = &object{kind: objInstance, node: call, lastEv: -1, file: u.f, cls: c}
	}
	return out
}

// calleeMethod resolves from the code alone (no values at hand: checks
// reading a route's calls) the method a call runs through self, cls or a
// class name, and whether the receiver takes the method's first
// parameter.
func (f *fileState) calleeMethod(call pyast.ID) (funcRef, bool, bool) {
	t := f.t
	fn := t.Callee(call)
	if t.Kind(fn) != pyast.KindAttribute {
		return funcRef{}, false, false
	}
	obj := t.Unwrap(t.Child(fn, pyast.FieldObject))
	var c classKey
	bound := false
	switch t.Kind(obj) {
	case pyast.KindIdentifier:
		name := t.Text(obj)
		if mc, m, self, ok := f.enclosingMethod(call); ok && name == self {
			c, bound = mc, m.kind == methodInstance
		} else if rc, ok := f.resolveClass(name); ok {
			c = rc
		} else {
			return funcRef{}, false, false
		}
	case pyast.KindAttribute:
		rc, ok := f.resolveClass(t.DottedName(obj))
		if !ok {
			return funcRef{}, false, false
		}
		c = rc
	default:
		return funcRef{}, false, false
	}
	ref, m, ok := findMethod(c, t.Text(t.Child(fn, pyast.FieldAttribute)), 0)
	if !ok {
		return funcRef{}, false, false
	}
	return ref, bound && m.kind != methodStatic || m.kind == methodClass, true
}

// methodCtx is the class and the receiver's name of a method being
// analysed (recv "" for a function or a static method).
type methodCtx struct {
	cls   string
	recv  string
	bound bool // the receiver is an instance (not a classmethod's cls)
}

func (f *fileState) methodCtxOf(def pyast.ID) methodCtx {
	if c, m, ok := f.methodOf(def); ok {
		return methodCtx{c.name, m.recv, m.kind == methodInstance}
	}
	return methodCtx{}
}

// methodCtx returns the method the analysed function is, worked out once
// per analysis: nested functions are part of their parent's analysis, and
// see its receiver.
func (u *unit) methodCtx() methodCtx {
	if u.a.method == nil {
		mc := u.f.methodCtxOf(u.a.def)
		u.a.method = &mc
	}
	return *u.a.method
}

// localMethodKey names the method of the file a call inside a function
// (mc: the method it is, if one) runs, for ordering the file's summaries
// (callees first): "" when the callee is not a method of a class of this
// file reached through the class or the receiver. It runs on every
// attribute call of the file: no allocation on a miss.
func (f *fileState) localMethodKey(mc methodCtx, call pyast.ID) string {
	if f.classes == nil {
		return ""
	}
	t := f.t
	fn := t.Callee(call)
	if t.Kind(fn) != pyast.KindAttribute {
		return ""
	}
	obj := t.Unwrap(t.Child(fn, pyast.FieldObject))
	if t.Kind(obj) != pyast.KindIdentifier {
		return ""
	}
	var c classKey
	b := t.Bytes(obj)
	switch {
	case mc.recv != "" && string(b) == mc.recv:
		c = classKey{f, mc.cls}
	case f.classes[string(b)] != nil:
		c = classKey{f, string(b)}
	default:
		return ""
	}
	attr := t.Bytes(t.Child(fn, pyast.FieldAttribute))
	if m, ok := f.classes[c.name].methods[string(attr)]; ok {
		return m.key
	}
	ref, _, ok := findMethod(c, string(attr), 0)
	if !ok || ref.f != f {
		return ""
	}
	return ref.name
}
