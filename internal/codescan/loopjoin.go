package codescan

import "github.com/rampart-sec/rampart/internal/pyast"

// loopInPlace turns the in-place walk of simple loop bodies on; a test
// compares every analysis with it off (the body on the environment, joined
// with a copy taken before the loop).
var loopInPlace = true

// loopStart begins a loop whose body may not run: a simple body
// (simpleBlock) runs on the environment with the undo log on, whose entries
// say what each name it sets held before the loop (inPlace, from mark);
// any other body runs after a copy of the environment is taken (before).
func (u *unit) loopStart(body pyast.ID) (inPlace bool, mark int, before map[string]val) {
	if loopInPlace && !u.logging && u.env != nil && simpleBlock(u.t(), body) {
		u.logging = true
		return true, len(u.undo), nil
	}
	return false, 0, copyEnv(u.env)
}

// loopEnd joins the environment before the loop with the one after its
// passes: joinEnvs([before, after]).
func (u *unit) loopEnd(inPlace bool, mark int, before map[string]val) {
	if inPlace {
		u.joinBefore(mark, nil)
		return
	}
	u.env = joinEnvs([]map[string]val{before, u.env})
}
