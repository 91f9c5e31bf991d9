package codescan

import (
	"bytes"
	"regexp"
	"testing"
)

// importLineRe is what importLines replaced: the two must agree.
var importLineRe = regexp.MustCompile(`(?m)^[ \t]*(?:import|from)[ \t]+[^\n#]*`)

func sameImportLines(t *testing.T, src []byte) {
	t.Helper()
	var want [][]byte
	for _, m := range importLineRe.FindAll(src, -1) {
		want = append(want, bytes.TrimLeft(m, " \t"))
	}
	got := importLines(src)
	if len(got) != len(want) {
		t.Fatalf("%q: %d import lines, want %d (%q, want %q)", src, len(got), len(want), got, want)
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("%q: line %d %q, want %q", src, i, got[i], want[i])
		}
	}
}

var importNameRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_.]*`)

func sameImportNames(t *testing.T, line []byte) {
	t.Helper()
	var got [][]byte
	importNames(line, func(w []byte) { got = append(got, w) })
	want := importNameRe.FindAll(line, -1)
	if len(got) != len(want) {
		t.Fatalf("%q: names %q, want %q", line, got, want)
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%q: names %q, want %q", line, got, want)
		}
	}
}

func TestImportLines(t *testing.T) {
	for _, src := range []string{
		"import os\nfrom http.server import BaseHTTPRequestHandler  # serve\n",
		"  import django\n\tfrom aiohttp import web",
		"important = 1\nfromage()\nimport\nfrom\n",
		"x = 1 # import django\n\"\"\"\nimport tornado\n\"\"\"\n",
		"import\tsanic,  falcon\r\nfrom . import views\n",
		"",
		"\n\n",
	} {
		sameImportLines(t, []byte(src))
		sameImportNames(t, []byte(src))
	}
	sameImportNames(t, []byte("from 9x.y import a_b, Z9 as @q`{|~"))
}

func FuzzImportLines(f *testing.F) {
	f.Add([]byte("import os\nfrom x import y # z\n"))
	f.Add([]byte(" \timport\t\ta\nfrom\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		sameImportLines(t, src)
		sameImportNames(t, src)
	})
}
