package s3api

// Server-side encryption headers (SSE-S3 and SSE-KMS), shared by the
// writes that take them (PutObject, CopyObject, CreateMultipartUpload)
// and the answers that report them (PutObject, GetObject, HeadObject,
// CopyObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload).
//
// Requests: x-amz-server-side-encryption AES256 or aws:kms, and with
// aws:kms an optional x-amz-server-side-encryption-aws-kms-key-id (key id,
// key ARN, alias or alias ARN; default alias/aws/s3, created on first
// use) and x-amz-server-side-encryption-bucket-key-enabled (recorded and
// echoed). The lake seals the object bytes on disk (lake/encryption.go).
// An object written with no header gets the bucket's default encryption
// (PutBucketEncryption), if any.
//
// Deliberately not: aws:kms:dsse and SSE-C (501),
// x-amz-server-side-encryption-context (accepted; caudal binds the
// object's ARN as the context instead).

import (
	"errors"
	"net/http"
	"strings"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/lake"
)

// sseRequest reads a write's SSE headers: nil when none was sent.
func sseRequest(h http.Header) (*lake.Encryption, error) {
	v := h.Get("X-Amz-Server-Side-Encryption")
	_, hasKey := h["X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"]
	switch v {
	case "":
		if hasKey {
			return nil, errInvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
				"x-amz-server-side-encryption", "null")
		}
		return nil, nil
	case lake.SSEAES256:
		if hasKey {
			return nil, errInvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
				"x-amz-server-side-encryption", v)
		}
		return &lake.Encryption{Algorithm: lake.SSEAES256}, nil
	case lake.SSEKMS:
		enc := &lake.Encryption{Algorithm: lake.SSEKMS, KMSKeyID: h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id")}
		if hasKey && enc.KMSKeyID == "" {
			return nil, errInvalidArgument("KMS key ID must not be empty", "x-amz-server-side-encryption-aws-kms-key-id", "")
		}
		enc.BucketKeyEnabled = strings.EqualFold(h.Get("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"), "true")
		return enc, nil
	case "aws:kms:dsse":
		return nil, errHeaderNotImplemented("x-amz-server-side-encryption")
	default:
		return nil, errInvalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", v)
	}
}

// setSSEHeaders reports an object's encryption in an answer.
func setSSEHeaders(h http.Header, enc *lake.Encryption) {
	if enc == nil {
		return
	}
	h.Set("X-Amz-Server-Side-Encryption", enc.Algorithm)
	if enc.Algorithm == lake.SSEKMS {
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", enc.KMSKeyID)
	}
}

// sseError maps the key store's refusals of an encrypted write or read to
// S3's KMS error codes; other errors pass unchanged.
func sseError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keystore.ErrNotFound):
		return newError("KMS.NotFoundException", http.StatusBadRequest, "Invalid keyId: "+kmsDetail(err))
	case errors.Is(err, keystore.ErrDisabled):
		return newError("KMS.DisabledException", http.StatusBadRequest, kmsDetail(err))
	case errors.Is(err, lake.ErrNoKeyStore):
		return errHeaderNotImplemented("x-amz-server-side-encryption")
	case errors.Is(err, lake.ErrInvalidEncryption):
		return errInvalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", "")
	}
	return err
}

// kmsDetail is the key store's message without its Go prefixes.
func kmsDetail(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "keystore: "); i >= 0 {
		msg = msg[i+len("keystore: "):]
		if j := strings.Index(msg, ": "); j >= 0 {
			msg = msg[j+2:]
		}
	}
	return msg
}

// Using a customer-managed KMS key through S3 needs the caller's own KMS
// permission on that key, as in AWS: kms:GenerateDataKey to write an object
// sealed under it (PutObject, CopyObject's destination,
// CreateMultipartUpload, which also needs kms:Decrypt for the parts), and
// kms:Decrypt to read one (GetObject, a copy source). HeadObject reads no
// data and needs none. The AWS-managed aws/s3 key needs no check: its key
// policy lets every principal of the account use it through S3. Without
// SSE-KMS, or without an auth subject's restrictions (root), these are
// no-ops. A refusal is S3's AccessDenied naming the KMS action and key.

// authorizeWriteKey checks the KMS actions a write of bucket/… with enc
// (nil: the bucket default) needs.
func authorizeWriteKey(h *Handler, q *request, bucket string, enc *lake.Encryption, actions ...string) error {
	arn, err := h.cfg.Lake.CustomerKey(bucket, enc)
	if err != nil {
		return sseError(err)
	}
	return authorizeKey(q, arn, actions...)
}

// authorizeReadKey checks kms:Decrypt on the key info's object is sealed
// under.
func authorizeReadKey(h *Handler, q *request, info lake.ObjectInfo) error {
	arn, err := h.cfg.Lake.ObjectCustomerKey(info)
	if err != nil {
		return sseError(err)
	}
	return authorizeKey(q, arn, "kms:Decrypt")
}

func authorizeKey(q *request, arn string, actions ...string) error {
	if arn == "" {
		return nil
	}
	for _, a := range actions {
		if e := check(q.r.Context(), a, arn, nil); e != nil {
			return e
		}
	}
	return nil
}
