package lake

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// prefixEnd returns a seek target past every key that starts with p: p
// followed by 0xFF, a byte valid UTF-8 never holds, so every key with
// prefix p sorts before it and every other key after p sorts after it.
func prefixEnd(p []byte) []byte {
	end := make([]byte, len(p)+1)
	copy(end, p)
	end[len(p)] = 0xff
	return end
}

// list walks one page of bucket's keys in byte order with a bbolt cursor.
//
// Semantics, as S3 lists:
//   - only keys starting with Prefix, and after StartAfter;
//   - with a Delimiter, a key holding it after the prefix is rolled up
//     into the common prefix ending at its first delimiter; each common
//     prefix counts once toward MaxKeys, and the cursor then seeks past all
//     its keys instead of walking them;
//   - a common prefix at or before StartAfter (StartAfter lies inside it,
//     e.g. a continuation from that very prefix) is skipped whole, so
//     StartAfter = Next resumes exactly after the last entry returned;
//   - MaxKeys 0 returns nothing and IsTruncated false (as AWS answers
//     max-keys=0);
//   - IsTruncated is true only when another entry exists.
func (s *lakeState) list(bucket string, opts ListOptions) (ListResult, error) {
	if err := s.check(); err != nil {
		return ListResult{}, err
	}
	var res ListResult
	err := s.db.View(func(tx *bolt.Tx) error {
		ob, err := objectBucketTx(tx, bucket)
		if err != nil {
			return err
		}
		if opts.MaxKeys <= 0 {
			return nil
		}
		prefix := []byte(opts.Prefix)
		delim := []byte(opts.Delimiter)
		c := ob.Cursor()
		var k, v []byte
		if opts.StartAfter >= opts.Prefix {
			k, v = c.Seek([]byte(opts.StartAfter))
			if k != nil && string(k) == opts.StartAfter {
				k, v = c.Next()
			}
		} else {
			k, v = c.Seek(prefix)
		}
		count := 0
		for k != nil && bytes.HasPrefix(k, prefix) {
			if len(delim) > 0 {
				if i := bytes.Index(k[len(prefix):], delim); i >= 0 {
					cp := k[:len(prefix)+i+len(delim)]
					if string(cp) <= opts.StartAfter {
						k, v = c.Seek(prefixEnd(cp))
						continue
					}
					if count == opts.MaxKeys {
						res.IsTruncated = true
						break
					}
					res.CommonPrefixes = append(res.CommonPrefixes, string(cp))
					res.Next = string(cp)
					count++
					k, v = c.Seek(prefixEnd(cp))
					continue
				}
			}
			if count == opts.MaxKeys {
				res.IsTruncated = true
				break
			}
			var r objectRecord
			if err := decodeObjectRecord(v, &r); err != nil {
				return fmt.Errorf("lake: corrupt index entry %s/%q: %w", bucket, k, err)
			}
			key := string(k)
			res.Objects = append(res.Objects, r.info(bucket, key))
			res.Next = key
			count++
			k, v = c.Next()
		}
		return nil
	})
	if err != nil {
		return ListResult{}, err
	}
	return res, nil
}
