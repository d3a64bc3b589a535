package s3api

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/caudal/caudal/lake"
)

// TestListObjectsV2Pagination walks 2,500 keys (with a delimiter folding
// some into common prefixes) through the SDK's paginator at the default
// page size and checks every key and prefix comes exactly once, in order.
func TestListObjectsV2Pagination(t *testing.T) {
	e := newS3Env(t, Config{})
	ctx := ctxT(t)
	e.mkBucket("many")
	var wantKeys, wantPrefixes, all []string
	for i := 0; i < 2500; i++ {
		var k string
		switch {
		case i%10 == 0:
			k = fmt.Sprintf("dir%04d/obj", i) // folded into prefix dir%04d/
			wantPrefixes = append(wantPrefixes, fmt.Sprintf("dir%04d/", i))
		default:
			k = fmt.Sprintf("key%05d", i)
			wantKeys = append(wantKeys, k)
		}
		all = append(all, k)
	}
	e.putAll("many", all, "x")
	var gotKeys, gotPrefixes []string
	p := s3.NewListObjectsV2Paginator(e.client, &s3.ListObjectsV2Input{Bucket: aws.String("many"), Delimiter: aws.String("/")})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if int(aws.ToInt32(out.KeyCount)) != len(out.Contents)+len(out.CommonPrefixes) {
			t.Errorf("KeyCount %d, want %d", aws.ToInt32(out.KeyCount), len(out.Contents)+len(out.CommonPrefixes))
		}
		if n := len(out.Contents) + len(out.CommonPrefixes); n > 1000 {
			t.Errorf("page of %d entries, cap is 1000", n)
		}
		for _, o := range out.Contents {
			gotKeys = append(gotKeys, aws.ToString(o.Key))
			if aws.ToString(o.ETag) != `"9dd4e461268c8034f5c8564e155c67a6"` || o.StorageClass != "STANDARD" || aws.ToInt64(o.Size) != 1 {
				t.Fatalf("entry %+v: want quoted MD5 ETag, STANDARD, size 1", o)
			}
			if o.Owner != nil {
				t.Fatalf("Owner without fetch-owner")
			}
		}
		for _, cp := range out.CommonPrefixes {
			gotPrefixes = append(gotPrefixes, aws.ToString(cp.Prefix))
		}
	}
	if pages != 3 {
		t.Errorf("%d pages, want 3", pages)
	}
	sort.Strings(wantKeys)
	if strings.Join(gotKeys, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("keys: got %d, want %d (first got %v)", len(gotKeys), len(wantKeys), gotKeys[:min(3, len(gotKeys))])
	}
	if strings.Join(gotPrefixes, ",") != strings.Join(wantPrefixes, ",") {
		t.Errorf("prefixes: got %d, want %d", len(gotPrefixes), len(wantPrefixes))
	}

	// start-after, max-keys, fetch-owner, prefix.
	out, err := e.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("many"),
		StartAfter: aws.String("key02497"), MaxKeys: aws.Int32(5), FetchOwner: aws.Bool(true), Prefix: aws.String("key")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 2 || aws.ToString(out.Contents[0].Key) != "key02498" || out.Contents[0].Owner == nil ||
		aws.ToBool(out.IsTruncated) || aws.ToString(out.StartAfter) != "key02497" {
		t.Errorf("start-after page = %+v", out)
	}
	// max-keys 0 answers no keys.
	out, err = e.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("many"), MaxKeys: aws.Int32(0)})
	if err != nil || len(out.Contents) != 0 || aws.ToInt32(out.KeyCount) != 0 {
		t.Errorf("max-keys 0 = %+v, %v", out, err)
	}
}

func TestListObjectsRefusals(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("list-refusals")
	for _, c := range []struct{ target, code string }{
		{"/list-refusals?list-type=2&max-keys=ten", "InvalidArgument"},
		{"/list-refusals?list-type=2&max-keys=-1", "InvalidArgument"},
		{"/list-refusals?list-type=2&encoding-type=base64", "InvalidArgument"},
		{"/list-refusals?list-type=2&continuation-token=%21%21", "InvalidArgument"},
		{"/list-refusals?list-type=3", "InvalidArgument"},
		{"/list-refusals?max-keys=x", "InvalidArgument"},
		{"/list-refusals?versions&version-id-marker=null", "InvalidArgument"},
		{"/list-refusals?uploads&max-uploads=z", "InvalidArgument"},
	} {
		resp, body := e.do("GET", c.target, nil, nil)
		se := wantError(t, resp, body, 400, c.code)
		if se.Fields["ArgumentName"] == "" {
			t.Errorf("%s: InvalidArgument without ArgumentName: %s", c.target, body)
		}
	}
	resp, body := e.do("GET", "/no-such-bucket?list-type=2", nil, nil)
	if se := wantError(t, resp, body, 404, "NoSuchBucket"); se.Fields["BucketName"] != "no-such-bucket" {
		t.Errorf("NoSuchBucket BucketName = %q", se.Fields["BucketName"])
	}
}

// v2Page is ListObjectsV2's answer as raw strings (before any decoding).
type v2Page struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Prefix, Delimiter     string
	StartAfter            string
	EncodingType          string
	NextContinuationToken string
	IsTruncated           bool
	KeyCount              int
	Contents              []struct{ Key string }
	CommonPrefixes        []struct{ Prefix string }
}

func TestListEncodingTypeURL(t *testing.T) {
	e := newS3Env(t, Config{})
	e.mkBucket("enc")
	keys := []string{"a b/c+d~e", "a b/x", "plain", "ü/ñ", "tab\there", "ctl\x01"}
	for _, k := range keys {
		e.put("enc", k, "1")
	}
	q := url.Values{"list-type": {"2"}, "encoding-type": {"url"}, "delimiter": {"/"}, "start-after": {"+"}, "prefix": {""}}
	resp, body := e.do("GET", "/enc?"+q.Encode(), nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var page v2Page
	if err := xml.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range page.Contents {
		got = append(got, c.Key)
	}
	for _, p := range page.CommonPrefixes {
		got = append(got, "P:"+p.Prefix)
	}
	want := "ctl%01,plain,tab%09here,P:a+b/,P:%C3%BC/"
	if strings.Join(got, ",") != want || page.EncodingType != "url" || page.Delimiter != "/" || page.StartAfter != "%2B" {
		t.Errorf("encoded listing = %s (EncodingType %q Delimiter %q StartAfter %q)\nwant %s",
			strings.Join(got, ","), page.EncodingType, page.Delimiter, page.StartAfter, want)
	}
	// Every encoded key decodes (as boto3 does, unquote_plus) to the key.
	for _, c := range page.Contents {
		dec, err := url.QueryUnescape(c.Key)
		if err != nil || !contains(keys, dec) {
			t.Errorf("encoded key %q decodes to %q (%v)", c.Key, dec, err)
		}
	}
	// The '~' is encoded, '*' and '/' are not.
	if s := s3URLEncode("a~b*c/d"); s != "a%7Eb*c/d" {
		t.Errorf("s3URLEncode = %q", s)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestListObjectsV1Markers(t *testing.T) {
	e := newS3Env(t, Config{})
	ctx := ctxT(t)
	e.mkBucket("list-v1")
	for _, k := range []string{"a/1", "a/2", "b", "c", "d/1", "e"} {
		e.put("list-v1", k, "x")
	}
	// Without a delimiter S3 gives no NextMarker; clients continue from the
	// last key.
	out, err := e.client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list-v1"), MaxKeys: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.IsTruncated) || out.NextMarker != nil || len(out.Contents) != 2 || out.Contents[0].Owner == nil {
		t.Errorf("v1 page 1 = truncated %v NextMarker %v contents %d", aws.ToBool(out.IsTruncated), out.NextMarker, len(out.Contents))
	}
	// With a delimiter, NextMarker names the last key or prefix.
	out, err = e.client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list-v1"), MaxKeys: aws.Int32(2), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.NextMarker) != "b" || len(out.CommonPrefixes) != 1 {
		t.Errorf("v1 delimited page 1 NextMarker %q prefixes %d, want b and 1", aws.ToString(out.NextMarker), len(out.CommonPrefixes))
	}
	// Walking the markers as clients do visits everything once.
	var all []string
	marker := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("v1 marker walk does not end")
		}
		out, err := e.client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list-v1"), MaxKeys: aws.Int32(2),
			Delimiter: aws.String("/"), Marker: aws.String(marker)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			all = append(all, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			all = append(all, aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
	}
	sort.Strings(all)
	if strings.Join(all, ",") != "a/,b,c,d/,e" {
		t.Errorf("v1 paginated = %v", all)
	}
	out, err = e.client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list-v1"), Marker: aws.String("c")})
	if err != nil || len(out.Contents) != 2 || aws.ToString(out.Marker) != "c" {
		t.Errorf("v1 marker c = %+v, %v", out, err)
	}
}

func TestListObjectVersionsUnversioned(t *testing.T) {
	e := newS3Env(t, Config{})
	ctx := ctxT(t)
	e.mkBucket("ver")
	for _, k := range []string{"x/1", "x/2", "y"} {
		e.put("ver", k, "data")
	}
	var keys []string
	p := s3.NewListObjectVersionsPaginator(e.client, &s3.ListObjectVersionsInput{Bucket: aws.String("ver"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.DeleteMarkers) != 0 {
			t.Errorf("delete markers in an unversioned bucket")
		}
		for _, v := range out.Versions {
			keys = append(keys, aws.ToString(v.Key))
			if aws.ToString(v.VersionId) != "null" || !aws.ToBool(v.IsLatest) || aws.ToString(v.ETag) == "" || v.Owner == nil {
				t.Errorf("version %+v: want VersionId null, latest, ETag, Owner", v)
			}
		}
	}
	if strings.Join(keys, ",") != "x/1,x/2,y" {
		t.Errorf("versions = %v", keys)
	}
}

func TestListMultipartUploads(t *testing.T) {
	e := newS3Env(t, Config{})
	ctx := ctxT(t)
	e.mkBucket("mpu")
	var ids []string
	for _, k := range []string{"big/a", "big/b", "c"} {
		u, err := e.lake.CreateUpload("mpu", k, lake.Metadata{}, "", "")
		if err != nil {
			t.Fatalf("CreateUpload: %v", err)
		}
		ids = append(ids, u.ID)
	}
	out, err := e.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range out.Uploads {
		got = append(got, aws.ToString(u.Key)+"="+aws.ToString(u.UploadId))
		if u.Initiated == nil || u.Owner == nil || u.Initiator == nil || u.StorageClass != "STANDARD" {
			t.Errorf("upload entry %+v lacks fields", u)
		}
	}
	want := []string{"big/a=" + ids[0], "big/b=" + ids[1], "c=" + ids[2]}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("uploads = %v, want %v", got, want)
	}
	out, err = e.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu"),
		Delimiter: aws.String("/"), MaxUploads: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "big/" || !aws.ToBool(out.IsTruncated) {
		t.Errorf("delimited uploads = prefixes %d truncated %v", len(out.CommonPrefixes), aws.ToBool(out.IsTruncated))
	}
}

// TestListResumesAfterCommonPrefix: a page that ends on a common prefix
// resumes after everything under it (V2 token, V1 NextMarker, versions).
func TestListResumesAfterCommonPrefix(t *testing.T) {
	e := newS3Env(t, Config{})
	ctx := ctxT(t)
	e.mkBucket("resume")
	for _, k := range []string{"a/1", "a/2", "a/3/x", "b", "c/1", "c/2", "d"} {
		e.put("resume", k, "x")
	}
	var v2 []string
	p := s3.NewListObjectsV2Paginator(e.client, &s3.ListObjectsV2Input{Bucket: aws.String("resume"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			v2 = append(v2, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			v2 = append(v2, aws.ToString(cp.Prefix))
		}
		if len(v2) > 10 {
			break
		}
	}
	if strings.Join(v2, ",") != "a/,b,c/,d" {
		t.Errorf("V2 one per page = %v, want [a/ b c/ d]", v2)
	}
	var v1 []string
	marker := ""
	for i := 0; i < 10; i++ {
		out, err := e.client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("resume"), Delimiter: aws.String("/"),
			MaxKeys: aws.Int32(1), Marker: aws.String(marker)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			v1 = append(v1, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			v1 = append(v1, aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
	}
	if strings.Join(v1, ",") != "a/,b,c/,d" {
		t.Errorf("V1 one per page = %v, want [a/ b c/ d]", v1)
	}
}
