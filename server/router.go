package server

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/caudal/caudal/iam"
	"github.com/caudal/caudal/protocol"
)

// caudalPrefix is reserved for caudal's own endpoints. S3 bucket names
// cannot start with "_", so no bucket path ever collides with it.
const caudalPrefix = "/_caudal/"

// jsonService is one AWS JSON/CBOR-protocol service on the listener.
type jsonService struct {
	targetPrefix string // X-Amz-Target prefix including the dot, e.g. "Kinesis_20131202."
	handler      *protocol.Service
}

// newJSONService registers svc, authenticating its calls with SigV4
// scoped to signingName (e.g. "kinesis").
func (s *Server) newJSONService(svc *protocol.Service, signingName string) jsonService {
	svc.Auth = s.authFor(signingName)
	if svc.EventSource == "" {
		svc.EventSource = signingName + ".amazonaws.com" // the audit trail's eventSource
	}
	return jsonService{targetPrefix: svc.TargetPrefix + ".", handler: svc}
}

// ServeHTTP routes one request. The order matters: caudal's own paths
// first (they need no signature), then X-Amz-Target services, then the S3
// REST API, which owns every other path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	s.active.Add(1)
	defer func() {
		s.active.Add(-1)
		s.inflight.Done()
	}()

	if v, ok := r.Header[hiddenExpect]; ok {
		// expectConn renamed it so net/http would not answer 417.
		r.Header["Expect"] = append(r.Header["Expect"], v...)
		delete(r.Header, hiddenExpect)
	}
	// r.TLS is set for every request that came over TLS (tlsListener);
	// nothing below replaces the request, so policies can rely on it
	// (aws:SecureTransport).
	r = paceBody(w, r, s.cfg.bodyPace)
	if s.cfg.observe != nil {
		s.cfg.observe(r)
	}
	if !strings.HasPrefix(r.URL.Path, caudalPrefix) {
		var finish func()
		w, r, finish = s.auditBegin(w, r) // audit.go
		defer finish()
	}
	switch {
	case strings.HasPrefix(r.URL.Path, caudalPrefix):
		s.serveCaudal(w, r)
	case r.Header.Get("X-Amz-Target") != "":
		s.serveTarget(w, r)
	case signedFor(r, iam.SigningName):
		s.serveIAM(w, r)
	default:
		s.serveOther(w, r)
	}
}

func (s *Server) serveCaudal(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case caudalPrefix + "health":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
			return
		}
		switch {
		case s.stopping.Load():
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "stopping"})
		case s.services.Load() == nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		default:
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}
	case caudalPrefix + "delivery":
		s.serveDeliveryMetrics(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such caudal endpoint: " + r.URL.Path})
	}
}

// serveDeliveryMetrics answers every delivery stream's lag and freshness
// (delivery.Metrics) as JSON. It is unsigned like health, so it answers
// loopback clients only: the names of delivery streams are not public.
func (s *Server) serveDeliveryMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
		return
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err != nil || !net.ParseIP(host).IsLoopback() {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "delivery metrics answer loopback clients only"})
		return
	}
	if s.services.Load() == nil || s.deliv == nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"DeliveryStreams": s.deliv.Metrics()})
}

// serveTarget dispatches a JSON/CBOR-protocol call by its X-Amz-Target.
// The service itself checks the envelope and then authenticates through
// its Auth hook (authFor), in the order AWS does.
func (s *Server) serveTarget(w http.ResponseWriter, r *http.Request) {
	services := s.services.Load()
	if services == nil {
		protocol.WriteError(w, codecOf(r), protocol.NewRequestID(), errStarting)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	for _, svc := range *services {
		if strings.HasPrefix(target, svc.targetPrefix) {
			svc.handler.ServeHTTP(w, r)
			return
		}
	}
	protocol.WriteError(w, codecOf(r), protocol.NewRequestID(), &protocol.Error{
		Code: "UnknownOperationException", Status: http.StatusBadRequest,
		Message: "caudal does not serve X-Amz-Target " + target,
	})
}

// serveOther hands the S3 REST API every path outside /_caudal/ that
// carries no X-Amz-Target (Kinesis JSON posts to "/" with one, so it was
// routed before). Until the lake is open it answers S3's 503.
func (s *Server) serveOther(w http.ResponseWriter, r *http.Request) {
	if h := s.s3.Load(); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method != http.MethodHead {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
			`<Error><Code>ServiceUnavailable</Code><Message>caudal is starting (recovering its data); retry shortly</Message></Error>`)
	}
}

var errStarting = &protocol.Error{
	Code: "ServiceUnavailableException", Status: http.StatusServiceUnavailable,
	Message: "caudal is starting (recovering its logs); retry shortly",
}

func codecOf(r *http.Request) protocol.Codec {
	if c, ok := protocol.CodecOf(r.Header.Get("Content-Type")); ok {
		return c
	}
	return protocol.JSON
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
