package s3api

// Placeholders until the bucket actions land; each file that implements
// one removes its line here.

var (
	listBuckets          action = notImplemented
	createBucket         action = notImplemented
	headBucket           action = notImplemented
	deleteBucket         action = notImplemented
	getBucketLocation    action = notImplemented
	getBucketVersioning  action = notImplemented
	listObjects          action = notImplemented
	listObjectsV2        action = notImplemented
	listObjectVersions   action = notImplemented
	listMultipartUploads action = notImplemented
)
