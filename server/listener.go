package server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// The listener stack, from the socket up:
//
//	net.Listen ─► limitListener (--max-connections) ─┬─► expectListener ─────────────► http.Server (HTTP/1.1, h2c)
//	                                                 └─► tlsListener ─┬─ ALPN h2: *tls.Conn ──► http.Server (HTTP/2)
//	                                                                  └─ else: expectConn over *tls.Conn (HTTP/1.1)
//
// expectConn rewrites HTTP/1 request bytes, so it must sit above TLS: under
// it, it would see TLS records, not requests. HTTP/2 connections are handed
// to net/http as the *tls.Conn itself, because net/http switches to HTTP/2
// only for that type; HTTP/2 needs no Expect rewrite (net/http's HTTP/2
// server does not answer 417). For HTTP/1.1 over TLS, tlsExpectConn's
// ConnectionState method makes net/http fill Request.TLS as it does for a
// *tls.Conn, so handlers (and aws:SecureTransport) see r.TLS != nil on every
// request that came over TLS.

// DefaultMaxConnections bounds open client connections unless configured.
const DefaultMaxConnections = 4096

// defaultMaxConnections is DefaultMaxConnections, lowered to leave file
// descriptors for the data files when RLIMIT_NOFILE is small.
func defaultMaxConnections() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur > 1<<30 {
		return DefaultMaxConnections
	}
	// Half the descriptors for connections, half for shard logs, lake
	// files and the rest; never fewer than 64.
	return max(64, min(DefaultMaxConnections, int(lim.Cur/2)))
}

// limitListener accepts at most cap(slots) connections at a time. Past
// that, Accept waits until a connection closes, leaving new connections
// in the kernel's accept queue: a burst is served late rather than refused,
// which every AWS client handles (they time out and retry), whereas a
// refused or reset connection surfaces as an error in some of them.
type limitListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	once  sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back once, on the first Close.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// ReadFrom keeps the sendfile path of the TCP connection underneath.
func (c *limitConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(c.Conn, r)
}

// tlsHandshakeTimeout bounds a TLS handshake (a client that connects and
// says nothing holds a connection slot no longer than this).
const tlsHandshakeTimeout = 10 * time.Second

// tlsListener completes TLS handshakes off the accept path, one goroutine
// per connection, and hands net/http only connections whose handshake
// succeeded, typed by the protocol ALPN chose (see the diagram above).
// A client speaking plain HTTP gets a 400 saying to use https://.
type tlsListener struct {
	inner   net.Listener
	config  *tls.Config
	timeout time.Duration

	ready    chan net.Conn // handshaken connections for Accept
	errc     chan error    // the inner listener's final error
	done     chan struct{} // closed by Close
	once     sync.Once
	ctx      context.Context // cancelled by Close, ends handshakes
	cancel   context.CancelFunc
	shaking  sync.WaitGroup // handshakes in progress
	loopDone chan struct{}
}

func newTLSListener(inner net.Listener, config *tls.Config, timeout time.Duration) *tlsListener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &tlsListener{
		inner: inner, config: config, timeout: timeout,
		ready: make(chan net.Conn), errc: make(chan error, 1), done: make(chan struct{}),
		ctx: ctx, cancel: cancel, loopDone: make(chan struct{}),
	}
	go l.acceptLoop()
	return l
}

func (l *tlsListener) acceptLoop() {
	defer close(l.loopDone)
	var backoff time.Duration
	for {
		c, err := l.inner.Accept()
		if err != nil {
			var temp interface{ Temporary() bool }
			if errors.As(err, &temp) && temp.Temporary() {
				// Transient, such as EMFILE when descriptors run out (as
				// net/http's Serve treats it): back off and retry.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(backoff):
					continue
				case <-l.done:
				}
			}
			l.errc <- err
			return
		}
		backoff = 0
		l.shaking.Add(1)
		go l.handshake(c)
	}
}

func (l *tlsListener) handshake(c net.Conn) {
	defer l.shaking.Done()
	tc := tls.Server(c, l.config)
	c.SetDeadline(time.Now().Add(l.timeout))
	if err := tc.HandshakeContext(l.ctx); err != nil {
		var re tls.RecordHeaderError
		if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader) {
			io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"+
				"Client sent an HTTP request to an HTTPS server: this caudal serves TLS only; use https:// in the endpoint URL.\n")
		}
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	var conn net.Conn = tc
	if tc.ConnectionState().NegotiatedProtocol != "h2" {
		conn = &tlsExpectConn{expectConn: &expectConn{Conn: tc, framing: framing{state: stateRequestLine}}, tls: tc}
	}
	select {
	case l.ready <- conn:
	case <-l.done:
		tc.Close()
	}
}

func (l *tlsListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case err := <-l.errc:
		l.errc <- err // every later Accept fails the same way
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting and abandons handshakes in progress.
func (l *tlsListener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		l.cancel()
		err = l.inner.Close()
		<-l.loopDone
		l.shaking.Wait()
	})
	return err
}

func (l *tlsListener) Addr() net.Addr { return l.inner.Addr() }

// tlsExpectConn is an HTTP/1.1 connection over TLS; ConnectionState is the
// method net/http looks for to fill Request.TLS.
type tlsExpectConn struct {
	*expectConn
	tls *tls.Conn
}

func (c *tlsExpectConn) ConnectionState() tls.ConnectionState { return c.tls.ConnectionState() }
