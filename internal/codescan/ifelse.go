package codescan

import "github.com/rampart-sec/rampart/internal/pyast"

// joinElseInPlace turns ifElse on; a test compares every analysis with it
// off (each branch on a copy of the environment, then joinEnvs).
var joinElseInPlace = true

// simpleIfElse returns the body of the else clause of an `if` that has one
// and no elif, when both bodies are simple (simpleBlock) and the
// environment can be walked in place.
func (u *unit) simpleIfElse(s pyast.ID) (pyast.ID, bool) {
	if u.logging || u.env == nil {
		return pyast.None, false
	}
	t := u.t()
	orelse := pyast.None
	for c := t.First(s); c >= 0; c = t.Next(c) {
		if t.Field(c) != pyast.FieldAlternative {
			continue
		}
		if t.Kind(c) != pyast.KindElseClause || orelse != pyast.None {
			return pyast.None, false
		}
		orelse = t.Body(c)
	}
	if orelse == pyast.None || !simpleBlock(t, orelse) || !simpleBlock(t, t.Child(s, pyast.FieldConsequence)) {
		return pyast.None, false
	}
	return orelse, true
}

// ifElse walks `if cond: body else: orelse` (simpleIfElse) on the
// environment itself, as branch walks a lone `if`: the body runs with the
// undo log on and is taken back, keeping what it set; the else runs with
// the log on too, so that the log says which names it changed and what
// they held before. The join is then joinEnvs([body's env, else's env])
// made in place, for the names either side set: a name neither set is
// the same on both sides (merge of a value with itself is the value).
// It returns whether both branches end the request.
func (u *unit) ifElse(s, cond, body, orelse pyast.ID) bool {
	g := &guard{node: s}
	u.a.guards = append(u.a.guards, g)
	u.condition(cond, g)
	if g.role {
		u.a.roleCheck = true
	}
	onTrue, onFalse := u.refine(cond)
	u.logging = true
	mark := len(u.undo)
	u.apply(onTrue)
	term := u.block(body)
	g.terminates = term
	var set map[string]val // the body's values of the names it set
	if !term {
		set = make(map[string]val, len(u.undo)-mark)
		for _, e := range u.undo[mark:] {
			// Every logged name is in the environment (a comprehension
			// takes its own names back).
			if v, ok := u.env[e.name]; ok {
				set[e.name] = v
			}
		}
	}
	u.rollback(mark)
	u.apply(onFalse)
	termElse := u.block(orelse)
	switch {
	case term && termElse:
		u.undo, u.logging = u.undo[:mark], false
		return true
	case term:
		u.undo, u.logging = u.undo[:mark], false
		u.wrapGuard(g, true)
		return false
	case termElse:
		// Only the body goes on: its environment, which is the one
		// before the else with what the body set.
		u.rollback(mark)
		u.logging = false
		for name, v := range set {
			u.env[name] = v
		}
		u.wrapGuard(g, false)
		return false
	}
	// Names set by the else only: the body's side has what they held before.
	u.joinBefore(mark, set)
	for name, v := range set {
		if o, ok := u.env[name]; ok {
			u.env[name] = merge(v, o)
		} else {
			u.env[name] = v
		}
	}
	u.wrapGuard(g, false)
	return false
}

// joinBefore ends a walk on the environment itself (the undo log on since
// mark) with the join of the environment before it and the one now,
// joinEnvs([before, now]), for the names logged since mark but those in
// skip: a name it set that had a value before gets merge(before, now), a
// new name keeps its value. The log is dropped, not taken back.
func (u *unit) joinBefore(mark int, skip map[string]val) {
	log := u.undo[mark:]
	var seen map[string]bool // for long logs; short ones are scanned
	if len(log) > 16 {
		seen = make(map[string]bool, len(log))
	}
	for i, e := range log {
		if seen != nil {
			if seen[e.name] {
				continue
			}
			seen[e.name] = true
		} else if firstSet(log[:i], e.name) {
			// a later entry holds what an earlier set left, not the value
			// before
			continue
		}
		if _, ok := skip[e.name]; ok || !e.had {
			continue
		}
		u.env[e.name] = merge(e.old, u.env[e.name])
	}
	u.undo, u.logging = u.undo[:mark], false
}

// firstSet reports whether name was logged already in log.
func firstSet(log []undoEntry, name string) bool {
	for _, e := range log {
		if e.name == name {
			return true
		}
	}
	return false
}
