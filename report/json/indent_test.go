package json

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/rampart-sec/rampart/report/internal/sample"
)

var indentCases = []string{
	`{}`,
	`[]`,
	`{"a":1}`,
	`{"a":[],"b":{},"c":[{}],"d":[[],[1,2]],"e":{"f":{"g":[]}}}`,
	`[1,"two",true,false,null,-3.5e+10,{"k":"v"}]`,
	`{"s":"quote \" and backslash \\ and \\\" and {braces} [brackets], commas: colons"}`,
	`{"u":"é ✓ \u2028 \u0000","html":"<a href='x'>&amp;</a>"}`,
	`{"":"","empty":"","nested":{"":{"":[]}}}`,
	`"just a string"`,
	`42`,
}

func TestIndentMatchesEncodingJSON(t *testing.T) {
	for _, tc := range indentCases {
		checkIndent(t, []byte(tc))
	}
}

func checkIndent(t *testing.T, doc []byte) {
	t.Helper()
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		t.Fatalf("bad case %q: %v", doc, err)
	}
	var want bytes.Buffer
	if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	if got := indent(nil, compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("indent(%s):\n%s\nwant\n%s", compact.Bytes(), got, want.Bytes())
	}
}

func FuzzIndent(f *testing.F) {
	for _, tc := range indentCases {
		f.Add([]byte(tc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) {
			return
		}
		checkIndent(t, doc)
	})
}

// BenchmarkWrite writes a report with thousands of findings.
func BenchmarkWrite(b *testing.B) {
	r := sample.Report()
	for len(r.Findings) < 2000 {
		r.Findings = append(r.Findings, r.Findings...)
	}
	b.ReportAllocs()
	var buf bytes.Buffer
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := Write(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
