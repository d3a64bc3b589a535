package s3api

// CompleteMultipartUpload (POST ?uploadId=…): assembles the listed parts
// (<CompleteMultipartUpload><Part><PartNumber/><ETag/>…) into the object.
// ETags may come quoted or not. The lake refuses a part that is missing or
// whose ETag differs (InvalidPart), a list out of order
// (InvalidPartOrder) and a part but the last under 5 MiB
// (EntityTooSmall); an empty list, more than 10,000 parts or a part
// without PartNumber or ETag is MalformedXML. Answers
// <CompleteMultipartUploadResult> with the multipart ETag ("<md5 of the
// part MD5s>-N") and the upload's checksum.
//
// If-None-Match: * and If-Match are checked against the current object
// just before the assembly, not atomically with it (the lake's completion
// takes no write conditions).
//
// x-amz-mp-object-size, when sent, must equal the listed parts' total
// size (InvalidRequest otherwise, with S3's wording).
//
// Deliberately not: verifying a whole-object checksum header sent with the
// completion (the lake checks the parts' checksums it is given); S3's
// whitespace keep-alive during a long completion (the assembly is a local
// file concatenation).

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/caudal/caudal/lake"
)

type completeMultipartXML struct {
	XMLName xml.Name          `xml:"CompleteMultipartUpload"`
	Parts   []completePartXML `xml:"Part"`
}

type completePartXML struct {
	PartNumber        *int    `xml:"PartNumber"`
	ETag              *string `xml:"ETag"`
	ChecksumCRC32     string  `xml:"ChecksumCRC32"`
	ChecksumCRC32C    string  `xml:"ChecksumCRC32C"`
	ChecksumCRC64NVME string  `xml:"ChecksumCRC64NVME"`
	ChecksumSHA1      string  `xml:"ChecksumSHA1"`
	ChecksumSHA256    string  `xml:"ChecksumSHA256"`
}

type completeMultipartUploadResult struct {
	Location          string `xml:"Location"`
	Bucket            string `xml:"Bucket"`
	Key               string `xml:"Key"`
	ETag              string `xml:"ETag"`
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

// decodeCompleteMultipart decodes and checks a <CompleteMultipartUpload>
// document.
func decodeCompleteMultipart(body []byte) ([]lake.CompletePart, error) {
	var doc completeMultipartXML
	if err := decodeXML(body, &doc); err != nil {
		return nil, err
	}
	if len(doc.Parts) == 0 || len(doc.Parts) > maxPartNumber {
		return nil, errMalformedXML()
	}
	parts := make([]lake.CompletePart, len(doc.Parts))
	for i, p := range doc.Parts {
		if p.PartNumber == nil || p.ETag == nil {
			return nil, errMalformedXML()
		}
		if *p.PartNumber < 1 || *p.PartNumber > maxPartNumber {
			return nil, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
				"partNumber", strconv.Itoa(*p.PartNumber))
		}
		parts[i] = lake.CompletePart{Number: *p.PartNumber, ETag: normalizeETag(*p.ETag)}
		for alg, v := range map[string]string{
			lake.CRC32: p.ChecksumCRC32, lake.CRC32C: p.ChecksumCRC32C, lake.CRC64NVME: p.ChecksumCRC64NVME,
			lake.SHA1: p.ChecksumSHA1, lake.SHA256: p.ChecksumSHA256,
		} {
			if v == "" {
				continue
			}
			if parts[i].Checksums == nil {
				parts[i].Checksums = make(map[string]string, 1)
			}
			parts[i].Checksums[alg] = v
		}
	}
	return parts, nil
}

func completeMultipartUpload(h *Handler, q *request) error {
	// A completed upload is gone from the lake's uploads, but the lake
	// answers a retried completion (same part list, object still
	// current) with the object it made, as S3 does; so a missing upload
	// is not refused here, only one of another key.
	id := q.query.Get("uploadId")
	up, err := h.cfg.Lake.GetUpload(id)
	inProgress := err == nil
	switch {
	case id == "":
		return lake.ErrUploadNotFound
	case inProgress && (up.Bucket != q.bucket || up.Key != q.key):
		return lake.ErrUploadNotFound
	case err != nil && !errors.Is(err, lake.ErrUploadNotFound):
		return err
	}
	in, err := parseIntegrity(q.r.Header)
	if err != nil {
		return err
	}
	body, err := readXMLBody(q)
	if err != nil {
		return err
	}
	if err := checkSmallBody(in, body, q.trailer, false); err != nil {
		return err
	}
	parts, err := decodeCompleteMultipart(body)
	if err != nil {
		return err
	}
	if inProgress {
		if err := completeConditions(h, q); err != nil {
			return err
		}
		if err := checkMPObjectSize(h, q, id, parts); err != nil {
			return err
		}
	}
	// completeConditions refuses early, before parts are assembled; the
	// same conditions go to the lake so they also hold atomically with
	// the commit that replaces the object.
	var conds lake.PutOptions
	if err := writeConditions(q.r.Header, &conds); err != nil {
		return err
	}
	info, err := h.cfg.Lake.CompleteUploadWith(q.r.Context(), id, parts, conds)
	if err != nil {
		return sseError(err)
	}
	setSSEHeaders(q.w.Header(), info.Encryption)
	if info.Bucket != q.bucket || info.Key != q.key {
		return lake.ErrUploadNotFound // a retry naming another key
	}
	res := completeMultipartUploadResult{
		Location: objectLocation(h, q), Bucket: q.bucket, Key: q.key, ETag: quoteETag(info.ETag),
		ChecksumCRC32: info.Checksums[lake.CRC32], ChecksumCRC32C: info.Checksums[lake.CRC32C],
		ChecksumCRC64NVME: info.Checksums[lake.CRC64NVME], ChecksumSHA1: info.Checksums[lake.SHA1],
		ChecksumSHA256: info.Checksums[lake.SHA256],
	}
	if len(info.Checksums) > 0 {
		res.ChecksumType = info.ChecksumType
	}
	return writeXML(q, http.StatusOK, "CompleteMultipartUploadResult", res)
}

// completeConditions checks If-None-Match: * and If-Match against the
// object the completion would replace.
func completeConditions(h *Handler, q *request) error {
	var opts lake.PutOptions
	if err := writeConditions(q.r.Header, &opts); err != nil {
		return err
	}
	if !opts.IfNoneMatchStar && opts.IfMatch == "" {
		return nil
	}
	cur, err := h.cfg.Lake.HeadObject(q.bucket, q.key)
	exists := err == nil
	if err != nil && !errors.Is(err, lake.ErrObjectNotFound) {
		return err
	}
	switch {
	case opts.IfNoneMatchStar && exists:
		return errPreconditionFailed("If-None-Match")
	case opts.IfMatch != "" && !exists:
		return err // S3 answers NoSuchKey to If-Match on a missing key
	case opts.IfMatch != "" && cur.ETag != opts.IfMatch:
		return errPreconditionFailed("If-Match")
	}
	return nil
}

// objectLocation is the URL of q's object as the client addressed the
// service (S3 answers https://<bucket>.s3.<region>.amazonaws.com/<key>).
func objectLocation(h *Handler, q *request) string {
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	path := "/" + q.bucket + "/" + q.key
	if h.hostBucket(q.r.Host) != "" {
		path = "/" + q.key
	}
	return scheme + "://" + q.r.Host + (&url.URL{Path: path}).EscapedPath()
}

// checkMPObjectSize compares x-amz-mp-object-size with the sizes of the
// listed parts. A part the list names and the upload lacks counts as
// empty here; the lake refuses it (InvalidPart).
func checkMPObjectSize(h *Handler, q *request, id string, parts []lake.CompletePart) error {
	vs, ok := q.r.Header["X-Amz-Mp-Object-Size"]
	if !ok {
		return nil
	}
	v := strings.TrimSpace(strings.Join(vs, ","))
	want, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil:
		return errInvalidRequest("Value for x-amz-mp-object-size header is invalid: '" + v + "'")
	case want < 0:
		return errInvalidRequest("Value for x-amz-mp-object-size header is less than zero: '" + v + "'")
	}
	sizes := make(map[int]int64)
	for marker := 0; ; {
		page, err := h.cfg.Lake.ListParts(id, lake.ListPartsOptions{PartNumberMarker: marker, MaxParts: maxListParts})
		if err != nil {
			return err
		}
		for _, p := range page.Parts {
			sizes[p.Number] = p.Size
		}
		if !page.IsTruncated || page.NextPartNumberMarker <= marker {
			break
		}
		marker = page.NextPartNumberMarker
	}
	var total int64
	for _, p := range parts {
		total += sizes[p.Number]
	}
	if total != want {
		return errInvalidRequest(fmt.Sprintf("The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", want, total))
	}
	return nil
}
