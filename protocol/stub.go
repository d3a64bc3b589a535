package protocol

import "net/http"

// TODO(protocol): contract stubs; replace the bodies, keep the signatures.

// ServeHTTP reads the body (bounded), picks the codec from Content-Type,
// finds the operation in X-Amz-Target, takes the Caller from the request
// context, runs the handler and writes its answer or error with
// x-amzn-RequestId.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {}

// Decode decodes the call body into v with the call's codec. Malformed
// input is an *Error (SerializationException, 400).
func (c *Call) Decode(v any) error { return nil }

// WriteError writes err in the service error envelope of codec.
func WriteError(w http.ResponseWriter, codec Codec, requestID string, err error) {}

// CodecOf maps a Content-Type to a codec; ok is false for anything else.
func CodecOf(contentType string) (c Codec, ok bool) { return JSON, true }

// NewRequestID returns a fresh request ID in AWS's shape.
func NewRequestID() string { return "" }
