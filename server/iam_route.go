package server

import (
	"net/http"
	"strings"

	"github.com/caudal/caudal/iam"
)

// IAM is an awsquery service: no X-Amz-Target, and POSTs to "/" like an
// S3 bucket-less call. What tells it apart is the credential scope the
// client signed for, so the router reads the scope's service before
// handing a request to S3.

// signedFor reports whether r's SigV4 credential scope (Authorization
// header or presigned X-Amz-Credential) names service.
func signedFor(r *http.Request, service string) bool {
	cred := ""
	if h := r.Header.Get("Authorization"); h != "" {
		i := strings.Index(h, "Credential=")
		if i < 0 {
			return false
		}
		cred = h[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	return scopeService(cred) == service
}

// scopeService is the service of a credential
// "AKID/date/region/service/aws4_request", or "" if it does not have five
// parts. It does not allocate: every S3 request passes through here.
func scopeService(cred string) string {
	var slash [4]int
	n := 0
	for i := 0; i < len(cred); i++ {
		if cred[i] == '/' {
			if n == len(slash) {
				return ""
			}
			slash[n] = i
			n++
		}
	}
	if n != len(slash) {
		return ""
	}
	return cred[slash[2]+1 : slash[3]]
}

// serveIAM hands r to the IAM skin; until the identity store is open it
// answers 503.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request) {
	if h := s.iam.Load(); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ErrorResponse xmlns="` + iam.Namespace +
		`"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>caudal is starting; retry shortly</Message></Error></ErrorResponse>`))
}
