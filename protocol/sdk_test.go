package protocol_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/sigv4"
)

// Minimal Kinesis shapes for the test handlers.
type putRecordInput struct {
	StreamName   string `json:"StreamName,omitempty"`
	Data         []byte `json:"Data,omitempty"`
	PartitionKey string `json:"PartitionKey,omitempty"`
}

type putRecordOutput struct {
	SequenceNumber string `json:"SequenceNumber"`
	ShardId        string `json:"ShardId"`
}

type record struct {
	ApproximateArrivalTimestamp *protocol.Timestamp `json:"ApproximateArrivalTimestamp,omitempty"`
	Data                        []byte              `json:"Data"`
	PartitionKey                string              `json:"PartitionKey"`
	SequenceNumber              string              `json:"SequenceNumber"`
}

type getRecordsOutput struct {
	MillisBehindLatest int64    `json:"MillisBehindLatest"`
	NextShardIterator  string   `json:"NextShardIterator,omitempty"`
	Records            []record `json:"Records"`
}

// TestAWSSDKAgainstService drives a protocol.Service, authenticated by
// sigv4 with an auth root key, with the AWS SDK for Go v2's Kinesis client
// over real HTTP: answers, typed errors and authentication failures must
// come out of the SDK as they would from AWS.
func TestAWSSDKAgainstService(t *testing.T) {
	key, _, err := auth.LoadRoot(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	verifier := &sigv4.Verifier{Secret: key.Secret, Service: "kinesis"}
	arrival := time.UnixMilli(1700000000123).UTC()
	var gotData []byte
	var gotRegion string

	svc := &protocol.Service{
		TargetPrefix: "Kinesis_20131202",
		Log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		Auth: func(r *http.Request, body []byte) (protocol.Caller, error) {
			sum := sha256.Sum256(body)
			cred, err := verifier.Verify(r, hex.EncodeToString(sum[:]))
			if err != nil {
				var se *sigv4.Error
				if errors.As(err, &se) {
					return protocol.Caller{}, &protocol.Error{Code: se.Code, Status: se.Status, Message: se.Message}
				}
				return protocol.Caller{}, err
			}
			return protocol.Caller{AccessKeyID: cred.AccessKeyID, Region: cred.Region}, nil
		},
		Ops: map[string]protocol.Handler{
			"PutRecord": func(ctx context.Context, c *protocol.Call) (any, error) {
				var in putRecordInput
				if err := c.Decode(&in); err != nil {
					return nil, err
				}
				gotData, gotRegion = in.Data, c.Caller.Region
				return &putRecordOutput{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ShardId: "shardId-000000000000"}, nil
			},
			"GetRecords": func(ctx context.Context, c *protocol.Call) (any, error) {
				ts := protocol.NewTimestamp(arrival)
				return &getRecordsOutput{Records: []record{{ApproximateArrivalTimestamp: &ts, Data: []byte{0, 1, 2}, PartitionKey: "pk", SequenceNumber: "1"}}}, nil
			},
			"DescribeStream": func(ctx context.Context, c *protocol.Call) (any, error) {
				return nil, &protocol.Error{Code: "ResourceNotFoundException", Status: 400, Message: "Stream nope under account 000000000000 not found."}
			},
			"ListStreams": func(ctx context.Context, c *protocol.Call) (any, error) {
				return nil, errors.New("disk on fire")
			},
		},
	}
	srv := httptest.NewServer(svc)
	defer srv.Close()

	client := func(id, secret string) *kinesis.Client {
		return kinesis.New(kinesis.Options{
			Region:           "eu-central-1",
			BaseEndpoint:     aws.String(srv.URL),
			Credentials:      credentials.NewStaticCredentialsProvider(id, secret, ""),
			RetryMaxAttempts: 1,
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := client(key.AccessKeyID, key.SecretAccessKey)

	data := bytes.Repeat([]byte{0xff, 0x00, 'x'}, 1000)
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: data, PartitionKey: aws.String("k")})
	if err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	if aws.ToString(put.ShardId) != "shardId-000000000000" || !bytes.Equal(gotData, data) || gotRegion != "eu-central-1" {
		t.Errorf("PutRecord: shard %q, data round trip %v, region %q", aws.ToString(put.ShardId), bytes.Equal(gotData, data), gotRegion)
	}

	got, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("it")})
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	if len(got.Records) != 1 || !got.Records[0].ApproximateArrivalTimestamp.Equal(arrival) || !bytes.Equal(got.Records[0].Data, []byte{0, 1, 2}) {
		t.Errorf("GetRecords: %+v", got.Records)
	}

	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("nope")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || rnf.ErrorMessage() != "Stream nope under account 000000000000 not found." {
		t.Errorf("DescribeStream: %v, want a typed ResourceNotFoundException", err)
	}

	_, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if code := apiCode(err); code != "InternalFailure" {
		t.Errorf("ListStreams with an internal error: %v (code %q)", err, code)
	}

	for _, tc := range []struct{ id, secret, code string }{
		{key.AccessKeyID, "wrong" + key.SecretAccessKey, "InvalidSignatureException"},
		{"AKIAUNKNOWNKEY000000", key.SecretAccessKey, "UnrecognizedClientException"},
	} {
		_, err := client(tc.id, tc.secret).PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: []byte("x"), PartitionKey: aws.String("k")})
		if code := apiCode(err); code != tc.code {
			t.Errorf("key %s: %v (code %q), want %s", tc.id, err, code, tc.code)
		}
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
