package s3api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"sort"
	"strconv"
	"strings"

	"github.com/caudal/caudal/lake"
)

// Shapes and parameters shared by the listing actions (ListObjects,
// ListObjectsV2, ListObjectVersions, ListMultipartUploads, ListBuckets).

// owner is S3's Owner (and Initiator) element.
type owner struct {
	ID          string
	DisplayName string
}

// ownerOf is the canonical owner of everything caudal stores: one
// account, named after the access key that signed the request. S3's
// canonical user ids are 64 hex digits; this one is stable per key.
func ownerOf(q *request) owner {
	sum := sha256.Sum256([]byte("caudal owner " + q.cred.AccessKeyID))
	return owner{ID: hex.EncodeToString(sum[:]), DisplayName: "caudal"}
}

// objectEntry is one <Contents> of ListObjects(V2).
type objectEntry struct {
	Key               string
	LastModified      string
	ETag              string
	ChecksumAlgorithm []string `xml:",omitempty"`
	ChecksumType      string   `xml:",omitempty"`
	Size              int64
	Owner             *owner `xml:",omitempty"`
	StorageClass      string
}

func newObjectEntry(o lake.ObjectInfo, key string, own *owner) objectEntry {
	return objectEntry{
		Key:               key,
		LastModified:      xmlTime(o.LastModified),
		ETag:              quoteETag(o.ETag),
		ChecksumAlgorithm: checksumAlgorithms(o),
		ChecksumType:      checksumTypeOf(o),
		Size:              o.Size,
		Owner:             own,
		StorageClass:      storageClass(o.Meta.StorageClass),
	}
}

// quoteETag is an ETag as S3 writes it in headers and XML: in quotes.
func quoteETag(etag string) string { return `"` + etag + `"` }

func storageClass(c string) string {
	if c == "" {
		return "STANDARD"
	}
	return c
}

func checksumAlgorithms(o lake.ObjectInfo) []string {
	if len(o.Checksums) == 0 {
		return nil
	}
	algs := make([]string, 0, len(o.Checksums))
	for a := range o.Checksums {
		algs = append(algs, a)
	}
	sort.Strings(algs)
	return algs
}

func checksumTypeOf(o lake.ObjectInfo) string {
	if len(o.Checksums) == 0 {
		return ""
	}
	return o.ChecksumType
}

// commonPrefix is one <CommonPrefixes> entry.
type commonPrefix struct {
	Prefix string
}

// maxListKeys is S3's page size cap and default for every listing.
const maxListKeys = 1000

// intParam reads a non-negative integer query parameter (max-keys,
// max-uploads, max-buckets) capped at limit, with def when absent. S3
// refuses a non-integer or negative value with InvalidArgument.
func intParam(q *request, name string, def, limit int) (int, error) {
	if !q.query.Has(name) {
		return def, nil
	}
	v := q.query.Get(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errInvalidArgument("Provided "+name+" not an integer or within integer range", name, v)
	}
	return min(n, limit), nil
}

// encoder returns the function listing values pass through: identity, or
// S3's URL encoding when encoding-type=url. Any other encoding-type is
// InvalidArgument, as S3.
func encoder(q *request) (encode func(string) string, encodingType string, err error) {
	if !q.query.Has("encoding-type") {
		return func(s string) string { return s }, "", nil
	}
	switch v := q.query.Get("encoding-type"); strings.ToLower(v) {
	case "url":
		return s3URLEncode, "url", nil
	default:
		return nil, "", errInvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", v)
	}
}

// s3URLEncode is S3's encoding-type=url: form encoding (space as '+', as
// clients decode it with unquote_plus) except that '/' and '*' stay as
// they are and '~' is escaped — what S3 (and MinIO, which matches it)
// answer.
func s3URLEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '/', c == '*':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// continuationToken is the opaque token of a listing page: the last key
// or common prefix returned, base64url-encoded.
func continuationToken(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(last))
}

// parseContinuationToken decodes a token continuationToken made.
func parseContinuationToken(q *request, name string) (string, error) {
	v := q.query.Get(name)
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || v == "" {
		return "", errInvalidArgument("The continuation token provided is incorrect", name, v)
	}
	return string(b), nil
}

// requireBucket answers NoSuchBucket unless q's bucket exists.
func requireBucket(h *Handler, q *request) (lake.Bucket, error) {
	b, err := h.cfg.Lake.HeadBucket(q.bucket)
	if err != nil {
		return lake.Bucket{}, err
	}
	return b, nil
}

// bucketRegion is the region a bucket lives in as S3 names it.
func bucketRegion(b lake.Bucket) string {
	if b.Region == "" {
		return "us-east-1"
	}
	return b.Region
}

// entriesXML writes a listing's entries (<Contents>, <Version>,
// <CommonPrefixes>) by hand into a struct field tagged `xml:",innerxml"`:
// encoding/xml's reflection was most of the time of a 1,000-key page.
// Text is escaped by xml.EscapeText, as the encoder escapes it, and the
// golden tests pin that the bytes are what encoding/xml wrote before.
type entriesXML struct{ bytes.Buffer }

func (w *entriesXML) open(tag string) {
	w.WriteByte('<')
	w.WriteString(tag)
	w.WriteByte('>')
}

func (w *entriesXML) close(tag string) {
	w.WriteString("</")
	w.WriteString(tag)
	w.WriteByte('>')
}

func (w *entriesXML) text(tag, s string) {
	w.open(tag)
	w.escape(s)
	w.close(tag)
}

// escape writes s as XML text exactly as encoding/xml does: printable
// ASCII with its five specials as entities here, without allocating;
// anything else (control bytes, UTF-8) through xml.EscapeText.
func (w *entriesXML) escape(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 {
			xml.EscapeText(w, []byte(s))
			return
		}
	}
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.WriteString(s[last:])
}

func (w *entriesXML) int(tag string, n int64) {
	w.open(tag)
	w.WriteString(strconv.FormatInt(n, 10))
	w.close(tag)
}

func (w *entriesXML) owner(o owner) {
	w.open("Owner")
	w.text("ID", o.ID)
	w.text("DisplayName", o.DisplayName)
	w.close("Owner")
}

// object writes e as <Contents>, or as <Version> (version id "null",
// latest) when version is set, in S3's element order.
func (w *entriesXML) object(e objectEntry, version bool) {
	tag := "Contents"
	if version {
		tag = "Version"
	}
	w.open(tag)
	w.text("Key", e.Key)
	if version {
		w.text("VersionId", nullVersion)
		w.text("IsLatest", "true")
	}
	w.text("LastModified", e.LastModified)
	w.text("ETag", e.ETag)
	for _, a := range e.ChecksumAlgorithm {
		w.text("ChecksumAlgorithm", a)
	}
	if e.ChecksumType != "" {
		w.text("ChecksumType", e.ChecksumType)
	}
	w.int("Size", e.Size)
	if e.Owner != nil {
		w.owner(*e.Owner)
	}
	w.text("StorageClass", e.StorageClass)
	w.close(tag)
}

func (w *entriesXML) commonPrefix(p string) {
	w.open("CommonPrefixes")
	w.text("Prefix", p)
	w.close("CommonPrefixes")
}
