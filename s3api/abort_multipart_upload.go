package s3api

// AbortMultipartUpload (DELETE ?uploadId=…): ends the upload and removes
// its parts; 204. An unknown upload, or one of another key, is
// NoSuchUpload (404).

import "net/http"

func abortMultipartUpload(h *Handler, q *request) error {
	up, err := uploadOf(h, q)
	if err != nil {
		return err
	}
	if err := h.cfg.Lake.AbortUpload(up.ID); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}
