package s3api

// PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption
// (?encryption): a bucket's default server-side encryption, applied by
// the lake to every object written without SSE headers (PutObject,
// CopyObject, multipart uploads, and caudal's own writers such as
// delivery). One rule: ApplyServerSideEncryptionByDefault with
// SSEAlgorithm AES256 or aws:kms (+ KMSMasterKeyID, default
// alias/aws/s3) and BucketKeyEnabled (recorded, echoed). Without a
// configuration GetBucketEncryption answers 404
// ServerSideEncryptionConfigurationNotFoundError.
//
// Deliberately not: aws:kms:dsse (501), BlockedEncryptionTypes.

import (
	"errors"
	"net/http"

	"github.com/caudal/caudal/lake"
)

type sseByDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

type sseRule struct {
	ApplyServerSideEncryptionByDefault *sseByDefault `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled                   *bool         `xml:"BucketKeyEnabled"`
}

type sseConfiguration struct {
	XMLName struct{}  `xml:"ServerSideEncryptionConfiguration"`
	Rules   []sseRule `xml:"Rule"`
}

type sseConfigurationOut struct {
	Rules []sseRule `xml:"Rule"`
}

func putBucketEncryption(h *Handler, q *request) error {
	if _, err := requireBucket(h, q); err != nil {
		return err
	}
	var cfg sseConfiguration
	if err := readXML(q, &cfg); err != nil {
		return err
	}
	if len(cfg.Rules) != 1 || cfg.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		return errMalformedXML()
	}
	r := cfg.Rules[0]
	d := r.ApplyServerSideEncryptionByDefault
	enc := lake.Encryption{Algorithm: d.SSEAlgorithm, KMSKeyID: d.KMSMasterKeyID, BucketKeyEnabled: r.BucketKeyEnabled != nil && *r.BucketKeyEnabled}
	switch d.SSEAlgorithm {
	case lake.SSEAES256:
		if d.KMSMasterKeyID != "" {
			return errInvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse", "ApplyServerSideEncryptionByDefault", "")
		}
	case lake.SSEKMS:
	case "aws:kms:dsse":
		return errHeaderNotImplemented("SSEAlgorithm aws:kms:dsse")
	default:
		return errMalformedXML()
	}
	if err := h.cfg.Lake.PutBucketEncryption(q.bucket, enc); err != nil {
		return sseError(err)
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func getBucketEncryption(h *Handler, q *request) error {
	if _, err := requireBucket(h, q); err != nil {
		return err
	}
	enc, err := h.cfg.Lake.BucketEncryption(q.bucket)
	if errors.Is(err, lake.ErrNoBucketEncryption) {
		return newError("ServerSideEncryptionConfigurationNotFoundError", http.StatusNotFound,
			"The server side encryption configuration was not found", Field{"BucketName", q.bucket})
	}
	if err != nil {
		return err
	}
	bk := enc.BucketKeyEnabled
	rule := sseRule{ApplyServerSideEncryptionByDefault: &sseByDefault{SSEAlgorithm: enc.Algorithm, KMSMasterKeyID: enc.KMSKeyID}, BucketKeyEnabled: &bk}
	return writeXML(q, http.StatusOK, "ServerSideEncryptionConfiguration", sseConfigurationOut{Rules: []sseRule{rule}})
}

func deleteBucketEncryption(h *Handler, q *request) error {
	if _, err := requireBucket(h, q); err != nil {
		return err
	}
	if err := h.cfg.Lake.DeleteBucketEncryption(q.bucket); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
