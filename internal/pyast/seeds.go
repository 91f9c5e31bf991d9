package pyast

import "strings"

// HostileSeeds are inputs that once cost the white-box scan its linear time
// or could cost a reader of the tree its stack: a long + chain (as built
// SQL), nesting past MaxDepth in several shapes, invalid UTF-8 and NUL
// bytes. The fuzz targets of this package and of codescan start from them.
// They are kept small (the unit tests try the 100,000-term chain): the
// fuzzer mutates them, and tree-sitter's error recovery in a long
// expression with one quote gone costs time quadratic in its length.
func HostileSeeds() [][]byte {
	const n = MaxDepth + 100
	rep := strings.Repeat
	route := "from flask import request\n@app.get('/q')\ndef q():\n    x = request.args['x']\n    "
	return [][]byte{
		[]byte(route + `cur.execute("SELECT a FROM t WHERE b = " + x` + rep(` + " AND c = " + x`, 600) + ")\n"),
		[]byte(route + "y = " + rep("(", n) + "x" + rep(")", n) + "\n    cur.execute(y)\n"),
		[]byte(route + "y = " + rep("f(", n) + "x" + rep(")", n) + "\n"),
		[]byte(route + "y = " + rep("a[", n) + "x" + rep("]", n) + "\n"),
		[]byte(route + "y = " + rep("lambda: ", n) + "x\n"),
		[]byte(route + "y = x" + rep(".f()", n) + "\n"),
		[]byte(route + "y = " + rep(`"a" + (`, n) + "x" + rep(")", n) + "\n"),
		[]byte(rep("(", 3*n)),
		[]byte(route + "cur.execute('SELECT \xff\xfe' + x)\n\xc3\x28 = '\xed\xa0\x80'\n"),
		[]byte(route + "cur.execute('SELECT \x00' + x)\x00\n\x00def f(\x00):\n"),
	}
}
