package server

import (
	"bytes"
	"io"
	"net"
	"strconv"
)

// S3 ignores an Expect header it does not know; net/http answers 417
// Expectation Failed to any Expect other than 100-continue before a
// handler runs, and offers no hook to change that (net/http server.go,
// sendExpectationFailed). So the listener hides such headers from
// net/http: expectConn renames "Expect" to the same-length "Xxpect" in
// HTTP/1.x request headers whose value is not 100-continue, and the
// router renames it back before any service sees the request (the
// signature may cover it).
//
// Renaming to a name of the same length keeps every byte offset; the
// rewrite touches only the six bytes of such a header's name. To know what
// is a header and what is a body, expectConn follows HTTP/1.x framing
// (Content-Length, Transfer-Encoding: chunked, trailers, pipelining).
// Whenever the framing is anything it does not fully understand (HTTP/2's
// preface, Upgrade, both or repeated length headers, a transfer coding
// other than chunked, folded or over-long lines, malformed chunk sizes) it
// stops looking and passes the rest of the connection through untouched:
// at worst a request then meets net/http's 417, never a changed body.

// hiddenExpect is what an Expect header is renamed to on the wire.
const hiddenExpect = "Xxpect"

// maxFramingLine bounds a header or chunk-size line expectConn buffers;
// longer lines switch it to pass-through (net/http's own header limit,
// MaxHeaderBytes, refuses such requests anyway).
const maxFramingLine = 64 << 10

type expectListener struct{ net.Listener }

func (l expectListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &expectConn{Conn: c, framing: framing{state: stateRequestLine}}, nil
}

type expectConn struct {
	net.Conn
	framing
	in  []byte // read from Conn, not yet looked at
	out []byte // looked at, to be returned by Read
	buf [4096]byte
}

// ReadFrom keeps net/http's sendfile path (it asks the connection for
// io.ReaderFrom when a handler copies a file into the answer).
func (c *expectConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}

// Read returns the connection's bytes with unknown Expect headers renamed.
// Body bytes that are not buffered are read straight into p.
func (c *expectConn) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if len(c.in) == 0 {
			if c.state == statePass {
				return c.Conn.Read(p)
			}
			if c.left > 0 && (c.state == stateBody || c.state == stateChunkData) {
				n, err := c.Conn.Read(p[:min(int64(len(p)), c.left)])
				c.consumed(int64(n))
				return n, err
			}
			// out and in are both empty: nothing refers to buf any more.
			n, err := c.Conn.Read(c.buf[:])
			c.in = c.buf[:n]
			if n == 0 {
				return 0, err
			}
		}
		c.out, c.in = c.feed(c.in)
		if len(c.out) == 0 && len(c.in) > 0 {
			// An incomplete line: read more of it.
			buf := make([]byte, len(c.in), 2*len(c.in)+4096)
			copy(buf, c.in)
			n, err := c.Conn.Read(buf[len(c.in):cap(buf)])
			c.in = buf[:len(c.in)+n]
			if n == 0 && err != nil {
				if err != io.EOF {
					// A deadline (net/http interrupts its background
					// read so) or a broken connection: the partial line
					// stays buffered for a later Read.
					return 0, err
				}
				// The connection ends mid-line: hand over what there is.
				c.out, c.in = c.in, nil
				c.state = statePass
			}
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// framing follows HTTP/1.x request framing through a byte stream.
type framing struct {
	state int
	left  int64 // body or chunk bytes still to come

	// The current request's length headers.
	contentLength int64 // -1: none
	chunked       bool
	lengthHeaders int // Content-Length and Transfer-Encoding headers seen
}

const (
	stateRequestLine = iota
	stateHeader
	stateBody      // left bytes of a Content-Length body
	stateChunkSize // a chunk-size line
	stateChunkData // left bytes of chunk data
	stateChunkEnd  // the CRLF after chunk data
	stateTrailer   // trailer lines until an empty one
	statePass      // not following any more: pass everything through
)

// feed looks at in and returns the prefix it is done with (renamed where
// needed, in place) and the rest, an incomplete line, to feed again with
// more bytes appended.
func (f *framing) feed(in []byte) (done, rest []byte) {
	i := 0
	for i < len(in) {
		switch f.state {
		case statePass:
			return in, nil
		case stateBody, stateChunkData:
			n := min(int64(len(in)-i), f.left)
			i += int(n)
			f.consumed(n)
			continue
		}
		nl := bytes.IndexByte(in[i:], '\n')
		if nl < 0 {
			if len(in)-i > maxFramingLine {
				f.state = statePass
				return in, nil
			}
			return in[:i], in[i:]
		}
		f.line(in[i : i+nl+1])
		i += nl + 1
	}
	return in, nil
}

// consumed accounts for n body or chunk bytes passed on.
func (f *framing) consumed(n int64) {
	f.left -= n
	if f.left > 0 {
		return
	}
	switch f.state {
	case stateBody:
		f.state = stateRequestLine
	case stateChunkData:
		f.state = stateChunkEnd
	}
}

// line handles one line (with its "\n"), renaming in place.
func (f *framing) line(l []byte) {
	text := bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
	switch f.state {
	case stateRequestLine:
		if len(text) == 0 {
			return // net/http skips empty lines before a request line
		}
		if !bytes.HasSuffix(text, []byte(" HTTP/1.1")) && !bytes.HasSuffix(text, []byte(" HTTP/1.0")) {
			f.state = statePass // HTTP/2's preface, or not HTTP at all
			return
		}
		f.state, f.contentLength, f.chunked, f.lengthHeaders = stateHeader, -1, false, 0
	case stateHeader:
		if len(text) == 0 {
			f.endOfHeaders()
			return
		}
		f.header(l, text)
	case stateChunkSize:
		size, ok := chunkSize(text)
		switch {
		case !ok:
			f.state = statePass
		case size == 0:
			f.state = stateTrailer
		default:
			f.state, f.left = stateChunkData, size
		}
	case stateChunkEnd:
		if len(text) != 0 {
			f.state = statePass
			return
		}
		f.state = stateChunkSize
	case stateTrailer:
		if len(text) == 0 {
			f.state = stateRequestLine
		}
	}
}

func (f *framing) header(l, text []byte) {
	if text[0] == ' ' || text[0] == '\t' {
		f.state = statePass // obsolete line folding
		return
	}
	colon := bytes.IndexByte(text, ':')
	if colon < 0 {
		f.state = statePass
		return
	}
	name, value := text[:colon], bytes.TrimSpace(text[colon+1:])
	switch {
	case bytes.EqualFold(name, []byte("Content-Length")):
		n, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil || n < 0 {
			f.state = statePass
			return
		}
		f.contentLength = n
		f.lengthHeaders++
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		if !bytes.EqualFold(value, []byte("chunked")) {
			f.state = statePass
			return
		}
		f.chunked = true
		f.lengthHeaders++
	case bytes.EqualFold(name, []byte("Upgrade")):
		f.state = statePass // the connection will change protocol
	case bytes.EqualFold(name, []byte("Expect")):
		if !bytes.EqualFold(value, []byte("100-continue")) {
			copy(l, hiddenExpect)
		}
	}
}

func (f *framing) endOfHeaders() {
	switch {
	case f.lengthHeaders > 1:
		f.state = statePass // ambiguous framing: net/http decides, we stop
	case f.chunked:
		f.state = stateChunkSize
	case f.contentLength > 0:
		f.state, f.left = stateBody, f.contentLength
	default:
		f.state = stateRequestLine
	}
}

// chunkSize parses a chunk-size line: hex digits, then optional
// extensions after ';'.
func chunkSize(text []byte) (int64, bool) {
	if i := bytes.IndexByte(text, ';'); i >= 0 {
		text = text[:i]
	}
	text = bytes.TrimRight(text, " \t")
	if len(text) == 0 || len(text) > 15 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(text), 16, 64)
	return n, err == nil && n >= 0
}
