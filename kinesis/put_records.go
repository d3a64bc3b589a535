package kinesis

// PutRecords: up to 500 records routed by partition key (MD5) or
// ExplicitHashKey, appended durably by the engine; per-record failures
// (throughput, internal) are reported in the answer with FailedRecordCount,
// never as a failed call. Supported: StreamName or StreamARN; AWS's model
// constraints (ValidationException, at most ten listed); the request-level
// limits as InvalidArgumentException: ExplicitHashKey beyond 2^128-1, a
// record whose data plus partition key exceeds the stream's maximum record
// size (1 MiB unless UpdateMaxRecordSize raised it), more than 5 MiB in
// all (10 MiB on streams whose records may exceed 1 MiB, as AWS allows).
// EncryptionType is reported ("KMS") when the stream is encrypted.
//
// Deliberately not: StreamId is checked against its pattern and ignored
// (caudal streams have no StreamId); no real KMS (encryption settings are
// recorded and reported, data is not encrypted at rest yet).

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

type putRecordsInput struct {
	Records    []putRecordsEntry `json:"Records"`
	StreamName *string           `json:"StreamName,omitempty"`
	StreamARN  *string           `json:"StreamARN,omitempty"`
	StreamId   *string           `json:"StreamId,omitempty"`
}

type putRecordsEntry struct {
	Data            []byte  `json:"Data"`
	ExplicitHashKey *string `json:"ExplicitHashKey,omitempty"`
	PartitionKey    *string `json:"PartitionKey,omitempty"`
}

type putRecordsOutput struct {
	FailedRecordCount int                     `json:"FailedRecordCount"`
	Records           []putRecordsResultEntry `json:"Records"`
	EncryptionType    string                  `json:"EncryptionType,omitempty"`
}

var _ protocol.JSONAppender = (*putRecordsOutput)(nil)

// AppendJSON writes the answer as encoding/json would
// (TestPutRecordsAppendJSONMatchesEncodingJSON), without reflection.
func (o *putRecordsOutput) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, 48+len(o.Records)*96)
	b = append(b, `{"FailedRecordCount":`...)
	b = strconv.AppendInt(b, int64(o.FailedRecordCount), 10)
	if o.Records == nil {
		b = append(b, `,"Records":null`...)
	} else {
		b = append(b, `,"Records":[`...)
		for i := range o.Records {
			if i > 0 {
				b = append(b, ',')
			}
			b = o.Records[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	if o.EncryptionType != "" {
		b = append(b, `,"EncryptionType":`...)
		b = protocol.AppendJSONString(b, o.EncryptionType)
	}
	return append(b, '}')
}

type putRecordsResultEntry struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardId        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

func (r *putRecordsResultEntry) appendJSON(b []byte) []byte {
	b = append(b, '{')
	sep := false
	for _, m := range [...]struct{ name, value string }{
		{`"SequenceNumber":`, r.SequenceNumber},
		{`"ShardId":`, r.ShardId},
		{`"ErrorCode":`, r.ErrorCode},
		{`"ErrorMessage":`, r.ErrorMessage},
	} {
		if m.value == "" {
			continue
		}
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = append(b, m.name...)
		b = protocol.AppendJSONString(b, m.value)
	}
	return append(b, '}')
}

const (
	maxPutRecords     = 500
	maxDataModel      = 10 << 20 // the model's Data max (10485760)
	defaultMaxRecord  = 1 << 20  // a record's data + partition key, unless raised
	maxPutRequest     = 5 << 20  // PutRecords total, data + partition keys
	maxPutRequestHigh = 10 << 20 // total on streams with records over 1 MiB
	putEntryMemberStr = "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310"
)

func (s *service) putRecords(ctx context.Context, c *protocol.Call) (any, error) {
	var in putRecordsInput
	// The engine copies every record before it answers, so the blobs
	// may live in the call's reused buffer.
	if err := c.DecodeTransient(&in); err != nil {
		return nil, err
	}
	var v checker
	if v.required("records", in.Records != nil) {
		n := len(in.Records)
		v.listLen("records", n, 1, maxPutRecords, func() string {
			return "[" + strings.TrimSuffix(strings.Repeat(putEntryMemberStr+", ", n), ", ") + "]"
		})
		for i := range in.Records {
			checkPutEntry(&v, i, &in.Records[i])
		}
	}
	v.streamRef(in.StreamName, in.StreamARN, in.StreamId)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	entries := make([]stream.PutEntry, len(in.Records))
	total := 0
	for i := range in.Records {
		r := &in.Records[i]
		entries[i] = stream.PutEntry{PartitionKey: *r.PartitionKey, Data: r.Data}
		if r.ExplicitHashKey != nil {
			if _, ok := parseHashKey(*r.ExplicitHashKey); !ok {
				return nil, invalidHashKey(*r.ExplicitHashKey)
			}
			entries[i].ExplicitHashKey = *r.ExplicitHashKey
		}
		total += len(r.Data) + len(*r.PartitionKey)
	}
	st, err := s.e.WriteSettings(reg, name)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	if st.EncryptionType == "KMS" {
		if err := s.authorizeKey(ctx, c, reg, name, "kms:GenerateDataKey"); err != nil {
			return nil, err
		}
	}
	if err := tooLarge(c, &st); err != nil {
		return nil, err
	}
	if err := checkRecordSizes(&st, entries, total); err != nil {
		return nil, err
	}
	results, err := s.e.PutRecords(reg, name, entries)
	if err != nil {
		return nil, s.wireError(c, err)
	}
	out := putRecordsOutput{
		Records:        make([]putRecordsResultEntry, len(results)),
		EncryptionType: recordEncryption(st.EncryptionType),
	}
	for i, r := range results {
		if r.Err != nil {
			out.FailedRecordCount++
			out.Records[i].ErrorCode, out.Records[i].ErrorMessage = s.recordErrorCode(c, r.Err)
			continue
		}
		out.Records[i].ShardId = r.ShardID
		out.Records[i].SequenceNumber = r.SequenceNumber
	}
	return &out, nil
}

// checkPutEntry checks one PutRecordsRequestEntry. It builds a member path
// only on failure: this runs for every record of every PutRecords.
func checkPutEntry(v *checker, i int, r *putRecordsEntry) {
	path := func(member string) string { return "records." + strconv.Itoa(i+1) + ".member." + member }
	if r.Data == nil {
		v.required(path("data"), false)
	} else if len(r.Data) > maxDataModel {
		v.blobMax(path("data"), r.Data, maxDataModel)
	}
	if r.ExplicitHashKey != nil && !isDecimal(*r.ExplicitHashKey, 39) {
		v.strVal(path("explicitHashKey"), *r.ExplicitHashKey, specHashKey)
	}
	if r.PartitionKey == nil {
		v.required(path("partitionKey"), false)
	} else if n := len(*r.PartitionKey); n < 1 || n > specPartitionKey.max && utf16Len(*r.PartitionKey) > specPartitionKey.max {
		// A key's UTF-8 length bounds its UTF-16 length, so the exact
		// count is needed only past the limit.
		v.strVal(path("partitionKey"), *r.PartitionKey, specPartitionKey)
	}
}

// checkRecordSizes applies the per-record and per-request size limits,
// which depend on the stream's maximum record size.
func checkRecordSizes(st *stream.WriteSettings, entries []stream.PutEntry, total int) error {
	maxRecord := defaultMaxRecord
	if st.MaxRecordSizeKiB > 0 {
		maxRecord = st.MaxRecordSizeKiB << 10
	}
	for i := range entries {
		e := &entries[i]
		if len(e.Data) > maxRecord {
			// AWS's long-standing answer for an oversized blob, which
			// producers (KPL, aggregators) recognise.
			var v checker
			v.blobMax("records."+strconv.Itoa(i+1)+".member.data", e.Data, maxRecord)
			return v.err()
		}
		if n := len(e.Data) + len(e.PartitionKey); n > maxRecord {
			return invalidArgument("Record %d has a size of %d bytes including its partition key, which exceeds the maximum record size of %d bytes.",
				i+1, n, maxRecord)
		}
	}
	limit := maxPutRequest
	if maxRecord > defaultMaxRecord {
		limit = maxPutRequestHigh
	}
	if total > limit {
		return invalidArgument("Records size exceeds %d MB limit", limit>>20)
	}
	return nil
}

func invalidHashKey(k string) error {
	return invalidArgument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", k)
}

// recordEncryption is the EncryptionType of a PutRecord(s) answer: "KMS"
// on an encrypted stream, omitted otherwise.
func recordEncryption(t string) string {
	if t == "KMS" {
		return t
	}
	return ""
}

// errTooLarge is the front end's answer to an oversized body: a 413 whose
// body AWS leaves empty. protocol writes an *Error without a Code as that
// bare status.
var errTooLarge = &protocol.Error{Status: http.StatusRequestEntityTooLarge}

// tooLarge applies AWS's 7 MiB request bound to PutRecord(s) on streams
// whose records stay within 1 MiB; larger-record streams get the service's
// 14 MiB bound (maxBodyBytes).
func tooLarge(c *protocol.Call, st *stream.WriteSettings) error {
	if len(c.Body) > protocol.DefaultMaxBodyBytes && st.MaxRecordSizeKiB<<10 <= defaultMaxRecord {
		return errTooLarge
	}
	return nil
}
