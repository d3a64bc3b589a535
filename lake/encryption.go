package lake

// Server-side encryption of object data (SSE-S3 and SSE-KMS).
//
// An object written with Encryption (or into a bucket with a default
// encryption configuration) gets a fresh 32-byte data key, wrapped by the
// key store: under caudal's own hidden key for AES256 (SSE-S3), or under
// the named KMS key for aws:kms (default alias/aws/s3), with encryption
// context {"aws:s3:arn": "arn:aws:s3:::<bucket>/<key>"}. The wrapped key,
// the algorithm and the KMS key ARN are kept in the object's index entry
// (objectRecord fields SSE, SSEKey, SSEWrapped, appended to format v1).
// A multipart upload takes its data key at CreateMultipartUpload (kept in
// the upload record) and the completed object keeps it.
//
// The file key that seals bytes is never the data key itself but
// HMAC-SHA256(data key, label): label "object" for an object's data file,
// "part:" + a random 16-byte salt (kept in the part record) for each
// uploaded part, so no two files share a key and counter nonces are safe.
//
// Layout of a sealed data file (format version 1). THIS LAYOUT MUST NOT
// CHANGE SILENTLY: a new layout takes a new magic/version and this one
// stays readable.
//
//	off size field
//	  0    8 magic      "CAUDSSE1"
//	  8    4 chunkSize  plaintext bytes per chunk (uint32 LE; 64 KiB)
//	 12    4 reserved   zero
//	 16      chunks     chunk i = AES-256-GCM(plaintext[i*chunkSize:(i+1)*chunkSize]) and its 16-byte tag
//
// Every chunk but the last holds exactly chunkSize plaintext bytes; the
// last holds 0..chunkSize (an empty object is one empty last chunk). The
// nonce of chunk i is i as 8 big-endian bytes, then 1 for the last chunk
// or 0 for the others, then three zero bytes; the additional data is the
// 16-byte header. So chunks cannot be reordered, dropped, truncated at a
// chunk boundary or moved between files without failing authentication,
// and a ranged read decrypts only the chunks it touches.
//
// Objects written without encryption stay plain files holding exactly
// their bytes. Path refuses sealed objects (ErrEncrypted): the query
// engine reads lake files in place and must never read ciphertext, so it
// reads decrypted copies of sealed objects instead (query/sealed.go).

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/caudal/caudal/keystore"
)

// Server-side encryption algorithms, by their S3 header values.
const (
	SSEAES256 = "AES256"
	SSEKMS    = "aws:kms"
)

// Encryption asks for server-side encryption of an object, or is a
// bucket's default encryption.
type Encryption struct {
	Algorithm string // SSEAES256 or SSEKMS
	// KMSKeyID names the KMS key for SSEKMS (key id, ARN, alias or alias
	// ARN); "" means alias/aws/s3. For an object's ObjectInfo it is the
	// key's ARN.
	KMSKeyID string
	// BucketKeyEnabled is recorded and echoed (S3 Bucket Keys change only
	// KMS request costs, which caudal does not have).
	BucketKeyEnabled bool
}

var (
	// ErrEncrypted is returned by Path for an object stored encrypted.
	ErrEncrypted = errors.New("lake: object is encrypted at rest")
	// ErrNoBucketEncryption: the bucket has no default encryption
	// (ServerSideEncryptionConfigurationNotFoundError).
	ErrNoBucketEncryption = errors.New("lake: bucket has no encryption configuration")
	// ErrInvalidEncryption: an algorithm other than AES256 or aws:kms, or
	// a KMS key id with AES256.
	ErrInvalidEncryption = errors.New("lake: invalid server-side encryption")
	// ErrNoKeyStore: encryption was asked for but the lake has no key store.
	ErrNoKeyStore = errors.New("lake: no key store for server-side encryption")
	// ErrDecrypt: a sealed data file failed authentication.
	ErrDecrypt = errors.New("lake: encrypted object fails authentication")
)

const (
	sseMagic     = "CAUDSSE1"
	sseHeader    = 16
	sseChunk     = 64 << 10
	sseTag       = 16
	sseLabelFile = "object"
)

// objectKey is an object's (or upload's) data key, open.
type objectKey struct {
	alg     string
	kmsKey  string // key ARN for SSEKMS
	wrapped []byte
	key     []byte // 32 bytes
}

func objectContext(bucket, key string) map[string]string {
	return map[string]string{"aws:s3:arn": "arn:aws:s3:::" + bucket + "/" + key}
}

func checkEncryption(enc *Encryption) error {
	if enc == nil {
		return nil
	}
	switch enc.Algorithm {
	case SSEAES256:
		if enc.KMSKeyID != "" {
			return fmt.Errorf("%w: a KMS key id goes only with aws:kms", ErrInvalidEncryption)
		}
	case SSEKMS:
	default:
		return fmt.Errorf("%w: algorithm %q", ErrInvalidEncryption, enc.Algorithm)
	}
	return nil
}

// bucketEncryption returns bucket's default encryption, or nil.
func (s *lakeState) bucketEncryption(bucket string) (*Encryption, error) {
	var r bucketRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bucketsBucket), []byte(bucket), &r)
		if err == nil && !ok {
			err = fmt.Errorf("%w: %s", ErrBucketNotFound, bucket)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r.SSE, nil
}

// newObjectKey makes the data key for a write of bucket/key: enc, else
// the bucket's default, else none (nil).
func (s *lakeState) newObjectKey(bucket, key string, enc *Encryption) (*objectKey, error) {
	if err := checkEncryption(enc); err != nil {
		return nil, err
	}
	if enc == nil {
		def, err := s.bucketEncryption(bucket)
		if err != nil || def == nil {
			return nil, err
		}
		enc = def
	}
	ks := s.cfg.Keys
	if ks == nil {
		return nil, ErrNoKeyStore
	}
	ctx := objectContext(bucket, key)
	ok := &objectKey{alg: enc.Algorithm}
	if enc.Algorithm == SSEAES256 {
		ok.key = make([]byte, 32)
		rand.Read(ok.key)
		w, err := ks.WrapInternal(ok.key, ctx)
		if err != nil {
			return nil, fmt.Errorf("lake: wrap data key: %w", err)
		}
		ok.wrapped = w
		return ok, nil
	}
	id := enc.KMSKeyID
	if id == "" {
		id = keystore.AliasS3
	}
	plain, blob, k, err := ks.GenerateDataKey(id, "", 32, ctx)
	if err != nil {
		return nil, fmt.Errorf("lake: data key under %s: %w", id, err)
	}
	ok.key, ok.wrapped, ok.kmsKey = plain, blob, k.ARN
	return ok, nil
}

// openObjectKey unwraps a stored data key.
func (s *lakeState) openObjectKey(bucket, key, alg, kmsKey string, wrapped []byte) (*objectKey, error) {
	if s.cfg.Keys == nil {
		return nil, ErrNoKeyStore
	}
	plain, err := s.cfg.Keys.UnwrapInternal(wrapped, objectContext(bucket, key))
	if err != nil {
		return nil, fmt.Errorf("lake: open data key of %s/%s: %w", bucket, key, err)
	}
	return &objectKey{alg: alg, kmsKey: kmsKey, wrapped: wrapped, key: plain}, nil
}

// fileAEAD is the cipher sealing one file: AES-256-GCM under
// HMAC-SHA256(data key, label).
func (k *objectKey) fileAEAD(label string) cipher.AEAD {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(label))
	b, _ := aes.NewCipher(m.Sum(nil))
	a, _ := cipher.NewGCM(b)
	return a
}

func sseFileHeader() []byte {
	h := make([]byte, sseHeader)
	copy(h, sseMagic)
	binary.LittleEndian.PutUint32(h[8:], sseChunk)
	return h
}

func chunkNonce(i uint64, last bool) []byte {
	n := make([]byte, 12)
	binary.BigEndian.PutUint64(n, i)
	if last {
		n[8] = 1
	}
	return n
}

// sealedSize is the size of the sealed file of an n-byte object.
func sealedSize(n int64) int64 {
	chunks := max(1, (n+sseChunk-1)/sseChunk)
	return sseHeader + n + chunks*sseTag
}

// sealWriter seals what is written to it into w, chunk by chunk. Close
// seals the last chunk; it must be called exactly once, after the last
// Write. It never modifies the slices it is given.
type sealWriter struct {
	w    io.Writer
	a    cipher.AEAD
	hdr  []byte
	buf  []byte // plaintext of the chunk being filled
	out  []byte
	idx  uint64
	wrot bool // header written
}

func newSealWriter(w io.Writer, a cipher.AEAD) *sealWriter {
	return &sealWriter{w: w, a: a, hdr: sseFileHeader(), buf: make([]byte, 0, sseChunk), out: make([]byte, 0, sseChunk+sseTag)}
}

func (sw *sealWriter) flush(last bool) error {
	if !sw.wrot {
		if _, err := sw.w.Write(sw.hdr); err != nil {
			return err
		}
		sw.wrot = true
	}
	sw.out = sw.a.Seal(sw.out[:0], chunkNonce(sw.idx, last), sw.buf, sw.hdr)
	sw.idx++
	sw.buf = sw.buf[:0]
	_, err := sw.w.Write(sw.out)
	return err
}

func (sw *sealWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(sw.buf) == sseChunk {
			// More bytes follow, so this full chunk is not the last.
			if err := sw.flush(false); err != nil {
				return 0, err
			}
		}
		m := copy(sw.buf[len(sw.buf):sseChunk], p)
		sw.buf = sw.buf[:len(sw.buf)+m]
		p = p[m:]
	}
	return n, nil
}

func (sw *sealWriter) Close() error { return sw.flush(true) }

// openReader reads the plaintext of a sealed file of an n-byte object.
// It is safe for concurrent use; it keeps the last chunk it opened, so
// sequential reads open each chunk once.
type openReader struct {
	r    io.ReaderAt
	a    cipher.AEAD
	size int64
	hdr  []byte

	mu     sync.Mutex
	cached int64 // index of the chunk in plain, -1 for none
	plain  []byte
	ct     []byte
}

func newOpenReader(r io.ReaderAt, a cipher.AEAD, size int64) (*openReader, error) {
	hdr := make([]byte, sseHeader)
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrDecrypt, err)
	}
	if string(hdr[:8]) != sseMagic || binary.LittleEndian.Uint32(hdr[8:]) != sseChunk || binary.LittleEndian.Uint32(hdr[12:]) != 0 {
		return nil, fmt.Errorf("%w: not a version 1 sealed file", ErrDecrypt)
	}
	return &openReader{r: r, a: a, size: size, hdr: hdr, cached: -1}, nil
}

func (o *openReader) chunkLocked(i int64) error {
	if o.cached == i {
		return nil
	}
	chunks := max(1, (o.size+sseChunk-1)/sseChunk)
	n := min(int64(sseChunk), o.size-i*sseChunk)
	if cap(o.ct) < sseChunk+sseTag {
		o.ct = make([]byte, sseChunk+sseTag)
		o.plain = make([]byte, 0, sseChunk)
	}
	ct := o.ct[:n+sseTag]
	if _, err := o.r.ReadAt(ct, sseHeader+i*(sseChunk+sseTag)); err != nil {
		o.cached = -1
		return fmt.Errorf("%w: read chunk %d: %w", ErrDecrypt, i, err)
	}
	pt, err := o.a.Open(o.plain[:0], chunkNonce(uint64(i), i == chunks-1), ct, o.hdr)
	if err != nil {
		o.cached = -1
		return fmt.Errorf("%w: chunk %d", ErrDecrypt, i)
	}
	o.plain, o.cached = pt, i
	return nil
}

// ReadAt implements io.ReaderAt over the plaintext.
func (o *openReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("lake: negative offset")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for n < len(p) && off < o.size {
		i := off / sseChunk
		if err := o.chunkLocked(i); err != nil {
			return n, err
		}
		m := copy(p[n:], o.plain[off-i*sseChunk:])
		n += m
		off += int64(m)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// verifyAll opens every chunk (used before a sealed object is trusted
// whole, e.g. when copying); the last chunk's flag proves the file is not
// truncated.
func (o *openReader) verifyAll() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	chunks := max(1, (o.size+sseChunk-1)/sseChunk)
	return o.chunkLocked(chunks - 1)
}

// plainReader is what readers of an object's bytes get: the file itself,
// or an openReader over it.
type plainReader interface {
	io.ReaderAt
}

// objectPlain returns a reader of r's plaintext over its open data file f.
func (s *lakeState) objectPlain(bucket, key string, r *objectRecord, f io.ReaderAt) (plainReader, error) {
	if r.SSE == "" {
		return f, nil
	}
	k, err := s.openObjectKey(bucket, key, r.SSE, r.SSEKey, r.SSEWrapped)
	if err != nil {
		return nil, err
	}
	return newOpenReader(f, k.fileAEAD(sseLabelFile), r.Size)
}

func (r *objectRecord) encryption() *Encryption {
	if r.SSE == "" {
		return nil
	}
	return &Encryption{Algorithm: r.SSE, KMSKeyID: r.SSEKey}
}

func (r *objectRecord) setKey(k *objectKey) {
	if k != nil {
		r.SSE, r.SSEKey, r.SSEWrapped = k.alg, k.kmsKey, k.wrapped
	}
}

// PutBucketEncryption sets bucket's default encryption.
func (l *Lake) PutBucketEncryption(bucket string, enc Encryption) error {
	if err := checkEncryption(&enc); err != nil {
		return err
	}
	return l.impl.updateBucket(bucket, func(r *bucketRecord) error {
		r.SSE = &enc
		return nil
	})
}

// BucketEncryption returns bucket's default encryption, or
// ErrNoBucketEncryption.
func (l *Lake) BucketEncryption(bucket string) (Encryption, error) {
	if err := l.impl.check(); err != nil {
		return Encryption{}, err
	}
	e, err := l.impl.bucketEncryption(bucket)
	if err != nil {
		return Encryption{}, err
	}
	if e == nil {
		return Encryption{}, fmt.Errorf("%w: %s", ErrNoBucketEncryption, bucket)
	}
	return *e, nil
}

// DeleteBucketEncryption removes bucket's default encryption (objects
// already written stay as they are).
func (l *Lake) DeleteBucketEncryption(bucket string) error {
	return l.impl.updateBucket(bucket, func(r *bucketRecord) error {
		r.SSE = nil
		return nil
	})
}

func (s *lakeState) updateBucket(bucket string, fn func(*bucketRecord) error) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.commit.commit(func(tx *bolt.Tx) error {
		bb := tx.Bucket(bucketsBucket)
		var r bucketRecord
		ok, err := getJSON(bb, []byte(bucket), &r)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrBucketNotFound, bucket)
		}
		if err := fn(&r); err != nil {
			return err
		}
		if err := putJSON(bb, []byte(bucket), r); err != nil {
			return txAbort{err}
		}
		return nil
	})
}

// CustomerKey returns the ARN of the customer-managed KMS key that a write
// of an object to bucket with enc (nil: none asked for) would seal its data
// key under: enc's, else the bucket default's. It returns "" when the write
// would not use KMS, or would use the AWS-managed aws/s3 key, whose key
// policy lets every principal of the account use it through S3. Callers
// check kms:GenerateDataKey on a returned key before the write, as S3
// does; an unknown key is the error the write itself would get.
func (l *Lake) CustomerKey(bucket string, enc *Encryption) (string, error) {
	if err := l.impl.check(); err != nil {
		return "", err
	}
	if enc == nil {
		def, err := l.impl.bucketEncryption(bucket)
		if err != nil || def == nil {
			return "", err
		}
		enc = def
	}
	if enc.Algorithm != SSEKMS || enc.KMSKeyID == "" {
		return "", nil
	}
	return l.customerKeyARN(enc.KMSKeyID)
}

// ObjectCustomerKey is the ARN of the customer-managed KMS key info's
// object is sealed under, or "" (not KMS, or the AWS-managed key). Readers
// check kms:Decrypt on it before serving the object's bytes.
func (l *Lake) ObjectCustomerKey(info ObjectInfo) (string, error) {
	if info.Encryption == nil || info.Encryption.Algorithm != SSEKMS || info.Encryption.KMSKeyID == "" {
		return "", nil
	}
	return l.customerKeyARN(info.Encryption.KMSKeyID)
}

func (l *Lake) customerKeyARN(id string) (string, error) {
	ks := l.impl.cfg.Keys
	if ks == nil {
		return "", ErrNoKeyStore
	}
	arn, err := ks.CustomerKeyARN(id, "")
	if err != nil {
		return "", fmt.Errorf("lake: KMS key %s: %w", id, err)
	}
	return arn, nil
}
