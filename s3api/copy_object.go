package s3api

// CopyObject (PUT with x-amz-copy-source): copies an object, at most
// 5 GiB, within or across buckets. x-amz-metadata-directive COPY (the
// default) keeps the source's metadata, REPLACE takes the request's;
// x-amz-tagging-directive does the same for tags; the copy is STANDARD
// unless x-amz-storage-class names another class, whatever the directive. The x-amz-copy-source-if-* conditions are checked
// against the source (412 on failure), If-Match / If-None-Match: *
// against the destination at commit. Copying an object onto itself is
// refused unless something changes (REPLACE or a storage class), with
// S3's InvalidRequest. x-amz-checksum-algorithm adds a checksum to the
// copy. Answers <CopyObjectResult> with the new ETag and LastModified.
//
// The source conditions are evaluated on the source's index entry just
// before the copy; an overwrite of the source in between is copied as the
// newer bytes (the lake copies from one consistent version).
//
// Deliberately not: source version ids other than "null", SSE-C copy
// headers, website redirect locations.

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/caudal/caudal/lake"
)

// copyObjectResult is <CopyObjectResult>'s body.
type copyObjectResult struct {
	ETag              string `xml:"ETag"`
	LastModified      string `xml:"LastModified"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func copyObject(h *Handler, q *request) error {
	srcBucket, srcKey, err := parseCopySource(q.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	if err := authorizeObject(q, "s3:GetObject", srcBucket, srcKey); err != nil {
		return err
	}
	hdr := q.r.Header
	metaDirective, err := directive(hdr, "X-Amz-Metadata-Directive", "Unknown metadata directive.")
	if err != nil {
		return err
	}
	tagDirective, err := directive(hdr, "X-Amz-Tagging-Directive", "Unknown tagging directive.")
	if err != nil {
		return err
	}
	storageClass := hdr.Get("X-Amz-Storage-Class")
	if srcBucket == q.bucket && srcKey == q.key && metaDirective != "REPLACE" && storageClass == "" {
		return errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself " +
			"without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	if err := checkWriteHeaders(q); err != nil {
		return err
	}
	// The request's metadata headers are read (and refused when invalid)
	// even when the directive is COPY; only REPLACE stores them.
	newMeta, err := metadataFromHeaders(hdr)
	if err != nil {
		return err
	}
	var checksums []string
	if alg := hdr.Get("X-Amz-Checksum-Algorithm"); alg != "" {
		a, err := checksumAlgorithmHeader(alg)
		if err != nil {
			return err
		}
		checksums = []string{a.name}
	}

	src, err := h.cfg.Lake.HeadObject(srcBucket, srcKey)
	if err != nil {
		return copySourceError(err, srcBucket, srcKey)
	}
	if res, cond := readCopyPreconditions(hdr).evaluate(src, h.cfg.Now()); res != proceed {
		return errPreconditionFailed(cond)
	}
	if src.Size > maxPutSize {
		return errInvalidRequest("The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")
	}

	// meta nil keeps the source's metadata and tags in the lake's one
	// consistent read of the source; otherwise the destination's
	// metadata is built here.
	var meta *lake.Metadata
	if metaDirective == "REPLACE" || tagDirective == "REPLACE" || storageClass != "" || src.Meta.StorageClass != "" {
		m := src.Meta
		m.User = maps.Clone(src.Meta.User)
		if metaDirective == "REPLACE" {
			m = newMeta
		}
		m.Tags = maps.Clone(src.Meta.Tags)
		if tagDirective == "REPLACE" {
			m.Tags = newMeta.Tags
			if m.Tags == nil {
				m.Tags = map[string]string{} // REPLACE with no x-amz-tagging: no tags
			}
		}
		// The copy is STANDARD unless x-amz-storage-class says otherwise,
		// whatever the directive (CopyObjectRequest.StorageClass).
		m.StorageClass = newMeta.StorageClass
		meta = &m
	}
	opts := lake.PutOptions{Checksums: checksums}
	if opts.Encryption, err = sseRequest(hdr); err != nil {
		return err
	}
	if err := authorizeReadKey(h, q, src); err != nil {
		return err
	}
	if err := authorizeWriteKey(h, q, q.bucket, opts.Encryption, "kms:GenerateDataKey"); err != nil {
		return err
	}
	if err := writeConditions(hdr, &opts); err != nil {
		return err
	}
	info, err := h.cfg.Lake.CopyObject(q.r.Context(), srcBucket, srcKey, q.bucket, q.key, meta, opts)
	if err != nil {
		return sseError(err)
	}
	setSSEHeaders(q.w.Header(), info.Encryption)
	res := copyObjectResult{ETag: quoteETag(info.ETag), LastModified: xmlTime(info.LastModified)}
	if len(info.Checksums) > 0 {
		res.ChecksumType = info.ChecksumType
		res.ChecksumCRC32 = info.Checksums[lake.CRC32]
		res.ChecksumCRC32C = info.Checksums[lake.CRC32C]
		res.ChecksumCRC64NVME = info.Checksums[lake.CRC64NVME]
		res.ChecksumSHA1 = info.Checksums[lake.SHA1]
		res.ChecksumSHA256 = info.Checksums[lake.SHA256]
	}
	return writeXML(q, http.StatusOK, "CopyObjectResult", res)
}

// directive reads x-amz-metadata-directive or x-amz-tagging-directive:
// "" (absent), COPY or REPLACE.
func directive(h http.Header, name, unknown string) (string, error) {
	v := h.Get(name)
	switch v {
	case "", "COPY", "REPLACE":
		return v, nil
	}
	return "", errInvalidArgument(unknown, strings.ToLower(name), v)
}

// parseCopySource reads x-amz-copy-source: "bucket/key" or "/bucket/key",
// URL-encoded, with an optional "?versionId=…" (only "null" is accepted:
// buckets are unversioned).
func parseCopySource(v string) (bucket, key string, err error) {
	bad := errInvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
		"x-amz-copy-source", v)
	path, rawQuery, hasQuery := strings.Cut(v, "?")
	if hasQuery {
		qv, err := url.ParseQuery(rawQuery)
		if err != nil {
			return "", "", bad
		}
		if err := checkVersionID(qv); err != nil {
			return "", "", err
		}
	}
	path, err = url.PathUnescape(path)
	if err != nil {
		return "", "", bad
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", bad
	}
	if len(key) > lake.MaxKeyBytes {
		return "", "", errKeyTooLong(len(key))
	}
	return bucket, key, nil
}

// copySourceError names the source in a NoSuchKey or NoSuchBucket about
// the copy source (toError would name the destination).
func copySourceError(err error, bucket, key string) error {
	switch {
	case errors.Is(err, lake.ErrObjectNotFound):
		return newError("NoSuchKey", http.StatusNotFound, "The specified key does not exist.", Field{"Key", key})
	case errors.Is(err, lake.ErrBucketNotFound):
		return errNoSuchBucket(bucket)
	}
	return err
}

// checksumAlgorithmHeader reads x-amz-checksum-algorithm (CopyObject,
// CreateMultipartUpload).
func checksumAlgorithmHeader(v string) (checksumAlgorithm, error) {
	if a, ok := algorithmByName(v); ok {
		return a, nil
	}
	switch strings.ToUpper(v) {
	case "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128":
		return checksumAlgorithm{}, errHeaderNotImplemented("x-amz-checksum-algorithm")
	}
	return checksumAlgorithm{}, errInvalidRequest("Checksum algorithm provided is unsupported. " +
		"Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
}
