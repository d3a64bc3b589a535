package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// bodyPace is the slowest request body caudal waits for: at least minBytes
// in every window. A client that announces a body and then trickles it
// (slowloris on the body) holds a connection and a handler goroutine for
// as long as the server lets it; one that stops sending holds them
// forever. ReadHeaderTimeout covers the headers; this covers the body.
//
// The rule is a minimum rate, not an idle timeout, because an idle
// timeout that any byte resets is defeated by one byte every few seconds.
// It is not an overall body deadline either, because a 5 GiB S3 PUT over a
// slow link legitimately takes long. The numbers follow Apache httpd's
// mod_reqtimeout default (body=20,MinRate=500): 8 KiB per 20 s is about
// 400 B/s, far below any real uplink, and 20 s of silence is longer than
// any pause a client makes mid-body (AWS S3 itself answers RequestTimeout
// to a socket not read from or written to "within the timeout period").
//
// Only request bodies are paced, from the handler's start to the body's
// end, where the deadline is cleared, so a long answer (an event stream,
// a big GET) is never cut by it.
type bodyPace struct {
	window   time.Duration
	minBytes int64
}

var defaultBodyPace = bodyPace{window: 20 * time.Second, minBytes: 8 << 10}

// pacedBody enforces a bodyPace on one request body through the
// connection's (HTTP/1) or the stream's (HTTP/2) read deadline.
//
// Invariant: while the body is open, the read deadline is at most
// window (+ rearmEvery) after the last time minBytes had arrived since
// the one before; after EOF (or Close) the deadline is cleared, after an
// error it stays.
type pacedBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	pace bodyPace

	windowStart time.Time
	armedAt     time.Time // when the deadline was last moved
	got         int64     // bytes since windowStart
	finished    bool
}

// rearmEvery bounds how often a fast body moves the deadline (a syscall's
// worth of work); it makes the bound at most this much tighter.
func (p bodyPace) rearmEvery() time.Duration { return p.window / 16 }

func (b *pacedBody) Read(buf []byte) (int, error) {
	if b.finished {
		return b.ReadCloser.Read(buf)
	}
	n, err := b.ReadCloser.Read(buf)
	b.got += int64(n)
	if err == io.EOF {
		b.finish()
		return n, err
	}
	if err != nil {
		// The deadline stays: net/http may try to drain the rest of the
		// body before answering, and must not wait on a stalled client.
		b.finished = true
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("request body slower than %d bytes in %s: %w", b.pace.minBytes, b.pace.window, err)
		}
		return n, err
	}
	if b.got >= b.pace.minBytes {
		now := time.Now()
		b.windowStart, b.got = now, 0
		if now.Sub(b.armedAt) >= b.pace.rearmEvery() {
			b.arm(now)
		}
	}
	return n, nil
}

func (b *pacedBody) arm(now time.Time) {
	b.armedAt = now
	_ = b.rc.SetReadDeadline(b.windowStart.Add(b.pace.window))
}

// finish clears the deadline, so net/http's read for the next request
// (or an HTTP/2 stream's end) is not cut by it.
func (b *pacedBody) finish() {
	if !b.finished {
		b.finished = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
}

func (b *pacedBody) Close() error {
	b.finish()
	return b.ReadCloser.Close()
}

// paceBody returns r with its body subject to pace; requests without a
// body come back as they are. It copies the request rather than changing
// it: net/http looks at its own request's Body after the handler to drain
// it, and must still find its own type there.
func paceBody(w http.ResponseWriter, r *http.Request, pace bodyPace) *http.Request {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return r
	}
	body := &pacedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), pace: pace}
	// Armed now, not at the first Read: a handler that answers without
	// reading the body (an auth failure) leaves net/http to drain up to
	// 256 KiB of it, and that drain must be paced too.
	now := time.Now()
	body.windowStart = now
	body.arm(now)
	paced := *r // shallow: TLS, context and all stay the same
	paced.Body = body
	return &paced
}
