package pyast

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to the parser wrapper and the Flask model:
// neither may crash, and the tree must be well formed.
func FuzzParse(f *testing.F) {
	f.Add([]byte(flaskSrc))
	f.Add([]byte("@app.route('/x/<int:id>', methods=['GET'])\ndef v(id):\n    return f\"{id}\"\n"))
	f.Add([]byte("def f(:\n\tpass\n"))
	f.Add([]byte("\xff\xfe\x00\x01"))
	f.Add([]byte("class A(B, metaclass=M):\n    decorators = [x]\n    def get(self): ...\n"))
	f.Add([]byte("app.add_url_rule('/a', view_func=C.as_view('c'))\napi.add_resource(R, '/r', '/s')\n"))
	for _, seed := range HostileSeeds() {
		f.Add(seed)
	}
	for _, glob := range []string{"../../testbed/*/app.py", "../codescan/testdata/fixtures/*.py"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	p := NewParser()
	defer p.Close()
	// As in `rampart code`: tree-sitter's error recovery can crawl on a
	// mutated long expression, and such a parse is abandoned.
	p.SetTimeout(5 * time.Second)
	f.Fuzz(func(t *testing.T, src []byte) {
		tree, err := p.Parse(src)
		if errors.Is(err, ErrNoTree) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		n := len(tree.Nodes)
		if n == 0 || tree.Kind(0) != KindModule && tree.Nodes[0].Flags&FlagError == 0 {
			t.Fatalf("root is %s", tree.Type(0))
		}
		for i := range tree.Nodes {
			nd := &tree.Nodes[i]
			if nd.End < nd.Start || int(nd.End) > len(src) {
				t.Fatalf("node %d spans %d-%d of %d bytes", i, nd.Start, nd.End, len(src))
			}
			first := tree.First(ID(i))
			if nd.Parent >= ID(i) || first >= 0 && first <= ID(i) || nd.Next >= 0 && nd.Next <= ID(i) ||
				int(first) >= n || int(nd.Next) >= n {
				t.Fatalf("node %d has bad links %+v", i, *nd)
			}
			_ = tree.Column(ID(i))
			_ = tree.Text(ID(i))
		}
		_ = tree.SyntaxErrors()
		for i, lv := range levels(tree) {
			if lv > MaxDepth+1 {
				t.Fatalf("node %d (%s) nested %d levels deep", i, tree.Type(ID(i)), lv)
			}
		}
		m := Flask(tree)
		for _, r := range m.Routes {
			if !utf8.ValidString(Template(r.Rule)) && utf8.Valid(src) {
				t.Fatalf("template of %q is not UTF-8", r.Rule)
			}
			_ = RuleParams(r.Rule)
		}
		for i := range tree.Nodes {
			_ = m.IsIdentitySource(ID(i))
			_ = tree.StringValue
			if tree.Kind(ID(i)) == KindCall {
				_, _ = tree.StringList(tree.Arg(ID(i), 0))
				_ = tree.Kwarg(ID(i), "methods")
			}
		}
		// Parking gives back the same nodes; releasing keeps positions.
		nodes := slices.Clone(tree.Nodes)
		tree.Park()
		tree.Unpark()
		if !slices.Equal(tree.Nodes, nodes) {
			t.Fatal("nodes changed by Park and Unpark")
		}
		last := ID(len(nodes) - 1)
		line, col := tree.Line(last), tree.Column(last)
		tree.Release()
		if tree.Line(last) != line || tree.Column(last) != col {
			t.Fatal("position changed by Release")
		}
	})
}
