package s3api

// GetBucketVersioning (GET /bucket?versioning): caudal's buckets are never
// versioned, which S3 answers with an empty VersioningConfiguration (no
// Status). PutBucketVersioning is not implemented.

import "net/http"

type versioningConfiguration struct{}

func getBucketVersioning(h *Handler, q *request) error {
	if _, err := requireBucket(h, q); err != nil {
		return err
	}
	return writeXML(q, http.StatusOK, "VersioningConfiguration", versioningConfiguration{})
}
