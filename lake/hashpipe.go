package lake

import (
	"io"
	"sync"
	"sync/atomic"
)

// The write path hashes a body while it writes it: one goroutine per
// hasher (MD5 and each requested checksum) consumes the chunks the writer
// has already handed to the file, so on a machine with a spare core MD5 —
// the slowest step, ~650 MB/s a core — overlaps the read, the write and
// the other hashes instead of adding to them. At most pipeDepth chunks of
// pipeChunk bytes are in flight per write, so a body is never held whole.
const (
	pipeChunk = 256 << 10
	pipeDepth = 4
)

var chunkPool = sync.Pool{New: func() any { b := make([]byte, pipeChunk); return &b }}

type chunk struct {
	buf  *[]byte
	n    int
	refs atomic.Int32 // hashers yet to consume it; the last frees buf
}

// hashPipe feeds chunks to a hashSet's hashers in parallel. Its owner
// calls buffer and submit from one goroutine, then close exactly once.
type hashPipe struct {
	hs     *hashSet
	feeds  []chan *chunk
	free   chan *[]byte // buffers the hashers are done with
	owned  int          // buffers taken from chunkPool
	wg     sync.WaitGroup
	closed bool
}

func newHashPipe(hs *hashSet) *hashPipe {
	p := &hashPipe{hs: hs, free: make(chan *[]byte, pipeDepth)}
	for _, h := range append([]io.Writer{hs.md5}, toWriters(hs)...) {
		feed := make(chan *chunk, pipeDepth)
		p.feeds = append(p.feeds, feed)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for c := range feed {
				h.Write((*c.buf)[:c.n])
				if c.refs.Add(-1) == 0 {
					p.free <- c.buf
				}
			}
		}()
	}
	return p
}

func toWriters(hs *hashSet) []io.Writer {
	out := make([]io.Writer, len(hs.sums))
	for i, s := range hs.sums {
		out[i] = s
	}
	return out
}

// buffer returns a chunk buffer: a freed one, a new one while fewer than
// pipeDepth are in flight, or else the next one the hashers free.
func (p *hashPipe) buffer() *[]byte {
	select {
	case b := <-p.free:
		return b
	default:
	}
	if p.owned < pipeDepth {
		p.owned++
		return chunkPool.Get().(*[]byte)
	}
	return <-p.free
}

// submit hands the first n bytes of buf to every hasher; buf belongs to
// the pipe until buffer returns it again.
func (p *hashPipe) submit(buf *[]byte, n int) {
	if n == 0 {
		p.free <- buf
		return
	}
	c := &chunk{buf: buf, n: n}
	c.refs.Store(int32(len(p.feeds)))
	p.hs.size += int64(n)
	for _, f := range p.feeds {
		f <- c
	}
}

// close waits for the hashers to finish and returns the buffers; held is
// a buffer the owner got from buffer and did not submit, or nil.
func (p *hashPipe) close(held *[]byte) {
	if p.closed {
		return
	}
	p.closed = true
	if held != nil {
		p.free <- held // never blocks: at most pipeDepth buffers exist
	}
	for _, f := range p.feeds {
		close(f)
	}
	p.wg.Wait()
	for range p.owned {
		chunkPool.Put(<-p.free)
	}
}
