package lake

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"
)

func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return false
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return false
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return false
	}
	// Reserved prefixes and suffixes (S3 general purpose bucket naming
	// rules).
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return false
		}
	}
	return true
}

func checkBucketName(name string) error {
	if !validBucketName(name) {
		return fmt.Errorf("%w: %q", ErrInvalidBucketName, name)
	}
	return nil
}

func (s *lakeState) createBucket(name, region string) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := checkBucketName(name); err != nil {
		return err
	}
	// The directory first: a crash after it and before the commit leaves
	// an empty directory that Open removes.
	bdir := filepath.Join(s.dir, objectsDir, name)
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		return fmt.Errorf("lake: create bucket %s: %w", name, err)
	}
	if !s.cfg.NoSync {
		if err := syncDir(filepath.Dir(bdir)); err != nil {
			return err
		}
	}
	rec := bucketRecord{Region: region, Created: s.now().UnixNano()}
	return s.commit.commit(func(tx *bolt.Tx) error {
		bb := tx.Bucket(bucketsBucket)
		if bb.Get([]byte(name)) != nil {
			return fmt.Errorf("%w: %s", ErrBucketExists, name)
		}
		if err := putJSON(bb, []byte(name), rec); err != nil {
			return txAbort{err}
		}
		if _, err := tx.Bucket(objectsBucket).CreateBucketIfNotExists([]byte(name)); err != nil {
			return txAbort{err}
		}
		return nil
	})
}

func (s *lakeState) headBucket(name string) (Bucket, error) {
	if err := s.check(); err != nil {
		return Bucket{}, err
	}
	var b Bucket
	err := s.db.View(func(tx *bolt.Tx) error {
		var r bucketRecord
		ok, err := getJSON(tx.Bucket(bucketsBucket), []byte(name), &r)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrBucketNotFound, name)
		}
		b = Bucket{Name: name, Region: r.Region, Created: r.created()}
		return nil
	})
	return b, err
}

func (s *lakeState) listBuckets() ([]Bucket, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []Bucket
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketsBucket).ForEach(func(k, v []byte) error {
			var r bucketRecord
			if err := decodeJSON(k, v, &r); err != nil {
				return err
			}
			out = append(out, Bucket{Name: string(k), Region: r.Region, Created: r.created()})
			return nil
		})
	})
	return out, err
}

// deleteBucket removes a bucket with no objects. Uploads in progress do
// not keep it: S3 deletes a general purpose bucket with multipart uploads
// in progress and they go with it (only directory buckets refuse; see the
// DeleteBucket API reference), so they are aborted here.
func (s *lakeState) deleteBucket(name string) error {
	if err := s.check(); err != nil {
		return err
	}
	var uploads []string
	err := s.commit.commit(func(tx *bolt.Tx) error {
		uploads = nil
		if tx.Bucket(bucketsBucket).Get([]byte(name)) == nil {
			return fmt.Errorf("%w: %s", ErrBucketNotFound, name)
		}
		objs := tx.Bucket(objectsBucket)
		if ob := objs.Bucket([]byte(name)); ob != nil {
			if k, _ := ob.Cursor().First(); k != nil {
				return fmt.Errorf("%w: %s", ErrBucketNotEmpty, name)
			}
		}
		ub := tx.Bucket(uploadsBucket)
		if err := ub.ForEach(func(id, v []byte) error {
			var r uploadRecord
			if err := decodeJSON(id, v, &r); err != nil {
				return err
			}
			if r.Bucket == name {
				uploads = append(uploads, string(id))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, id := range uploads {
			if err := deleteUploadTx(tx, id); err != nil {
				return txAbort{err}
			}
		}
		if err := tx.Bucket(bucketsBucket).Delete([]byte(name)); err != nil {
			return txAbort{err}
		}
		if objs.Bucket([]byte(name)) != nil {
			if err := objs.DeleteBucket([]byte(name)); err != nil {
				return txAbort{err}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range uploads {
		os.RemoveAll(filepath.Join(s.dir, uploadsDir, id))
	}
	// Only empty directories should remain (every object is gone), but a
	// bucket of the same name may be created and written to meanwhile, so
	// only empty directories are removed, never files. A crash before this
	// leaves them for Open.
	removeEmptyDirs(filepath.Join(s.dir, objectsDir, name))
	return nil
}

// removeEmptyDirs removes dir and the directories below it that hold no
// files, bottom-up, and reports whether dir is gone. Errors just leave
// directories behind.
func removeEmptyDirs(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	empty := true
	for _, e := range entries {
		if !e.IsDir() || !removeEmptyDirs(filepath.Join(dir, e.Name())) {
			empty = false
		}
	}
	return empty && os.Remove(dir) == nil
}

// deleteUploadTx removes an upload's records inside tx.
func deleteUploadTx(tx *bolt.Tx, id string) error {
	if err := tx.Bucket(uploadsBucket).Delete([]byte(id)); err != nil {
		return err
	}
	if tx.Bucket(partsBucket).Bucket([]byte(id)) != nil {
		return tx.Bucket(partsBucket).DeleteBucket([]byte(id))
	}
	return nil
}
