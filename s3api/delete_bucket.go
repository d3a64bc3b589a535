package s3api

// DeleteBucket (DELETE /bucket): 204; BucketNotEmpty while it holds
// objects or multipart uploads in progress.

import "net/http"

func deleteBucket(h *Handler, q *request) error {
	if err := h.cfg.Lake.DeleteBucket(q.bucket); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
