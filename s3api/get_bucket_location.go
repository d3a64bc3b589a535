package s3api

// GetBucketLocation (GET /bucket?location): the bucket's
// LocationConstraint, empty for us-east-1 as S3 answers.

import "net/http"

func getBucketLocation(h *Handler, q *request) error {
	b, err := requireBucket(h, q)
	if err != nil {
		return err
	}
	return writeXML(q, http.StatusOK, "LocationConstraint", b.Region)
}
