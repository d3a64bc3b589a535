package s3api

// HeadBucket (HEAD /bucket): 200 with x-amz-bucket-region, or 404 with no
// body.

import "net/http"

func headBucket(h *Handler, q *request) error {
	b, err := requireBucket(h, q)
	if err != nil {
		return err
	}
	q.w.Header().Set("X-Amz-Bucket-Region", bucketRegion(b))
	q.w.Header().Set("Content-Type", "application/xml")
	q.w.WriteHeader(http.StatusOK)
	return nil
}
