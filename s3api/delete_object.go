package s3api

// DeleteObject: 204 whether or not the key existed, as S3 answers for an
// unversioned bucket; versionId=null is accepted (tools that empty buckets
// send it), other version ids are InvalidArgument.
//
// Deliberately not: versioning, delete markers, MFA delete, object lock
// bypass (no versioning or retention model), and the conditional
// If-Match / x-amz-if-match-* deletes of directory buckets.

import "net/http"

func deleteObject(h *Handler, q *request) error {
	if err := checkVersionID(q.query); err != nil {
		return err
	}
	if err := h.cfg.Lake.DeleteObject(q.bucket, q.key); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
