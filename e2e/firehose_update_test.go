package e2e

// UpdateDestination takes effect on delivery: records put after an update
// that switches the compression land in objects with the new format's
// extension and the new stream version in their names (AWS: the version
// "increases by 1 for every configuration change"), and records put
// before it are delivered as configured when they arrived.

import (
	"strings"
	"testing"
	"time"
)

func TestE2EFirehoseUpdateDestinationDelivery(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	mustCreateBucket(t, c, "fh-upd")
	fh := s.FirehoseClient(t)
	start := time.Now()
	fh.must(t, "CreateDeliveryStream", map[string]any{
		"DeliveryStreamName": "upd",
		"ExtendedS3DestinationConfiguration": map[string]any{
			"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::fh-upd", "Prefix": "v1/",
			"BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": 1},
		},
	})
	fh.waitDeliveryActive(t, "upd")
	if _, err := fh.putBatch(ctxT(t), "upd", [][]byte{[]byte("before-0\n"), []byte("before-1\n")}); err != nil {
		t.Fatal(err)
	}
	for _, o := range waitLines(t, c, "fh-upd", "v1/", "", numbered("before", 0, 2), nil) {
		if v := checkObjectKey(t, o.Key, "v1/", true, "upd", "", start, time.Now()); v != "" && v != "1" {
			t.Errorf("object %s: version %s before any update, want 1", o.Key, v)
		}
	}

	fh.must(t, "UpdateDestination", map[string]any{
		"DeliveryStreamName": "upd", "CurrentDeliveryStreamVersionId": "1", "DestinationId": "destinationId-000000000001",
		"ExtendedS3DestinationUpdate": map[string]any{"Prefix": "v2/", "CompressionFormat": "GZIP"},
	})
	d := fh.waitDeliveryActive(t, "upd")
	if v := jsonPath(t, d, "DeliveryStreamDescription", "VersionId"); v != "2" {
		t.Fatalf("VersionId after UpdateDestination: %v, want 2", v)
	}
	if _, err := fh.putBatch(ctxT(t), "upd", [][]byte{[]byte("after-0\n"), []byte("after-1\n")}); err != nil {
		t.Fatal(err)
	}
	for _, o := range waitLines(t, c, "fh-upd", "v2/", "GZIP", numbered("after", 0, 2), nil) {
		if v := checkObjectKey(t, o.Key, "v2/", true, "upd", ".gz", start, time.Now()); v != "" && v != "2" {
			t.Errorf("object %s: version %s after one update, want 2", o.Key, v)
		}
	}
	for k := range listAllKeys(t, c, "fh-upd", "") {
		if !strings.HasPrefix(k, "v1/") && !strings.HasPrefix(k, "v2/") {
			t.Errorf("unexpected object %s", k)
		}
	}
}
