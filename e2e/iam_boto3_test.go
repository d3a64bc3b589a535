package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// IAMClient is a Go SDK IAM client for this server, signed with id/secret
// (the root key when id is empty).
func (s *Server) IAMClient(id, secret string) *iam.Client {
	if id == "" {
		id, secret = s.AccessKeyID, s.SecretAccessKey
	}
	return iam.New(iam.Options{
		BaseEndpoint:     aws.String(s.Endpoint()),
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       s.sdkHTTPClient(),
	})
}

// TestE2EIAMBoto3 drives the IAM API and key rotation with both boto3
// generations (scripts/iam_api.py), then checks from the Go SDK that the
// script's user and keys are gone.
func TestE2EIAMBoto3(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "iam_api.py")
		checkVersion(t, g, res)
		user := resStr(t, res, "user")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := s.IAMClient("", "").GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)})
		var nse *types.NoSuchEntityException
		if !errors.As(err, &nse) {
			t.Errorf("user %s after the script: %v, want NoSuchEntity", user, err)
		}
	})
}

// TestE2EIAMKeysSurviveRestart: users, keys (with their status) and
// policies are on disk; after kill -9 an active key still signs and a
// disabled one is still refused.
func TestE2EIAMKeysSurviveRestart(t *testing.T) {
	s := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root := s.IAMClient("", "")
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("durable")}); err != nil {
		t.Fatal(err)
	}
	k1, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	k2, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("durable"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("durable"), AccessKeyId: k1.AccessKey.AccessKeyId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	s.Restart()

	kc := func(k *types.AccessKey) *kinesis.Client {
		return kinesis.New(kinesis.Options{
			BaseEndpoint: aws.String(s.Endpoint()), Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: s.sdkHTTPClient(),
			Credentials: credentials.NewStaticCredentialsProvider(*k.AccessKeyId, *k.SecretAccessKey, ""),
		})
	}
	if _, err := kc(k2.AccessKey).ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Errorf("active key after kill -9: %v", err)
	}
	_, err = kc(k1.AccessKey).ListStreams(ctx, &kinesis.ListStreamsInput{})
	if code := apiCode(err); code != "UnrecognizedClientException" {
		t.Errorf("disabled key after kill -9: %v, want UnrecognizedClientException", err)
	}
	sc := s3.New(s3.Options{
		BaseEndpoint: aws.String(s.Endpoint()), Region: "us-east-1", UsePathStyle: true, RetryMaxAttempts: 1, HTTPClient: s.sdkHTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(*k1.AccessKey.AccessKeyId, *k1.AccessKey.SecretAccessKey, ""),
	})
	_, err = sc.ListBuckets(ctx, &s3.ListBucketsInput{})
	if code := apiCode(err); code != "InvalidAccessKeyId" {
		t.Errorf("disabled key on S3 after kill -9: %v, want InvalidAccessKeyId", err)
	}
	pol, err := root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("durable"), PolicyName: aws.String("all")})
	if err != nil || !strings.Contains(*pol.PolicyDocument, "Allow") {
		t.Errorf("policy after kill -9: %v %v", pol, err)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
