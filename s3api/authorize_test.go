package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/policy"
)

const aliceARN = "arn:aws:iam::123456789012:user/alice"

type s3grant struct {
	action, resource string
	cond             string // a Condition block's JSON, or ""
}

// alice is an IAM user holding exactly grants (and, so the policy is
// never empty, an unrelated action).
func alice(t testing.TB, grants ...s3grant) *auth.Principal {
	t.Helper()
	st := []string{`{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}`}
	for _, g := range grants {
		s := fmt.Sprintf(`{"Effect":"Allow","Action":%q,"Resource":%q`, g.action, g.resource)
		if g.cond != "" {
			s += `,"Condition":` + g.cond
		}
		st = append(st, s+"}")
	}
	return principalWith(t, `{"Version":"2012-10-17","Statement":[`+strings.Join(st, ",")+`]}`)
}

func principalWith(t testing.TB, docs ...string) *auth.Principal {
	t.Helper()
	p := &auth.Principal{Account: "123456789012", UserName: "alice", UserID: "AIDAALICE", Path: "/",
		ARN: aliceARN, AccessKeyID: testAccessKey}
	for _, d := range docs {
		pol, err := policy.Parse([]byte(d))
		if err != nil {
			t.Fatalf("policy %s: %v", d, err)
		}
		p.Policies = append(p.Policies, pol)
	}
	return p
}

// authzEnv is an env whose key belongs to *who.
func authzEnv(t *testing.T) (*s3env, *atomic.Pointer[auth.Principal]) {
	var who atomic.Pointer[auth.Principal]
	who.Store(&auth.Principal{Root: true, Account: "123456789012", ARN: "arn:aws:iam::123456789012:root", AccessKeyID: testAccessKey})
	e := newS3Env(t, Config{Principal: func(id string) (*auth.Principal, bool) { return who.Load(), id == testAccessKey }})
	return e, &who
}

func s3Denied(g s3grant) string {
	msg := "User: " + aliceARN + " is not authorized to perform: " + g.action
	if g.resource != "*" {
		msg += ` on resource: "` + g.resource + `"`
	}
	return msg + " because no identity-based policy allows the " + g.action + " action"
}

// TestAuthorizeMapping pins the IAM action and resource of every served
// operation: holding none of the grants the call is refused for the first
// (403 AccessDenied with S3's detailed message), then for each in turn,
// and holding all of them it gets past authorization.
func TestAuthorizeMapping(t *testing.T) {
	e, who := authzEnv(t)
	e.mkBucket("bkt")
	e.put("bkt", "k", "data")
	const b, k = "arn:aws:s3:::bkt", "arn:aws:s3:::bkt/k"
	up := func() string {
		who.Store(&auth.Principal{Root: true, Account: "123456789012", AccessKeyID: testAccessKey})
		resp, body := e.do("POST", "/bkt/k?uploads", nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("CreateMultipartUpload: %d %s", resp.StatusCode, body)
		}
		_, id, _ := strings.Cut(string(body), "<UploadId>")
		id, _, _ = strings.Cut(id, "</UploadId>")
		return id
	}
	g := func(action, res string) s3grant { return s3grant{action: action, resource: res} }
	cases := []struct {
		op, method, target string
		hdr                map[string]string
		body               string
		want               []s3grant
	}{
		{"ListBuckets", "GET", "/", nil, "", []s3grant{g("s3:ListAllMyBuckets", "*")}},
		{"CreateBucket", "PUT", "/newb", nil, "", []s3grant{g("s3:CreateBucket", "arn:aws:s3:::newb")}},
		{"HeadBucket", "HEAD", "/bkt", nil, "", []s3grant{g("s3:ListBucket", b)}},
		{"DeleteBucket", "DELETE", "/gone", nil, "", []s3grant{g("s3:DeleteBucket", "arn:aws:s3:::gone")}},
		{"GetBucketLocation", "GET", "/bkt?location", nil, "", []s3grant{g("s3:GetBucketLocation", b)}},
		{"GetBucketVersioning", "GET", "/bkt?versioning", nil, "", []s3grant{g("s3:GetBucketVersioning", b)}},
		{"ListObjects", "GET", "/bkt?prefix=p/", nil, "", []s3grant{g("s3:ListBucket", b)}},
		{"ListObjectsV2", "GET", "/bkt?list-type=2", nil, "", []s3grant{g("s3:ListBucket", b)}},
		{"ListObjectVersions", "GET", "/bkt?versions", nil, "", []s3grant{g("s3:ListBucketVersions", b)}},
		{"ListMultipartUploads", "GET", "/bkt?uploads", nil, "", []s3grant{g("s3:ListBucketMultipartUploads", b)}},
		{"GetBucketAcl", "GET", "/bkt?acl", nil, "", []s3grant{g("s3:GetBucketAcl", b)}},
		{"GetBucket:cors", "GET", "/bkt?cors", nil, "", []s3grant{g("s3:GetBucketCORS", b)}},
		{"GetBucket:policy", "GET", "/bkt?policy", nil, "", []s3grant{g("s3:GetBucketPolicy", b)}},
		{"GetBucket:policyStatus", "GET", "/bkt?policyStatus", nil, "", []s3grant{g("s3:GetBucketPolicyStatus", b)}},
		{"GetBucket:lifecycle", "GET", "/bkt?lifecycle", nil, "", []s3grant{g("s3:GetLifecycleConfiguration", b)}},
		{"GetBucket:encryption", "GET", "/bkt?encryption", nil, "", []s3grant{g("s3:GetEncryptionConfiguration", b)}},
		{"PutBucket:encryption", "PUT", "/bkt?encryption", nil, `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`, []s3grant{g("s3:PutEncryptionConfiguration", b)}},
		{"DeleteBucket:encryption", "DELETE", "/bkt?encryption", nil, "", []s3grant{g("s3:PutEncryptionConfiguration", b)}},
		{"GetBucket:website", "GET", "/bkt?website", nil, "", []s3grant{g("s3:GetBucketWebsite", b)}},
		{"GetBucket:replication", "GET", "/bkt?replication", nil, "", []s3grant{g("s3:GetReplicationConfiguration", b)}},
		{"GetBucket:tagging", "GET", "/bkt?tagging", nil, "", []s3grant{g("s3:GetBucketTagging", b)}},
		{"GetBucket:object-lock", "GET", "/bkt?object-lock", nil, "", []s3grant{g("s3:GetBucketObjectLockConfiguration", b)}},
		{"GetBucket:publicAccessBlock", "GET", "/bkt?publicAccessBlock", nil, "", []s3grant{g("s3:GetBucketPublicAccessBlock", b)}},
		{"GetBucket:ownershipControls", "GET", "/bkt?ownershipControls", nil, "", []s3grant{g("s3:GetBucketOwnershipControls", b)}},
		{"GetBucket:logging", "GET", "/bkt?logging", nil, "", []s3grant{g("s3:GetBucketLogging", b)}},
		{"GetBucket:notification", "GET", "/bkt?notification", nil, "", []s3grant{g("s3:GetBucketNotification", b)}},
		{"GetBucket:accelerate", "GET", "/bkt?accelerate", nil, "", []s3grant{g("s3:GetAccelerateConfiguration", b)}},
		{"GetBucket:requestPayment", "GET", "/bkt?requestPayment", nil, "", []s3grant{g("s3:GetBucketRequestPayment", b)}},
		{"PutObject", "PUT", "/bkt/new", nil, "x", []s3grant{g("s3:PutObject", "arn:aws:s3:::bkt/new")}},
		{"PutObject", "PUT", "/bkt/new", map[string]string{"x-amz-tagging": "a=b"}, "x", []s3grant{g("s3:PutObject", "arn:aws:s3:::bkt/new"), g("s3:PutObjectTagging", "arn:aws:s3:::bkt/new")}},
		{"GetObject", "GET", "/bkt/k", nil, "", []s3grant{g("s3:GetObject", k)}},
		{"GetObject", "GET", "/bkt/k?versionId=null", nil, "", []s3grant{g("s3:GetObjectVersion", k)}},
		{"HeadObject", "HEAD", "/bkt/k", nil, "", []s3grant{g("s3:GetObject", k)}},
		{"DeleteObject", "DELETE", "/bkt/other", nil, "", []s3grant{g("s3:DeleteObject", "arn:aws:s3:::bkt/other")}},
		{"CopyObject", "PUT", "/bkt/copy", map[string]string{"x-amz-copy-source": "/src/s"}, "", []s3grant{g("s3:PutObject", "arn:aws:s3:::bkt/copy"), g("s3:GetObject", "arn:aws:s3:::src/s")}},
		{"GetObjectTagging", "GET", "/bkt/k?tagging", nil, "", []s3grant{g("s3:GetObjectTagging", k)}},
		{"PutObjectTagging", "PUT", "/bkt/k?tagging", nil, `<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`, []s3grant{g("s3:PutObjectTagging", k)}},
		{"DeleteObjectTagging", "DELETE", "/bkt/k?tagging", nil, "", []s3grant{g("s3:DeleteObjectTagging", k)}},
		{"CreateMultipartUpload", "POST", "/bkt/k?uploads", nil, "", []s3grant{g("s3:PutObject", k)}},
		{"UploadPart", "PUT", "/bkt/k?partNumber=1&uploadId=UPLOAD", nil, "part", []s3grant{g("s3:PutObject", k)}},
		{"UploadPartCopy", "PUT", "/bkt/k?partNumber=2&uploadId=UPLOAD", map[string]string{"x-amz-copy-source": "/src/s"}, "", []s3grant{g("s3:PutObject", k), g("s3:GetObject", "arn:aws:s3:::src/s")}},
		{"ListParts", "GET", "/bkt/k?uploadId=UPLOAD", nil, "", []s3grant{g("s3:ListMultipartUploadParts", k)}},
		{"CompleteMultipartUpload", "POST", "/bkt/k?uploadId=UPLOAD", nil, `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`, []s3grant{g("s3:PutObject", k)}},
		{"AbortMultipartUpload", "DELETE", "/bkt/k?uploadId=UPLOAD", nil, "", []s3grant{g("s3:AbortMultipartUpload", k)}},
	}
	e.mkBucket("src")
	e.put("src", "s", "source")
	id := up()
	covered := map[string]bool{"DeleteObjects": true} // TestAuthorizeDeleteObjects
	for _, tc := range cases {
		covered[tc.op] = true
		target := strings.ReplaceAll(tc.target, "UPLOAD", id)
		for i := 0; i <= len(tc.want); i++ {
			who.Store(alice(t, tc.want[:i]...))
			resp, body := e.do(tc.method, target, []byte(tc.body), tc.hdr)
			denied := resp.StatusCode == http.StatusForbidden
			if i < len(tc.want) {
				want := s3Denied(tc.want[i])
				if !denied || (tc.method != "HEAD" && (!strings.Contains(string(body), "<Code>AccessDenied</Code>") ||
					!strings.Contains(string(body), xmlEscape(want)))) {
					t.Errorf("%s %s %s holding %d grants: %d %s\nwant AccessDenied %q", tc.op, tc.method, target, i, resp.StatusCode, body, want)
				}
				continue
			}
			if denied {
				t.Errorf("%s %s %s holding every s3grant: %d %s", tc.op, tc.method, target, resp.StatusCode, body)
			}
		}
	}
	for op := range actions {
		if !covered[op] {
			t.Errorf("%s has no authorization case", op)
		}
	}
}

// TestAuthorizeFailsClosed: an operation that is served but has no entry
// in permissions is refused, even to the root key.
func TestAuthorizeFailsClosed(t *testing.T) {
	e, _ := authzEnv(t)
	e.mkBucket("bkt")
	saved := permissions["GetBucketLocation"]
	delete(permissions, "GetBucketLocation")
	defer func() { permissions["GetBucketLocation"] = saved }()
	resp, body := e.do("GET", "/bkt?location", nil, nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func xmlEscape(s string) string {
	return strings.NewReplacer(`"`, "&quot;", "<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(s)
}

// TestAuthorizeListConditions: s3:prefix, s3:delimiter and s3:max-keys
// reach the policy's conditions on ListBucket.
func TestAuthorizeListConditions(t *testing.T) {
	e, who := authzEnv(t)
	e.mkBucket("bkt")
	who.Store(alice(t, s3grant{"s3:ListBucket", "arn:aws:s3:::bkt", `{"StringLike":{"s3:prefix":["home/alice/*"]},"StringEqualsIfExists":{"s3:delimiter":"/"},"NumericLessThanEqualsIfExists":{"s3:max-keys":"100"}}`}))
	for _, c := range []struct {
		target string
		ok     bool
	}{
		{"/bkt?list-type=2&prefix=home/alice/x", true},
		{"/bkt?list-type=2&prefix=home/alice/&delimiter=/", true},
		{"/bkt?list-type=2&prefix=home/bob/", false},
		{"/bkt?list-type=2", false}, // s3:prefix is "" then
		{"/bkt?list-type=2&prefix=home/alice/&delimiter=-", false},
		{"/bkt?list-type=2&prefix=home/alice/&max-keys=1000", false},
		{"/bkt?list-type=2&prefix=home/alice/&max-keys=10", true},
		{"/bkt?prefix=home/alice/a", true},
	} {
		resp, body := e.do("GET", c.target, nil, nil)
		if (resp.StatusCode == 200) != c.ok {
			t.Errorf("%s: %d %s (want allowed=%v)", c.target, resp.StatusCode, body, c.ok)
		}
	}
}

// TestAuthorizeDeleteObjects: each key of a DeleteObjects is authorized
// alone; refused keys are reported AccessDenied and stay.
func TestAuthorizeDeleteObjects(t *testing.T) {
	e, who := authzEnv(t)
	e.mkBucket("bkt")
	e.put("bkt", "tmp/a", "1")
	e.put("bkt", "keep/b", "2")
	who.Store(alice(t, s3grant{action: "s3:DeleteObject", resource: "arn:aws:s3:::bkt/tmp/*"}))
	body := []byte(`<Delete><Object><Key>tmp/a</Key></Object><Object><Key>keep/b</Key></Object></Delete>`)
	resp, out := e.do("POST", "/bkt?delete", body, map[string]string{"Content-MD5": md5b64(body)})
	if resp.StatusCode != 200 || !strings.Contains(string(out), "<Deleted><Key>tmp/a</Key></Deleted>") ||
		!strings.Contains(string(out), "<Key>keep/b</Key><Code>AccessDenied</Code>") {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	if _, err := e.lake.HeadObject("bkt", "keep/b"); err != nil {
		t.Errorf("refused key deleted: %v", err)
	}
	if _, err := e.lake.HeadObject("bkt", "tmp/a"); err == nil {
		t.Error("allowed key not deleted")
	}
}

// TestAuthorizeDeniedChangesNothing: refused writes leave the lake as it
// was; an explicit Deny beats s3:*.
func TestAuthorizeDeniedChangesNothing(t *testing.T) {
	e, who := authzEnv(t)
	e.mkBucket("bkt")
	e.put("bkt", "k", "original")
	who.Store(principalWith(t, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Effect":"Deny","Action":["s3:PutObject","s3:DeleteObject","s3:DeleteBucket","s3:CreateBucket"],"Resource":"*"}]}`))
	for _, c := range []struct{ method, target, body string }{
		{"PUT", "/bkt/k", "changed"},
		{"DELETE", "/bkt/k", ""},
		{"DELETE", "/bkt", ""},
		{"PUT", "/newb", ""},
		{"POST", "/bkt/k?uploads", ""},
	} {
		resp, out := e.do(c.method, c.target, []byte(c.body), nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(out), "with an explicit deny in an identity-based policy") {
			t.Errorf("%s %s: %d %s", c.method, c.target, resp.StatusCode, out)
		}
	}
	resp, out := e.do("GET", "/bkt/k", nil, nil)
	if resp.StatusCode != 200 || string(out) != "original" {
		t.Errorf("GET after refused writes: %d %q", resp.StatusCode, out)
	}
	if _, err := e.lake.HeadBucket("newb"); err == nil {
		t.Error("refused CreateBucket created the bucket")
	}
}

func md5b64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}
