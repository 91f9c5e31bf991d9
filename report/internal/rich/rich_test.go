package rich

import (
	"reflect"
	"testing"
)

func TestBlocks(t *testing.T) {
	tests := []struct {
		in   string
		want []Block
	}{
		{"Use a pool.", []Block{{Text: "Use a pool."}}},
		{"First line\nsame paragraph.\n\nSecond.", []Block{{Text: "First line same paragraph."}, {Text: "Second."}}},
		{"Fix:\n```python\ncur.execute(q, (v,))\n```\nDone.", []Block{{Text: "Fix:"}, {Code: true, Lang: "python", Text: "cur.execute(q, (v,))"}, {Text: "Done."}}},
		{"Fix:\n\n    with conn:\n        cur.execute(q)\n\nDone.", []Block{{Text: "Fix:"}, {Code: true, Text: "with conn:\n    cur.execute(q)"}, {Text: "Done."}}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Blocks(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Blocks(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestInline(t *testing.T) {
	tests := []struct {
		in   string
		want []Span
	}{
		{"plain", []Span{{Text: "plain"}}},
		{"use `%s` and a tuple", []Span{{Text: "use "}, {Code: true, Text: "%s"}, {Text: " and a tuple"}}},
		{"a lone ` stays prose", []Span{{Text: "a lone ` stays prose"}}},
	}
	for _, tt := range tests {
		if got := Inline(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Inline(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}
