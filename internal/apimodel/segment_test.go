package apimodel

import "testing"

func TestSegmentKind(t *testing.T) {
	for _, tc := range []struct {
		seg  string
		want Kind
	}{
		{"123", KindNumber},
		{"7c0e8f4e-1b2a-4c3d-9e8f-0a1b2c3d4e5f", KindUUID},
		{"alice%40example.com", KindEmail},
		{"DE89370400440532013000", KindAccount},
		{"4111111111111111", KindCard},
		{"5f0c9e2a7b1d", KindKey},
		{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl", KindToken},
		{"notes", KindOther},
		{"v2", KindOther},
		{"v10beta2", KindOther},
		{"export", KindOther},
		{"alice", KindOther},
		{"alice-diary", KindOther},
		{"", KindOther},
	} {
		if got := SegmentKind(tc.seg); got != tc.want {
			t.Errorf("SegmentKind(%q) = %v, want %v", tc.seg, got, tc.want)
		}
	}
}
