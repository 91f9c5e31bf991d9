package pyast

import (
	"strings"
	"testing"
	"unsafe"
)

func TestNodeLayoutMatchesC(t *testing.T) {
	size, start, parent, next := cLayout()
	var n Node
	got := []uintptr{unsafe.Sizeof(n), unsafe.Offsetof(n.Start), unsafe.Offsetof(n.Parent), unsafe.Offsetof(n.Next)}
	want := []uintptr{size, start, parent, next}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("Go Node layout %v differs from C pyast_node %v", got, want)
		}
	}
}

// TestRawTreeLayout guards the one unsafe read of go-tree-sitter's Tree.
func TestRawTreeLayout(t *testing.T) {
	src := []byte("x = 1\ndef f():\n    return x\n")
	p := NewParser()
	defer p.Close()
	tree := p.p.Parse(src, nil)
	defer tree.Close()
	root := tree.RootNode()
	flat, err := flatten(tree, src)
	if err != nil {
		t.Fatal(err)
	}
	if flat.Type(0) != root.Kind() || uint(flat.Nodes[0].End) != root.EndByte() {
		t.Fatalf("raw tree read wrong: %s/%d vs %s/%d", flat.Type(0), flat.Nodes[0].End, root.Kind(), root.EndByte())
	}
}

func TestKindsExistInGrammar(t *testing.T) {
	for k := KindError + 1; k < numKinds; k++ {
		if !kindFound[k] {
			t.Errorf("kind %q is not a named node of tree-sitter-python", k)
		}
	}
}

func TestParseShapes(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"call", "cur.execute(q, (a,))",
			`(module (expression_statement (call function: (attribute object: (identifier) attribute: (identifier)) arguments: (argument_list (identifier) (tuple (identifier))))))`},
		{"fstring", `f"a{b}c"`,
			`(module (expression_statement (string (string_start) (string_content) (interpolation expression: (identifier)) (string_content) (string_end))))`},
		{"percent", `"a %s" % x`,
			`(module (expression_statement (binary_operator left: (string (string_start) (string_content) (string_end)) operator: ("%") right: (identifier))))`},
		{"comparison", "a not in B",
			`(module (expression_statement (comparison_operator (identifier) operators: ("not in") (identifier))))`},
		{"keyword", "f(debug=True)",
			`(module (expression_statement (call function: (identifier) arguments: (argument_list (keyword_argument name: (identifier) value: (true))))))`},
		{"comments dropped", "x = 1  # note\n",
			`(module (expression_statement (assignment left: (identifier) right: (integer))))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := tree.Sexp(tree.Root()); got != tt.want {
				t.Errorf("\ngot  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPositions(t *testing.T) {
	src := "x = 1\ny = \"é\" + z\n"
	tree, _ := Parse([]byte(src))
	var z ID = None
	for i := range tree.Nodes {
		if tree.Kind(ID(i)) == KindIdentifier && tree.Is(ID(i), "z") {
			z = ID(i)
		}
	}
	if z < 0 {
		t.Fatal("z not found")
	}
	if tree.Line(z) != 2 || tree.Column(z) != 11 {
		t.Errorf("z at %d:%d, want 2:11 (columns count characters)", tree.Line(z), tree.Column(z))
	}
}

func TestSyntaxErrorsAreNotFatal(t *testing.T) {
	for _, src := range []string{"def f(:\n  pass\n", "x = (1,\n", "\xff\xfe\x00garbage", "", strings.Repeat("(", 5000)} {
		tree, err := Parse([]byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		_ = tree.SyntaxErrors()
		_ = Flask(tree)
	}
	tree, _ := Parse([]byte("def f(:\n  pass\n"))
	if len(tree.SyntaxErrors()) == 0 {
		t.Error("no syntax error reported for broken code")
	}
}

func TestNoneIsSafe(t *testing.T) {
	tree, _ := Parse([]byte("x = 1"))
	if tree.First(None) != None || tree.Next(None) != None || tree.Parent(None) != None ||
		tree.Child(None, FieldName) != None || tree.Text(None) != "" || tree.Line(None) != 0 ||
		tree.Kind(ID(1<<30)) != KindOther || tree.DottedName(None) != "" {
		t.Error("accessors must tolerate None and out-of-range IDs")
	}
}

func TestStringValue(t *testing.T) {
	tests := []struct {
		src  string
		want string
		ok   bool
	}{
		{`"SELECT 1"`, "SELECT 1", true},
		{`'a' "b"`, "ab", true},
		{`r"\d+"`, `\d+`, true},
		{`"line\nnext"`, "line\nnext", true},
		{`f"x{y}"`, "", false},
		{`f"plain"`, "plain", true},
		{`b"bytes"`, "bytes", true},
		// The plain case (one piece of text, nothing to decode) and what
		// must not take it.
		{`""`, "", true},
		{`"a \ b"`, `a \ b`, true},
		{`"tab\there"`, "tab\there", true},
		{`"it's \"quoted\""`, `it's "quoted"`, true},
		{`"""two
lines"""`, "two\nlines", true},
		{`f"{y}x"`, "", false},
		{`f"a\n{y}"`, "", false},
		{`rb'\x00'`, `\x00`, true},
		{`"a\
b"`, "ab", true},
	}
	for _, tt := range tests {
		tree, _ := Parse([]byte(tt.src))
		e := tree.NamedChild(tree.NamedChild(tree.Root(), 0), 0)
		got, ok := tree.StringValue(e)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %q %v, want %q %v", tt.src, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTemplate(t *testing.T) {
	tests := map[string]string{
		"/notes/<int:note_id>":            "/notes/{note_id}",
		"/files/<path:p>":                 "/files/{p}",
		"/u/<name>/x/<uuid:id>":           "/u/{name}/x/{id}",
		"/a/<any(x, y):kind>":             "/a/{kind}",
		"/static":                         "/static",
		"/r/<string(length=2):code>/done": "/r/{code}/done",
	}
	for in, want := range tests {
		if got := Template(in); got != want {
			t.Errorf("Template(%q) = %q, want %q", in, got, want)
		}
	}
	if got := JoinPrefix("/api/", "/notes"); got != "/api/notes" {
		t.Errorf("JoinPrefix = %q", got)
	}
}

func TestEndLine(t *testing.T) {
	tree, _ := Parse([]byte("def f():\n    return (1,\n            2)\nx = 1\n"))
	def := tree.NamedChild(tree.Root(), 0)
	if tree.Line(def) != 1 || tree.EndLine(def) != 3 {
		t.Errorf("def spans %d-%d, want 1-3", tree.Line(def), tree.EndLine(def))
	}
}
