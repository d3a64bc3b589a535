// Package server wires caudal's engines and wire skins onto one listener.
//
// One port speaks HTTP/1.1 and unencrypted HTTP/2 (h2c). Requests are
// routed by X-Amz-Target to the JSON/CBOR services (Kinesis today), by
// path to caudal's own endpoints under /_caudal/ (a prefix no S3 bucket
// name can take), and everything else to the S3 REST API (package s3api,
// over the lake engine), path-style or virtual-host-style under
// "<bucket>.localhost". Every service request is SigV4-verified against
// the root key before any engine sees it.
//
// Glue (X-Amz-Target AWSGlue.*) serves the catalog kept under <data>/catalog.
//
// Lifecycle: Run listens first (so /_caudal/health can answer 503 while
// recovery runs), then opens the engines, flips to ready, prints the
// banner, and on cancellation stops accepting, drains in-flight requests
// (bounded by Config.ShutdownTimeout) and closes the engines, which
// flushes and fsyncs their logs.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/glue"
	"github.com/caudal/caudal/kinesis"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/s3api"
	"github.com/caudal/caudal/stream"
)

// Server is one running caudal. Create it with Start; stop it with
// Shutdown. Run wraps both for callers that only need a blocking call.
type Server struct {
	lock    *dataLock // held from Start until Shutdown has closed the engines
	cfg     Config
	ln      net.Listener
	http    *http.Server
	key     auth.Key
	keyNote string // where the key came from, for the banner

	// services is nil until the engines are open; the router answers 503
	// until then. Set once, read by every request.
	services atomic.Pointer[[]jsonService]
	// stopping is set when Shutdown begins; health reports 503 from then.
	stopping atomic.Bool

	engine *stream.Engine   // nil until open; owned by the Shutdown path
	lake   *lake.Lake       // nil until open; owned by the Shutdown path
	cat    *catalog.Catalog // nil until open; owned by the Shutdown path
	// s3 serves the S3 REST API; nil until the lake is open (the router
	// answers 503 until then).
	s3 atomic.Pointer[s3api.Handler]

	inflight sync.WaitGroup // requests inside the router
	active   atomic.Int64   // the same count, readable (tests)
	serveErr chan error     // the result of http.Server.Serve
	shutOnce sync.Once
	shutErr  error
}

// StreamsDir is where the stream engine keeps its state inside a data dir.
func StreamsDir(dataDir string) string { return filepath.Join(dataDir, "streams") }

// LakeDir is where the lake (S3 buckets and objects) lives inside a data
// dir.
func LakeDir(dataDir string) string { return filepath.Join(dataDir, "lake") }

// CatalogDir is where the catalog (Glue databases, tables, partitions)
// lives inside a data dir.
func CatalogDir(dataDir string) string { return filepath.Join(dataDir, "catalog") }

// Start validates cfg, loads or creates the root key, starts serving and
// opens the engines. It returns once the server is ready (health answers
// 200) or failed to start; either way the caller owns a Server to Shutdown
// only when err is nil.
func Start(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("server config: %w", err)
	}
	if abs, err := filepath.Abs(cfg.DataDir); err == nil {
		cfg.DataDir = abs
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	syncMode, _ := ParseFsync(cfg.Fsync) // validated above

	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			lock.release()
		}
	}()

	key, created, err := auth.LoadRoot(cfg.DataDir, cfg.Getenv)
	if err != nil {
		return nil, fmt.Errorf("load root key: %w", err)
	}
	s := &Server{
		lock:     lock,
		cfg:      cfg,
		key:      key,
		keyNote:  keyNote(cfg, created),
		serveErr: make(chan error, 1),
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is another caudal running? pick another address with --listen)", cfg.Listen, err)
	}
	s.ln = ln
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true) // Java SDK / KCL use h2c on http:// endpoints
	s.http = &http.Server{
		Handler:           s,
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout/WriteTimeout: bodies are bounded by the services,
		// and event streams (SubscribeToShard) legitimately last minutes.
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
	go func() { s.serveErr <- s.http.Serve(expectListener{ln}) }()

	if cfg.beforeOpen != nil {
		cfg.beforeOpen(ln.Addr().String())
	}
	engine, err := stream.Open(stream.Config{
		Dir:       StreamsDir(cfg.DataDir),
		AccountID: cfg.AccountID,
		Quotas:    !cfg.QuotasOff,
		Sync:      syncMode,
	})
	if err != nil {
		s.http.Close()
		return nil, fmt.Errorf("open stream engine: %w", err)
	}
	s.engine = engine
	lk, err := lake.Open(lake.Config{
		Dir: LakeDir(cfg.DataDir),
		// The lake has no interval mode: "interval" keeps it durable;
		// only "never" trades durability for speed.
		NoSync: cfg.Fsync == "never",
	})
	if err != nil {
		s.http.Close()
		engine.Close()
		return nil, fmt.Errorf("open lake: %w", err)
	}
	s.lake = lk
	cat, err := catalog.Open(catalog.Config{Dir: CatalogDir(cfg.DataDir), NoSync: cfg.Fsync == "never"})
	if err != nil {
		s.http.Close()
		engine.Close()
		lk.Close()
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	s.cat = cat
	s.s3.Store(s3api.New(s3api.Config{
		Lake:   lk,
		Secret: s.key.Secret,
		Log:    cfg.Log,
	}))
	s.services.Store(&[]jsonService{
		s.newJSONService(kinesis.New(engine, cfg.AccountID), "kinesis"),
		s.newJSONService(glue.New(cat, cfg.AccountID), glue.SigningName),
	})
	started = true
	return s, nil
}

// Addr is the address the server listens on (the real port when the
// config asked for port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the endpoint clients should use.
func (s *Server) URL() string { return "http://" + clientHostPort(s.ln.Addr()) }

// Key is the root access key requests are verified against.
func (s *Server) Key() auth.Key { return s.key }

// Done reports the serve loop's end: it yields an error if serving stopped
// for any reason other than Shutdown.
func (s *Server) Done() <-chan error { return s.serveErr }

// Shutdown stops accepting connections, waits for in-flight requests (at
// most Config.ShutdownTimeout, or until ctx ends), then closes the engines
// so every acknowledged record is flushed. It is safe to call more than
// once; later calls return the first result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutOnce.Do(func() { s.shutErr = s.shutdown(ctx) })
	return s.shutErr
}

func (s *Server) shutdown(ctx context.Context) error {
	s.stopping.Store(true)
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := s.http.Shutdown(ctx); err != nil {
		// The drain timed out: cut the remaining connections. Their
		// handlers may still be running, so give them a moment to see
		// their contexts end before the engines close underneath them.
		fmt.Fprintf(s.cfg.Log, "caudal: drain timed out after %s; closing remaining connections\n", s.cfg.ShutdownTimeout)
		s.http.Close()
		waitTimeout(&s.inflight, 2*time.Second)
	}
	if s.engine != nil {
		if err := s.engine.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close stream engine: %w", err))
		}
	}
	if s.lake != nil {
		if err := s.lake.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close lake: %w", err))
		}
	}
	if s.cat != nil {
		if err := s.cat.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close catalog: %w", err))
		}
	}
	if err := s.lock.release(); err != nil {
		errs = append(errs, fmt.Errorf("release data directory lock: %w", err))
	}
	return errors.Join(errs...)
}

// Run starts a server, calls ready with its address once it serves, and
// blocks until ctx is cancelled (then shuts down gracefully and returns
// nil) or serving fails.
func Run(ctx context.Context, cfg Config, ready func(addr string)) error {
	s, err := Start(cfg)
	if err != nil {
		return err
	}
	s.PrintBanner()
	if ready != nil {
		ready(s.Addr())
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.cfg.Log, "caudal: shutting down (draining in-flight requests)")
		if err := s.Shutdown(context.Background()); err != nil {
			return err
		}
		fmt.Fprintln(s.cfg.Log, "caudal: stopped cleanly")
		return nil
	case err := <-s.serveErr:
		shutErr := s.Shutdown(context.Background())
		return errors.Join(fmt.Errorf("serve: %w", err), shutErr)
	}
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// clientHostPort turns a bound address into one a client can dial: an
// unspecified IP (0.0.0.0, ::) becomes 127.0.0.1.
func clientHostPort(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}
