package s3api

// Object metadata on the wire: the headers PutObject, CreateMultipartUpload
// and CopyObject (REPLACE) store, and the headers GetObject and HeadObject
// answer with.
//
// Deliberately not: x-amz-website-redirect-location and the ACL grant
// headers are accepted and not stored (no website or ACL model), x-amz-acl
// is accepted and ignored; SSE-KMS, SSE-C and object lock are refused
// (checkWriteHeaders).

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/caudal/caudal/lake"
)

// defaultContentType is what S3 stores for an object written without a
// Content-Type.
const defaultContentType = "binary/octet-stream"

// maxUserMetadata is S3's limit on x-amz-meta-* (sum of the UTF-8 lengths
// of every name, without the prefix, and value).
const maxUserMetadata = 2 << 10

const userMetaPrefix = "X-Amz-Meta-"

// storageClasses are the x-amz-storage-class values S3 accepts (the
// model's StorageClass enum). caudal stores the label; every class reads
// back immediately.
var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true,
	"ONEZONE_IA": true, "INTELLIGENT_TIERING": true, "GLACIER": true,
	"DEEP_ARCHIVE": true, "OUTPOSTS": true, "GLACIER_IR": true, "SNOW": true,
	"EXPRESS_ONEZONE": true, "FSX_OPENZFS": true, "FSX_ONTAP": true,
}

// metadataFromHeaders reads the metadata a write stores: the content
// headers, x-amz-meta-*, x-amz-storage-class and x-amz-tagging.
func metadataFromHeaders(h http.Header) (lake.Metadata, error) {
	var m lake.Metadata
	m.ContentType = defaultContentType
	if v, ok := h["Content-Type"]; ok && len(v) > 0 {
		m.ContentType = v[0]
	}
	m.ContentEncoding = stripAWSChunked(h.Get("Content-Encoding"))
	m.ContentDisposition = h.Get("Content-Disposition")
	m.ContentLanguage = h.Get("Content-Language")
	m.CacheControl = h.Get("Cache-Control")
	m.Expires = h.Get("Expires")
	user, err := userMetadata(h)
	if err != nil {
		return m, err
	}
	m.User = user
	if sc := h.Get("X-Amz-Storage-Class"); sc != "" {
		if !storageClasses[sc] {
			return m, newError("InvalidStorageClass", http.StatusBadRequest,
				"The storage class you specified is not valid", Field{"StorageClassRequested", sc})
		}
		if sc != "STANDARD" {
			m.StorageClass = sc
		}
	}
	if vs, ok := h["X-Amz-Tagging"]; ok {
		tags, err := parseTaggingHeader(strings.Join(vs, "&"))
		if err != nil {
			return m, err
		}
		m.Tags = tags
	}
	return m, nil
}

// userMetadata collects x-amz-meta-* with lower-case names, as S3 keeps
// them; repeated headers are joined with ",".
func userMetadata(h http.Header) (map[string]string, error) {
	var user map[string]string
	size := 0
	for name, vs := range h {
		if len(name) <= len(userMetaPrefix) || !strings.EqualFold(name[:len(userMetaPrefix)], userMetaPrefix) {
			continue
		}
		if user == nil {
			user = make(map[string]string)
		}
		k := strings.ToLower(name[len(userMetaPrefix):])
		v := strings.Join(vs, ",")
		user[k] = v
		size += len(k) + len(v)
	}
	if size > maxUserMetadata {
		return nil, newError("MetadataTooLarge", http.StatusBadRequest,
			"Your metadata headers exceed the maximum allowed metadata size.",
			Field{"Size", strconv.Itoa(size)}, Field{"MaxSizeAllowed", strconv.Itoa(maxUserMetadata)})
	}
	return user, nil
}

// stripAWSChunked removes the "aws-chunked" coding from a Content-Encoding
// list: it describes the request's framing, not the object, and S3 does
// not store it.
func stripAWSChunked(enc string) string {
	if enc == "" || !strings.Contains(strings.ToLower(enc), "aws-chunked") {
		return enc
	}
	var keep []string
	for _, c := range strings.Split(enc, ",") {
		c = strings.TrimSpace(c)
		if c != "" && !strings.EqualFold(c, "aws-chunked") {
			keep = append(keep, c)
		}
	}
	return strings.Join(keep, ",")
}

// responseOverrides are GetObject/HeadObject's response-* query
// parameters and the header each replaces.
var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// setObjectHeaders writes the headers GetObject and HeadObject answer
// with (all but Content-Length, Content-Range and the checksums, which
// depend on what part of the object is sent).
func setObjectHeaders(h http.Header, info lake.ObjectInfo, query url.Values) {
	setValidators(h, info)
	setSSEHeaders(h, info.Encryption)
	h.Set("Accept-Ranges", "bytes")
	m := info.Meta
	ct := m.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	h.Set("Content-Type", ct)
	for _, kv := range [...]struct{ k, v string }{
		{"Content-Encoding", m.ContentEncoding},
		{"Content-Disposition", m.ContentDisposition},
		{"Content-Language", m.ContentLanguage},
		{"Cache-Control", m.CacheControl},
		{"Expires", m.Expires},
	} {
		if kv.v != "" {
			h.Set(kv.k, kv.v)
		}
	}
	for k, v := range m.User {
		// Set directly: the name keeps S3's lower case after the prefix
		// on HTTP/1 (Go would canonicalize it); clients compare names
		// case-insensitively.
		h["X-Amz-Meta-"+k] = []string{v}
	}
	if m.StorageClass != "" && m.StorageClass != "STANDARD" {
		h.Set("X-Amz-Storage-Class", m.StorageClass)
	}
	if n := len(m.Tags); n > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(n))
	}
	for _, o := range responseOverrides {
		if v, ok := query[o.param]; ok && len(v) > 0 {
			h.Set(o.header, v[0])
		}
	}
}

// setValidators writes ETag and Last-Modified, the headers every object
// answer (including 304) carries.
func setValidators(h http.Header, info lake.ObjectInfo) {
	h.Set("ETag", quoteETag(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
}

// checkVersionID accepts a versionId query parameter only as "null", the
// version id of every object in an unversioned bucket (tools that empty
// buckets send it).
func checkVersionID(query url.Values) error {
	vs, ok := query["versionId"]
	if !ok {
		return nil
	}
	v := ""
	if len(vs) > 0 {
		v = vs[0]
	}
	if v == "null" {
		return nil
	}
	return invalidVersionID(v)
}

func invalidVersionID(v string) *Error {
	return errInvalidArgument("Invalid version id specified", "versionId", v)
}

// checkWriteHeaders refuses the write headers whose promise caudal cannot
// keep, rather than storing an object the client believes is protected:
// object lock (no bucket has an Object Lock configuration, so S3's own
// answer applies), SSE-KMS and SSE-C. SSE-S3 (AES256) is accepted: the
// lake's files are the data directory's to protect, and S3 encrypts every
// object with it by default anyway.
func checkWriteHeaders(q *request) error {
	h := q.r.Header
	for _, name := range []string{"X-Amz-Object-Lock-Mode", "X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold"} {
		if _, ok := h[name]; ok {
			return errInvalidRequest("Bucket is missing Object Lock Configuration")
		}
	}
	if _, ok := h["X-Amz-Server-Side-Encryption-Customer-Algorithm"]; ok {
		if q.r.TLS == nil {
			return errInvalidRequest("Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
		}
		return errHeaderNotImplemented("x-amz-server-side-encryption-customer-algorithm")
	}
	_, err := sseRequest(h) // SSE-S3 and SSE-KMS: sse.go
	return err
}
