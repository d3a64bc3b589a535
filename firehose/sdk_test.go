package firehose

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"
	"github.com/caudal/caudal/lake"
)

const role = "arn:aws:iam::123456789012:role/firehose"

func extS3(bucket string) *types.ExtendedS3DestinationConfiguration {
	return &types.ExtendedS3DestinationConfiguration{
		RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::" + bucket),
		BufferingHints: &types.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
	}
}

// apiCode returns the AWS error code of err ("" when none).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func TestSDKLifecycleAndDelivery(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	out, err := h.fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("hose"),
		ExtendedS3DestinationConfiguration: extS3("dest"),
		Tags:                               []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.DeliveryStreamARN != "arn:aws:firehose:us-east-1:123456789012:deliverystream/hose" {
		t.Fatalf("ARN %s", *out.DeliveryStreamARN)
	}
	d, err := h.fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("hose")})
	if err != nil {
		t.Fatal(err)
	}
	dd := d.DeliveryStreamDescription
	if dd.DeliveryStreamStatus != types.DeliveryStreamStatusActive || *dd.VersionId != "1" || dd.DeliveryStreamType != types.DeliveryStreamTypeDirectPut ||
		len(dd.Destinations) != 1 || *dd.Destinations[0].DestinationId != "destinationId-000000000001" ||
		dd.Destinations[0].ExtendedS3DestinationDescription.CompressionFormat != types.CompressionFormatUncompressed ||
		*dd.Destinations[0].ExtendedS3DestinationDescription.BufferingHints.SizeInMBs != 1 || dd.CreateTimestamp == nil {
		t.Fatalf("description %+v", dd)
	}
	pr, err := h.fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("hose"), Record: &types.Record{Data: []byte("one\n")}})
	if err != nil || len(*pr.RecordId) < 32 {
		t.Fatalf("PutRecord %v %v", pr, err)
	}
	recs := []types.Record{{Data: []byte("two\n")}, {Data: []byte("three\n")}}
	pb, err := h.fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("hose"), Records: recs})
	if err != nil || *pb.FailedPutCount != 0 || len(pb.RequestResponses) != 2 || pb.RequestResponses[0].RecordId == nil {
		t.Fatalf("PutRecordBatch %+v %v", pb, err)
	}
	// IntervalInSeconds 0: delivered promptly.
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := h.lake.List("dest", lake.ListOptions{MaxKeys: 100})
		if err != nil {
			t.Fatal(err)
		}
		total := int64(0)
		for _, o := range res.Objects {
			total += o.Size
		}
		if total == int64(len("one\ntwo\nthree\n")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d bytes in %d objects", total, len(res.Objects))
		}
		time.Sleep(10 * time.Millisecond)
	}
	lt, err := h.fc.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("hose")})
	if err != nil || len(lt.Tags) != 1 || *lt.Tags[0].Key != "team" {
		t.Fatalf("tags %+v %v", lt, err)
	}
	if _, err := h.fc.UntagDeliveryStream(ctx, &firehose.UntagDeliveryStreamInput{DeliveryStreamName: aws.String("hose"), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	_, err = h.fc.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("hose"),
		CurrentDeliveryStreamVersionId: aws.String("9"), DestinationId: aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("p/")}})
	if apiCode(err) != "ConcurrentModificationException" {
		t.Fatalf("stale version: %v", err)
	}
	_, err = h.fc.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("hose"),
		CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("p/"), CompressionFormat: types.CompressionFormatGzip}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fc.StartDeliveryStreamEncryption(ctx, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("hose")}); err != nil {
		t.Fatal(err)
	}
	d, _ = h.fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("hose")})
	dd = d.DeliveryStreamDescription
	if *dd.VersionId != "3" || *dd.Destinations[0].ExtendedS3DestinationDescription.Prefix != "p/" ||
		dd.DeliveryStreamEncryptionConfiguration.Status != types.DeliveryStreamEncryptionStatusEnabled {
		t.Fatalf("after update: version %s %+v", *dd.VersionId, dd.DeliveryStreamEncryptionConfiguration)
	}
	ls, err := h.fc.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
	if err != nil || len(ls.DeliveryStreamNames) != 1 || *ls.HasMoreDeliveryStreams {
		t.Fatalf("list %+v %v", ls, err)
	}
	if _, err := h.fc.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("hose")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("hose")})
	if apiCode(err) != "ResourceNotFoundException" || apiMessage(err) != "Firehose hose under account 123456789012 not found." {
		t.Fatalf("describe deleted: %v", err)
	}
}

func TestSDKValidationAndRefusals(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	cases := []struct {
		name string
		in   *firehose.CreateDeliveryStreamInput
		code string
		msg  string
	}{
		{"bad name", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("bad name"), ExtendedS3DestinationConfiguration: extS3("dest")},
			"ValidationException", "1 validation error detected: Value 'bad name' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"size range", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("x"), ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::dest"), BufferingHints: &types.BufferingHints{SizeInMBs: aws.Int32(129), IntervalInSeconds: aws.Int32(901)}}},
			"ValidationException", "2 validation errors detected: Value '129' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128; Value '901' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"no bucket", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("x"), ExtendedS3DestinationConfiguration: extS3("missing")},
			"InvalidArgumentException", ""},
		{"redshift", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("x"), RedshiftDestinationConfiguration: &types.RedshiftDestinationConfiguration{
			RoleARN: aws.String(role), ClusterJDBCURL: aws.String("jdbc:redshift://x"), CopyCommand: &types.CopyCommand{DataTableName: aws.String("t")},
			S3Configuration: &types.S3DestinationConfiguration{RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::dest")}}},
			"InvalidArgumentException", "RedshiftDestinationConfiguration is not supported: caudal supports S3DestinationConfiguration and ExtendedS3DestinationConfiguration."},
	}
	for _, c := range cases {
		_, err := h.fc.CreateDeliveryStream(ctx, c.in)
		if apiCode(err) != c.code || (c.msg != "" && apiMessage(err) != c.msg) {
			t.Errorf("%s: got %s %q, want %s %q", c.name, apiCode(err), apiMessage(err), c.code, c.msg)
		}
	}
	if _, err := h.fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("ok"), ExtendedS3DestinationConfiguration: extS3("dest")}); err != nil {
		t.Fatal(err)
	}
	_, err := h.fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("ok"), ExtendedS3DestinationConfiguration: extS3("dest")})
	if apiCode(err) != "ResourceInUseException" {
		t.Errorf("duplicate: %v", err)
	}
	// PutRecordBatch limits: more than 500 records, a record over 1,000 KiB, over 4 MiB in all.
	many := make([]types.Record, 501)
	for i := range many {
		many[i] = types.Record{Data: []byte("x")}
	}
	_, err = h.fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("ok"), Records: many})
	if apiCode(err) != "ValidationException" || !strings.Contains(apiMessage(err), "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500") {
		t.Errorf("501 records: %v", err)
	}
	_, err = h.fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("ok"), Record: &types.Record{Data: make([]byte, 1_024_001)}})
	if apiCode(err) != "ValidationException" || apiMessage(err) != "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 cap=1024001]' at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000" {
		t.Errorf("oversized record: %v", err)
	}
	five := make([]types.Record, 5)
	for i := range five {
		five[i] = types.Record{Data: make([]byte, 1_000_000)}
	}
	_, err = h.fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("ok"), Records: five})
	if apiCode(err) != "InvalidArgumentException" {
		t.Errorf("5 MB batch: %v", err)
	}
	_, err = h.fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("nope"), Record: &types.Record{Data: []byte("x")}})
	if apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("put to missing: %v", err)
	}
	// Authorization: a user without policies is refused after validation.
	h.deny = true
	_, err = h.fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("ok")})
	if apiCode(err) != "AccessDeniedException" || !strings.Contains(apiMessage(err), "firehose:DescribeDeliveryStream on resource: arn:aws:firehose:us-east-1:123456789012:deliverystream/ok") {
		t.Errorf("denied: %v", err)
	}
}

func TestSDKStreamSourceRefusesPut(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	if err := h.streams.CreateStream("us-east-1", "src", streamOpts()); err != nil {
		t.Fatal(err)
	}
	_, err := h.fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("fromsrc"), DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource,
		KinesisStreamSourceConfiguration: &types.KinesisStreamSourceConfiguration{
			KinesisStreamARN: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/src"), RoleARN: aws.String(role)},
		ExtendedS3DestinationConfiguration: extS3("dest"),
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("fromsrc")})
	if err != nil || d.DeliveryStreamDescription.Source == nil || d.DeliveryStreamDescription.Source.KinesisStreamSourceDescription == nil ||
		d.DeliveryStreamDescription.Source.KinesisStreamSourceDescription.DeliveryStartTimestamp == nil {
		t.Fatalf("source description: %+v %v", d, err)
	}
	_, err = h.fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("fromsrc"), Record: &types.Record{Data: []byte("x")}})
	if apiCode(err) != "InvalidArgumentException" {
		t.Fatalf("PutRecord on stream source: %v", err)
	}
}

func TestRawBodies(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct{ op, body, code string }{
		{"PutRecord", `[]`, "SerializationException"},
		{"PutRecord", `{"DeliveryStreamName":5}`, "SerializationException"},
		{"PutRecord", `{"DeliveryStreamName":"a","Record":{"Data":"!!!"}}`, "SerializationException"},
		{"PutRecordBatch", `{"DeliveryStreamName":"a"}`, "ValidationException"},
		{"CreateDeliveryStream", `{}`, "ValidationException"},
		{"DescribeDeliveryStream", `{"DeliveryStreamName":"a","Limit":0}`, "ValidationException"},
	} {
		status, body := h.raw(c.op, c.body)
		if status != 400 || !strings.Contains(body, c.code) {
			t.Errorf("%s %s: %d %s", c.op, c.body, status, body)
		}
	}
}

func TestSDKListDefaultLimit(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	for i := 0; i < 12; i++ {
		if _, err := h.fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
			DeliveryStreamName: aws.String(fmt.Sprintf("s%02d", i)), ExtendedS3DestinationConfiguration: extS3("dest")}); err != nil {
			t.Fatal(err)
		}
	}
	ls, err := h.fc.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
	if err != nil || len(ls.DeliveryStreamNames) != 10 || !*ls.HasMoreDeliveryStreams || ls.DeliveryStreamNames[9] != "s09" {
		t.Fatalf("default page %+v %v", ls, err)
	}
	ls, err = h.fc.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{ExclusiveStartDeliveryStreamName: aws.String("s09")})
	if err != nil || len(ls.DeliveryStreamNames) != 2 || *ls.HasMoreDeliveryStreams {
		t.Fatalf("second page %+v %v", ls, err)
	}
}
