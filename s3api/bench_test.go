package s3api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/caudal/caudal/lake"
)

// BenchmarkServeHeadBucket is the skin's fixed cost per request: request
// ids, target parsing, SigV4 verification, routing, a lake lookup and the
// answer.
func BenchmarkServeHeadBucket(b *testing.B) {
	e := newS3Env(b, Config{})
	if err := e.lake.CreateBucket("bench-bucket", ""); err != nil {
		b.Fatal(err)
	}
	req := e.newReq("HEAD", "/bench-bucket", nil)
	sign(b, req, nil, "", time.Now())
	req.RequestURI = "/bench-bucket"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("HEAD = %d", rec.Code)
		}
	}
}

// BenchmarkListObjectsV2XML is the encoding of a full 1,000-key page.
func BenchmarkListObjectsV2XML(b *testing.B) {
	var objs []lake.ObjectInfo
	for i := 0; i < 1000; i++ {
		objs = append(objs, lake.ObjectInfo{Key: fmt.Sprintf("logs/2024/05/06/part-%05d.json", i), Size: 1 << 20,
			ETag: "9dd4e461268c8034f5c8564e155c67a6", LastModified: time.Now()})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := listObjectsV2Result{Name: "bench", MaxKeys: 1000, KeyCount: 1000, IsTruncated: true}
		var entries entriesXML
		for _, o := range objs {
			entries.object(newObjectEntry(o, o.Key, nil), false)
		}
		res.Entries = entries.Bytes()
		out, err := marshalXML("ListBucketResult", s3Namespace, res)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(out)))
	}
}
