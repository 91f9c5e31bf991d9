package pyast

// Terminates reports whether a block ends the request: it raises, returns
// or aborts (Flask's abort, sys.exit, os._exit) among its statements.
func Terminates(t *Tree, block ID) bool {
	for c := t.First(block); c >= 0; c = t.Next(c) {
		switch t.Kind(c) {
		case KindRaiseStatement, KindReturnStatement:
			return true
		case KindExpressionStatement:
			e := t.Unwrap(t.NamedChild(c, 0))
			if t.Kind(e) == KindCall {
				switch t.LastName(t.Callee(e)) {
				case "abort", "exit", "_exit":
					return true
				}
			}
		}
	}
	return false
}
