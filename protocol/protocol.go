// Package protocol holds the wire mechanics the AWS JSON-protocol services
// share: the JSON 1.1 and CBOR codecs, the error envelope, request IDs and
// the X-Amz-Target dispatcher. Service packages (kinesis, later firehose,
// glue, athena) declare their operations and leave the envelope to this
// package.
package protocol

import (
	"context"
	"net/http"
	"time"
)

// Codec is the body encoding of one call; answers use the request's codec.
type Codec int

const (
	JSON Codec = iota // application/x-amz-json-1.0 / 1.1
	CBOR              // application/x-amz-cbor-1.1
)

// Error is an AWS error ready for the wire.
type Error struct {
	Code    string // e.g. "ResourceNotFoundException"
	Status  int    // HTTP status
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Caller is who sent a call, as authentication established it.
type Caller struct {
	AccessKeyID string
	Region      string // from the SigV4 credential scope
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller stored by WithCaller.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// Call is one decoded-envelope request to a JSON-protocol service.
type Call struct {
	Operation string // after the dot of X-Amz-Target
	Codec     Codec
	Body      []byte
	Caller    Caller
	RequestID string
}

// Handler serves one operation. It returns the output struct (encoded with
// the call's codec) or an error; *Error is written as is, anything else as
// a 500 InternalFailure.
type Handler func(ctx context.Context, c *Call) (any, error)

// Service dispatches X-Amz-Target calls to operation handlers.
type Service struct {
	TargetPrefix string // e.g. "Kinesis_20131202"
	Ops          map[string]Handler
}

// Timestamp is a time on the wire: epoch seconds (a JSON number with
// fractional milliseconds) in JSON; in CBOR, what the AWS SDK for Java
// sends and expects.
type Timestamp time.Time

var _ http.Handler = (*Service)(nil)
