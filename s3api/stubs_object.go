package s3api

// Placeholders until the object and multipart actions land; each file that
// implements one removes its line here.

var (
	putObject           action = notImplemented
	getObject           action = notImplemented
	headObject          action = notImplemented
	deleteObject        action = notImplemented
	deleteObjects       action = notImplemented
	copyObject          action = notImplemented
	getObjectTagging    action = notImplemented
	putObjectTagging    action = notImplemented
	deleteObjectTagging action = notImplemented

	createMultipartUpload   action = notImplemented
	uploadPart              action = notImplemented
	uploadPartCopy          action = notImplemented
	completeMultipartUpload action = notImplemented
	abortMultipartUpload    action = notImplemented
	listParts               action = notImplemented
)
