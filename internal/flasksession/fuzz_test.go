package flasksession

import (
	"compress/zlib"
	"io"
	"testing"
)

func zlibWriter(w io.Writer) *zlib.Writer { return zlib.NewWriter(w) }

// FuzzParse feeds hostile cookie values to the decoder: it must never
// panic, and whatever parses must decode, re-encode and verify safely.
func FuzzParse(f *testing.F) {
	fx := loadFixture(f)
	for _, c := range fx.Cookies {
		f.Add(c.Cookie)
	}
	f.Add(".eJwLycgsVgCi4vzcVIWS1OISAC-6BYo.ZXYzAA.aaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("e30.AAAA.aaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("eyIgdCI6WzEsMl19.AAAAAA.aaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Fuzz(func(t *testing.T, v string) {
		c, err := Parse(v)
		if err != nil {
			return
		}
		if len(c.JSON) > MaxPayload {
			t.Fatalf("payload of %d bytes", len(c.JSON))
		}
		c.Data()
		if fields, err := c.Fields(); err == nil {
			if _, err := Encode(fields); err != nil {
				t.Fatalf("re-encode: %v", err)
			}
		}
		c.Verify([]byte("dev"))
		c.Tester()([]byte("dev"))
	})
}
