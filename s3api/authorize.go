package s3api

// Authorization: every served operation asks auth.Check for the IAM
// action the S3 documentation ("Required permissions for Amazon S3 API
// operations") names for it, on the bucket (arn:aws:s3:::<bucket>) or the
// object (arn:aws:s3:::<bucket>/<key>), once the request is authenticated
// and routed and before the action reads or changes anything (serve.go).
// The action is not always the operation's name:
//
//   - HeadObject is s3:GetObject, HeadBucket is s3:ListBucket, ListBuckets
//     is s3:ListAllMyBuckets (on "*"), ListObjects(V2) is s3:ListBucket
//     and ListObjectVersions s3:ListBucketVersions, with the condition
//     keys s3:prefix ("" when absent), s3:delimiter and s3:max-keys;
//   - CreateMultipartUpload, UploadPart, UploadPartCopy and
//     CompleteMultipartUpload are s3:PutObject; ListParts is
//     s3:ListMultipartUploadParts, ListMultipartUploads
//     s3:ListBucketMultipartUploads;
//   - GetObject/HeadObject/DeleteObject with a versionId are
//     s3:GetObjectVersion / s3:DeleteObjectVersion;
//   - CopyObject and UploadPartCopy also need s3:GetObject on the source
//     (checked in the action once x-amz-copy-source is parsed), PutObject
//     with x-amz-tagging also s3:PutObjectTagging;
//   - DeleteObjects asks s3:DeleteObject for each key and reports a
//     refused key as AccessDenied in its <Error> list (delete_objects.go).
//
// A refusal is AccessDenied, 403, with the message S3 gives requests
// from its own account since 2024: "User: <arn> is not authorized to
// perform: <action> on resource: "<arn>" because no identity-based policy
// allows the <action> action" (or "with an explicit deny in an
// identity-based policy").

import (
	"context"
	"errors"
	"net/http"

	"github.com/caudal/caudal/auth"
)

// permissions maps a routed operation to its IAM action and whether it
// acts on the object (else the bucket). Every served operation must be
// here (authorize refuses the others), except DeleteObjects, which
// authorizes each key itself; TestAuthorizeMapping checks both.
var permissions = map[string]struct {
	action string
	object bool
}{
	"ListBuckets":          {"s3:ListAllMyBuckets", false},
	"CreateBucket":         {"s3:CreateBucket", false},
	"HeadBucket":           {"s3:ListBucket", false},
	"DeleteBucket":         {"s3:DeleteBucket", false},
	"GetBucketLocation":    {"s3:GetBucketLocation", false},
	"GetBucketVersioning":  {"s3:GetBucketVersioning", false},
	"ListObjects":          {"s3:ListBucket", false},
	"ListObjectsV2":        {"s3:ListBucket", false},
	"ListObjectVersions":   {"s3:ListBucketVersions", false},
	"ListMultipartUploads": {"s3:ListBucketMultipartUploads", false},
	"GetBucketAcl":         {"s3:GetBucketAcl", false},

	"GetBucket:cors":                {"s3:GetBucketCORS", false},
	"GetBucket:policy":              {"s3:GetBucketPolicy", false},
	"GetBucket:policyStatus":        {"s3:GetBucketPolicyStatus", false},
	"GetBucket:lifecycle":           {"s3:GetLifecycleConfiguration", false},
	"GetBucket:encryption":          {"s3:GetEncryptionConfiguration", false},
	"PutBucket:encryption":          {"s3:PutEncryptionConfiguration", false},
	"DeleteBucket:encryption":       {"s3:PutEncryptionConfiguration", false},
	"GetBucket:website":             {"s3:GetBucketWebsite", false},
	"GetBucket:replication":         {"s3:GetReplicationConfiguration", false},
	"GetBucket:tagging":             {"s3:GetBucketTagging", false},
	"GetBucket:object-lock":         {"s3:GetBucketObjectLockConfiguration", false},
	"GetBucket:publicAccessBlock":   {"s3:GetBucketPublicAccessBlock", false},
	"GetBucket:ownershipControls":   {"s3:GetBucketOwnershipControls", false},
	"GetBucket:logging":             {"s3:GetBucketLogging", false},
	"GetBucket:notification":        {"s3:GetBucketNotification", false},
	"GetBucket:accelerate":          {"s3:GetAccelerateConfiguration", false},
	"GetBucket:requestPayment":      {"s3:GetBucketRequestPayment", false},
	"GetBucket:analytics":           {"s3:GetAnalyticsConfiguration", false},
	"GetBucket:inventory":           {"s3:GetInventoryConfiguration", false},
	"GetBucket:metrics":             {"s3:GetMetricsConfiguration", false},
	"GetBucket:intelligent-tiering": {"s3:GetIntelligentTieringConfiguration", false},

	"PutObject":           {"s3:PutObject", true},
	"GetObject":           {"s3:GetObject", true},
	"HeadObject":          {"s3:GetObject", true},
	"DeleteObject":        {"s3:DeleteObject", true},
	"CopyObject":          {"s3:PutObject", true},
	"GetObjectTagging":    {"s3:GetObjectTagging", true},
	"PutObjectTagging":    {"s3:PutObjectTagging", true},
	"DeleteObjectTagging": {"s3:DeleteObjectTagging", true},
	"GetObjectAcl":        {"s3:GetObjectAcl", true},
	"PutObjectAcl":        {"s3:PutObjectAcl", true},

	"CreateMultipartUpload":   {"s3:PutObject", true},
	"UploadPart":              {"s3:PutObject", true},
	"UploadPartCopy":          {"s3:PutObject", true},
	"CompleteMultipartUpload": {"s3:PutObject", true},
	"AbortMultipartUpload":    {"s3:AbortMultipartUpload", true},
	"ListParts":               {"s3:ListMultipartUploadParts", true},
}

// permission is one (action, resource, condition keys) q needs.
type permission struct {
	action, resource string
	keys             map[string][]string
}

// required lists what q's operation needs before its action runs.
func (h *Handler) required(q *request) []permission {
	p, ok := permissions[q.op]
	if !ok {
		return nil
	}
	action := p.action
	if q.query.Has("versionId") {
		switch q.op {
		case "GetObject", "HeadObject":
			action = "s3:GetObjectVersion"
		case "DeleteObject":
			action = "s3:DeleteObjectVersion"
		}
	}
	res := bucketARN(q.bucket)
	switch {
	case q.op == "ListBuckets":
		res = "*"
	case p.object:
		res = objectARN(q.bucket, q.key)
	}
	need := []permission{{action: action, resource: res}}
	switch q.op {
	case "ListObjects", "ListObjectsV2", "ListObjectVersions":
		keys := map[string][]string{"s3:prefix": {q.query.Get("prefix")}}
		if q.query.Has("delimiter") {
			keys["s3:delimiter"] = []string{q.query.Get("delimiter")}
		}
		if q.query.Has("max-keys") {
			keys["s3:max-keys"] = []string{q.query.Get("max-keys")}
		}
		need[0].keys = keys
	case "PutObject":
		if q.r.Header.Get("X-Amz-Tagging") != "" {
			need = append(need, permission{action: "s3:PutObjectTagging", resource: res})
		}
	}
	return need
}

// authorize checks everything q's operation needs (required). A served
// operation missing from permissions is refused, even to the root key:
// authorization fails closed.
func (h *Handler) authorize(q *request) error {
	if _, ok := permissions[q.op]; !ok && q.op != "DeleteObjects" {
		return newError("AccessDenied", http.StatusForbidden, "Access Denied")
	}
	for _, p := range h.required(q) {
		if err := check(q.r.Context(), p.action, p.resource, p.keys); err != nil {
			return err
		}
	}
	return nil
}

// authorizeObject checks action on object bucket/key (copy sources, the
// keys of DeleteObjects).
func authorizeObject(q *request, action, bucket, key string) *Error {
	return check(q.r.Context(), action, objectARN(bucket, key), nil)
}

func check(ctx context.Context, action, resource string, keys map[string][]string) *Error {
	err := auth.Check(ctx, action, resource, keys)
	if err == nil {
		return nil
	}
	var d *auth.DeniedError
	if !errors.As(err, &d) {
		return newError("AccessDenied", http.StatusForbidden, "Access Denied")
	}
	return newError("AccessDenied", http.StatusForbidden, deniedMessage(d))
}

// deniedMessage is S3's wording of d: auth's, with the resource quoted.
func deniedMessage(d *auth.DeniedError) string {
	who := d.PrincipalARN
	if who == "" {
		who = "anonymous"
	}
	msg := "User: " + who + " is not authorized to perform: " + d.Action
	if d.Resource != "" && d.Resource != "*" {
		msg += ` on resource: "` + d.Resource + `"`
	}
	if d.Explicit {
		return msg + " with an explicit deny in an identity-based policy"
	}
	return msg + " because no identity-based policy allows the " + d.Action + " action"
}

func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }
