// Package kpl owns the Kinesis Producer Library's aggregated record format:
// recognising an aggregated Kinesis record, splitting it back into the user
// records it carries (de-aggregation), and building one (aggregation).
//
// It follows the format documented in the KPL repository
// (awslabs/amazon-kinesis-producer, aggregation-format.md) and the
// de-aggregation semantics of the Kinesis Client Library
// (UserRecord.deaggregate), which Amazon Data Firehose applies to
// KPL-aggregated records read from a Kinesis data stream source (the
// developer guide's "Writing to Firehose using Kinesis Data Streams";
// Firehose's JSON/Delimited RecordDeAggregation processor is a different
// thing). Aggregate's output is byte-identical to the KPL's for the
// KPL-generated records in testdata.
//
// The layout, which must not change (it is the KPL's, not ours):
//
//	0..3    magic 0xF3 0x89 0x9A 0xC2
//	4..n-16 protobuf AggregatedRecord
//	n-16..n MD5 of the protobuf bytes
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;
//	}
//	message Tag { required string key = 1; optional string value = 2; }
//
// The protobuf is decoded by hand, without code generation: varint,
// length-delimited and fixed-width fields (unknown ones skipped, as protobuf
// parsers do; deprecated groups rejected). Every length is bounds-checked,
// since the bytes come from the network.
package kpl

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
)

// Magic is the 4-byte prefix of every KPL aggregated record.
var Magic = [4]byte{0xF3, 0x89, 0x9A, 0xC2}

const digestLen = md5.Size

// ErrMalformed reports an aggregated record whose checksum matches but whose
// protobuf body cannot be decoded. KCL raises an exception in this case;
// Firehose sends such a record to the error output.
var ErrMalformed = errors.New("kpl: malformed aggregated record")

// Record is one user record carried inside an aggregated record.
// ExplicitHashKey is empty when the producer did not set one.
type Record struct {
	PartitionKey    string
	ExplicitHashKey string
	Data            []byte
}

// Deaggregate splits data into the user records it aggregates.
//
// Data that does not start with the magic, is too short to hold magic and
// digest, or whose MD5 does not match is not an aggregated record: Deaggregate
// returns aggregated=false and a nil error, and the caller delivers data as
// is (KCL does the same). A matching MD5 over a body that is not a valid
// AggregatedRecord, or that refers to a key table entry that does not exist,
// returns an error wrapping ErrMalformed.
//
// The returned records' Data alias data.
func Deaggregate(data []byte) (records []Record, aggregated bool, err error) {
	if len(data) < len(Magic)+digestLen || !bytes.Equal(data[:len(Magic)], Magic[:]) {
		return nil, false, nil
	}
	body := data[len(Magic) : len(data)-digestLen]
	sum := md5.Sum(body)
	if !bytes.Equal(sum[:], data[len(data)-digestLen:]) {
		return nil, false, nil
	}
	records, err = decodeAggregated(body)
	if err != nil {
		return nil, true, err
	}
	return records, true, nil
}

// rawRecord is a Record message before its key indexes are resolved.
type rawRecord struct {
	pk, ehk       uint64
	hasPK, hasEHK bool
	hasData       bool
	data          []byte
}

func decodeAggregated(b []byte) ([]Record, error) {
	var pkTable, ehkTable []string
	var raws []rawRecord
	d := decoder{b: b}
	for !d.done() {
		field, wt, err := d.key()
		if err != nil {
			return nil, err
		}
		switch {
		case field == 1 && wt == wireBytes:
			s, err := d.bytes()
			if err != nil {
				return nil, err
			}
			pkTable = append(pkTable, string(s))
		case field == 2 && wt == wireBytes:
			s, err := d.bytes()
			if err != nil {
				return nil, err
			}
			ehkTable = append(ehkTable, string(s))
		case field == 3 && wt == wireBytes:
			s, err := d.bytes()
			if err != nil {
				return nil, err
			}
			r, err := decodeRecord(s)
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", len(raws), err)
			}
			raws = append(raws, r)
		default:
			if err := d.skip(wt); err != nil {
				return nil, err
			}
		}
	}
	records := make([]Record, 0, len(raws))
	for i, r := range raws {
		if r.pk >= uint64(len(pkTable)) {
			return nil, fmt.Errorf("%w: record %d: partition key index %d out of range (table has %d)", ErrMalformed, i, r.pk, len(pkTable))
		}
		rec := Record{PartitionKey: pkTable[r.pk], Data: r.data}
		if r.hasEHK {
			if r.ehk >= uint64(len(ehkTable)) {
				return nil, fmt.Errorf("%w: record %d: explicit hash key index %d out of range (table has %d)", ErrMalformed, i, r.ehk, len(ehkTable))
			}
			rec.ExplicitHashKey = ehkTable[r.ehk]
		}
		records = append(records, rec)
	}
	return records, nil
}

func decodeRecord(b []byte) (rawRecord, error) {
	var r rawRecord
	d := decoder{b: b}
	for !d.done() {
		field, wt, err := d.key()
		if err != nil {
			return r, err
		}
		switch {
		case field == 1 && wt == wireVarint:
			if r.pk, err = d.varint(); err != nil {
				return r, err
			}
			r.hasPK = true
		case field == 2 && wt == wireVarint:
			if r.ehk, err = d.varint(); err != nil {
				return r, err
			}
			r.hasEHK = true
		case field == 3 && wt == wireBytes:
			if r.data, err = d.bytes(); err != nil {
				return r, err
			}
			r.hasData = true
		case field == 4 && wt == wireBytes:
			// Tags are carried by the format but neither KCL nor Firehose
			// surfaces them; validate the nesting and drop them.
			t, err := d.bytes()
			if err != nil {
				return r, err
			}
			if err := checkTag(t); err != nil {
				return r, err
			}
		default:
			if err := d.skip(wt); err != nil {
				return r, err
			}
		}
	}
	// Proto2 required fields: a parser rejects a message without them.
	if !r.hasPK {
		return r, fmt.Errorf("%w: missing required partition_key_index", ErrMalformed)
	}
	if !r.hasData {
		return r, fmt.Errorf("%w: missing required data", ErrMalformed)
	}
	return r, nil
}

func checkTag(b []byte) error {
	d := decoder{b: b}
	hasKey := false
	for !d.done() {
		field, wt, err := d.key()
		if err != nil {
			return err
		}
		if field == 1 && wt == wireBytes {
			hasKey = true
		}
		if err := d.skip(wt); err != nil {
			return err
		}
	}
	if !hasKey {
		return fmt.Errorf("%w: tag missing required key", ErrMalformed)
	}
	return nil
}

// Aggregate builds one aggregated record holding records, in order.
// Partition and explicit hash keys are stored once each in the key tables;
// an empty ExplicitHashKey is left unset. Aggregate of no records is a valid
// aggregated record that de-aggregates to none.
func Aggregate(records []Record) []byte {
	var pkTable, ehkTable []string
	pkIndex := map[string]uint64{}
	ehkIndex := map[string]uint64{}
	type idx struct {
		pk, ehk uint64
		hasEHK  bool
	}
	idxs := make([]idx, len(records))
	for i, r := range records {
		p, ok := pkIndex[r.PartitionKey]
		if !ok {
			p = uint64(len(pkTable))
			pkIndex[r.PartitionKey] = p
			pkTable = append(pkTable, r.PartitionKey)
		}
		idxs[i].pk = p
		if r.ExplicitHashKey != "" {
			e, ok := ehkIndex[r.ExplicitHashKey]
			if !ok {
				e = uint64(len(ehkTable))
				ehkIndex[r.ExplicitHashKey] = e
				ehkTable = append(ehkTable, r.ExplicitHashKey)
			}
			idxs[i].ehk, idxs[i].hasEHK = e, true
		}
	}
	size := len(Magic) + digestLen
	for _, k := range pkTable {
		size += len(k) + 11
	}
	for _, k := range ehkTable {
		size += len(k) + 11
	}
	for _, r := range records {
		size += len(r.Data) + 40
	}
	out := append(make([]byte, 0, size), Magic[:]...)
	for _, k := range pkTable {
		out = appendBytesField(out, 1, []byte(k))
	}
	for _, k := range ehkTable {
		out = appendBytesField(out, 2, []byte(k))
	}
	var rec []byte
	for i, r := range records {
		rec = rec[:0]
		rec = appendVarintField(rec, 1, idxs[i].pk)
		if idxs[i].hasEHK {
			rec = appendVarintField(rec, 2, idxs[i].ehk)
		}
		rec = appendBytesField(rec, 3, r.Data)
		out = appendBytesField(out, 3, rec)
	}
	sum := md5.Sum(out[len(Magic):])
	return append(out, sum[:]...)
}
