package audit

import "strings"

// Event sources of the services caudal serves (CloudTrail's eventSource).
const (
	SourceS3      = "s3.amazonaws.com"
	SourceKinesis = "kinesis.amazonaws.com"
	SourceGlue    = "glue.amazonaws.com"
	SourceAthena  = "athena.amazonaws.com"
	SourceIAM     = "iam.amazonaws.com"
	SourceKMS     = "kms.amazonaws.com"
)

// Event categories (CloudTrail's eventCategory).
const (
	CategoryManagement = "Management"
	CategoryData       = "Data"
)

// ReadOnly reports whether an operation only reads, by CloudTrail's
// convention of names: Get…, List…, Describe…, Head…, BatchGet…, plus
// the reads whose names do not say so.
func ReadOnly(name string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Head", "BatchGet", "Lookup"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	switch name {
	case "SubscribeToShard", "SelectObjectContent":
		return true
	}
	return false
}

// kinesisData are the Kinesis operations CloudTrail logs as data events
// (they move records); every other Kinesis call is a management event.
var kinesisData = map[string]bool{
	"PutRecord": true, "PutRecords": true, "GetRecords": true,
	"GetShardIterator": true, "SubscribeToShard": true,
}

// Category returns the eventCategory of an operation: "Data" for S3
// object-level operations and Kinesis record operations, "Management"
// for everything else (buckets, streams, the catalog, queries).
func Category(source, name string) string {
	switch source {
	case SourceKinesis:
		if kinesisData[name] {
			return CategoryData
		}
	case SourceS3:
		if strings.Contains(name, "Object") || strings.Contains(name, "Part") || strings.Contains(name, "MultipartUpload") {
			return CategoryData
		}
	}
	return CategoryManagement
}

// S3OperationName turns an S3 route name into CloudTrail's eventName:
// the router names unmodelled subresources "GetBucket:object-lock",
// CloudTrail calls that call GetBucketObjectLock.
func S3OperationName(op string) string {
	verb, sub, ok := strings.Cut(op, ":")
	if !ok {
		return op
	}
	var b strings.Builder
	b.WriteString(verb)
	up := true
	for i := 0; i < len(sub); i++ {
		c := sub[i]
		if c == '-' || c == '_' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteByte(c)
	}
	return b.String()
}
