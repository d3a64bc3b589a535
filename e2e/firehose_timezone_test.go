package e2e

// CustomTimeZone: AWS evaluates !{timestamp:…} and the time in the object
// name's suffix in the configured zone instead of UTC.

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestE2EFirehoseCustomTimeZone(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatalf("load Asia/Tokyo: %v", err)
	}
	s := startServer(t)
	c := s.S3Client(t)
	mustCreateBucket(t, c, "fh-tz")
	fh := s.FirehoseClient(t)
	fh.must(t, "CreateDeliveryStream", map[string]any{
		"DeliveryStreamName": "tz",
		"ExtendedS3DestinationConfiguration": map[string]any{
			"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::fh-tz",
			"Prefix": "tz/!{timestamp:yyyy-MM-dd'T'HH}/", "ErrorOutputPrefix": "err/!{firehose:error-output-type}/",
			"CustomTimeZone": "Asia/Tokyo",
			"BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": 1},
		},
	})
	d := fh.waitDeliveryActive(t, "tz")
	if z := jsonPath(t, d, "DeliveryStreamDescription", "Destinations", 0, "ExtendedS3DestinationDescription", "CustomTimeZone"); z != "Asia/Tokyo" {
		t.Errorf("CustomTimeZone echo: %v", z)
	}
	before := time.Now()
	if _, err := fh.putBatch(ctxT(t), "tz", [][]byte{[]byte("tz-0\n")}); err != nil {
		t.Fatal(err)
	}
	objs := waitLines(t, c, "fh-tz", "tz/", "", numbered("tz", 0, 1), nil)
	after := time.Now()
	re := regexp.MustCompile(`^tz/(\d{4}-\d{2}-\d{2}T\d{2})/tz-1-(\d{4}-\d{2}-\d{2}-\d{2})-\d{2}-\d{2}-`)
	for _, o := range objs {
		m := re.FindStringSubmatch(o.Key)
		if m == nil {
			t.Errorf("object %q is not tz/yyyy-MM-dd'T'HH/tz-1-…", o.Key)
			continue
		}
		var ok1, ok2 bool
		for _, at := range []time.Time{before, after} {
			ok1 = ok1 || m[1] == at.In(tokyo).Format("2006-01-02T15")
			ok2 = ok2 || m[2] == at.In(tokyo).Format("2006-01-02-15")
		}
		if !ok1 {
			t.Errorf("object %q: prefix hour %s is not Tokyo time (%s)", o.Key, m[1], before.In(tokyo).Format("2006-01-02T15"))
		}
		if !ok2 {
			t.Errorf("object %q: name hour %s is not Tokyo time (%s)", o.Key, m[2], strings.ReplaceAll(before.In(tokyo).Format("2006-01-02-15"), "T", "-"))
		}
	}
}
