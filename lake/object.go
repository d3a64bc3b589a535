package lake

import (
	"context"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// objectBucketTx returns bucket's object index inside tx, or
// ErrBucketNotFound.
func objectBucketTx(tx *bolt.Tx, bucket string) (*bolt.Bucket, error) {
	ob := tx.Bucket(objectsBucket).Bucket([]byte(bucket))
	if ob == nil {
		return nil, fmt.Errorf("%w: %s", ErrBucketNotFound, bucket)
	}
	return ob, nil
}

// getRecord reads bucket/key's index entry.
func (s *lakeState) getRecord(bucket, key string) (objectRecord, error) {
	var r objectRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		ob, err := objectBucketTx(tx, bucket)
		if err != nil {
			return err
		}
		ok, err := getObjectRecord(ob, []byte(key), &r)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s/%s", ErrObjectNotFound, bucket, key)
		}
		return nil
	})
	return r, err
}

// bucketExists answers ErrBucketNotFound early, before a body is read.
func (s *lakeState) bucketExists(bucket string) error {
	return s.db.View(func(tx *bolt.Tx) error {
		_, err := objectBucketTx(tx, bucket)
		return err
	})
}

func (s *lakeState) putObject(ctx context.Context, bucket, key string, body io.Reader, opts PutOptions) (ObjectInfo, error) {
	if err := s.check(); err != nil {
		return ObjectInfo{}, err
	}
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, fmt.Errorf("%w (bucket %s)", err, bucket)
	}
	if err := s.bucketExists(bucket); err != nil {
		return ObjectInfo{}, err
	}
	ok, err := s.newObjectKey(bucket, key, opts.Encryption)
	if err != nil {
		return ObjectInfo{}, err
	}
	var seal cipher.AEAD
	if ok != nil {
		seal = ok.fileAEAD(sseLabelFile)
	}
	t, d, err := s.writeBody(ctx, body, opts.Checksums, seal)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("%w (%s/%s)", err, bucket, key)
	}
	defer t.discard()
	if opts.Verify != nil {
		if err := opts.Verify(d); err != nil {
			return ObjectInfo{}, err
		}
	}
	rec := objectRecord{
		Size:      d.Size,
		ETag:      hex.EncodeToString(d.MD5[:]),
		Meta:      toMetaRecord(opts.Meta),
		Checksums: encodeSums(d.Sums),
	}
	rec.setKey(ok)
	if len(rec.Checksums) > 0 {
		rec.ChecksumType = ChecksumFullObject
	}
	return s.commitObject(bucket, key, t, rec, opts, nil)
}

// commitObject places the finished temp file t as a new version of
// bucket/key and commits rec for it (checking opts' preconditions in the
// commit transaction), then removes the replaced version's file. extra,
// when set, runs in the same transaction after the checks (multipart
// completion removes its upload there); it must only fail with txAbort or
// before writing.
func (s *lakeState) commitObject(bucket, key string, t *tempFile, rec objectRecord, opts PutOptions, extra func(*bolt.Tx) error) (ObjectInfo, error) {
	rec.Path = objectRelPath(bucket, key, s.newVersion())
	if err := s.place(t, rec.Path); err != nil {
		return ObjectInfo{}, fmt.Errorf("%w (%s/%s)", err, bucket, key)
	}
	if s.afterPlace != nil {
		if err := s.afterPlace(rec.Path); err != nil {
			return ObjectInfo{}, err
		}
	}
	var old string
	err := s.commit.commit(func(tx *bolt.Tx) error {
		old = ""
		ob, err := objectBucketTx(tx, bucket)
		if err != nil {
			return err
		}
		var cur objectRecord
		exists, err := getObjectRecord(ob, []byte(key), &cur)
		if err != nil {
			return err
		}
		if opts.IfNoneMatchStar && exists {
			return fmt.Errorf("%w: %s/%s exists (If-None-Match: *)", ErrPreconditionFailed, bucket, key)
		}
		if opts.IfMatch != "" {
			// S3 answers 404 NoSuchKey to If-Match on a missing key.
			if !exists {
				return fmt.Errorf("%w: %s/%s (If-Match)", ErrObjectNotFound, bucket, key)
			}
			if strings.Trim(opts.IfMatch, `"`) != cur.ETag {
				return fmt.Errorf("%w: %s/%s ETag %s (If-Match %s)", ErrPreconditionFailed, bucket, key, cur.ETag, opts.IfMatch)
			}
		}
		if extra != nil {
			if err := extra(tx); err != nil {
				return err
			}
		}
		rec.Modified = s.now().UnixNano()
		if err := putObjectRecord(ob, []byte(key), &rec); err != nil {
			return txAbort{err}
		}
		if exists {
			old = cur.Path
			if err := forgetCompletedTx(tx, cur.UploadID); err != nil {
				return txAbort{err}
			}
		}
		return nil
	})
	if err != nil {
		if !isCommitFailure(err) {
			s.removeData(rec.Path, objectsDir+"/"+bucket)
		}
		return ObjectInfo{}, err
	}
	if old != rec.Path {
		s.removeData(old, objectsDir+"/"+bucket)
	}
	return rec.info(bucket, key), nil
}

func (s *lakeState) headObject(bucket, key string) (ObjectInfo, error) {
	if err := s.check(); err != nil {
		return ObjectInfo{}, err
	}
	r, err := s.getRecord(bucket, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	return r.info(bucket, key), nil
}

// openRecord reads bucket/key's entry and opens its data file. An
// overwrite or delete may commit and remove the file between the two
// steps; then the index is read again.
func (s *lakeState) openRecord(bucket, key string) (objectRecord, *os.File, error) {
	for attempt := 0; ; attempt++ {
		r, err := s.getRecord(bucket, key)
		if err != nil {
			return r, nil, err
		}
		f, err := os.Open(s.abs(r.Path))
		if err == nil {
			return r, f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) || attempt >= 16 {
			return r, nil, fmt.Errorf("lake: open %s/%s: %w", bucket, key, err)
		}
	}
}

func (s *lakeState) getObject(bucket, key string) (*Object, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	r, f, err := s.openRecord(bucket, key)
	if err != nil {
		return nil, err
	}
	if r.SSE != "" {
		pr, err := s.objectPlain(bucket, key, &r, f)
		if err != nil {
			f.Close()
			return nil, err
		}
		return &Object{Info: r.info(bucket, key), Body: io.NewSectionReader(pr, 0, r.Size), close: f.Close}, nil
	}
	return &Object{Info: r.info(bucket, key), Body: f, close: f.Close}, nil
}

func (s *lakeState) deleteObject(bucket, key string) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := checkKey(key); err != nil {
		return fmt.Errorf("%w (bucket %s)", err, bucket)
	}
	var old string
	err := s.commit.commit(func(tx *bolt.Tx) error {
		old = ""
		ob, err := objectBucketTx(tx, bucket)
		if err != nil {
			return err
		}
		var cur objectRecord
		exists, err := getObjectRecord(ob, []byte(key), &cur)
		if err != nil || !exists {
			return err
		}
		if err := ob.Delete([]byte(key)); err != nil {
			return txAbort{err}
		}
		if err := forgetCompletedTx(tx, cur.UploadID); err != nil {
			return txAbort{err}
		}
		old = cur.Path
		return nil
	})
	if err != nil {
		return err
	}
	s.removeData(old, objectsDir+"/"+bucket)
	return nil
}

func (s *lakeState) path(bucket, key string) (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	r, err := s.getRecord(bucket, key)
	if err != nil {
		return "", err
	}
	if r.SSE != "" {
		return "", fmt.Errorf("%w: %s/%s is stored with server-side encryption (%s) and cannot be read in place; "+
			"queries read only unencrypted objects", ErrEncrypted, bucket, key, r.SSE)
	}
	return s.abs(r.Path), nil
}

func (s *lakeState) setTags(bucket, key string, tags map[string]string) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.commit.commit(func(tx *bolt.Tx) error {
		ob, err := objectBucketTx(tx, bucket)
		if err != nil {
			return err
		}
		var cur objectRecord
		exists, err := getObjectRecord(ob, []byte(key), &cur)
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%w: %s/%s", ErrObjectNotFound, bucket, key)
		}
		cur.Meta.Tags = tags
		if err := putObjectRecord(ob, []byte(key), &cur); err != nil {
			return txAbort{err}
		}
		return nil
	})
}

// copyObject copies src's bytes into a new version of dst. When the
// source is a single-part object that already carries every checksum
// asked for, the kernel copies the bytes (copy_file_range) and the
// source's MD5 and checksums are reused; otherwise the bytes are hashed
// on the way. The copy is a single-part object, as S3's CopyObject makes
// (its ETag is the MD5 of the bytes even when the source was multipart).
func (s *lakeState) copyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta *Metadata, opts PutOptions) (ObjectInfo, error) {
	if err := s.check(); err != nil {
		return ObjectInfo{}, err
	}
	if err := checkKey(dstKey); err != nil {
		return ObjectInfo{}, fmt.Errorf("%w (bucket %s)", err, dstBucket)
	}
	if err := s.bucketExists(dstBucket); err != nil {
		return ObjectInfo{}, err
	}
	src, f, err := s.openRecord(srcBucket, srcKey)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer f.Close()

	algs := slices.Clone(opts.Checksums)
	if src.ChecksumType == ChecksumFullObject {
		for alg := range src.Checksums {
			if !slices.Contains(algs, alg) {
				algs = append(algs, alg)
			}
		}
	}
	dk, err := s.newObjectKey(dstBucket, dstKey, opts.Encryption)
	if err != nil {
		return ObjectInfo{}, err
	}
	reuse := src.PartsCount == 0 && src.SSE == ""
	for _, alg := range algs {
		if src.ChecksumType != ChecksumFullObject || src.Checksums[alg] == "" {
			reuse = false
		}
	}
	var hs *hashSet
	if !reuse {
		if hs, err = newHashSet(algs); err != nil {
			return ObjectInfo{}, err
		}
	}
	var hw io.Writer
	if hs != nil {
		hw = hs
	}
	var t *tempFile
	if src.SSE != "" || dk != nil {
		// Either side sealed: stream the plaintext through.
		var pr plainReader
		if pr, err = s.objectPlain(srcBucket, srcKey, &src, f); err == nil {
			var seal cipher.AEAD
			if dk != nil {
				seal = dk.fileAEAD(sseLabelFile)
			}
			t, err = s.copyPlain(ctx, pr, 0, src.Size, hw, seal)
		}
	} else {
		t, err = s.copyRange(ctx, f, 0, src.Size, hw)
	}
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("%w (copy %s/%s)", err, srcBucket, srcKey)
	}
	defer t.discard()

	rec := objectRecord{Size: src.Size, Meta: src.Meta}
	rec.setKey(dk)
	var d Digests
	if reuse {
		d = Digests{Size: src.Size}
		if _, err := hex.Decode(d.MD5[:], []byte(src.ETag)); err != nil {
			return ObjectInfo{}, fmt.Errorf("lake: %s/%s: stored ETag %q: %w", srcBucket, srcKey, src.ETag, err)
		}
		rec.ETag = src.ETag
		rec.Checksums = make(map[string]string, len(algs))
		for _, alg := range algs {
			rec.Checksums[alg] = src.Checksums[alg]
		}
	} else {
		d = hs.digests()
		rec.ETag = hex.EncodeToString(d.MD5[:])
		rec.Checksums = encodeSums(d.Sums)
	}
	if len(rec.Checksums) > 0 {
		rec.ChecksumType = ChecksumFullObject
	} else {
		rec.Checksums = nil
	}
	if opts.Verify != nil {
		if reuse && len(algs) > 0 {
			d.Sums = make(map[string][]byte, len(algs))
			for _, alg := range algs {
				d.Sums[alg], _ = decodeSum(rec.Checksums[alg])
			}
		}
		if err := opts.Verify(d); err != nil {
			return ObjectInfo{}, err
		}
	}
	if meta != nil {
		// REPLACE: new metadata; tags stay the source's unless given.
		m := toMetaRecord(*meta)
		if m.Tags == nil {
			m.Tags = src.Meta.Tags
		}
		rec.Meta = m
	}
	return s.commitObject(dstBucket, dstKey, t, rec, opts, nil)
}

// forgetCompletedTx drops the completed-upload record of the multipart
// upload an object being replaced or deleted came from: a retried
// completion of it can no longer answer that object. This keeps the
// completed bucket no larger than the number of multipart objects.
func forgetCompletedTx(tx *bolt.Tx, uploadID string) error {
	if uploadID == "" {
		return nil
	}
	return tx.Bucket(completedBucket).Delete([]byte(uploadID))
}
