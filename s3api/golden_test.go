package s3api

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.xml from the current answers")

// TestGoldenXML pins the exact bytes of a few answers (element order,
// namespace, time and ETag formats) in testdata/*.xml. Request and host
// ids vary per answer and are replaced by placeholders. Run with -update
// after an intended change and review the diff.
func TestGoldenXML(t *testing.T) {
	fixed := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	e := newS3Env(t, Config{Now: func() time.Time { return fixed }})
	e.mkBucket("golden")
	if err := e.lake.CreateBucket("golden-eu", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	e.put("golden", "a b/1.txt", "hello")
	e.put("golden", "a b/2.txt", "world")
	e.put("golden", "top+level~", "")
	e.put("golden", "z", "zz")
	e.put("golden", "q&<>\"'\t\r\n\x01é", "special")

	ids := regexp.MustCompile(`<(RequestId|HostId)>[^<]*</(RequestId|HostId)>`)
	for _, c := range []struct{ file, method, target string }{
		{"list_buckets.xml", "GET", "/"},
		{"get_bucket_location_us_east_1.xml", "GET", "/golden?location"},
		{"get_bucket_location_eu.xml", "GET", "/golden-eu?location"},
		{"get_bucket_versioning.xml", "GET", "/golden?versioning"},
		{"list_objects_v2.xml", "GET", "/golden?list-type=2&delimiter=/&max-keys=2&encoding-type=url&fetch-owner=true"},
		{"list_objects_v1.xml", "GET", "/golden?delimiter=/&max-keys=2&marker=a"},
		{"list_objects_v2_special.xml", "GET", "/golden?list-type=2&start-after=p&max-keys=1"},
		{"list_objects_v2_special_url.xml", "GET", "/golden?list-type=2&start-after=p&max-keys=1&encoding-type=url"},
		{"list_object_versions.xml", "GET", "/golden?versions&max-keys=2"},
		{"list_multipart_uploads.xml", "GET", "/golden?uploads"},
		{"error_no_such_bucket.xml", "GET", "/missing-bucket?list-type=2"},
		{"error_method_not_allowed.xml", "POST", "/golden"},
		{"get_bucket_acl.xml", "GET", "/golden?acl"},
		{"get_bucket_request_payment.xml", "GET", "/golden?requestPayment"},
		{"error_no_such_cors.xml", "GET", "/golden?cors"},
	} {
		resp, body := e.do(c.method, c.target, nil, nil)
		if resp.Header.Get("Content-Type") != "application/xml" {
			t.Errorf("%s: Content-Type %q", c.file, resp.Header.Get("Content-Type"))
		}
		got := ids.ReplaceAll(body, []byte("<$1>ID</$2>"))
		path := filepath.Join("testdata", c.file)
		if *updateGolden {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s %s differs from %s:\ngot:\n%s\nwant:\n%s", c.method, c.target, path, got, want)
		}
	}
}
