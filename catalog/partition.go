package catalog

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// Partition keys: tableKey | 0x00 | for each value uvarint(len) | bytes.

func partitionPrefix(db, table string) []byte {
	return append(tableKey(db, table), 0)
}

func appendValues(k []byte, values []string) []byte {
	for _, v := range values {
		k = binary.AppendUvarint(k, uint64(len(v)))
		k = append(k, v...)
	}
	return k
}

// decodeValues reverses appendValues; ok is false for malformed bytes
// (which only a forged page token can carry).
func decodeValues(b []byte) (values []string, ok bool) { return decodeValuesInto(nil, b) }

// checkValues refuses a values list that does not fit the table's keys,
// with Glue's message.
func checkValues(t *Table, values []string) error {
	if len(values) != len(t.PartitionKeys) {
		// Glue's wording, without a final period (as a Java SDK InvalidInputException
		// prints it: "The number of partition keys do not match the number of
		// partition values (Service: Glue, Status Code: 400, …)").
		return invalidInput("The number of partition keys do not match the number of partition values")
	}
	return nil
}

// CreatePartition creates one partition of table db.table.
func (c *Catalog) CreatePartition(db, table string, p Partition) error {
	errs, err := c.CreatePartitions(db, table, []Partition{p})
	if err != nil {
		return err
	}
	return errs[0]
}

// CreatePartitions creates partitions of table db.table in one
// transaction. The error is for the whole call (the table does not exist,
// storage failed: nothing was created); otherwise errs[i] says why parts[i]
// was not created (ErrAlreadyExists, ErrInvalidInput) or is nil, as Glue's
// BatchCreatePartition reports per entry. The catalog sets DatabaseName,
// TableName and CreationTime.
func (c *Catalog) CreatePartitions(db, table string, parts []Partition) (errs []error, err error) {
	db, table = normName(db), normName(table)
	now := c.now().UTC()
	err = c.update(func(tx *bolt.Tx) error {
		errs = make([]error, len(parts)) // reset on a retried transaction
		t, err := getTableTx(tx, db, table)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketPartitions)
		prefix := partitionPrefix(db, table)
		for i := range parts {
			p := parts[i]
			if err := checkValues(&t, p.Values); err != nil {
				errs[i] = err
				continue
			}
			key := appendValues(slices.Clip(prefix), p.Values)
			if b.Get(key) != nil {
				errs[i] = alreadyExists("Partition")
				continue
			}
			p.DatabaseName, p.TableName, p.CreationTime = db, table, now
			p.StorageDescriptor = p.StorageDescriptor.Clone()
			p.StorageDescriptor.lowerColumnNames()
			if err := putJSON(b, key, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}

// GetPartition returns the partition of db.table with these values.
func (c *Catalog) GetPartition(db, table string, values []string) (Partition, error) {
	db, table = normName(db), normName(table)
	var p Partition
	err := c.view(func(tx *bolt.Tx) error {
		if _, err := getTableTx(tx, db, table); err != nil {
			return err
		}
		data := tx.Bucket(bucketPartitions).Get(appendValues(partitionPrefix(db, table), values))
		if data == nil {
			return partitionNotFound()
		}
		return getJSON(data, &p)
	})
	return p, err
}

// BatchGetPartitions returns those of the listed partitions that exist, in
// the order asked, from one snapshot; missing ones are left out, as Glue's
// BatchGetPartition leaves them out.
func (c *Catalog) BatchGetPartitions(db, table string, valuesList [][]string) ([]Partition, error) {
	db, table = normName(db), normName(table)
	var out []Partition
	err := c.view(func(tx *bolt.Tx) error {
		if _, err := getTableTx(tx, db, table); err != nil {
			return err
		}
		b := tx.Bucket(bucketPartitions)
		prefix := partitionPrefix(db, table)
		for _, values := range valuesList {
			data := b.Get(appendValues(slices.Clip(prefix), values))
			if data == nil {
				continue
			}
			var p Partition
			if err := getJSON(data, &p); err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// PartitionQuery selects partitions for GetPartitions.
type PartitionQuery struct {
	// Expression filters partitions by their key values, in Glue's
	// GetPartitions syntax (see ParseExpression); "" selects all.
	Expression string
	// Segment and TotalSegments split the partitions into TotalSegments
	// disjoint sets (by a hash of their values) so that callers can read
	// them in parallel, as Glue's Segment does. TotalSegments 0 means one.
	Segment, TotalSegments int
	Page
}

// defaultPartitionPage is GetPartitions' page when MaxResults is zero.
const defaultPartitionPage = 1000

// GetPartitions returns a page of the partitions of db.table that match
// q, in key order.
func (c *Catalog) GetPartitions(db, table string, q PartitionQuery) ([]Partition, string, error) {
	db, table = normName(db), normName(table)
	expr, err := ParseExpression(q.Expression)
	if err != nil {
		return nil, "", err
	}
	if q.TotalSegments < 0 || q.TotalSegments > 0 && (q.Segment < 0 || q.Segment >= q.TotalSegments) {
		return nil, "", invalidInput("Invalid segment: %d of %d.", q.Segment, q.TotalSegments)
	}
	after, limit, err := q.Page.decode(defaultPartitionPage)
	if err != nil {
		return nil, "", err
	}
	if after != nil {
		if _, ok := decodeValues(after); !ok {
			return nil, "", invalidInput("Invalid pagination token.")
		}
	}
	var out []Partition
	var next string
	err = c.view(func(tx *bolt.Tx) error {
		t, err := getTableTx(tx, db, table)
		if err != nil {
			return err
		}
		match, err := expr.Bind(t.PartitionKeys)
		if err != nil {
			return err
		}
		prefix := partitionPrefix(db, table)
		cur := tx.Bucket(bucketPartitions).Cursor()
		var k, v []byte
		if after == nil {
			k, v = cur.Seek(prefix)
		} else {
			start := append(slices.Clip(prefix), after...)
			k, v = cur.Seek(start)
			if bytes.Equal(k, start) {
				k, v = cur.Next()
			}
		}
		var values []string
		var lastKey []byte
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			enc := k[len(prefix):]
			if q.TotalSegments > 1 && int(crc32.ChecksumIEEE(enc)%uint32(q.TotalSegments)) != q.Segment {
				continue
			}
			if match != nil {
				var ok bool
				if values, ok = viewValues(values[:0], enc); !ok || !match(values) {
					continue
				}
			}
			if len(out) == limit {
				next = encodeToken(string(lastKey))
				return nil
			}
			var p Partition
			if err := getJSON(v, &p); err != nil {
				return err
			}
			out = append(out, p)
			lastKey = append(lastKey[:0], enc...)
		}
		return nil
	})
	return out, next, err
}

// decodeValuesInto is decodeValues appending to dst, to reuse one slice
// while scanning.
func decodeValuesInto(dst []string, b []byte) ([]string, bool) {
	for len(b) > 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, false
		}
		dst = append(dst, string(b[w:w+int(n)]))
		b = b[w+int(n):]
	}
	return dst, true
}

// viewValues is decodeValuesInto without copying: the strings alias b.
// GetPartitions uses it to test every key of a table against an
// expression without an allocation per value. Safe only because b (a key
// in bbolt's read-only mmap) outlives the call and the matcher keeps no
// value: the strings must not escape the transaction.
func viewValues(dst []string, b []byte) ([]string, bool) {
	for len(b) > 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, false
		}
		if n == 0 {
			dst = append(dst, "")
		} else {
			dst = append(dst, unsafe.String(&b[w], int(n)))
		}
		b = b[w+int(n):]
	}
	return dst, true
}

// UpdatePartition replaces partition values of db.table with p, keeping
// its CreationTime. When p.Values is set and differs, the partition moves
// to the new values (ErrAlreadyExists if they are taken).
func (c *Catalog) UpdatePartition(db, table string, values []string, p Partition) error {
	db, table = normName(db), normName(table)
	return c.update(func(tx *bolt.Tx) error {
		t, err := getTableTx(tx, db, table)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketPartitions)
		prefix := partitionPrefix(db, table)
		oldKey := appendValues(slices.Clip(prefix), values)
		data := b.Get(oldKey)
		if data == nil {
			return partitionNotFound()
		}
		var old Partition
		if err := getJSON(data, &old); err != nil {
			return err
		}
		if p.Values == nil {
			p.Values = old.Values
		}
		if err := checkValues(&t, p.Values); err != nil {
			return err
		}
		newKey := appendValues(slices.Clip(prefix), p.Values)
		if !bytes.Equal(newKey, oldKey) {
			if b.Get(newKey) != nil {
				return alreadyExists("Partition")
			}
			if err := b.Delete(oldKey); err != nil {
				return err
			}
		}
		p.DatabaseName, p.TableName, p.CreationTime = db, table, old.CreationTime
		p.StorageDescriptor = p.StorageDescriptor.Clone()
		p.StorageDescriptor.lowerColumnNames()
		return putJSON(b, newKey, &p)
	})
}

// DeletePartition deletes the partition of db.table with these values.
func (c *Catalog) DeletePartition(db, table string, values []string) error {
	errs, err := c.DeletePartitions(db, table, [][]string{values})
	if err != nil {
		return err
	}
	return errs[0]
}

// DeletePartitions deletes partitions of db.table in one transaction;
// like CreatePartitions, err is for the whole call and errs[i]
// (ErrPartitionNotFound) for valuesList[i].
func (c *Catalog) DeletePartitions(db, table string, valuesList [][]string) (errs []error, err error) {
	db, table = normName(db), normName(table)
	err = c.update(func(tx *bolt.Tx) error {
		errs = make([]error, len(valuesList))
		if _, err := getTableTx(tx, db, table); err != nil {
			return err
		}
		b := tx.Bucket(bucketPartitions)
		prefix := partitionPrefix(db, table)
		for i, values := range valuesList {
			key := appendValues(slices.Clip(prefix), values)
			if b.Get(key) == nil {
				errs[i] = partitionNotFound()
				continue
			}
			if err := b.Delete(key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}
