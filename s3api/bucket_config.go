package s3api

// Bucket configurations caudal does not model, answered as S3 answers a
// bucket that has none of them, so tools that read every configuration
// (Terraform's aws_s3_bucket refresh, the console, `aws s3api get-bucket-*`)
// work: the 404 "no such configuration" codes for CORS, policy, lifecycle,
// encryption, website, replication, tagging, Object Lock, public access
// block and ownership controls; the empty (disabled) documents for logging,
// notifications, acceleration and request payment; and GetBucketAcl as the
// owner's FULL_CONTROL, caudal's only grant. Setting any of them (PUT) and
// the analytics/inventory/metrics/intelligent-tiering configurations stay
// NotImplemented.

import "net/http"

// absentConfig answers the 404 S3 gives for a configuration a bucket does
// not have.
func absentConfig(code, message string) action {
	return func(h *Handler, q *request) error {
		if _, err := requireBucket(h, q); err != nil {
			return err
		}
		return newError(code, http.StatusNotFound, message, Field{"BucketName", q.bucket})
	}
}

// emptyConfig answers 200 with the document of a disabled configuration.
func emptyConfig(root string, doc any) action {
	return func(h *Handler, q *request) error {
		if _, err := requireBucket(h, q); err != nil {
			return err
		}
		return writeXML(q, http.StatusOK, root, doc)
	}
}

type requestPaymentConfiguration struct {
	Payer string
}

type accessControlPolicy struct {
	Owner             owner
	AccessControlList []grant `xml:"AccessControlList>Grant"`
}

type grant struct {
	Grantee    grantee
	Permission string
}

type grantee struct {
	XMLNSXSI    string `xml:"xmlns:xsi,attr"`
	Type        string `xml:"xsi:type,attr"`
	ID          string
	DisplayName string
}

func getBucketAcl(h *Handler, q *request) error {
	if _, err := requireBucket(h, q); err != nil {
		return err
	}
	own := ownerOf(q)
	return writeXML(q, http.StatusOK, "AccessControlPolicy", accessControlPolicy{
		Owner: own,
		AccessControlList: []grant{{
			Grantee: grantee{XMLNSXSI: "http://www.w3.org/2001/XMLSchema-instance", Type: "CanonicalUser",
				ID: own.ID, DisplayName: own.DisplayName},
			Permission: "FULL_CONTROL",
		}},
	})
}
