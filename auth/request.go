package auth

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/caudal/caudal/audit"
)

// NewSubject is the Subject of r, signed by p's key and accepted at now:
// the source address is the TCP peer (r.RemoteAddr), the transport is
// secure when r came over TLS.
func NewSubject(r *http.Request, p *Principal, now time.Time) *Subject {
	s := &Subject{Principal: p, SecureTransport: r.TLS != nil, Time: now, UserAgent: r.UserAgent()}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		s.SourceIP = ap.Addr().Unmap()
	} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			s.SourceIP = a.Unmap()
		}
	}
	return s
}

// Identity is p as CloudTrail's userIdentity names it.
func Identity(p *Principal) audit.UserIdentity {
	id := audit.UserIdentity{PrincipalID: p.UserID, ARN: p.ARN, AccountID: p.Account, AccessKeyID: p.AccessKeyID}
	if p.Root {
		id.Type = "Root"
	} else {
		id.Type = "IAMUser"
		id.UserName = p.UserName
	}
	return id
}

// RecordCaller names p as the caller on ctx's audit event, if it has one;
// authentication calls it once a signature verified. region is the
// credential scope's.
func RecordCaller(ctx context.Context, p *Principal, region string) {
	if ev, ok := audit.EventFrom(ctx); ok {
		ev.SetCaller(Identity(p), region)
	}
}
