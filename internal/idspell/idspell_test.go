package idspell

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in       string
		ok       bool
		describe string
		next     string // the id one up, in the same spelling
	}{
		{in: "1", ok: true, describe: "1", next: "2"},
		{in: "56", ok: true, describe: "56", next: "57"},
		{in: "007", ok: true, describe: "007", next: "008"},
		{in: "MQ==", ok: true, describe: "base64 of 1", next: "Mg=="},
		{in: "NTY=", ok: true, describe: "base64 of 56", next: "NTc="},
		{in: "OTM", ok: true, describe: "base64 of 93", next: "OTQ"},    // unpadded
		{in: "OTk", ok: true, describe: "base64 of 99", next: "MTAw"},   // grows a byte
		{in: "MTIz", ok: true, describe: "base64 of 123", next: "MTI0"}, // no '=' needed
		{in: "3536", ok: true, describe: "3536", next: "3537"},          // decimal wins over hex
		{in: "3a3536", ok: false},                                       // hex of ":56" is no id
		{in: "313233", ok: true, describe: "313233", next: "313234"},    // still decimal
		{in: "7c0e8f4e-1b2c-4d5e-8f90-0123456789ab", ok: true, describe: "7c0e8f4e-1b2c-4d5e-8f90-0123456789ab", next: "7c0e8f4e-1b2c-4d5e-8f90-0123456789ac"},
		{in: "7C0E8F4E-1B2C-4D5E-8F90-0123456789AB", ok: true, describe: "7C0E8F4E-1B2C-4D5E-8F90-0123456789AB", next: "7C0E8F4E-1B2C-4D5E-8F90-0123456789AC"},
		{in: "7c0e8f4e-1B2C-4d5e-8f90-0123456789ab", ok: false}, // mixed case
		// base64 (URL alphabet, unpadded) of a UUID's text
		{in: "N2MwZThmNGUtMWIyYy00ZDVlLThmOTAtMDEyMzQ1Njc4OWFi", ok: true, describe: "base64 of 7c0e8f4e-1b2c-4d5e-8f90-0123456789ab",
			next: "N2MwZThmNGUtMWIyYy00ZDVlLThmOTAtMDEyMzQ1Njc4OWFj"},
		{in: "hello", ok: false},
		{in: "aGVsbG8=", ok: false}, // base64 of "hello"
		{in: "MQ==\n", ok: false},
		{in: "M\nQ==", ok: false},
		{in: "MQ=", ok: false},
		{in: "MR==", ok: false}, // non-zero trailing bits: not what an encoder writes
		{in: "", ok: false},
		{in: "-1", ok: false},
		{in: "99999999999999999999", ok: false},
		{in: "alice-diary", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, ok := Parse(tt.in)
			if ok != tt.ok {
				t.Fatalf("Parse(%q) ok = %v, want %v (%#v)", tt.in, ok, tt.ok, id)
			}
			if !ok {
				return
			}
			if got := id.String(); got != tt.in {
				t.Errorf("String() = %q, want the input back", got)
			}
			if got := id.Describe(); got != tt.describe {
				t.Errorf("Describe() = %q, want %q", got, tt.describe)
			}
			next, ok := id.Step(1)
			if !ok || next.String() != tt.next {
				t.Errorf("Step(1) = %q %v, want %q", next.String(), ok, tt.next)
			}
		})
	}
}

func TestSpellings(t *testing.T) {
	// Hex of a decimal id's text is all digits ("3132" for 12): the
	// decimal reading wins, so hex is only ever read for a UUID's text.
	for _, tt := range []struct {
		in   string
		want Spelling
	}{
		{"MQ==", Spelling{Enc: Base64, Padded: true}},
		{"MQ", Spelling{Enc: Base64}},
		{"MTIz", Spelling{Enc: Base64, Padded: true}},
		{"NTY_", Spelling{}}, // URL alphabet, but base64 of "56?" is no id
		{"3132", Spelling{}},
	} {
		id, _ := Parse(tt.in)
		if id.Spelling != tt.want {
			t.Errorf("Parse(%q).Spelling = %+v, want %+v", tt.in, id.Spelling, tt.want)
		}
	}
	// Hex of an id's text: only when the decimal reading fails (a letter).
	id, ok := Parse("37633065386634652d316232632d346435652d386639302d303132333435363738396162")
	if !ok || id.Enc != Hex || !id.UUID {
		t.Fatalf("hex of a UUID's text: %#v %v", id, ok)
	}
	up, ok := Parse("37633065386634652D316232632D346435652D386639302D303132333435363738396162")
	if !ok || !up.Upper {
		t.Fatalf("upper-case hex: %#v %v", up, ok)
	}
	if n, _ := up.Step(1); n.String() != "37633065386634652D316232632D346435652D386639302D303132333435363738396163" {
		t.Errorf("upper-case hex neighbour = %s", n.String())
	}
	u, ok := Parse("LTE-")
	if ok {
		t.Errorf("base64 with a URL character that decodes to no id parsed: %#v", u)
	}
}

func TestSteppable(t *testing.T) {
	for in, want := range map[string]bool{
		"7":                                    true,
		"MQ==":                                 true,
		"00000000-0000-0000-0000-000000000007": true,
		"7c0e8f4e-1b2c-4d5e-8f90-0123456789ab": false, // v4
		"1ec9414c-232a-6b00-b3c8-9e6bdeced846": false, // v6
		"017f22e2-79b0-7cc3-98c4-dc0c0c07398f": false, // v7
	} {
		id, ok := Parse(in)
		if !ok || id.Steppable() != want {
			t.Errorf("Parse(%q).Steppable() = %v (ok %v), want %v", in, id.Steppable(), ok, want)
		}
	}
}

func TestStepBounds(t *testing.T) {
	id, _ := Parse("1")
	if _, ok := id.Step(-2); ok {
		t.Error("1 - 2 should leave the range")
	}
	big, _ := Parse("9223372036854775807")
	if _, ok := big.Step(1); ok {
		t.Error("stepping past the largest signed 64-bit id should fail")
	}
	if _, ok := id.Step(-1 << 63); ok {
		t.Error("MinInt64 step should fail, not overflow")
	}
	if n, ok := id.Int(); !ok || n != 1 {
		t.Errorf("Int() = %d %v", n, ok)
	}
}

func TestWalk(t *testing.T) {
	enc, _ := Parse("MQ==")
	plain, _ := Parse("10")
	var got []string
	for _, id := range Walk([]ID{enc, plain}, 8) {
		got = append(got, id.String())
	}
	want := []string{"MQ==", "10", "Mg==", "11", "9", "Mw==", "12", "8"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Walk = %q, want %q", got, want)
	}
	one, _ := Parse("1")
	if n := len(Walk([]ID{one, one}, 64)); n != 64 {
		t.Errorf("Walk from a repeated seed gave %d ids, want 64", n)
	}
	top, _ := Parse("9223372036854775807")
	if n := len(Walk([]ID{top}, 5)); n != 5 {
		t.Errorf("Walk down from the top gave %d ids, want 5", n)
	}
	if n := len(Walk(nil, 5)); n != 0 {
		t.Errorf("Walk without seeds gave %d ids", n)
	}
}

// FuzzParse: whatever the input, Parse never panics; what it reads is
// written back as the input, and its neighbours read back in the same
// spelling with the value one up.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1", "MQ==", "NTY=", "OTM", "007", "3132", "7c0e8f4e-1b2c-4d5e-8f90-0123456789ab",
		"N2MwZThmNGUtMWIyYy00ZDVlLThmOTAtMDEyMzQ1Njc4OWFi", "37633065386634652d", "fn5-", "MR==", "=", "===="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := Parse(s)
		if !ok {
			return
		}
		if got := id.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
		next, ok := id.Step(1)
		if !ok {
			return
		}
		back, ok := Parse(next.String())
		if !ok {
			t.Fatalf("neighbour %q of %q does not parse", next.String(), s)
		}
		a, _ := id.Int()
		b, _ := back.Int()
		if back.Enc != id.Enc || back.UUID != id.UUID || (!id.UUID && b != a+1) {
			t.Fatalf("neighbour of %q = %q reads as %#v", s, next.String(), back)
		}
	})
}
