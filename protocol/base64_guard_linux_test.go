package protocol

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"syscall"
	"testing"
)

// guarded maps size bytes between two inaccessible pages, so that any
// read or write just before or just after them faults.
func guarded(t *testing.T, size int) []byte {
	t.Helper()
	page := syscall.Getpagesize()
	size = (size + page - 1) / page * page
	m, err := syscall.Mmap(-1, 0, size+2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap %d bytes: %v", size+2*page, err)
	}
	t.Cleanup(func() { syscall.Munmap(m) })
	if err := syscall.Mprotect(m[:page], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	if err := syscall.Mprotect(m[page+size:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	return m[page : page+size : page+size]
}

// TestAppendBase64GuardPages puts src right after and right before an
// inaccessible page, and dst right before one with no spare capacity: a
// vector load that starts before src or ends past it, or a store past
// cap(dst), faults instead of passing unnoticed.
func TestAppendBase64GuardPages(t *testing.T) {
	const longest = 64 << 10
	in := guarded(t, longest)
	out := guarded(t, base64.StdEncoding.EncodedLen(longest))
	r := rand.New(rand.NewPCG(17, 18))
	for i := range in {
		in[i] = byte(r.Uint32())
	}
	lengths := []int{1024, longest - 1, longest}
	for n := range 301 {
		lengths = append(lengths, n)
	}
	decodePaths(t, func(path string) {
		for _, n := range lengths {
			for _, src := range [][]byte{in[:n], in[len(in)-n:]} {
				want := base64.StdEncoding.AppendEncode(nil, src)
				// dst ends where out does, with room for exactly the
				// encoding after a one-byte prefix.
				dst := out[len(out)-len(want)-1 : len(out)-len(want)]
				dst[0] = 'x'
				got := AppendBase64(dst, src)
				if &got[0] != &dst[0] || !bytes.Equal(got[1:], want) || got[0] != 'x' {
					t.Fatalf("%s: %d bytes: got %s, want x%s", path, n, got, want)
				}
			}
		}
	})
}
