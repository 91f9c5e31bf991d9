package engine

import (
	"errors"
	"io"
	"slices"
)

// readBody reads at most limit bytes, as io.ReadAll(io.LimitReader(r,
// limit)) does, into one buffer sized from the announced length when there
// is one. io.ReadAll grows its buffer by doubling: a body at a 2 MiB cap
// cost 6 MiB of allocations and kept a 4 MiB array alive for 2 MiB of
// data, in every response a check holds.
func readBody(r io.Reader, announced, limit int64) ([]byte, error) {
	size := int64(512)
	if announced > 0 {
		size = min(announced+1, limit) // +1: EOF without one more grow
	}
	buf := make([]byte, 0, max(size, 1))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			grown := max(2*int64(cap(buf)), 512)
			if grown >= limit-limit/4 {
				grown = limit // not one more doubling short of the cap
			}
			next := make([]byte, len(buf), grown)
			copy(next, buf)
			buf = next
		}
		room := min(int64(cap(buf)), limit)
		n, err := r.Read(buf[len(buf):room])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return fit(buf), nil
		}
		if err != nil {
			return fit(buf), err
		}
	}
	return fit(buf), nil
}

// fit returns the data in an array of its size when the read left much of
// the array unused (a body of unannounced length).
func fit(b []byte) []byte {
	if cap(b)-len(b) > 64<<10 {
		return slices.Clone(b)
	}
	return b
}
