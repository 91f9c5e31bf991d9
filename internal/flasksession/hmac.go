package flasksession

import (
	"crypto/sha1" //nolint:gosec // see package doc
	"hash"
)

// fastHMAC is HMAC-SHA1 that reuses its hash states and pads: a cracker
// calls it millions of times with a new key each time, and hmac.New would
// allocate on every call.
type fastHMAC struct {
	inner, outer hash.Hash
	ipad, opad   [sha1.BlockSize]byte
	kbuf         [sha1.Size]byte
	ibuf         [sha1.Size]byte
}

func newHMAC() *fastHMAC { return &fastHMAC{inner: sha1.New(), outer: sha1.New()} }

// sum appends HMAC-SHA1(key, msg) to dst.
func (h *fastHMAC) sum(dst, key, msg []byte) []byte {
	if len(key) > sha1.BlockSize {
		h.inner.Reset()
		h.inner.Write(key)
		key = h.inner.Sum(h.kbuf[:0])
	}
	for i := range h.ipad {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		h.ipad[i] = k ^ 0x36
		h.opad[i] = k ^ 0x5c
	}
	h.inner.Reset()
	h.inner.Write(h.ipad[:])
	h.inner.Write(msg)
	in := h.inner.Sum(h.ibuf[:0])
	h.outer.Reset()
	h.outer.Write(h.opad[:])
	h.outer.Write(in)
	return h.outer.Sum(dst)
}
