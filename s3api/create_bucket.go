package s3api

// CreateBucket (PUT /bucket): the optional CreateBucketConfiguration body
// names the region (LocationConstraint); without one the bucket is in the
// region the request was signed for (us-east-1 stores as S3's null
// constraint). Canned ACLs (x-amz-acl) and grants are accepted and ignored:
// caudal has one owner. Object Lock is not supported.
//
// Re-creating a bucket you own answers 200 when the request is for
// us-east-1 (S3's legacy behaviour there) and 409 BucketAlreadyOwnedByYou
// elsewhere.

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/caudal/caudal/lake"
)

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string
}

func createBucket(h *Handler, q *request) error {
	if !lake.ValidBucketName(q.bucket) {
		return newError("InvalidBucketName", http.StatusBadRequest, "The specified bucket is not valid.",
			Field{"BucketName", q.bucket})
	}
	if strings.EqualFold(q.r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
		return notImplemented(h, q)
	}
	body, err := readXMLBody(q)
	if err != nil {
		return err
	}
	region := q.cred.Region
	if len(strings.TrimSpace(string(body))) > 0 {
		var cfg createBucketConfiguration
		if err := decodeXML(body, &cfg); err != nil {
			return err
		}
		region = cfg.LocationConstraint
		if region != "" && !validRegionName(region) {
			return newError("InvalidLocationConstraint", http.StatusBadRequest,
				"The specified location-constraint is not valid", Field{"LocationConstraint", region})
		}
		if region == "EU" { // S3's legacy alias
			region = "eu-west-1"
		}
	}
	if region == "us-east-1" {
		region = ""
	}
	err = h.cfg.Lake.CreateBucket(q.bucket, region)
	if errors.Is(err, lake.ErrBucketExists) && q.cred.Region == "us-east-1" {
		err = nil
	}
	if err != nil {
		return err
	}
	q.w.Header().Set("Location", "/"+q.bucket)
	q.w.Header().Set("Content-Length", "0")
	q.w.WriteHeader(http.StatusOK)
	return nil
}

// validRegionName accepts region-shaped names (lower-case letters, digits
// and dashes), as the SigV4 scope does: caudal serves every region.
func validRegionName(s string) bool {
	if s == "EU" {
		return true
	}
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
