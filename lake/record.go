package lake

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Object index entries are binary, not JSON: List decodes up to 1,000 of
// them per page and HeadObject one per request, and JSON cost ~7 µs each.
//
// Layout of an objectRecord value (format v1), after a leading
// objectRecordV1 byte; integers are varints (signed) or uvarints, strings
// and byte strings are a uvarint length then the bytes, a map is a uvarint
// count then key, value strings sorted by key:
//
//	Path  Size  ETag  Modified
//	Meta: ContentType ContentEncoding ContentDisposition ContentLanguage
//	      CacheControl Expires StorageClass  User (map)  Tags (map)
//	Checksums (map)  ChecksumType  PartsCount  PartSizes (uvarint count, varints)
//	UploadID
//	SSE  SSEKey  SSEWrapped (byte string)   — server-side encryption (encryption.go)
//
// New fields may only be appended: a reader stops at the end of the value
// and leaves fields it finds no bytes for at their zero value, and ignores
// bytes after the fields it knows.
const objectRecordV1 = 1

var errShortRecord = errors.New("truncated record")

func encodeObjectRecord(r *objectRecord) []byte {
	b := make([]byte, 0, 128+len(r.Path)+len(r.ETag)+8*len(r.PartSizes))
	b = append(b, objectRecordV1)
	b = appendString(b, r.Path)
	b = binary.AppendVarint(b, r.Size)
	b = appendString(b, r.ETag)
	b = binary.AppendVarint(b, r.Modified)
	m := &r.Meta
	for _, s := range []string{m.ContentType, m.ContentEncoding, m.ContentDisposition, m.ContentLanguage, m.CacheControl, m.Expires, m.StorageClass} {
		b = appendString(b, s)
	}
	b = appendMap(b, m.User)
	b = appendMap(b, m.Tags)
	b = appendMap(b, r.Checksums)
	b = appendString(b, r.ChecksumType)
	b = binary.AppendUvarint(b, uint64(r.PartsCount))
	b = binary.AppendUvarint(b, uint64(len(r.PartSizes)))
	for _, n := range r.PartSizes {
		b = binary.AppendVarint(b, n)
	}
	b = appendString(b, r.UploadID)
	if r.SSE != "" || r.SSEKey != "" || len(r.SSEWrapped) > 0 {
		b = appendString(b, r.SSE)
		b = appendString(b, r.SSEKey)
		b = appendString(b, string(r.SSEWrapped))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendMap(b []byte, m map[string]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b = appendString(b, k)
		b = appendString(b, m[k])
	}
	return b
}

// recordReader decodes a record; the first error sticks, and reading past
// the end yields zero values without an error (appended fields).
type recordReader struct {
	b   []byte
	err error
}

func (d *recordReader) uvarint() uint64 {
	if d.err != nil || len(d.b) == 0 {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShortRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recordReader) varint() int64 {
	if d.err != nil || len(d.b) == 0 {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShortRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recordReader) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errShortRecord
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *recordReader) stringMap() map[string]string {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	// Every entry takes at least two bytes: a bound on hostile counts.
	if n > uint64(len(d.b))/2 {
		d.err = errShortRecord
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.string()
		m[k] = d.string()
	}
	return m
}

func decodeObjectRecord(data []byte, r *objectRecord) error {
	if len(data) == 0 || data[0] != objectRecordV1 {
		return fmt.Errorf("unknown object record version")
	}
	d := recordReader{b: data[1:]}
	r.Path = d.string()
	r.Size = d.varint()
	r.ETag = d.string()
	r.Modified = d.varint()
	m := &r.Meta
	for _, s := range []*string{&m.ContentType, &m.ContentEncoding, &m.ContentDisposition, &m.ContentLanguage, &m.CacheControl, &m.Expires, &m.StorageClass} {
		*s = d.string()
	}
	m.User = d.stringMap()
	m.Tags = d.stringMap()
	r.Checksums = d.stringMap()
	r.ChecksumType = d.string()
	r.PartsCount = int(d.uvarint())
	if n := d.uvarint(); n > 0 && d.err == nil {
		if n > uint64(len(d.b)) {
			return errShortRecord
		}
		r.PartSizes = make([]int64, n)
		for i := range r.PartSizes {
			r.PartSizes[i] = d.varint()
		}
	}
	r.UploadID = d.string()
	r.SSE = d.string()
	r.SSEKey = d.string()
	if w := d.string(); w != "" {
		r.SSEWrapped = []byte(w)
	}
	return d.err
}

func getObjectRecord(ob *bolt.Bucket, key []byte, r *objectRecord) (bool, error) {
	data := ob.Get(key)
	if data == nil {
		return false, nil
	}
	if err := decodeObjectRecord(data, r); err != nil {
		return true, fmt.Errorf("lake: corrupt index entry %q: %w", key, err)
	}
	return true, nil
}

func putObjectRecord(ob *bolt.Bucket, key []byte, r *objectRecord) error {
	return ob.Put(key, encodeObjectRecord(r))
}
