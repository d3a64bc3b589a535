package s3api

// CreateMultipartUpload (POST ?uploads): starts an upload with the same
// metadata headers PutObject stores, and an optional checksum algorithm
// (x-amz-checksum-algorithm) and type (x-amz-checksum-type: COMPOSITE, a
// checksum of the parts' checksums, or FULL_OBJECT, a CRC of the whole
// object — CRC algorithms only; CRC64NVME is FULL_OBJECT only). Answers
// <InitiateMultipartUploadResult>.
//
// SSE-S3 and SSE-KMS headers (sse.go) encrypt the parts and the object.
//
// Deliberately not: SSE-C and object lock (refused, as for PutObject);
// grant headers (accepted, not modelled); lifecycle abort dates.

import (
	"net/http"
	"strings"

	"github.com/caudal/caudal/lake"
)

const (
	checksumComposite  = "COMPOSITE"
	checksumFullObject = "FULL_OBJECT"
)

type initiateMultipartUploadResult struct {
	Bucket   string `xml:"Bucket"`
	Key      string `xml:"Key"`
	UploadID string `xml:"UploadId"`
}

func createMultipartUpload(h *Handler, q *request) error {
	if err := checkWriteHeaders(q); err != nil {
		return err
	}
	meta, err := metadataFromHeaders(q.r.Header)
	if err != nil {
		return err
	}
	alg, typ, err := uploadChecksum(q.r.Header)
	if err != nil {
		return err
	}
	enc, err := sseRequest(q.r.Header)
	if err != nil {
		return err
	}
	if err := authorizeWriteKey(h, q, q.bucket, enc, "kms:GenerateDataKey", "kms:Decrypt"); err != nil {
		return err
	}
	up, err := h.cfg.Lake.CreateUploadWith(q.bucket, q.key, meta, alg, typ, enc)
	if err != nil {
		return sseError(err)
	}
	setSSEHeaders(q.w.Header(), up.Encryption)
	if up.ChecksumAlgorithm != "" {
		q.w.Header().Set("X-Amz-Checksum-Algorithm", up.ChecksumAlgorithm)
		q.w.Header().Set("X-Amz-Checksum-Type", up.ChecksumType)
	}
	return writeXML(q, http.StatusOK, "InitiateMultipartUploadResult",
		initiateMultipartUploadResult{Bucket: q.bucket, Key: q.key, UploadID: up.ID})
}

// uploadChecksum reads x-amz-checksum-algorithm and x-amz-checksum-type
// and applies S3's defaults and combinations.
func uploadChecksum(h http.Header) (alg, typ string, err error) {
	typ = strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	if typ != "" && typ != checksumComposite && typ != checksumFullObject {
		return "", "", errInvalidRequest("Value for x-amz-checksum-type header is invalid.")
	}
	v := h.Get("X-Amz-Checksum-Algorithm")
	if v == "" {
		if typ != "" {
			return "", "", errInvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		return "", "", nil
	}
	a, err := checksumAlgorithmHeader(v)
	if err != nil {
		return "", "", err
	}
	crc := a.name == lake.CRC32 || a.name == lake.CRC32C || a.name == lake.CRC64NVME
	switch {
	case typ == "" && a.name == lake.CRC64NVME:
		typ = checksumFullObject
	case typ == "":
		typ = checksumComposite
	case typ == checksumFullObject && !crc:
		return "", "", errInvalidRequest("The FULL_OBJECT checksum type cannot be used with the " +
			strings.ToLower(a.name) + " checksum algorithm.")
	case typ == checksumComposite && a.name == lake.CRC64NVME:
		return "", "", errInvalidRequest("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
	}
	return a.name, typ, nil
}

// uploadOf returns the upload q names (uploadId) after checking that it
// belongs to q's bucket and key; another upload's id is NoSuchUpload, as
// an unknown one.
func uploadOf(h *Handler, q *request) (lake.Upload, error) {
	id := q.query.Get("uploadId")
	if id == "" {
		return lake.Upload{}, lake.ErrUploadNotFound
	}
	up, err := h.cfg.Lake.GetUpload(id)
	if err != nil {
		return up, err
	}
	if up.Bucket != q.bucket || up.Key != q.key {
		return up, lake.ErrUploadNotFound
	}
	return up, nil
}

// partNumberParam reads UploadPart's and UploadPartCopy's partNumber.
func partNumberParam(q *request) (int, error) {
	v := q.query.Get("partNumber")
	n, ok := parseRangeNumber(v)
	if !ok || n < 1 || n > maxPartNumber {
		return 0, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	return int(n), nil
}
