// Package s3api is the S3 REST wire skin: it routes S3 requests (path-style
// and virtual-host-style) to the lake engine, authenticates them with SigV4
// in every form S3 clients use (header, presigned, UNSIGNED-PAYLOAD,
// streaming chunked with and without trailers) and Signature Version 2
// (boto3's default for presigned URLs), and answers in S3's XML
// shapes and error codes. One file per action; errors are mapped to S3 codes
// in one place (errors.go).
//
// A request's way through (serve.go): request ids are set first, so every
// answer carries them; the bucket and key are read from the Host and the
// path as sent (decoded once); SigV4 is verified and the body wrapped so
// that it verifies itself as it is read (auth.go); routes.go names the
// operation from method, resource level and subresources; the action runs
// and returns nil once it has answered, or an error that toError turns
// into S3's <Error> (a HEAD answer carries the status only).
//
// Shared by the actions: writeXML (S3's namespace and declaration),
// readXML/readXMLBody/decodeXML (bounded request documents, MalformedXML),
// newError/errInvalidArgument/errInvalidRequest/errMalformedXML, the listing
// shapes in listing.go (owner, objectEntry, quoteETag, xmlTime).
//
// Deliberately not served: versioning (buckets are unversioned; version
// id "null" is the only one), ACLs beyond accepting canned-ACL headers,
// bucket configurations (read as absent, see bucket_config.go), POST-form
// uploads, SSE-C and Object Lock.
package s3api

import (
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/sigv4"
)

// Config configures a Handler.
type Config struct {
	Lake *lake.Lake
	// Secret returns the secret access key of an access key id.
	Secret func(accessKeyID string) (secret string, ok bool)
	// Principal returns who an access key belongs to (auth.Store.Principal).
	// Nil means every key Secret knows is the root key's (a lone root key
	// and no identity store, as in tests).
	Principal func(accessKeyID string) (*auth.Principal, bool)
	// NoteUse, when set, is told each key that authenticated a request
	// (auth.Store.NoteUse, for GetAccessKeyLastUsed).
	NoteUse func(accessKeyID, service, region string, t time.Time)
	// Region is the region the service answers for (GetBucketLocation of
	// buckets created without a constraint is still null, as us-east-1).
	// Default "us-east-1".
	Region string
	Now    func() time.Time // default time.Now
	Log    io.Writer        // default io.Discard; 500s are logged here
	// HostSuffixes are the host names under which "<bucket>.<suffix>"
	// addresses a bucket virtual-host style. Default: "localhost". A Host
	// that is an IP address or equals a suffix is always path-style.
	HostSuffixes []string
}

// Handler serves the S3 REST API. It is safe for concurrent use.
type Handler struct {
	cfg      Config
	verifier *sigv4.Verifier
}

// New returns a Handler over cfg.Lake.
func New(cfg Config) *Handler {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if len(cfg.HostSuffixes) == 0 {
		cfg.HostSuffixes = []string{"localhost"}
	}
	return &Handler{
		cfg: cfg,
		verifier: &sigv4.Verifier{
			Secret: cfg.Secret, Now: cfg.Now, MaxSkew: 15 * time.Minute,
			Service: "s3", DisableURIPathEscaping: true,
		},
	}
}

// request is one authenticated S3 call as the actions see it.
type request struct {
	r     *http.Request
	w     http.ResponseWriter // the answer; write through it (it is rw)
	rw    *responseWriter     // w, remembering whether the answer started
	id    string              // x-amz-request-id
	op    string              // the S3 operation name, e.g. "PutObject"
	query url.Values

	bucket string // "" for service-level calls
	key    string // decoded object key; "" for bucket-level calls

	// body is the request payload, decoded (aws-chunked framing removed)
	// and verified while it is read: it returns an error (an *Error, or a
	// *sigv4.Error for aws-chunked bodies; toError maps both) on a chunk
	// signature, payload hash or decoded length mismatch, at the latest at
	// EOF. A reader must not commit anything before it has seen io.EOF.
	body io.Reader
	// trailer returns the trailing headers of an aws-chunked body
	// (x-amz-checksum-*), valid once body returned io.EOF; nil map otherwise.
	trailer func() http.Header
	// contentLength is the payload's length: X-Amz-Decoded-Content-Length
	// for aws-chunked bodies (body checks it), else Content-Length; -1
	// when unknown (Transfer-Encoding: chunked without a decoded length).
	contentLength int64
	cred          sigv4.Credential
}

// action serves one S3 operation.
type action func(h *Handler, q *request) error
