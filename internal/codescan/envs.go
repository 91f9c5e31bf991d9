package codescan

// A function's analysis starts from an environment of its parameters, a
// map whose values are 72 bytes: one group of eight slots is 700 bytes to
// allocate, clear and, later, sweep, for every function of every file
// (10,000 on flask+werkzeug+sqlalchemy), and the largest single cost of the
// interpreter was allocation. Once a function's summary is made its
// environment is read by nothing (a summary copies values out of it), so
// the next function of the file starts from it, emptied.
//
// Only maps that stayed small are kept: a map that grew past one group
// keeps its larger table when emptied, and the clones a branch makes of it
// would copy that table whole.

const (
	smallEnv = 8 // entries in one group of a Go map
	keptEnvs = 4
)

// newEnv is an empty environment for a function of params parameters.
func (f *fileState) newEnv(params int) map[string]val {
	if params <= smallEnv {
		if n := len(f.envs); n > 0 {
			env := f.envs[n-1]
			f.envs = f.envs[:n-1]
			return env
		}
	}
	return make(map[string]val, params)
}

// freeEnv takes back the environment of a function whose analysis is over
// and that nothing else holds.
func (f *fileState) freeEnv(env map[string]val) {
	if env == nil || len(env) > smallEnv || len(f.envs) >= keptEnvs {
		return
	}
	clear(env)
	f.envs = append(f.envs, env)
}
