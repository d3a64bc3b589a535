package firehose

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/shardlog"
)

// FuzzRequestBodies feeds arbitrary bodies to every operation. Properties:
// no panic; every refusal is a *protocol.Error with a 4xx status (the
// engine's internal failures are the only 5xx, and none happen here).
func FuzzRequestBodies(f *testing.F) {
	seeds := []string{
		`{"DeliveryStreamName":"s","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::dest","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":60},"Prefix":"p/!{timestamp:yyyy}/","ErrorOutputPrefix":"e/"}}`,
		`{"DeliveryStreamName":"s","S3DestinationConfiguration":{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::dest","CompressionFormat":"GZIP"}}`,
		`{"DeliveryStreamName":"fixed","Record":{"Data":"aGVsbG8="}}`,
		`{"DeliveryStreamName":"fixed","Records":[{"Data":"aGVsbG8="},{"Data":""}]}`,
		`{"DeliveryStreamName":"fixed","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"x/","DynamicPartitioningConfiguration":{"Enabled":true}}}`,
		`{"DeliveryStreamName":"fixed","Tags":[{"Key":"k","Value":"v"}]}`,
		`{"DeliveryStreamName":"fixed","TagKeys":["k"]}`,
		`{"Limit":1,"DeliveryStreamType":"DirectPut"}`,
		`{"DeliveryStreamName":"fixed","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"}}`,
		`{"DeliveryStreamName":"s","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::dest","ProcessingConfiguration":{"Processors":[{"Type":"MetadataExtraction","Parameters":[{"ParameterName":"MetadataExtractionQuery","ParameterValue":"{a:.a}"}]}]},"DataFormatConversionConfiguration":{"SchemaConfiguration":{"DatabaseName":"d","TableName":"t"}}}}`,
	}
	ops := []string{"CreateDeliveryStream", "CreateDeliveryStream", "PutRecord", "PutRecordBatch", "UpdateDestination", "TagDeliveryStream",
		"UntagDeliveryStream", "ListDeliveryStreams", "StartDeliveryStreamEncryption", "CreateDeliveryStream",
		"DescribeDeliveryStream", "ListTagsForDeliveryStream", "StopDeliveryStreamEncryption", "DeleteDeliveryStream"}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	lk, err := lake.Open(lake.Config{Dir: f.TempDir(), NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	lk.CreateBucket("dest", "")
	e, err := delivery.Open(delivery.Config{Dir: f.TempDir(), Lake: lk, AccountID: testAccount, NoSync: true, Sync: shardlog.SyncNever})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		e.Close()
		lk.Close()
	})
	bh := 900
	if _, err := e.Create("us-east-1", delivery.CreateInput{Name: "fixed", Extended: true, Destination: delivery.S3Destination{
		RoleARN: "arn:aws:iam::123456789012:role/r", BucketARN: "arn:aws:s3:::dest", BufferingHints: &delivery.BufferingHints{IntervalInSeconds: &bh}}}); err != nil {
		f.Fatal(err)
	}
	svc := New(e)
	root := &auth.Subject{Principal: &auth.Principal{Account: testAccount, Root: true}, Time: time.Now()}
	f.Fuzz(func(t *testing.T, opIndex uint8, body string) {
		op := ops[int(opIndex)%len(ops)]
		call := &protocol.Call{Operation: op, Codec: protocol.JSON, Body: []byte(body), RequestID: "fuzz"}
		_, err := svc.Ops[op](auth.WithSubject(context.Background(), root), call)
		if op == "CreateDeliveryStream" && err == nil {
			// Keep the engine small: every stream created is deleted.
			for _, n := range mustNames(e) {
				if n != "fixed" {
					e.Delete("us-east-1", n)
				}
			}
		}
		if err == nil {
			return
		}
		var pe *protocol.Error
		if !errors.As(err, &pe) {
			t.Fatalf("%s %q: unclassified error %v", op, body, err)
		}
		if pe.Status != http.StatusBadRequest {
			t.Fatalf("%s %q: status %d %v", op, body, pe.Status, pe)
		}
	})
}

func mustNames(e *delivery.Engine) []string {
	names, _ := e.List("us-east-1", "", "", 0)
	return names
}
