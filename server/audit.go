package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/caudal/caudal/audit"
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
)

// The audit trail: every request outside /_caudal/ becomes one
// CloudTrail-shaped audit.Event. ServeHTTP calls auditBegin before
// routing (so authentication, authorization and the skins can fill the
// event in through the request context) and the returned finish after
// the handler, which records the answer's status and request id and
// hands the event to the trail (package audit: a journal, then the lake).
//
// The request path pays for one event allocation, a UUID, a context
// value and a non-blocking channel send; encoding and disk writes happen
// on the trail's goroutine.

// TrailRegion is the region in the trail's object keys (caudal is one
// region; an event's awsRegion is its signer's).
const TrailRegion = "us-east-1"

// AuditDir is where the audit trail's journal (events not yet in the
// lake) lives inside a data dir.
func AuditDir(dataDir string) string { return filepath.Join(dataDir, "audit") }

// openAudit creates the reserved audit bucket, the caudal_audit.cloudtrail
// table over it (when missing) and opens the trail, which first puts any
// journal left by an earlier run.
func (s *Server) openAudit(noSync bool) error {
	account := s.cfg.AccountID
	bucket := audit.BucketName(account)
	if err := s.lake.CreateBucket(bucket, TrailRegion); err != nil && !errors.Is(err, lake.ErrBucketExists) {
		return fmt.Errorf("create audit bucket: %w", err)
	}
	// Only the trail writes there (lakeSink): the S3 skin, Athena's
	// results, CTAS and Firehose delivery all get lake.ErrReservedBucket.
	s.lake.Reserve(bucket)
	if err := s.cat.CreateDatabase(catalog.Database{
		Name:        audit.Database,
		Description: "caudal's audit trail (created by the server)",
		LocationURI: "s3://" + bucket + "/",
	}); err != nil && !errors.Is(err, catalog.ErrAlreadyExists) {
		return fmt.Errorf("create audit database: %w", err)
	}
	if _, err := s.cat.GetTable(audit.Database, audit.TableName); errors.Is(err, catalog.ErrTableNotFound) {
		t := audit.Table(bucket, account, TrailRegion, time.Now())
		if err := s.cat.CreateTable(audit.Database, t); err != nil && !errors.Is(err, catalog.ErrAlreadyExists) {
			return fmt.Errorf("create audit table: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("read audit table: %w", err)
	}
	tr, err := audit.Open(audit.Config{
		Dir:     AuditDir(s.cfg.DataDir),
		Sink:    lakeSink{lk: s.lake, bucket: bucket},
		Account: account,
		Region:  TrailRegion,
		NoSync:  noSync,
		Log:     slog.New(slog.NewTextHandler(s.cfg.Log, nil)),
	})
	if err != nil {
		return fmt.Errorf("open audit trail: %w", err)
	}
	s.trail.Store(tr)
	return nil
}

// closeAudit flushes the trail into the lake; it runs before the lake
// closes.
func (s *Server) closeAudit() error {
	tr := s.trail.Load()
	if tr == nil {
		return nil
	}
	s.trail.Store(nil)
	return tr.Close()
}

// lakeSink puts trail objects into the audit bucket.
type lakeSink struct {
	lk     *lake.Lake
	bucket string
}

func (k lakeSink) Put(ctx context.Context, key string, body []byte) error {
	_, err := k.lk.PutReservedObject(ctx, k.bucket, key, bytes.NewReader(body), lake.PutOptions{
		Meta: lake.Metadata{ContentType: "application/x-ndjson"},
	})
	return err
}

// auditBegin starts the event of one API call and puts it into the
// request's context; the returned finish records it. Without a trail
// (starting, stopping) it returns w and r unchanged and a no-op.
func (s *Server) auditBegin(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, func()) {
	tr := s.trail.Load()
	if tr == nil {
		return w, r, func() {}
	}
	ev := audit.NewEvent(time.Now(), s.cfg.AccountID)
	ev.SourceIPAddress = peerIP(r.RemoteAddr)
	ev.UserAgent = r.UserAgent()
	ev.AWSRegion = TrailRegion // authentication replaces it with the signer's
	if r.TLS != nil {
		ev.TLSDetails = &audit.TLSDetails{
			TLSVersion:               tlsVersionName(r.TLS.Version),
			CipherSuite:              tls.CipherSuiteName(r.TLS.CipherSuite),
			ClientProvidedHostHeader: r.Host,
		}
	}
	aw := &auditWriter{ResponseWriter: w}
	r = r.WithContext(audit.WithEvent(r.Context(), ev))
	target := r.Header.Get("X-Amz-Target")
	return aw, r, func() {
		h := aw.Header()
		rid := h.Get("X-Amzn-Requestid")
		if rid == "" {
			rid = h.Get("X-Amz-Request-Id")
		}
		code, _, _ := strings.Cut(h.Get("X-Amzn-Errortype"), ":")
		status := aw.status
		if status == 0 {
			status = http.StatusOK
		}
		// A call refused before its skin named it (unknown target,
		// front-end errors) still says which service it was for.
		if target != "" {
			prefix, op, _ := strings.Cut(target, ".")
			ev.DefaultOperation(s.eventSourceOf(prefix), op)
		} else {
			ev.DefaultOperation(audit.SourceS3, "")
		}
		ev.Finish(status, rid, code)
		tr.Record(ev)
	}
}

// eventSourceOf names the service of an X-Amz-Target prefix.
func (s *Server) eventSourceOf(targetPrefix string) string {
	if services := s.services.Load(); services != nil {
		for _, svc := range *services {
			if svc.targetPrefix == targetPrefix+"." {
				return svc.handler.EventSource
			}
		}
	}
	return ""
}

// peerIP is the host part of a RemoteAddr (the TCP peer; caudal trusts
// no forwarding header).
func peerIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return tls.VersionName(v)
}

// auditWriter remembers the answer's status. It keeps what handlers
// reach for through it: Flush (event streams), ReadFrom (sendfile of
// S3 GETs) and Unwrap (http.ResponseController's deadlines).
type auditWriter struct {
	http.ResponseWriter
	status int
}

func (w *auditWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *auditWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *auditWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return io.Copy(w.ResponseWriter, r)
}

func (w *auditWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *auditWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
