package s3api

// UploadPart (PUT ?partNumber=N&uploadId=…): one part, 1..10000, at most
// 5 GiB, streamed into the lake with the same integrity checks as
// PutObject (a mismatch stores nothing and keeps an earlier part with the
// same number). The upload's checksum algorithm, when it has one, is
// computed for every part; a part naming another algorithm is refused, as
// S3 refuses it. Answers ETag and the part's checksum.

import (
	"net/http"
	"strings"

	"github.com/caudal/caudal/lake"
)

func uploadPart(h *Handler, q *request) error {
	n, err := partNumberParam(q)
	if err != nil {
		return err
	}
	if err := checkUploadLength(q); err != nil {
		return err
	}
	if err := checkWriteHeaders(q); err != nil {
		return err
	}
	up, err := uploadOf(h, q)
	if err != nil {
		return err
	}
	in, err := parseIntegrity(q.r.Header)
	if err != nil {
		return err
	}
	if up.ChecksumAlgorithm != "" && in.hasChecksum() && in.alg.name != up.ChecksumAlgorithm {
		return errInvalidRequest("Checksum Type mismatch occurred, expected checksum Type: " +
			strings.ToLower(up.ChecksumAlgorithm) + ", actual checksum Type: " + strings.ToLower(in.alg.name))
	}
	opts := lake.PutOptions{Checksums: in.checksums(up.ChecksumAlgorithm), Verify: in.verify(q.trailer)}
	part, err := h.cfg.Lake.PutPart(q.r.Context(), up.ID, n, limitBody(q.body), opts)
	if err != nil {
		return sseError(err)
	}
	hdr := q.w.Header()
	hdr.Set("ETag", quoteETag(part.ETag))
	setSSEHeaders(hdr, up.Encryption)
	shown := up.ChecksumAlgorithm
	if in.hasChecksum() {
		shown = in.alg.name
	}
	if v, ok := part.Checksums[shown]; ok {
		setChecksumHeaders(hdr, map[string]string{shown: v}, "")
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}
