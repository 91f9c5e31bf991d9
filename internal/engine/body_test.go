package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

func TestReadBodyReadsWhatReadAllReads(t *testing.T) {
	errBoom := errors.New("reset")
	for _, size := range []int{0, 1, 511, 512, 513, 4096, 100_000, 3 << 20} {
		data := bytes.Repeat([]byte("x"), size)
		for _, limit := range []int64{1, 100, 4096, 2<<20 + 1} {
			for _, announced := range []int64{-1, 0, int64(size), int64(size) / 2, int64(size) * 2} {
				for name, mk := range map[string]func() io.Reader{
					"plain":    func() io.Reader { return bytes.NewReader(data) },
					"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
					"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
					"cut":      func() io.Reader { return io.MultiReader(bytes.NewReader(data), iotest.ErrReader(errBoom)) },
				} {
					if name == "one byte" && size > 100_000 {
						continue
					}
					want, wantErr := io.ReadAll(io.LimitReader(mk(), limit))
					got, err := readBody(mk(), announced, limit)
					if !bytes.Equal(got, want) || !errors.Is(err, wantErr) && (err != nil || wantErr != nil) {
						t.Fatalf("size %d limit %d announced %d %s: %d bytes, %v; want %d bytes, %v",
							size, limit, announced, name, len(got), err, len(want), wantErr)
					}
				}
			}
		}
	}
}

// TestReadBodyAllocatesTheBodyOnce: a body at the cap is one array of the
// cap's size, not the 6 MiB io.ReadAll allocated for 2 MiB.
func TestReadBodyAllocatesTheBodyOnce(t *testing.T) {
	const size = 2 << 20
	data := bytes.Repeat([]byte("y"), 8<<20)
	for _, announced := range []int64{int64(len(data)), -1} {
		t.Run(fmt.Sprint(announced), func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, err := readBody(bytes.NewReader(data), announced, size+1)
			runtime.ReadMemStats(&after)
			if err != nil || len(got) != size+1 {
				t.Fatalf("%d bytes, %v", len(got), err)
			}
			limit := uint64(size + size/2)
			if announced < 0 {
				limit = 2*size + size/2 // doubling up to the cap, then the cap
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
				t.Errorf("reading %d bytes allocated %d", size, alloc)
			}
			if cap(got) > size+size/8 {
				t.Errorf("the body holds an array of %d bytes", cap(got))
			}
		})
	}
}
