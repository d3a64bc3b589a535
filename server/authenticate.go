package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/sigv4"
)

// authFor returns the protocol.Service.Auth hook for a JSON/CBOR service
// whose SigV4 signing name is service. The protocol package calls it after
// the envelope checks (method, Content-Type, the 7 MiB body bound, the
// operation), in AWS's order, with the whole body read; a refusal is
// written as the answer and nothing downstream runs.
//
// Keys are looked up in the identity store (s.ids): only active keys
// verify, and the Caller carries the key's principal as an auth.Subject
// for authorization; the audit event, when the request has one, is told
// who signed.
//
// The payload hash is always computed from the bytes received, never taken
// from X-Amz-Content-Sha256: a client that sends that header signs it as
// the payload hash, so a header that disagrees with the body makes the
// signature mismatch, which is exactly the refusal we want, and a
// consistent one verifies as usual.
func (s *Server) authFor(service string) func(r *http.Request, body []byte) (protocol.Caller, error) {
	// The verifier checks the scope's service itself, before the
	// signature and together with the scope's other parts, as AWS does.
	v := &sigv4.Verifier{Secret: s.ids.Secret, Now: time.Now, MaxSkew: 15 * time.Minute, Service: service}
	return func(r *http.Request, body []byte) (protocol.Caller, error) {
		sum := sha256.Sum256(body)
		cred, err := v.Verify(r, hex.EncodeToString(sum[:]))
		if err != nil {
			return protocol.Caller{}, authError(err)
		}
		if cred.Service != service {
			// Unreachable while the verifier checks Service; kept so a
			// verifier change can never let another service's scope in.
			return protocol.Caller{}, &protocol.Error{Code: "InvalidSignatureException", Status: http.StatusBadRequest,
				Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", service)}
		}
		// The key can be deleted or disabled between the verifier's
		// lookup and this one; then it is as unknown as it is from now on.
		p, ok := s.ids.Principal(cred.AccessKeyID)
		if !ok {
			return protocol.Caller{}, errUnknownKey
		}
		auth.RecordCaller(r.Context(), p, cred.Region)
		now := time.Now()
		s.ids.NoteUse(cred.AccessKeyID, service, cred.Region, now)
		return protocol.Caller{AccessKeyID: cred.AccessKeyID, Region: cred.Region, Subject: auth.NewSubject(r, p, now)}, nil
	}
}

// errUnknownKey is the JSON services' answer to a key the identity store
// does not know (or no longer knows as active), as the verifier words it.
var errUnknownKey = &protocol.Error{Code: "UnrecognizedClientException", Status: http.StatusBadRequest,
	Message: "The security token included in the request is invalid."}

// authError maps a verifier error to the wire error; anything that is not
// a *sigv4.Error is a bug in the verifier and stays a 500.
func authError(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &protocol.Error{Code: se.Code, Status: se.Status, Message: se.Message}
	}
	return err
}
