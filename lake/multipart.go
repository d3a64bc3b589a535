package lake

import (
	"context"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Multipart sentinels, besides ErrUploadNotFound, ErrInvalidPart,
// ErrInvalidPartOrder and ErrEntityTooSmall.
var (
	// ErrInvalidPartNumber is a part number outside 1..MaxParts
	// (InvalidArgument 400).
	ErrInvalidPartNumber = errors.New("lake: part number must be an integer between 1 and 10000")
	// ErrInvalidRange is a copy range outside the source object
	// (InvalidRange 416 / InvalidArgument 400 at the skin).
	ErrInvalidRange = errors.New("lake: range not satisfiable")
)

// MaxParts is S3's largest part number.
const MaxParts = 10000

// newUploadID returns a fresh upload ID: the data-file version (16 hex
// digits, increasing) then 16 random URL-safe base64 characters. IDs are
// URL- and path-safe, and sort in the order uploads were created, which is
// the order ListMultipartUploads answers uploads of one key in and the
// order its upload-id-marker compares in.
func (s *lakeState) newUploadID() string {
	var r [12]byte
	rand.Read(r[:])
	return s.newVersion() + base64.RawURLEncoding.EncodeToString(r[:])
}

// checkChecksumChoice validates a multipart upload's checksum algorithm
// and type and fills in S3's default type: FULL_OBJECT for CRC64NVME
// (the only type it supports), COMPOSITE for the others. SHA algorithms
// support only COMPOSITE.
func checkChecksumChoice(alg, typ string) (string, error) {
	if alg == "" {
		if typ != "" {
			return "", fmt.Errorf("%w: checksum type %s without an algorithm", ErrInvalidChecksumAlgorithm, typ)
		}
		return "", nil
	}
	if _, err := newChecksum(alg); err != nil {
		return "", err
	}
	if typ == "" {
		if alg == CRC64NVME {
			return ChecksumFullObject, nil
		}
		return ChecksumComposite, nil
	}
	switch {
	case typ == ChecksumFullObject && isCRC(alg), typ == ChecksumComposite && alg != CRC64NVME:
		return typ, nil
	}
	return "", fmt.Errorf("%w: %s does not support checksum type %s", ErrInvalidChecksumAlgorithm, alg, typ)
}

func (s *lakeState) createUpload(bucket, key string, meta Metadata, alg, typ string, enc *Encryption) (Upload, error) {
	if err := s.check(); err != nil {
		return Upload{}, err
	}
	if err := checkKey(key); err != nil {
		return Upload{}, fmt.Errorf("%w (bucket %s)", err, bucket)
	}
	typ, err := checkChecksumChoice(alg, typ)
	if err != nil {
		return Upload{}, err
	}
	if err := s.bucketExists(bucket); err != nil {
		return Upload{}, err
	}
	ok, err := s.newObjectKey(bucket, key, enc)
	if err != nil {
		return Upload{}, err
	}
	id := s.newUploadID()
	rec := uploadRecord{Bucket: bucket, Key: key, Initiated: s.now().UnixNano(), Meta: toMetaRecord(meta), ChecksumAlg: alg, ChecksumType: typ}
	if ok != nil {
		rec.SSE, rec.SSEKey, rec.SSEWrapped = ok.alg, ok.kmsKey, ok.wrapped
	}
	err = s.commit.commit(func(tx *bolt.Tx) error {
		if _, err := objectBucketTx(tx, bucket); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(uploadsBucket), []byte(id), rec); err != nil {
			return txAbort{err}
		}
		return nil
	})
	if err != nil {
		return Upload{}, err
	}
	return rec.upload(id), nil
}

// getUploadRecord reads an upload's record.
func (s *lakeState) getUploadRecord(id string) (uploadRecord, error) {
	var r uploadRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = uploadTx(tx, id)
		return err
	})
	return r, err
}

func uploadTx(tx *bolt.Tx, id string) (uploadRecord, error) {
	var r uploadRecord
	ok, err := getJSON(tx.Bucket(uploadsBucket), []byte(id), &r)
	if err != nil {
		return r, err
	}
	if !ok {
		return r, fmt.Errorf("%w: %q", ErrUploadNotFound, id)
	}
	return r, nil
}

func (s *lakeState) getUpload(id string) (Upload, error) {
	if err := s.check(); err != nil {
		return Upload{}, err
	}
	r, err := s.getUploadRecord(id)
	if err != nil {
		return Upload{}, err
	}
	return r.upload(id), nil
}

func checkPartNumber(n int) error {
	if n < 1 || n > MaxParts {
		return fmt.Errorf("%w: %d", ErrInvalidPartNumber, n)
	}
	return nil
}

func (s *lakeState) putPart(ctx context.Context, id string, n int, body io.Reader, opts PutOptions) (Part, error) {
	if err := s.check(); err != nil {
		return Part{}, err
	}
	if err := checkPartNumber(n); err != nil {
		return Part{}, err
	}
	up, err := s.getUploadRecord(id)
	if err != nil {
		return Part{}, err
	}
	algs := opts.Checksums
	if up.ChecksumAlg != "" && !slices.Contains(algs, up.ChecksumAlg) {
		algs = append(slices.Clone(algs), up.ChecksumAlg)
	}
	seal, salt, err := s.partSeal(&up)
	if err != nil {
		return Part{}, err
	}
	t, d, err := s.writeBody(ctx, body, algs, seal)
	if err != nil {
		return Part{}, fmt.Errorf("%w (upload %s part %d)", err, id, n)
	}
	defer t.discard()
	if opts.Verify != nil {
		if err := opts.Verify(d); err != nil {
			return Part{}, err
		}
	}
	rec := partRecord{Size: d.Size, ETag: hex.EncodeToString(d.MD5[:]), Checksums: encodeSums(d.Sums), Salt: salt}
	return s.commitPart(id, n, t, rec)
}

// commitPart places a finished part file and commits its record,
// replacing (and then removing) any earlier part n.
func (s *lakeState) commitPart(id string, n int, t *tempFile, rec partRecord) (Part, error) {
	rec.Path = partRelPath(id, n, s.newVersion())
	if err := s.place(t, rec.Path); err != nil {
		return Part{}, fmt.Errorf("%w (upload %s part %d)", err, id, n)
	}
	var old string
	err := s.commit.commit(func(tx *bolt.Tx) error {
		old = ""
		if _, err := uploadTx(tx, id); err != nil {
			return err
		}
		pb, err := tx.Bucket(partsBucket).CreateBucketIfNotExists([]byte(id))
		if err != nil {
			return txAbort{err}
		}
		var cur partRecord
		exists, err := getJSON(pb, partKey(n), &cur)
		if err != nil {
			return err
		}
		rec.Modified = s.now().UnixNano()
		if err := putJSON(pb, partKey(n), rec); err != nil {
			return txAbort{err}
		}
		if exists {
			old = cur.Path
		}
		return nil
	})
	if err != nil {
		if !isCommitFailure(err) {
			s.removeData(rec.Path, uploadsDir)
		}
		return Part{}, err
	}
	s.removeData(old, uploadsDir+"/"+id)
	return rec.part(n), nil
}

func (s *lakeState) copyPart(ctx context.Context, id string, n int, srcBucket, srcKey string, first, last int64) (Part, error) {
	if err := s.check(); err != nil {
		return Part{}, err
	}
	if err := checkPartNumber(n); err != nil {
		return Part{}, err
	}
	up, err := s.getUploadRecord(id)
	if err != nil {
		return Part{}, err
	}
	src, f, err := s.openRecord(srcBucket, srcKey)
	if err != nil {
		return Part{}, err
	}
	defer f.Close()
	if last < 0 {
		first, last = 0, src.Size-1
	}
	if first < 0 || first > last+1 || last >= src.Size && !(src.Size == 0 && first == 0 && last == -1) {
		return Part{}, fmt.Errorf("%w: bytes=%d-%d of %s/%s (%d bytes)", ErrInvalidRange, first, last, srcBucket, srcKey, src.Size)
	}
	var algs []string
	if up.ChecksumAlg != "" {
		algs = []string{up.ChecksumAlg}
	}
	hs, err := newHashSet(algs)
	if err != nil {
		return Part{}, err
	}
	seal, salt, err := s.partSeal(&up)
	if err != nil {
		return Part{}, err
	}
	var t *tempFile
	if src.SSE != "" || seal != nil {
		var pr plainReader
		if pr, err = s.objectPlain(srcBucket, srcKey, &src, f); err == nil {
			t, err = s.copyPlain(ctx, pr, first, last-first+1, hs, seal)
		}
	} else {
		t, err = s.copyRange(ctx, f, first, last-first+1, hs)
	}
	if err != nil {
		return Part{}, fmt.Errorf("%w (upload %s part %d from %s/%s)", err, id, n, srcBucket, srcKey)
	}
	defer t.discard()
	d := hs.digests()
	rec := partRecord{Size: d.Size, ETag: hex.EncodeToString(d.MD5[:]), Checksums: encodeSums(d.Sums), Salt: salt}
	return s.commitPart(id, n, t, rec)
}

// multipartETag is S3's ETag of a multipart object: the hex MD5 of the
// concatenated binary MD5s of its parts, then "-" and the part count.
func multipartETag(partETags []string) (string, error) {
	h := md5.New()
	for _, e := range partETags {
		raw, err := hex.DecodeString(e)
		if err != nil || len(raw) != md5.Size {
			return "", fmt.Errorf("%w: ETag %q is not an MD5", ErrInvalidPart, e)
		}
		h.Write(raw)
	}
	return fmt.Sprintf("%x-%d", h.Sum(nil), len(partETags)), nil
}

func normalizeETag(e string) string { return strings.ToLower(strings.Trim(e, `"`)) }

// completeUpload validates the part list (order first, then each part's
// existence, ETag and client checksum, then sizes), concatenates the
// parts into a new data file and commits it as the object in the same
// transaction that removes the upload.
func (s *lakeState) completeUpload(ctx context.Context, id string, list []CompletePart, conds PutOptions) (ObjectInfo, error) {
	if err := s.check(); err != nil {
		return ObjectInfo{}, err
	}
	var up uploadRecord
	parts := make(map[int]partRecord)
	var retried *ObjectInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		up, err = uploadTx(tx, id)
		if errors.Is(err, ErrUploadNotFound) {
			info, ok := completedTx(tx, id, list)
			if ok {
				retried = &info
				return nil
			}
		}
		if err != nil {
			return err
		}
		pb := tx.Bucket(partsBucket).Bucket([]byte(id))
		if pb == nil {
			return nil
		}
		return pb.ForEach(func(k, v []byte) error {
			var r partRecord
			if err := decodeJSON(k, v, &r); err != nil {
				return err
			}
			parts[int(k[0])<<8|int(k[1])] = r
			return nil
		})
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	if retried != nil {
		return *retried, nil
	}
	if len(list) == 0 {
		return ObjectInfo{}, fmt.Errorf("%w: upload %s: no parts listed", ErrInvalidPart, id)
	}
	for i := 1; i < len(list); i++ {
		if list[i].Number <= list[i-1].Number {
			return ObjectInfo{}, fmt.Errorf("%w: upload %s: part %d after part %d", ErrInvalidPartOrder, id, list[i].Number, list[i-1].Number)
		}
	}
	chosen := make([]partRecord, len(list))
	etags := make([]string, len(list))
	for i, cp := range list {
		p, ok := parts[cp.Number]
		if !ok {
			return ObjectInfo{}, fmt.Errorf("%w: upload %s has no part %d", ErrInvalidPart, id, cp.Number)
		}
		if normalizeETag(cp.ETag) != p.ETag {
			return ObjectInfo{}, fmt.Errorf("%w: upload %s part %d has ETag %s, not %s", ErrInvalidPart, id, cp.Number, p.ETag, cp.ETag)
		}
		for alg, sum := range cp.Checksums {
			if sum != "" && p.Checksums[alg] != sum {
				return ObjectInfo{}, fmt.Errorf("%w: upload %s part %d has %s %s, not %s", ErrInvalidPart, id, cp.Number, alg, p.Checksums[alg], sum)
			}
		}
		chosen[i], etags[i] = p, p.ETag
	}
	for i, p := range chosen[:len(chosen)-1] {
		if p.Size < MinPartSize {
			return ObjectInfo{}, fmt.Errorf("%w: upload %s part %d is %d bytes", ErrEntityTooSmall, id, list[i].Number, p.Size)
		}
	}
	etag, err := multipartETag(etags)
	if err != nil {
		return ObjectInfo{}, err
	}

	rec := objectRecord{ETag: etag, Meta: up.Meta, PartsCount: len(chosen), PartSizes: make([]int64, len(chosen)), UploadID: id}
	var full hash.Hash
	if up.ChecksumAlg != "" && up.ChecksumType == ChecksumFullObject {
		full, _ = newChecksum(up.ChecksumAlg)
	}
	t, err := s.createTemp("complete")
	if err != nil {
		return ObjectInfo{}, err
	}
	defer t.discard()
	var uk *objectKey
	var sw *sealWriter
	if up.SSE != "" {
		if uk, err = s.openObjectKey(up.Bucket, up.Key, up.SSE, up.SSEKey, up.SSEWrapped); err != nil {
			return ObjectInfo{}, err
		}
		sw = newSealWriter(t.f, uk.fileAEAD(sseLabelFile))
		rec.setKey(uk)
	}
	for i, p := range chosen {
		rec.PartSizes[i] = p.Size
		rec.Size += p.Size
		var err error
		if sw != nil {
			err = s.appendSealedPart(ctx, sw, uk, p, full)
		} else {
			err = s.appendPart(ctx, t.f, p, full)
		}
		if err != nil {
			return ObjectInfo{}, fmt.Errorf("%w (upload %s part %d)", err, id, list[i].Number)
		}
	}
	if sw != nil {
		if err := sw.Close(); err != nil {
			return ObjectInfo{}, fmt.Errorf("lake: write %s: %w", t.path, err)
		}
	}
	if err := t.finish(s.cfg.NoSync); err != nil {
		return ObjectInfo{}, err
	}
	switch {
	case full != nil:
		rec.Checksums = map[string]string{up.ChecksumAlg: base64.StdEncoding.EncodeToString(full.Sum(nil))}
		rec.ChecksumType = ChecksumFullObject
	case up.ChecksumAlg != "":
		sum, err := compositeChecksum(up.ChecksumAlg, chosen)
		if err != nil {
			return ObjectInfo{}, fmt.Errorf("%w (upload %s)", err, id)
		}
		rec.Checksums = map[string]string{up.ChecksumAlg: sum}
		rec.ChecksumType = ChecksumComposite
	}
	info, err := s.commitObject(up.Bucket, up.Key, t, rec, conds, func(tx *bolt.Tx) error {
		if _, err := uploadTx(tx, id); err != nil {
			return err
		}
		if err := deleteUploadTx(tx, id); err != nil {
			return txAbort{err}
		}
		if err := putJSON(tx.Bucket(completedBucket), []byte(id), completedRecord{Bucket: up.Bucket, Key: up.Key}); err != nil {
			return txAbort{err}
		}
		return nil
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	os.RemoveAll(filepath.Join(s.dir, uploadsDir, id))
	return info, nil
}

// completedTx answers a retried CompleteMultipartUpload: the object the
// upload made, if it is still the current version of its key and list
// names the same parts (the multipart ETag covers every part's MD5).
func completedTx(tx *bolt.Tx, id string, list []CompletePart) (ObjectInfo, bool) {
	var c completedRecord
	if ok, err := getJSON(tx.Bucket(completedBucket), []byte(id), &c); !ok || err != nil {
		return ObjectInfo{}, false
	}
	ob := tx.Bucket(objectsBucket).Bucket([]byte(c.Bucket))
	if ob == nil {
		return ObjectInfo{}, false
	}
	var r objectRecord
	if ok, err := getObjectRecord(ob, []byte(c.Key), &r); !ok || err != nil || r.UploadID != id {
		return ObjectInfo{}, false
	}
	etags := make([]string, len(list))
	for i, p := range list {
		etags[i] = normalizeETag(p.ETag)
	}
	if etag, err := multipartETag(etags); err != nil || etag != r.ETag {
		return ObjectInfo{}, false
	}
	return r.info(c.Bucket, c.Key), true
}

// partSeal returns the cipher and salt a new part of an encrypted upload
// is sealed with, or nils for a plain upload.
func (s *lakeState) partSeal(up *uploadRecord) (cipher.AEAD, []byte, error) {
	if up.SSE == "" {
		return nil, nil, nil
	}
	k, err := s.openObjectKey(up.Bucket, up.Key, up.SSE, up.SSEKey, up.SSEWrapped)
	if err != nil {
		return nil, nil, err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	return k.fileAEAD("part:" + string(salt)), salt, nil
}

// appendSealedPart streams the plaintext of sealed part p into sw.
func (s *lakeState) appendSealedPart(ctx context.Context, sw *sealWriter, uk *objectKey, p partRecord, full hash.Hash) error {
	f, err := os.Open(s.abs(p.Path))
	if err != nil {
		return fmt.Errorf("lake: open part: %w", err)
	}
	defer f.Close()
	if p.Salt == nil {
		return fmt.Errorf("lake: part %s of an encrypted upload is not sealed", p.Path)
	}
	pr, err := newOpenReader(f, uk.fileAEAD("part:"+string(p.Salt)), p.Size)
	if err != nil {
		return err
	}
	var w io.Writer = sw
	if full != nil {
		w = io.MultiWriter(sw, full)
	}
	bp := bufPool.Get().(*[]byte)
	n, err := io.CopyBuffer(w, ctxReader{ctx, io.NewSectionReader(pr, 0, p.Size)}, *bp)
	bufPool.Put(bp)
	if err == nil && n != p.Size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return fmt.Errorf("lake: copy part: %w", err)
	}
	return nil
}

func (s *lakeState) appendPart(ctx context.Context, dst *os.File, p partRecord, full hash.Hash) error {
	f, err := os.Open(s.abs(p.Path))
	if err != nil {
		return fmt.Errorf("lake: open part: %w", err)
	}
	defer f.Close()
	var hw io.Writer
	if full != nil {
		hw = full
	}
	return appendRange(ctx, dst, f, 0, p.Size, hw)
}

// compositeChecksum is S3's checksum of a multipart object with the
// COMPOSITE type: the algorithm over the concatenated raw checksums of
// the parts, base64, then "-" and the part count.
func compositeChecksum(alg string, parts []partRecord) (string, error) {
	h, err := newChecksum(alg)
	if err != nil {
		return "", err
	}
	for _, p := range parts {
		raw, err := decodeSum(p.Checksums[alg])
		if err != nil || len(raw) == 0 {
			return "", fmt.Errorf("%w: a part has no %s checksum", ErrInvalidPart, alg)
		}
		h.Write(raw)
	}
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(h.Sum(nil)), len(parts)), nil
}

func (s *lakeState) abortUpload(id string) error {
	if err := s.check(); err != nil {
		return err
	}
	err := s.commit.commit(func(tx *bolt.Tx) error {
		if _, err := uploadTx(tx, id); err != nil {
			return err
		}
		if err := deleteUploadTx(tx, id); err != nil {
			return txAbort{err}
		}
		return nil
	})
	if err != nil {
		return err
	}
	os.RemoveAll(filepath.Join(s.dir, uploadsDir, id))
	return nil
}

// listUploads answers ListMultipartUploads: a bucket's uploads by key,
// then by creation (which upload IDs sort in), with S3's marker rules:
// without UploadIDMarker, only keys after KeyMarker; with it, also the
// KeyMarker key's uploads whose ID is after UploadIDMarker. Delimiter and
// MaxUploads work as in List (MaxUploads 0 answers nothing). Uploads are
// few, so they are scanned rather than indexed by key.
func (s *lakeState) listUploads(bucket string, opts ListUploadsOptions) (ListUploadsResult, error) {
	if err := s.check(); err != nil {
		return ListUploadsResult{}, err
	}
	var all []Upload
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := objectBucketTx(tx, bucket); err != nil {
			return err
		}
		ub := tx.Bucket(uploadsBucket)
		return ub.ForEach(func(k, v []byte) error {
			var r uploadRecord
			if err := decodeJSON(k, v, &r); err != nil {
				return err
			}
			if r.Bucket == bucket && strings.HasPrefix(r.Key, opts.Prefix) {
				all = append(all, r.upload(string(k)))
			}
			return nil
		})
	})
	if err != nil {
		return ListUploadsResult{}, err
	}
	slices.SortFunc(all, func(a, b Upload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var res ListUploadsResult
	if opts.MaxUploads <= 0 {
		return res, nil
	}
	count := 0
	var lastPrefix string
	for _, u := range all {
		if opts.KeyMarker != "" {
			if u.Key < opts.KeyMarker || u.Key == opts.KeyMarker && (opts.UploadIDMarker == "" || u.ID <= opts.UploadIDMarker) {
				continue
			}
		}
		if opts.Delimiter != "" {
			if i := strings.Index(u.Key[len(opts.Prefix):], opts.Delimiter); i >= 0 {
				cp := u.Key[:len(opts.Prefix)+i+len(opts.Delimiter)]
				if cp == lastPrefix || (opts.KeyMarker != "" && cp <= opts.KeyMarker) {
					continue
				}
				if count == opts.MaxUploads {
					res.IsTruncated = true
					break
				}
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextKeyMarker, res.NextUploadIDMarker = cp, ""
				lastPrefix = cp
				count++
				continue
			}
		}
		if count == opts.MaxUploads {
			res.IsTruncated = true
			break
		}
		res.Uploads = append(res.Uploads, u)
		res.NextKeyMarker, res.NextUploadIDMarker = u.Key, u.ID
		count++
	}
	return res, nil
}

func (s *lakeState) listParts(id string, opts ListPartsOptions) (ListPartsResult, error) {
	if err := s.check(); err != nil {
		return ListPartsResult{}, err
	}
	var res ListPartsResult
	err := s.db.View(func(tx *bolt.Tx) error {
		up, err := uploadTx(tx, id)
		if err != nil {
			return err
		}
		res.Upload = up.upload(id)
		pb := tx.Bucket(partsBucket).Bucket([]byte(id))
		if pb == nil || opts.MaxParts <= 0 {
			return nil
		}
		c := pb.Cursor()
		start := max(opts.PartNumberMarker+1, 1)
		if start > MaxParts {
			return nil
		}
		for k, v := c.Seek(partKey(start)); k != nil; k, v = c.Next() {
			n := int(k[0])<<8 | int(k[1])
			if len(res.Parts) == opts.MaxParts {
				res.IsTruncated = true
				break
			}
			var r partRecord
			if err := decodeJSON(k, v, &r); err != nil {
				return err
			}
			res.Parts = append(res.Parts, r.part(n))
			res.NextPartNumberMarker = n
		}
		return nil
	})
	return res, err
}
