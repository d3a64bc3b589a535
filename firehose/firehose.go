// Package firehose is the Amazon Data Firehose wire skin: the twelve
// operations of the Firehose 2015-08-04 API (botocore's
// firehose/2015-08-04/service-2.json), AWS JSON 1.1 with X-Amz-Target
// "Firehose_20150804.<Operation>" and SigV4 signing name "firehose". It
// checks each request against the model's constraints with AWS's codes and
// wording, authorizes it (auth.Check with "firehose:<Operation>" on the
// delivery stream's ARN), translates it to calls on the delivery engine
// and shapes the answers and errors as Firehose does. It owns no data;
// delivery streams live in package delivery.
//
// Served: CreateDeliveryStream, DeleteDeliveryStream,
// DescribeDeliveryStream, ListDeliveryStreams, PutRecord, PutRecordBatch,
// UpdateDestination, StartDeliveryStreamEncryption,
// StopDeliveryStreamEncryption, TagDeliveryStream, UntagDeliveryStream and
// ListTagsForDeliveryStream.
//
// Deliberately not: destinations other than S3 and Extended S3 (Redshift,
// OpenSearch, Splunk, HTTP endpoint, Snowflake, Iceberg) and sources other
// than DirectPut and KinesisStreamAsSource are refused with
// InvalidArgumentException naming what caudal supports; Lambda processors
// and ORC output likewise. KMS keys are recorded and reported, not used.
// Every change completes before the call returns, so a delivery stream is
// ACTIVE as soon as CreateDeliveryStream answers.
//
// One file per action; errors.go maps engine errors to AWS codes in one
// place, validate.go holds the model's constraints, shapes.go the shapes
// several actions share.
package firehose

import (
	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

// TargetPrefix is the X-Amz-Target prefix of Firehose.
const TargetPrefix = "Firehose_20150804"

// SigningName is Firehose's SigV4 service name.
const SigningName = "firehose"

// defaultRegion is the region of calls whose credential scope names none.
const defaultRegion = "us-east-1"

// maxBodyBytes bounds a request body: a PutRecordBatch at its 4 MiB limit
// is about 5.4 MiB once base64'd, with JSON framing.
const maxBodyBytes = 7 << 20

type service struct {
	e *delivery.Engine
}

// New returns the Firehose service over engine e.
func New(e *delivery.Engine) *protocol.Service {
	s := &service{e: e}
	return &protocol.Service{
		TargetPrefix: TargetPrefix,
		MaxBodyBytes: maxBodyBytes,
		Ops: map[string]protocol.Handler{
			"CreateDeliveryStream":          s.createDeliveryStream,
			"DeleteDeliveryStream":          s.deleteDeliveryStream,
			"DescribeDeliveryStream":        s.describeDeliveryStream,
			"ListDeliveryStreams":           s.listDeliveryStreams,
			"ListTagsForDeliveryStream":     s.listTagsForDeliveryStream,
			"PutRecord":                     s.putRecord,
			"PutRecordBatch":                s.putRecordBatch,
			"StartDeliveryStreamEncryption": s.startDeliveryStreamEncryption,
			"StopDeliveryStreamEncryption":  s.stopDeliveryStreamEncryption,
			"TagDeliveryStream":             s.tagDeliveryStream,
			"UntagDeliveryStream":           s.untagDeliveryStream,
			"UpdateDestination":             s.updateDestination,
		},
	}
}

func region(c *protocol.Call) string {
	if c.Caller.Region != "" {
		return c.Caller.Region
	}
	return defaultRegion
}

// empty is the answer of operations whose output has no members.
type empty struct{}
