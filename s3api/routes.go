package s3api

import "net/http"

// route names the S3 operation a request is for, from its method, whether
// it addresses the service, a bucket or an object, and its query
// subresources, as S3 dispatches. An empty name means no operation matches
// (MethodNotAllowed); a name without an entry in actions is an operation
// caudal does not implement (NotImplemented, 501).
func route(method string, hasBucket, hasKey bool, has func(string) bool, header http.Header) string {
	switch {
	case !hasBucket:
		if method == http.MethodGet {
			return "ListBuckets"
		}
		return ""
	case !hasKey:
		return routeBucket(method, has)
	default:
		return routeObject(method, has, header)
	}
}

// bucketSubresources are bucket-level subresources caudal does not model;
// they answer NotImplemented rather than being mistaken for a listing.
var bucketSubresources = []string{
	"accelerate", "analytics", "cors", "encryption", "intelligent-tiering",
	"inventory", "lifecycle", "logging", "metrics", "notification",
	"ownershipControls", "policy", "policyStatus", "publicAccessBlock",
	"replication", "requestPayment", "website", "object-lock", "acl",
	"tagging", "versioning",
}

func routeBucket(method string, has func(string) bool) string {
	switch method {
	case http.MethodGet:
		switch {
		case has("location"):
			return "GetBucketLocation"
		case has("uploads"):
			return "ListMultipartUploads"
		case has("versions"):
			return "ListObjectVersions"
		case has("versioning"):
			return "GetBucketVersioning"
		case has("acl"):
			return "GetBucketAcl"
		case has("list-type"):
			return "ListObjectsV2"
		}
		for _, s := range bucketSubresources {
			if has(s) {
				return "GetBucket:" + s
			}
		}
		return "ListObjects"
	case http.MethodHead:
		return "HeadBucket"
	case http.MethodPut:
		for _, s := range bucketSubresources {
			if has(s) {
				return "PutBucket:" + s
			}
		}
		return "CreateBucket"
	case http.MethodDelete:
		for _, s := range bucketSubresources {
			if has(s) {
				return "DeleteBucket:" + s
			}
		}
		return "DeleteBucket"
	case http.MethodPost:
		if has("delete") {
			return "DeleteObjects"
		}
	}
	return ""
}

func routeObject(method string, has func(string) bool, header http.Header) string {
	copySource := header.Get("X-Amz-Copy-Source") != ""
	switch method {
	case http.MethodGet:
		switch {
		case has("uploadId"):
			return "ListParts"
		case has("tagging"):
			return "GetObjectTagging"
		case has("acl"):
			return "GetObjectAcl"
		}
		return "GetObject"
	case http.MethodHead:
		return "HeadObject"
	case http.MethodPut:
		switch {
		case has("partNumber") && has("uploadId") && copySource:
			return "UploadPartCopy"
		case has("partNumber") && has("uploadId"):
			return "UploadPart"
		case has("tagging"):
			return "PutObjectTagging"
		case has("acl"):
			return "PutObjectAcl"
		case copySource:
			return "CopyObject"
		}
		return "PutObject"
	case http.MethodDelete:
		switch {
		case has("uploadId"):
			return "AbortMultipartUpload"
		case has("tagging"):
			return "DeleteObjectTagging"
		}
		return "DeleteObject"
	case http.MethodPost:
		switch {
		case has("uploads"):
			return "CreateMultipartUpload"
		case has("uploadId"):
			return "CompleteMultipartUpload"
		}
	}
	return ""
}

// actions maps operation names to their implementations. Files named after
// the operation (put_object.go, …) define them.
var actions = map[string]action{
	// buckets and listings (bucket helper)
	"ListBuckets":          listBuckets,
	"CreateBucket":         createBucket,
	"HeadBucket":           headBucket,
	"DeleteBucket":         deleteBucket,
	"GetBucketLocation":    getBucketLocation,
	"GetBucketVersioning":  getBucketVersioning,
	"ListObjects":          listObjects,
	"ListObjectsV2":        listObjectsV2,
	"ListObjectVersions":   listObjectVersions,
	"ListMultipartUploads": listMultipartUploads,

	// bucket configurations caudal does not model, answered as absent
	// (bucket_config.go)
	"GetBucketAcl":                getBucketAcl,
	"GetBucket:cors":              absentConfig("NoSuchCORSConfiguration", "The CORS configuration does not exist"),
	"GetBucket:policy":            absentConfig("NoSuchBucketPolicy", "The bucket policy does not exist"),
	"GetBucket:policyStatus":      absentConfig("NoSuchBucketPolicy", "The bucket policy does not exist"),
	"GetBucket:lifecycle":         absentConfig("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
	"GetBucket:website":           absentConfig("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
	"GetBucket:replication":       absentConfig("ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
	"GetBucket:tagging":           absentConfig("NoSuchTagSet", "The TagSet does not exist"),
	"GetBucket:object-lock":       absentConfig("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"),
	"GetBucket:publicAccessBlock": absentConfig("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"),
	"GetBucket:ownershipControls": absentConfig("OwnershipControlsNotFoundError", "The bucket ownership controls were not found"),
	"GetBucket:logging":           emptyConfig("BucketLoggingStatus", struct{}{}),
	"GetBucket:notification":      emptyConfig("NotificationConfiguration", struct{}{}),
	"GetBucket:accelerate":        emptyConfig("AccelerateConfiguration", struct{}{}),
	"GetBucket:requestPayment":    emptyConfig("RequestPaymentConfiguration", requestPaymentConfiguration{Payer: "BucketOwner"}),

	// default encryption (bucket_encryption.go)
	"PutBucket:encryption":    putBucketEncryption,
	"GetBucket:encryption":    getBucketEncryption,
	"DeleteBucket:encryption": deleteBucketEncryption,

	// objects (object helper)
	"PutObject":           putObject,
	"GetObject":           getObject,
	"HeadObject":          headObject,
	"DeleteObject":        deleteObject,
	"DeleteObjects":       deleteObjects,
	"CopyObject":          copyObject,
	"GetObjectTagging":    getObjectTagging,
	"PutObjectTagging":    putObjectTagging,
	"DeleteObjectTagging": deleteObjectTagging,

	// multipart (object helper)
	"CreateMultipartUpload":   createMultipartUpload,
	"UploadPart":              uploadPart,
	"UploadPartCopy":          uploadPartCopy,
	"CompleteMultipartUpload": completeMultipartUpload,
	"AbortMultipartUpload":    abortMultipartUpload,
	"ListParts":               listParts,
}
