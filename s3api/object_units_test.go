package s3api

import (
	"encoding/base64"
	"errors"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caudal/caudal/lake"
)

func TestParseRange(t *testing.T) {
	const size = 100
	cases := []struct {
		spec          string
		size          int64
		first, last   int64
		partial, r416 bool
	}{
		{spec: "bytes=0-9", size: size, first: 0, last: 9, partial: true},
		{spec: "bytes=10-", size: size, first: 10, last: 99, partial: true},
		{spec: "bytes=-10", size: size, first: 90, last: 99, partial: true},
		{spec: "bytes=-1000", size: size, first: 0, last: 99, partial: true},
		{spec: "bytes=90-1000", size: size, first: 90, last: 99, partial: true},
		{spec: "bytes=99-99", size: size, first: 99, last: 99, partial: true},
		{spec: "bytes= 5 - 6 ", size: size, first: 5, last: 6, partial: true},
		{spec: "BYTES=1-2", size: size, first: 1, last: 2, partial: true},
		// S3 ignores what it cannot use and sends the whole object.
		{spec: "", size: size},
		{spec: "bytes=", size: size},
		{spec: "bytes=abc", size: size},
		{spec: "bytes=5", size: size},
		{spec: "bytes=9-3", size: size},
		{spec: "bytes=0-1,5-6", size: size},
		{spec: "items=0-1", size: size},
		{spec: "bytes=-", size: size},
		{spec: "bytes=1-2-3", size: size},
		{spec: "bytes=99999999999999999999-", size: size},
		{spec: "bytes=+1-2", size: size},
		// Unsatisfiable.
		{spec: "bytes=100-", size: size, r416: true},
		{spec: "bytes=100-200", size: size, r416: true},
		{spec: "bytes=-0", size: size, r416: true},
		{spec: "bytes=0-", size: 0, r416: true},
		{spec: "bytes=0-0", size: 0, r416: true},
		// A suffix range of an empty object: the empty object, 200.
		{spec: "bytes=-5", size: 0},
	}
	for _, c := range cases {
		r, partial, err := parseRange(c.spec, c.size)
		if c.r416 {
			var e *Error
			if !errors.As(err, &e) || e.Code != "InvalidRange" || e.Status != 416 {
				t.Errorf("%q size %d: err %v, want InvalidRange 416", c.spec, c.size, err)
				continue
			}
			if got := fieldValue(e, "ActualObjectSize"); got != strconv.FormatInt(c.size, 10) {
				t.Errorf("%q: ActualObjectSize %q", c.spec, got)
			}
			if got := fieldValue(e, "RangeRequested"); got != c.spec {
				t.Errorf("%q: RangeRequested %q", c.spec, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q size %d: unexpected error %v", c.spec, c.size, err)
			continue
		}
		if partial != c.partial || (partial && (r.first != c.first || r.last != c.last)) {
			t.Errorf("%q size %d: got %+v partial=%v, want [%d,%d] partial=%v", c.spec, c.size, r, partial, c.first, c.last, c.partial)
		}
	}
}

func fieldValue(e *Error, name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestPreconditions(t *testing.T) {
	mod := time.Date(2024, 5, 1, 12, 0, 0, 500e6, time.UTC) // sub-second part is ignored
	now := mod.Add(time.Hour)
	info := lake.ObjectInfo{ETag: "abc", LastModified: mod}
	before := mod.Add(-time.Minute).Format(http.TimeFormat)
	at := mod.Format(http.TimeFormat)
	after := mod.Add(time.Minute).Format(http.TimeFormat)
	future := now.Add(time.Hour).Format(http.TimeFormat)
	cases := []struct {
		name string
		hdr  map[string]string
		want outcome
		cond string
	}{
		{"none", nil, proceed, ""},
		{"if-match hit", map[string]string{"If-Match": `"abc"`}, proceed, ""},
		{"if-match unquoted", map[string]string{"If-Match": `abc`}, proceed, ""},
		{"if-match list", map[string]string{"If-Match": `"x", "abc"`}, proceed, ""},
		{"if-match star", map[string]string{"If-Match": `*`}, proceed, ""},
		{"if-match miss", map[string]string{"If-Match": `"x"`}, preconditionFailed, "If-Match"},
		{"if-none-match hit", map[string]string{"If-None-Match": `"abc"`}, notModified, ""},
		{"if-none-match miss", map[string]string{"If-None-Match": `"x"`}, proceed, ""},
		{"if-modified-since before", map[string]string{"If-Modified-Since": before}, proceed, ""},
		{"if-modified-since at", map[string]string{"If-Modified-Since": at}, notModified, ""},
		{"if-modified-since after", map[string]string{"If-Modified-Since": after}, notModified, ""},
		{"if-modified-since future ignored", map[string]string{"If-Modified-Since": future}, proceed, ""},
		{"if-modified-since garbage ignored", map[string]string{"If-Modified-Since": "yesterday"}, proceed, ""},
		{"if-unmodified-since before", map[string]string{"If-Unmodified-Since": before}, preconditionFailed, "If-Unmodified-Since"},
		{"if-unmodified-since at", map[string]string{"If-Unmodified-Since": at}, proceed, ""},
		// S3's documented pairs (GetObjectRequest.IfMatch / IfNoneMatch).
		{"if-match true beats if-unmodified-since false",
			map[string]string{"If-Match": `"abc"`, "If-Unmodified-Since": before}, proceed, ""},
		{"if-none-match false with if-modified-since true is 304",
			map[string]string{"If-None-Match": `"abc"`, "If-Modified-Since": before}, notModified, ""},
		{"if-none-match true beats if-modified-since false",
			map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": after}, proceed, ""},
		{"412 before 304",
			map[string]string{"If-Match": `"x"`, "If-None-Match": `"abc"`}, preconditionFailed, "If-Match"},
	}
	for _, c := range cases {
		h := http.Header{}
		for k, v := range c.hdr {
			h.Set(k, v)
		}
		got, cond := readPreconditions(h).evaluate(info, now)
		if got != c.want || cond != c.cond {
			t.Errorf("%s: got %v %q, want %v %q", c.name, got, cond, c.want, c.cond)
		}
	}

	// Copy-source conditions never answer 304.
	h := http.Header{}
	h.Set("X-Amz-Copy-Source-If-None-Match", `"abc"`)
	if got, cond := readCopyPreconditions(h).evaluate(info, now); got != preconditionFailed || cond != "x-amz-copy-source-If-None-Match" {
		t.Errorf("copy source if-none-match: %v %q", got, cond)
	}
	h = http.Header{}
	h.Set("X-Amz-Copy-Source-If-Modified-Since", after)
	if got, _ := readCopyPreconditions(h).evaluate(info, now); got != preconditionFailed {
		t.Errorf("copy source if-modified-since: %v", got)
	}
}

func TestParseTaggingHeader(t *testing.T) {
	tags, err := parseTaggingHeader("a=1&b%20c=d%2Fe&empty=")
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 3 || tags["a"] != "1" || tags["b c"] != "d/e" || tags["empty"] != "" {
		t.Errorf("tags %v", tags)
	}
	bad := map[string]string{
		"a=1&a=2":                       "InvalidArgument",
		"a=%zz":                         "InvalidArgument",
		"=v":                            "InvalidTag",
		"k=" + strings.Repeat("v", 257): "InvalidTag",
		strings.Repeat("k", 129) + "=v": "InvalidTag",
		"a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11": "InvalidTag",
		"k=%3Cscript%3E": "InvalidTag",
	}
	for in, code := range bad {
		_, err := parseTaggingHeader(in)
		var e *Error
		if !errors.As(err, &e) || e.Code != code {
			t.Errorf("%q: err %v, want %s", in, err, code)
		}
	}
	// Unicode letters count as characters, not bytes.
	if _, err := parseTaggingHeader("k=" + strings.Repeat("é", 256)); err != nil {
		t.Errorf("256 two-byte characters: %v", err)
	}
}

func TestDecodeTagging(t *testing.T) {
	tags, err := decodeTagging([]byte(`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>` +
		`<Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value></Value></Tag></TagSet></Tagging>`))
	if err != nil || len(tags) != 2 || tags["a"] != "1" || tags["b"] != "" {
		t.Fatalf("tags %v err %v", tags, err)
	}
	bad := map[string]string{
		``:                         "MalformedXML",
		`<Tagging>`:                "MalformedXML",
		`<Other><TagSet/></Other>`: "MalformedXML",
		`<Tagging></Tagging>`:      "MalformedXML",
		`<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>`:                                        "MalformedXML",
		`<Tagging><TagSet><Tag><Key>a</Key><Value/></Tag><Tag><Key>a</Key><Value/></Tag></TagSet></Tagging>`: "InvalidTag",
		`<Tagging><TagSet>` + strings.Repeat(`<Tag><Key>k</Key><Value/></Tag>`, 11) + `</TagSet></Tagging>`:  "InvalidTag",
	}
	for in, code := range bad {
		_, err := decodeTagging([]byte(in))
		var e *Error
		if !errors.As(err, &e) || e.Code != code {
			t.Errorf("%q: err %v, want %s", in, err, code)
		}
	}
}

func TestMetadataFromHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Encoding", "aws-chunked,gzip")
	h.Set("X-Amz-Meta-Color", "blue")
	h["x-amz-meta-MiXeD"] = []string{"v"}
	h.Set("X-Amz-Storage-Class", "STANDARD")
	h.Set("X-Amz-Tagging", "a=b")
	m, err := metadataFromHeaders(h)
	if err != nil {
		t.Fatal(err)
	}
	if m.ContentType != "binary/octet-stream" {
		t.Errorf("default content type %q", m.ContentType)
	}
	if m.ContentEncoding != "gzip" {
		t.Errorf("content encoding %q, want aws-chunked stripped", m.ContentEncoding)
	}
	if m.User["color"] != "blue" || m.User["mixed"] != "v" || len(m.User) != 2 {
		t.Errorf("user metadata %v", m.User)
	}
	if m.StorageClass != "" || m.Tags["a"] != "b" {
		t.Errorf("storage class %q tags %v", m.StorageClass, m.Tags)
	}

	h = http.Header{}
	h.Set("Content-Encoding", "aws-chunked")
	if m, _ := metadataFromHeaders(h); m.ContentEncoding != "" {
		t.Errorf("only aws-chunked: %q", m.ContentEncoding)
	}

	h = http.Header{}
	h.Set("X-Amz-Meta-Big", strings.Repeat("x", 2046)) // 3 + 2046 > 2048
	var e *Error
	if _, err := metadataFromHeaders(h); !errors.As(err, &e) || e.Code != "MetadataTooLarge" {
		t.Errorf("2 KiB metadata: %v", err)
	}
	h.Set("X-Amz-Meta-Big", strings.Repeat("x", 2045))
	if _, err := metadataFromHeaders(h); err != nil {
		t.Errorf("exactly 2 KiB metadata: %v", err)
	}

	h = http.Header{}
	h.Set("X-Amz-Storage-Class", "PLATINUM")
	if _, err := metadataFromHeaders(h); !errors.As(err, &e) || e.Code != "InvalidStorageClass" {
		t.Errorf("bad storage class: %v", err)
	}
}

func TestParseIntegrity(t *testing.T) {
	body := []byte("hello")
	crc := make([]byte, 4)
	sum := crc32.ChecksumIEEE(body)
	crc[0], crc[1], crc[2], crc[3] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
	good := base64.StdEncoding.EncodeToString(crc)

	h := http.Header{}
	h.Set("X-Amz-Checksum-Crc32", good)
	h.Set("X-Amz-Sdk-Checksum-Algorithm", "CRC32")
	in, err := parseIntegrity(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSmallBody(in, body, nil, true); err != nil {
		t.Errorf("good CRC32: %v", err)
	}
	var e *Error
	if err := checkSmallBody(in, []byte("hellO"), nil, true); !errors.As(err, &e) || e.Code != "BadDigest" ||
		e.Message != "The CRC32 you specified did not match the calculated checksum." {
		t.Errorf("bad CRC32: %v", err)
	}

	refusals := []struct {
		hdr  map[string]string
		code string
	}{
		{map[string]string{"Content-Md5": "nope"}, "InvalidDigest"},
		{map[string]string{"Content-Md5": base64.StdEncoding.EncodeToString([]byte("short"))}, "InvalidDigest"},
		{map[string]string{"X-Amz-Checksum-Crc32": "AAAA"}, "InvalidRequest"},
		{map[string]string{"X-Amz-Checksum-Crc32": good, "X-Amz-Checksum-Sha1": "2jmj7l5rSw0yVb/vlWAYkK/YBwk="}, "InvalidRequest"},
		{map[string]string{"X-Amz-Sdk-Checksum-Algorithm": "CRC32"}, "InvalidRequest"},
		{map[string]string{"X-Amz-Sdk-Checksum-Algorithm": "SHA1", "X-Amz-Checksum-Crc32": good}, "BadDigest"},
		{map[string]string{"X-Amz-Checksum-Sha512": "x"}, "NotImplemented"},
		{map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32", "X-Amz-Checksum-Crc32": good}, "InvalidRequest"},
	}
	for _, c := range refusals {
		h := http.Header{}
		for k, v := range c.hdr {
			h.Set(k, v)
		}
		if _, err := parseIntegrity(h); !errors.As(err, &e) || e.Code != c.code {
			t.Errorf("%v: err %v, want %s", c.hdr, err, c.code)
		}
	}

	// A trailer-borne checksum is read after the body.
	h = http.Header{}
	h.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	in, err = parseIntegrity(h)
	if err != nil || !in.trailer || in.alg.name != lake.CRC32 {
		t.Fatalf("trailer integrity %+v %v", in, err)
	}
	trailer := http.Header{"X-Amz-Checksum-Crc32": {good}}
	if err := checkSmallBody(in, body, func() http.Header { return trailer }, true); err != nil {
		t.Errorf("good trailer: %v", err)
	}
	if err := checkSmallBody(in, body, func() http.Header { return nil }, true); !errors.As(err, &e) || e.Code != "InvalidRequest" {
		t.Errorf("missing trailer: %v", err)
	}

	if err := checkSmallBody(integrity{}, body, nil, true); !errors.As(err, &e) || e.Code != "InvalidRequest" {
		t.Errorf("required checksum missing: %v", err)
	}
}

// TestCRC64NVME checks the table against the algorithm's check value
// (CRC-64/NVME of "123456789").
func TestCRC64NVME(t *testing.T) {
	h := newChecksumHash(lake.CRC64NVME)
	h.Write([]byte("123456789"))
	got := h.Sum(nil)
	want := []byte{0xae, 0x8b, 0x14, 0x86, 0x0a, 0x79, 0x98, 0x88}
	if string(got) != string(want) {
		t.Errorf("CRC64NVME check value %x, want %x", got, want)
	}
}

func TestParseCopySource(t *testing.T) {
	ok := map[string][2]string{
		"b/k":                    {"b", "k"},
		"/b/dir/k%20x":           {"b", "dir/k x"},
		"b/k%3Fq?versionId=null": {"b", "k?q"},
		"b/caf%C3%A9/%2Fslash":   {"b", "café//slash"},
	}
	for in, want := range ok {
		b, k, err := parseCopySource(in)
		if err != nil || b != want[0] || k != want[1] {
			t.Errorf("%q: %q %q %v, want %q", in, b, k, err, want)
		}
	}
	for _, in := range []string{"", "b", "/b", "b/", "/", "b/k?versionId=abc", "%zz/k"} {
		if _, _, err := parseCopySource(in); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}

func TestParseCopySourceRange(t *testing.T) {
	if f, l, err := parseCopySourceRange("bytes=2-5", 10); err != nil || f != 2 || l != 5 {
		t.Errorf("bytes=2-5: %d %d %v", f, l, err)
	}
	for _, in := range []string{"bytes=5-2", "bytes=0-10", "bytes=-3", "bytes=3-", "2-5", "bytes=a-b"} {
		var e *Error
		if _, _, err := parseCopySourceRange(in, 10); !errors.As(err, &e) || e.Code != "InvalidArgument" {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestUploadChecksum(t *testing.T) {
	cases := []struct {
		alg, typ         string
		wantAlg, wantTyp string
		code             string
	}{
		{"", "", "", "", ""},
		{"crc32", "", "CRC32", "COMPOSITE", ""},
		{"CRC64NVME", "", "CRC64NVME", "FULL_OBJECT", ""},
		{"CRC32C", "FULL_OBJECT", "CRC32C", "FULL_OBJECT", ""},
		{"SHA256", "FULL_OBJECT", "", "", "InvalidRequest"},
		{"CRC64NVME", "COMPOSITE", "", "", "InvalidRequest"},
		{"", "COMPOSITE", "", "", "InvalidRequest"},
		{"MD4", "", "", "", "InvalidRequest"},
		{"SHA512", "", "", "", "NotImplemented"},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.alg != "" {
			h.Set("X-Amz-Checksum-Algorithm", c.alg)
		}
		if c.typ != "" {
			h.Set("X-Amz-Checksum-Type", c.typ)
		}
		alg, typ, err := uploadChecksum(h)
		var e *Error
		if c.code != "" {
			if !errors.As(err, &e) || e.Code != c.code {
				t.Errorf("%s/%s: err %v, want %s", c.alg, c.typ, err, c.code)
			}
			continue
		}
		if err != nil || alg != c.wantAlg || typ != c.wantTyp {
			t.Errorf("%s/%s: %q %q %v", c.alg, c.typ, alg, typ, err)
		}
	}
}

func TestDecodeDelete(t *testing.T) {
	quiet, targets, err := decodeDelete([]byte(`<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object>` +
		`<Object><Key>b&amp;c</Key><VersionId>null</VersionId></Object></Delete>`))
	if err != nil || !quiet || len(targets) != 2 || targets[1].Key != "b&c" || targets[1].VersionID != "null" {
		t.Fatalf("%v %+v %v", quiet, targets, err)
	}
	many := "<Delete>" + strings.Repeat("<Object><Key>k</Key></Object>", 1001) + "</Delete>"
	for _, in := range []string{"", "<Delete></Delete>", "<Delete><Object></Object></Delete>", many, "<Delete><Quiet>maybe</Quiet><Object><Key>k</Key></Object></Delete>"} {
		var e *Error
		if _, _, err := decodeDelete([]byte(in)); !errors.As(err, &e) || e.Code != "MalformedXML" {
			t.Errorf("%.60q: %v", in, err)
		}
	}
}

func TestDecodeCompleteMultipart(t *testing.T) {
	parts, err := decodeCompleteMultipart([]byte(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Part><PartNumber>1</PartNumber><ETag>"abc"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>` +
		`<Part><ETag>def</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`))
	if err != nil || len(parts) != 2 || parts[0].ETag != "abc" || parts[1].ETag != "def" ||
		parts[0].Checksums[lake.CRC32] != "AAAAAA==" || parts[1].Number != 2 {
		t.Fatalf("%+v %v", parts, err)
	}
	bad := map[string]string{
		`<CompleteMultipartUpload></CompleteMultipartUpload>`:                                                      "MalformedXML",
		`<CompleteMultipartUpload><Part><ETag>a</ETag></Part></CompleteMultipartUpload>`:                           "MalformedXML",
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`:               "MalformedXML",
		`<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>`: "MalformedXML",
		`<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>`: "InvalidArgument",
		`<Complete><Part><PartNumber>1</PartNumber><ETag>a</ETag></Part></Complete>`:                               "MalformedXML",
	}
	for in, code := range bad {
		var e *Error
		if _, err := decodeCompleteMultipart([]byte(in)); !errors.As(err, &e) || e.Code != code {
			t.Errorf("%q: %v, want %s", in, err, code)
		}
	}
}
