package s3api

import (
	"errors"
	"testing"
)

// FuzzRequestBodies feeds arbitrary bytes to the object actions' request
// parsers: the <Delete>, <CompleteMultipartUpload> and <Tagging>
// documents, the Range header and x-amz-tagging. Properties: no panic;
// every refusal is an *Error; what is accepted is within S3's limits; a
// range is inside the object.
func FuzzRequestBodies(f *testing.F) {
	seeds := []string{
		`<Delete><Quiet>true</Quiet><Object><Key>a</Key><VersionId>null</VersionId></Object></Delete>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>`,
		`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`,
		`bytes=0-9`, `bytes=-5`, `bytes=3-`, `bytes=1-2,4-5`, `a=1&b=2`,
		`<!DOCTYPE x [<!ENTITY a "aaaa">]><Delete><Object><Key>&a;</Key></Object></Delete>`,
		"<Delete><Object><Key>\x00</Key></Object></Delete>",
	}
	for _, s := range seeds {
		f.Add([]byte(s), int64(10))
	}
	f.Fuzz(func(t *testing.T, b []byte, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 { // math.MinInt64
			size = 0
		}
		isS3 := func(err error) {
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("refusal %v is not an *Error", err)
			}
		}
		if _, targets, err := decodeDelete(b); err == nil {
			if len(targets) == 0 || len(targets) > maxDeleteKeys {
				t.Fatalf("accepted %d keys", len(targets))
			}
		} else {
			isS3(err)
		}
		if parts, err := decodeCompleteMultipart(b); err == nil {
			if len(parts) == 0 || len(parts) > maxPartNumber {
				t.Fatalf("accepted %d parts", len(parts))
			}
			for _, p := range parts {
				if p.Number < 1 || p.Number > maxPartNumber {
					t.Fatalf("accepted part number %d", p.Number)
				}
			}
		} else {
			isS3(err)
		}
		if tags, err := decodeTagging(b); err == nil {
			if len(tags) > maxTags {
				t.Fatalf("accepted %d tags", len(tags))
			}
		} else {
			isS3(err)
		}
		if tags, err := parseTaggingHeader(string(b)); err == nil {
			if len(tags) > maxTags {
				t.Fatalf("accepted %d header tags", len(tags))
			}
		} else {
			isS3(err)
		}
		r, partial, err := parseRange(string(b), size)
		isS3(err)
		if partial && (r.first < 0 || r.first > r.last || r.last >= size) {
			t.Fatalf("range %+v outside an object of %d bytes", r, size)
		}
	})
}
