// Package protocol holds the wire mechanics the AWS JSON-protocol services
// share: the JSON 1.1 and CBOR codecs, the error envelope, request IDs and
// the X-Amz-Target dispatcher. Service packages (kinesis, later firehose,
// glue, athena) declare their operations and leave the envelope to this
// package.
package protocol

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/caudal/caudal/auth"
)

// Codec is the body encoding of one call; answers use the request's codec.
type Codec int

const (
	JSON Codec = iota // application/x-amz-json-1.0 / 1.1
	CBOR              // application/x-amz-cbor-1.1
)

// Error is an AWS error ready for the wire.
type Error struct {
	Code    string // e.g. "ResourceNotFoundException"; "" answers the bare status with no body
	Status  int    // HTTP status
	Message string
	// Fields are further string members of the error shape, written
	// beside __type and message (Athena's InvalidRequestException carries
	// AthenaErrorCode). Nil for most errors.
	Fields map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Caller is who sent a call, as authentication established it.
type Caller struct {
	AccessKeyID string
	Region      string // from the SigV4 credential scope
	// Subject is the authenticated principal and request facts that
	// authorization (auth.Check) decides on. Service.ServeHTTP puts it into
	// the handler's context (auth.WithSubject) when it is set.
	Subject *auth.Subject
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
	Body      []byte // valid only until the handler returns (the buffer is reused)
	Caller    Caller
	RequestID string

	// transient: ServeHTTP serves this call and reclaims blobs once the
	// answer is written (DecodeTransient).
	transient bool
	blobs     *blobArena
}

// Handler serves one operation. It returns the output struct (encoded with
// the call's codec) or an error; *Error is written as is, anything else as
// a 500 InternalFailure.
type Handler func(ctx context.Context, c *Call) (any, error)

// Service dispatches X-Amz-Target calls to operation handlers.
//
// ServeHTTP checks a request in the order AWS's JSON front end does (as
// kinesalite and dynalite recorded it against the real services): method,
// Content-Type, body size, empty body, X-Amz-Target, then authentication,
// then the operation. So an unauthenticated request for an unknown operation
// gets UnknownOperationException, as it would from AWS.
//
// A Service is safe for concurrent use once its fields are set; they must not
// change while it serves.
type Service struct {
	TargetPrefix string // e.g. "Kinesis_20131202"
	Ops          map[string]Handler

	// EventSource names the service in the audit trail, e.g.
	// "kinesis.amazonaws.com" (CloudTrail's eventSource).
	EventSource string

	// MaxBodyBytes bounds a request body; a larger one is answered 413 with
	// an empty body, as Kinesis does. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Auth, when set, authenticates each call after the envelope checks and
	// before the handler, with the body already read (SigV4 needs its hash).
	// A non-nil error is written as the answer (an *Error as is, anything
	// else as InternalFailure). When Auth is nil the Caller comes from the
	// request context (WithCaller), set by middleware in front of ServeHTTP.
	Auth func(r *http.Request, body []byte) (Caller, error)

	// Log receives errors the client does not see in full: handler errors
	// that are not *Error and recovered panics. Nil means slog.Default().
	Log *slog.Logger
}

// DefaultMaxBodyBytes is the request body bound when Service.MaxBodyBytes is
// zero. Kinesis refuses bodies above 7 MiB with a bare 413 (kinesalite's
// MAX_REQUEST_BYTES, and boto3 issue #1147 shows the empty 413 from AWS). A
// PutRecords at its 5 MiB limit is about 6.8 MiB once base64'd, so it fits.
const DefaultMaxBodyBytes = 7 << 20

// Timestamp is a time on the wire: epoch seconds (a JSON number with
// fractional milliseconds) in JSON; in CBOR, what the AWS SDK for Java
// sends and expects (tag 1 and integer epoch milliseconds; see
// timestamp.go for the evidence).
type Timestamp time.Time

var _ http.Handler = (*Service)(nil)
