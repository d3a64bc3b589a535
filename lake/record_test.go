package lake

import (
	"reflect"
	"testing"
)

func fullRecord() objectRecord {
	return objectRecord{
		Path: "objects/b/a/0000000000000001#b", Size: 12345, ETag: "0123456789abcdef0123456789abcdef-3", Modified: -5,
		Meta: metaRecord{ContentType: "text/csv", ContentEncoding: "gzip", ContentDisposition: "inline", ContentLanguage: "es",
			CacheControl: "no-cache", Expires: "Thu, 01 Jan 2026 00:00:00 GMT", StorageClass: "STANDARD_IA",
			User: map[string]string{"a": "1", "b": ""}, Tags: map[string]string{"t": "v"}},
		Checksums: map[string]string{CRC32: "AAAAAA==-3"}, ChecksumType: ChecksumComposite,
		PartsCount: 3, PartSizes: []int64{5 << 20, 5 << 20, 1}, UploadID: "up",
	}
}

func TestObjectRecordRoundTrip(t *testing.T) {
	sealed := fullRecord()
	sealed.SSE, sealed.SSEKey, sealed.SSEWrapped = "aws:kms", "arn:aws:kms:us-east-1:000000000000:key/k", []byte{1, 0, 2}
	for _, r := range []objectRecord{{}, {Path: "p", Size: 1}, fullRecord(), sealed} {
		var got objectRecord
		if err := decodeObjectRecord(encodeObjectRecord(&r), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, r)
		}
	}
	// A value from before a field was appended decodes with that field zero.
	full := fullRecord()
	enc := encodeObjectRecord(&full)
	var got objectRecord
	if err := decodeObjectRecord(enc[:len(enc)-len("up")-1], &got); err != nil || got.UploadID != "" || got.PartsCount != 3 {
		t.Fatalf("short value: %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {}, {2}, {objectRecordV1, 0xff}, {objectRecordV1, 10, 'a'}} {
		if err := decodeObjectRecord(bad, &got); err == nil {
			t.Errorf("decodeObjectRecord(%q) succeeded", bad)
		}
	}
}

// FuzzObjectRecord: decoding any bytes never panics, and whatever decodes
// re-encodes to a value that decodes to the same record.
func FuzzObjectRecord(f *testing.F) {
	full := fullRecord()
	f.Add(encodeObjectRecord(&full))
	f.Add(encodeObjectRecord(&objectRecord{}))
	f.Add([]byte{objectRecordV1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		var r objectRecord
		if decodeObjectRecord(data, &r) != nil {
			return
		}
		var again objectRecord
		if err := decodeObjectRecord(encodeObjectRecord(&r), &again); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("re-encode changed the record:\n%+v\n%+v", r, again)
		}
	})
}
