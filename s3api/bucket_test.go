package s3api

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// apiCode is the S3 error code and HTTP status of an SDK error.
func apiCode(t *testing.T, err error) (string, int) {
	t.Helper()
	if err == nil {
		t.Fatal("call succeeded, want an S3 error")
	}
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || !errors.As(err, &re) {
		t.Fatalf("not an S3 API error: %v", err)
	}
	return ae.ErrorCode(), re.HTTPStatusCode()
}

func TestSDKBucketLifecycle(t *testing.T) {
	e := newS3Env(t, Config{})
	ctx := ctxT(t)
	c := e.client

	out, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha"), ACL: types.BucketCannedACLPrivate})
	if err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if aws.ToString(out.Location) != "/alpha" {
		t.Errorf("Location %q, want /alpha", aws.ToString(out.Location))
	}
	// us-east-1: creating a bucket you own again succeeds.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Errorf("CreateBucket again in us-east-1: %v, want success", err)
	}
	// Another region's endpoint, with a constraint: the bucket lives there.
	eu := e.clientFor("eu-west-1")
	if _, err := eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("beta"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatalf("CreateBucket eu-west-1: %v", err)
	}
	_, err = eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("beta"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	var owned *types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Errorf("CreateBucket again in eu-west-1: %v, want BucketAlreadyOwnedByYou", err)
	}
	if code, status := apiCode(t, err); status != 409 {
		t.Errorf("%s status %d, want 409", code, status)
	}

	for name, want := range map[string]types.BucketLocationConstraint{"alpha": "", "beta": "eu-west-1"} {
		loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
		if err != nil {
			t.Fatalf("GetBucketLocation %s: %v", name, err)
		}
		if loc.LocationConstraint != want {
			t.Errorf("GetBucketLocation %s = %q, want %q", name, loc.LocationConstraint, want)
		}
		hb, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
		if err != nil {
			t.Fatalf("HeadBucket %s: %v", name, err)
		}
		region := string(want)
		if region == "" {
			region = "us-east-1"
		}
		if aws.ToString(hb.BucketRegion) != region {
			t.Errorf("HeadBucket %s region %q, want %q", name, aws.ToString(hb.BucketRegion), region)
		}
	}

	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	var names []string
	for _, b := range lb.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || b.CreationDate.IsZero() {
			t.Errorf("bucket %s without CreationDate", aws.ToString(b.Name))
		}
	}
	if strings.Join(names, ",") != "alpha,beta" {
		t.Errorf("ListBuckets = %v, want [alpha beta]", names)
	}
	if lb.Owner == nil || len(aws.ToString(lb.Owner.ID)) != 64 {
		t.Errorf("ListBuckets owner %+v, want a 64-hex canonical id", lb.Owner)
	}

	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("alpha")})
	if err != nil || v.Status != "" {
		t.Errorf("GetBucketVersioning = %+v, %v; want unversioned (no status)", v, err)
	}

	e.put("alpha", "k", "v")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	if code, status := apiCode(t, err); code != "BucketNotEmpty" || status != 409 {
		t.Errorf("DeleteBucket non-empty = %s %d, want BucketNotEmpty 409", code, status)
	}
	if err := e.lake.DeleteObject("alpha", "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadBucket deleted = %v, want NotFound", err)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	if code, status := apiCode(t, err); code != "NoSuchBucket" || status != 404 {
		t.Errorf("DeleteBucket missing = %s %d, want NoSuchBucket 404", code, status)
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	if code, status := apiCode(t, err); code != "InvalidBucketName" || status != 400 {
		t.Errorf("CreateBucket Bad_Name = %s %d, want InvalidBucketName 400", code, status)
	}
	_, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("nope-nope")})
	if code, status := apiCode(t, err); code != "NoSuchBucket" || status != 404 {
		t.Errorf("GetBucketLocation missing = %s %d, want NoSuchBucket 404", code, status)
	}
}

func TestListBucketsPaging(t *testing.T) {
	e := newS3Env(t, Config{})
	ctx := ctxT(t)
	var want []string
	for _, n := range []string{"logs-a", "logs-b", "logs-c", "data-1", "data-2"} {
		e.mkBucket(n)
		if strings.HasPrefix(n, "logs-") {
			want = append(want, n)
		}
	}
	var got []string
	p := s3.NewListBucketsPaginator(e.client, &s3.ListBucketsInput{MaxBuckets: aws.Int32(2), Prefix: aws.String("logs-")})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListBuckets page: %v", err)
		}
		pages++
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
	}
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") || pages != 2 {
		t.Errorf("paged ListBuckets = %v in %d pages, want %v in 2", got, pages, want)
	}
	resp, body := e.do("GET", "/?max-buckets=x", nil, nil)
	wantError(t, resp, body, 400, "InvalidArgument")
}

func TestCreateBucketBodies(t *testing.T) {
	e := newS3Env(t, Config{})
	cases := []struct {
		name, body string
		status     int
		code       string
	}{
		{"empty-body", "", 200, ""},
		{"constraint", `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>ap-south-1</LocationConstraint></CreateBucketConfiguration>`, 200, ""},
		{"no-namespace", `<CreateBucketConfiguration><LocationConstraint>EU</LocationConstraint></CreateBucketConfiguration>`, 200, ""},
		{"malformed", `<CreateBucketConfiguration><LocationConstraint>`, 400, "MalformedXML"},
		{"wrong-root", `<Delete><Object><Key>a</Key></Object></Delete>`, 400, "MalformedXML"},
		{"bad-region", `<CreateBucketConfiguration><LocationConstraint>Mars Base</LocationConstraint></CreateBucketConfiguration>`, 400, "InvalidLocationConstraint"},
		{"too-big", "<CreateBucketConfiguration>" + strings.Repeat(" ", maxXMLBody) + "</CreateBucketConfiguration>", 400, "MaxMessageLengthExceeded"},
	}
	for _, c := range cases {
		resp, body := e.do("PUT", "/b-"+c.name, []byte(c.body), map[string]string{"x-amz-acl": "public-read"})
		if c.code == "" {
			if resp.StatusCode != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, body, c.status)
			}
			continue
		}
		wantError(t, resp, body, c.status, c.code)
	}
	b, err := e.lake.HeadBucket("b-no-namespace")
	if err != nil || b.Region != "eu-west-1" {
		t.Errorf("bucket created with EU: %+v %v, want region eu-west-1", b, err)
	}
}

func TestHeadBucketMissingHasNoBody(t *testing.T) {
	e := newS3Env(t, Config{})
	resp, body := e.do("HEAD", "/missing-bucket", nil, nil)
	if resp.StatusCode != http.StatusNotFound || len(body) != 0 {
		t.Errorf("HEAD missing bucket = %d with %d body bytes, want 404 and none", resp.StatusCode, len(body))
	}
	if resp.Header.Get("X-Amz-Request-Id") == "" || resp.Header.Get("X-Amz-Id-2") == "" {
		t.Errorf("HEAD error without request id headers: %v", resp.Header)
	}
}

// TestAbsentBucketConfigurations: the configurations caudal does not
// model read as S3 reads them on a bucket without them.
func TestAbsentBucketConfigurations(t *testing.T) {
	e := newS3Env(t, Config{})
	ctx := ctxT(t)
	c := e.client
	e.mkBucket("configs")
	b := aws.String("configs")

	acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})
	if err != nil || len(acl.Grants) != 1 || acl.Grants[0].Permission != types.PermissionFullControl ||
		acl.Grants[0].Grantee.Type != types.TypeCanonicalUser || aws.ToString(acl.Grants[0].Grantee.ID) != aws.ToString(acl.Owner.ID) {
		t.Errorf("GetBucketAcl = %+v, %v", acl, err)
	}
	checks := []struct {
		code string
		call func() error
	}{
		{"NoSuchCORSConfiguration", func() error { _, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); return err }},
		{"NoSuchBucketPolicy", func() error { _, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}); return err }},
		{"NoSuchLifecycleConfiguration", func() error {
			_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
			return err
		}},
		{"ServerSideEncryptionConfigurationNotFoundError", func() error {
			_, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
			return err
		}},
		{"NoSuchTagSet", func() error { _, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b}); return err }},
		{"NoSuchWebsiteConfiguration", func() error { _, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: b}); return err }},
		{"NoSuchBucket", func() error {
			_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("no-such-bucket")})
			return err
		}},
	}
	for _, ch := range checks {
		code, status := apiCode(t, ch.call())
		if code != ch.code || status != 404 {
			t.Errorf("got %s %d, want %s 404", code, status, ch.code)
		}
	}
	if _, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b}); err != nil {
		t.Errorf("GetBucketLogging: %v", err)
	}
	if rp, err := c.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: b}); err != nil || rp.Payer != types.PayerBucketOwner {
		t.Errorf("GetBucketRequestPayment = %+v, %v", rp, err)
	}
	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"*"}}}}})
	if code, status := apiCode(t, err); code != "NotImplemented" || status != 501 {
		t.Errorf("PutBucketCors = %s %d, want NotImplemented 501", code, status)
	}
}
