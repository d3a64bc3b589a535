// Package lake owns caudal's object store: buckets and objects kept on the
// local filesystem, with no HTTP in it. The S3 wire skin (s3api), delivery
// and query use it through this Go API.
//
// Layout under Config.Dir (format v1; it must not change silently — bump
// the version in index.db's "meta" bucket and keep v1 readable):
//
//	index.db                                bbolt: buckets, object index, multipart uploads (index.go)
//	objects/<bucket>/<dirs…>/<ver>#<name>   object data, exactly the object's bytes
//	uploads/<uploadID>/<part:05d>#<ver>     multipart part data
//	tmp/                                    files being written; emptied at Open
//
// <ver> is 16 hex digits, unique and increasing for the life of the
// directory (seeded at Open from the clock and from every version on
// disk). Upload IDs are a version followed by random URL-safe base64, so
// they sort by creation and never hold a path separator.
//
// Object data files are plain files holding exactly the object's bytes, so
// the SQL engine can read them in place (Lake.Path). Directory segments are
// the key's '/'-separated segments, escaped so that no key can leave the
// bucket directory (keypath.go): "" becomes "%", "." and ".." become
// "%2E" and "%2E%2E", '#', '%', '\', control bytes and DEL are
// percent-encoded, and a segment escaping to over 200 bytes keeps 160 of
// them plus "~" and a hash, so every name fits ext4's 255 bytes. Only the
// first 32 segments (and at most 1 KiB of them) become directories; the
// rest of the key, its slashes escaped, goes into the file name — a key of
// 1,024 slashes must not cost 1,024 nested directories and their fsyncs.
// The mapping need not be injective: the file name carries a unique
// version, so two keys never share a file even when their escaped paths
// collide, and a file name (which always holds a raw '#') never equals a
// directory name (which never does). Hive-style segments such as
// "year=2024" stay as they are. The index entry records each object's
// path, so these rules may change without moving old files.
//
// Invariants:
//   - The index is the truth. An object exists iff the index has it; the
//     index entry names its data file. A write is: stream the body into
//     tmp/ through MD5 and the requested checksums (one pooled 1 MiB
//     buffer, never the whole body), fsync, let PutOptions.Verify refuse
//     it, rename to its final versioned name, fsync the directories whose
//     entries changed, then commit the index entry (bbolt, fsynced;
//     concurrent commits share one transaction and one fsync, with no
//     timer: see committer). The commit is the acknowledgement point:
//     before it, the old object (if any) stays the visible one, whole.
//     Conditional writes (If-None-Match: *, If-Match) are checked inside
//     that commit.
//   - Data files the index does not name are garbage (a crash between the
//     rename and the commit, or after the commit and before the old file's
//     removal); Open removes them, the directories they leave empty, bucket
//     directories of unknown buckets, and tmp/.
//   - Readers get an open file handle: a concurrent overwrite or delete
//     never changes the bytes an open Object reads.
//   - A multipart completion writes the concatenated object as a new data
//     file and commits it in the same transaction that removes the upload,
//     so a crash leaves either the upload (with its parts) or the object.
//
// S3 behaviours worth knowing: DeleteBucket refuses while objects remain
// but aborts multipart uploads in progress (S3 does so for general purpose
// buckets; only directory buckets refuse). List skips a common prefix that
// holds StartAfter, so StartAfter = Next resumes right after a rolled-up
// prefix, and MaxKeys 0 answers nothing with IsTruncated false, as AWS
// does. CopyObject makes a single-part object whose ETag is the MD5 of the
// bytes, even from a multipart source.
//
// Config.NoSync skips every fsync (bbolt's and the data files'); it is for
// tests and benchmarks, not for data anyone wants back after a crash.
package lake

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/caudal/caudal/keystore"
)

// Sentinel errors. Wrapped with context; the wire skin maps them to S3
// codes with errors.Is.
var (
	ErrBucketNotFound    = errors.New("lake: no such bucket")          // NoSuchBucket 404
	ErrBucketExists      = errors.New("lake: bucket already exists")   // BucketAlreadyOwnedByYou 409 (200 in us-east-1)
	ErrBucketNotEmpty    = errors.New("lake: bucket not empty")        // BucketNotEmpty 409
	ErrInvalidBucketName = errors.New("lake: invalid bucket name")     // InvalidBucketName 400
	ErrObjectNotFound    = errors.New("lake: no such key")             // NoSuchKey 404
	ErrInvalidKey        = errors.New("lake: invalid object key")      // KeyTooLongError / InvalidArgument
	ErrUploadNotFound    = errors.New("lake: no such upload")          // NoSuchUpload 404
	ErrInvalidPart       = errors.New("lake: invalid part")            // InvalidPart 400
	ErrInvalidPartOrder  = errors.New("lake: part list not ascending") // InvalidPartOrder 400
	ErrEntityTooSmall    = errors.New("lake: part smaller than 5 MiB") // EntityTooSmall 400
	ErrClosed            = errors.New("lake: closed")
)

// MaxKeyBytes is S3's limit on an object key's UTF-8 length.
const MaxKeyBytes = 1024

// MinPartSize is S3's minimum size of every multipart part but the last.
const MinPartSize = 5 << 20

// Config configures a Lake. The zero value of each optional field is its
// default.
type Config struct {
	Dir string           // required: the lake's directory (created if missing)
	Now func() time.Time // default time.Now
	// NoSync skips fsyncs (tests and benchmarks of the non-durable mode
	// only); the default is durable.
	NoSync bool
	// Keys makes and opens the data keys of encrypted objects
	// (encryption.go). Nil: writes asking for encryption fail.
	Keys *keystore.Store
}

// Bucket is one bucket.
type Bucket struct {
	Name    string
	Region  string // the LocationConstraint it was created with ("" = us-east-1)
	Created time.Time
}

// Checksum algorithms the lake computes and stores, by their S3 names.
const (
	CRC32     = "CRC32"
	CRC32C    = "CRC32C"
	CRC64NVME = "CRC64NVME"
	SHA1      = "SHA1"
	SHA256    = "SHA256"
)

// Digests are what the lake computed over a body while writing it.
type Digests struct {
	MD5  [16]byte
	Size int64
	// Sums holds the raw (not base64) digest of every algorithm asked for
	// in PutOptions.Checksums, keyed by algorithm name.
	Sums map[string][]byte
}

// Metadata is what S3 keeps with an object besides its bytes.
type Metadata struct {
	ContentType        string
	ContentEncoding    string
	ContentDisposition string
	ContentLanguage    string
	CacheControl       string
	Expires            string            // as the client sent it
	User               map[string]string // x-amz-meta-*, keys lower-case without the prefix
	StorageClass       string            // "" = STANDARD
	Tags               map[string]string
}

// ObjectInfo describes one stored object.
type ObjectInfo struct {
	Bucket       string
	Key          string
	Size         int64
	ETag         string // without quotes: hex MD5, or hex(MD5 of part MD5s)+"-N"
	LastModified time.Time
	Meta         Metadata
	// Checksums are the stored checksums, base64 as S3 shows them, keyed
	// by algorithm; for multipart objects a composite value ends "-N".
	Checksums    map[string]string
	ChecksumType string // "FULL_OBJECT" or "COMPOSITE"; "" when none stored
	PartsCount   int    // 0 for single-part objects
	// PartSizes lists each part's size for multipart objects (GET
	// ?partNumber=N).
	PartSizes []int64
	// Encryption is the object's server-side encryption (KMSKeyID is the
	// key's ARN), nil for a plain object.
	Encryption *Encryption
}

// PutOptions controls a write.
type PutOptions struct {
	Meta Metadata
	// Checksums names the algorithms to compute while writing (MD5 is
	// always computed). The computed values are stored with the object.
	Checksums []string
	// Verify, when set, is called with the digests after the whole body is
	// written and before the object is committed; a non-nil error aborts
	// the write (the old object stays) and is returned unchanged. The wire
	// skin compares Content-MD5, x-amz-checksum-* headers and trailers
	// here.
	Verify func(Digests) error
	// IfNoneMatchStar makes the write fail with ErrPreconditionFailed when
	// the key already exists (S3 conditional write, If-None-Match: *);
	// checked atomically at commit.
	IfNoneMatchStar bool
	// IfMatch, when non-empty, makes the write fail with
	// ErrPreconditionFailed unless the current ETag equals it (unquoted).
	IfMatch string
	// Encryption asks for server-side encryption (PutObject, CopyObject);
	// nil means the bucket's default encryption, if any.
	Encryption *Encryption
}

// ErrPreconditionFailed is a failed conditional write (412).
var ErrPreconditionFailed = errors.New("lake: precondition failed")

// Object is an open object for reading. Its bytes are fixed at open time.
type Object struct {
	Info ObjectInfo
	// Body reads the object's bytes (io.ReaderAt and io.Seeker too).
	Body interface {
		io.ReadSeeker
		io.ReaderAt
	}
	close func() error
}

// Close releases the object's file.
func (o *Object) Close() error {
	if o.close == nil {
		return nil
	}
	return o.close()
}

// ListOptions are ListObjects(V2)'s parameters, already decoded.
type ListOptions struct {
	Prefix     string
	Delimiter  string // "" for none
	StartAfter string // exclusive; V2 start-after, V1 marker, or a decoded continuation token
	MaxKeys    int    // 0..1000; 0 answers no keys (but IsTruncated as S3 does)
}

// ListResult is one page of a listing, in UTF-8 byte order of keys.
type ListResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// Next is the last key or common prefix returned; a continuation
	// resumes after it (StartAfter = Next).
	Next string
}

// Upload is one multipart upload in progress.
type Upload struct {
	ID        string
	Bucket    string
	Key       string
	Initiated time.Time
	Meta      Metadata
	// ChecksumAlgorithm is the algorithm named at creation ("" = none);
	// ChecksumType is "COMPOSITE" or "FULL_OBJECT".
	ChecksumAlgorithm string
	ChecksumType      string
	// Encryption is the upload's server-side encryption, nil for none.
	Encryption *Encryption
}

// Part is one uploaded part.
type Part struct {
	Number       int
	ETag         string // unquoted hex MD5
	Size         int64
	LastModified time.Time
	Checksums    map[string]string // base64, by algorithm
}

// CompletePart is one entry of CompleteMultipartUpload's part list.
type CompletePart struct {
	Number    int
	ETag      string            // unquoted
	Checksums map[string]string // base64 as the client sent them, may be empty
}

// ListUploadsOptions are ListMultipartUploads' parameters.
type ListUploadsOptions struct {
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string
	MaxUploads     int
}

// ListUploadsResult is one page of uploads.
type ListUploadsResult struct {
	Uploads            []Upload
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// ListPartsOptions are ListParts' parameters.
type ListPartsOptions struct {
	PartNumberMarker int
	MaxParts         int
}

// ListPartsResult is one page of parts.
type ListPartsResult struct {
	Upload               Upload
	Parts                []Part
	IsTruncated          bool
	NextPartNumberMarker int
}

// Lake is an open object store. It is safe for concurrent use.
type Lake struct {
	impl     *lakeState
	reserved reservedSet // reserve.go
}

// Open opens (creating if needed) the lake in cfg.Dir, removes garbage
// left by a crash (see the package invariants) and returns it.
func Open(cfg Config) (*Lake, error) {
	s, err := open(cfg)
	if err != nil {
		return nil, err
	}
	return &Lake{impl: s}, nil
}

// Close flushes and closes the index. Open Objects stay readable.
func (l *Lake) Close() error { return l.impl.close() }

// ValidBucketName reports whether name follows S3's bucket naming rules
// (3–63 chars, lower-case letters, digits, '.', '-', starting and ending
// with a letter or digit, not an IP address, no "..", no "xn--" prefix,
// no "-s3alias" suffix).
func ValidBucketName(name string) bool { return validBucketName(name) }

// CreateBucket creates a bucket; ErrBucketExists when it already exists.
func (l *Lake) CreateBucket(name, region string) error { return l.impl.createBucket(name, region) }

// HeadBucket returns a bucket; ErrBucketNotFound when there is none.
func (l *Lake) HeadBucket(name string) (Bucket, error) { return l.impl.headBucket(name) }

// ListBuckets returns every bucket, sorted by name.
func (l *Lake) ListBuckets() ([]Bucket, error) { return l.impl.listBuckets() }

// DeleteBucket removes a bucket with no objects; ErrBucketNotEmpty
// otherwise. Multipart uploads in progress do not keep it: they are
// aborted with it, as S3 does for general purpose buckets (only directory
// buckets refuse while uploads are in progress).
func (l *Lake) DeleteBucket(name string) error {
	if err := l.checkWritable(name); err != nil {
		return err
	}
	return l.impl.deleteBucket(name)
}

// PutObject streams body into bucket/key and commits it durably. The body
// is never held whole in memory.
func (l *Lake) PutObject(ctx context.Context, bucket, key string, body io.Reader, opts PutOptions) (ObjectInfo, error) {
	if err := l.checkWritable(bucket); err != nil {
		return ObjectInfo{}, err
	}
	return l.impl.putObject(ctx, bucket, key, body, opts)
}

// HeadObject returns an object's info without opening its data.
func (l *Lake) HeadObject(bucket, key string) (ObjectInfo, error) {
	return l.impl.headObject(bucket, key)
}

// GetObject opens an object for reading; the caller must Close it.
func (l *Lake) GetObject(bucket, key string) (*Object, error) { return l.impl.getObject(bucket, key) }

// DeleteObject removes an object. Deleting a missing key (in an existing
// bucket) succeeds, as in S3.
func (l *Lake) DeleteObject(bucket, key string) error {
	if err := l.checkWritable(bucket); err != nil {
		return err
	}
	return l.impl.deleteObject(bucket, key)
}

// CopyObject copies src to dst. meta, when non-nil, replaces the
// metadata (S3's REPLACE directive); nil keeps the source's (COPY). Tags
// are the source's unless meta is non-nil with non-nil Tags (the skin
// applies the tagging directive; an empty non-nil map clears them).
// Copying an object onto itself is allowed only with new metadata (the
// skin enforces S3's InvalidRequest for the other case).
func (l *Lake) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta *Metadata, opts PutOptions) (ObjectInfo, error) {
	if err := l.checkWritable(dstBucket); err != nil {
		return ObjectInfo{}, err
	}
	return l.impl.copyObject(ctx, srcBucket, srcKey, dstBucket, dstKey, meta, opts)
}

// SetTags replaces an object's tag set; GetTags via HeadObject's Meta.Tags.
func (l *Lake) SetTags(bucket, key string, tags map[string]string) error {
	if err := l.checkWritable(bucket); err != nil {
		return err
	}
	return l.impl.setTags(bucket, key, tags)
}

// List lists one page of bucket's objects.
func (l *Lake) List(bucket string, opts ListOptions) (ListResult, error) {
	return l.impl.list(bucket, opts)
}

// Path returns the local file holding bucket/key's bytes, for readers in
// this process (the SQL engine). The file is replaced, not modified, on
// overwrite, so a path read while the object is overwritten may vanish;
// callers that need a stable view should GetObject.
func (l *Lake) Path(bucket, key string) (string, error) { return l.impl.path(bucket, key) }

// CreateUpload starts a multipart upload.
func (l *Lake) CreateUpload(bucket, key string, meta Metadata, checksumAlgorithm, checksumType string) (Upload, error) {
	if err := l.checkWritable(bucket); err != nil {
		return Upload{}, err
	}
	return l.impl.createUpload(bucket, key, meta, checksumAlgorithm, checksumType, nil)
}

// CreateUploadWith is CreateUpload with server-side encryption for the
// parts and the completed object (nil: the bucket's default, if any).
func (l *Lake) CreateUploadWith(bucket, key string, meta Metadata, checksumAlgorithm, checksumType string, enc *Encryption) (Upload, error) {
	if err := l.checkWritable(bucket); err != nil {
		return Upload{}, err
	}
	return l.impl.createUpload(bucket, key, meta, checksumAlgorithm, checksumType, enc)
}

// PutPart writes part number n (1..10000) of an upload, replacing any
// earlier part with that number. opts.Meta is ignored.
func (l *Lake) PutPart(ctx context.Context, uploadID string, n int, body io.Reader, opts PutOptions) (Part, error) {
	return l.impl.putPart(ctx, uploadID, n, body, opts)
}

// CopyPart writes part n from a byte range [first, last] of an existing
// object (last < 0: the whole object).
func (l *Lake) CopyPart(ctx context.Context, uploadID string, n int, srcBucket, srcKey string, first, last int64) (Part, error) {
	return l.impl.copyPart(ctx, uploadID, n, srcBucket, srcKey, first, last)
}

// CompleteUpload assembles the listed parts into the object and ends the
// upload (ErrInvalidPart, ErrInvalidPartOrder, ErrEntityTooSmall on bad
// lists). Completing an already-completed upload with the same list
// answers the same object, as S3 does for retries, while the result is
// still current.
func (l *Lake) CompleteUpload(ctx context.Context, uploadID string, parts []CompletePart) (ObjectInfo, error) {
	return l.impl.completeUpload(ctx, uploadID, parts, PutOptions{})
}

// CompleteUploadWith is CompleteUpload with S3's conditional write
// (opts.IfNoneMatchStar, opts.IfMatch) checked atomically in the commit
// that replaces the object; other fields of opts are ignored. A failed
// condition leaves the upload in progress.
func (l *Lake) CompleteUploadWith(ctx context.Context, uploadID string, parts []CompletePart, opts PutOptions) (ObjectInfo, error) {
	return l.impl.completeUpload(ctx, uploadID, parts, PutOptions{IfNoneMatchStar: opts.IfNoneMatchStar, IfMatch: opts.IfMatch})
}

// AbortUpload ends an upload and removes its parts.
func (l *Lake) AbortUpload(uploadID string) error { return l.impl.abortUpload(uploadID) }

// GetUpload returns an upload in progress (checks bucket and key match
// when the caller compares them).
func (l *Lake) GetUpload(uploadID string) (Upload, error) { return l.impl.getUpload(uploadID) }

// ListUploads lists a bucket's uploads in progress, by key then initiation.
func (l *Lake) ListUploads(bucket string, opts ListUploadsOptions) (ListUploadsResult, error) {
	return l.impl.listUploads(bucket, opts)
}

// ListParts lists an upload's parts by number.
func (l *Lake) ListParts(uploadID string, opts ListPartsOptions) (ListPartsResult, error) {
	return l.impl.listParts(uploadID, opts)
}
