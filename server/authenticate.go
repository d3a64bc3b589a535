package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/sigv4"
)

// MaxBodyBytes bounds a JSON/CBOR request body. The largest legal Kinesis
// request is a PutRecords of 5 MiB of data, which base64 in JSON inflates
// to about 6.7 MiB plus keys and framing; 10 MiB leaves room without
// letting one request pin unbounded memory.
const MaxBodyBytes = 10 << 20

// authenticate buffers the body, verifies the request's SigV4 signature
// for service and, on success, returns the request with the caller in its
// context and the buffered body in place of the original. On failure it
// has already written the AWS error, and nothing downstream ran.
//
// The payload hash is always computed from the bytes received, never
// taken from X-Amz-Content-Sha256: a client that sends that header signs
// it as the payload hash, so a header that disagrees with the body makes
// the signature mismatch, which is exactly the refusal we want.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, service string, codec protocol.Codec) (*http.Request, bool) {
	fail := func(err error) (*http.Request, bool) {
		protocol.WriteError(w, codec, protocol.NewRequestID(), err)
		return nil, false
	}
	if r.ContentLength > MaxBodyBytes {
		return fail(errTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return fail(&protocol.Error{Code: "SerializationException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("could not read the request body: %v", err)})
	}
	if len(body) > MaxBodyBytes {
		return fail(errTooLarge)
	}
	sum := sha256.Sum256(body)
	cred, err := s.verifier.Verify(r, hex.EncodeToString(sum[:]))
	if err != nil {
		return fail(authError(err))
	}
	if cred.Service != service {
		// AWS checks the scope's service against the endpoint's; a
		// signature made for another service is never valid here.
		return fail(&protocol.Error{Code: "InvalidSignatureException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", service)})
	}
	ctx := protocol.WithCaller(r.Context(), protocol.Caller{AccessKeyID: cred.AccessKeyID, Region: cred.Region})
	r = r.WithContext(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return r, true
}

var errTooLarge = &protocol.Error{
	Code: "SerializationException", Status: http.StatusRequestEntityTooLarge,
	Message: fmt.Sprintf("request body exceeds %d bytes", MaxBodyBytes),
}

// authError maps a verifier error to the wire error; anything that is not
// a *sigv4.Error is a bug in the verifier and stays a 500.
func authError(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &protocol.Error{Code: se.Code, Status: se.Status, Message: se.Message}
	}
	return err
}
