package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// TestFirehoseServedAndDeliveryMetrics: the server routes Firehose calls
// (SigV4-signed with the root key) to the delivery engine, and
// /_caudal/delivery reports the delivery stream's counters.
func TestFirehoseServedAndDeliveryMetrics(t *testing.T) {
	s := startTest(t, Config{})
	if err := s.lake.CreateBucket("dest", ""); err != nil {
		t.Fatal(err)
	}
	k := s.Key()
	fc := firehose.New(firehose.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider(k.AccessKeyID, k.SecretAccessKey, ""),
	})
	ctx := context.Background()
	_, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("m"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::dest"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("m"), Record: &types.Record{Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL() + "/_caudal/delivery")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		DeliveryStreams []struct {
			DeliveryStreamName string
			PendingRecords     int64
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	if len(body.DeliveryStreams) != 1 || body.DeliveryStreams[0].DeliveryStreamName != "m" || body.DeliveryStreams[0].PendingRecords != 1 {
		t.Fatalf("metrics %+v", body)
	}
}
