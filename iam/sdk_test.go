package iam

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/caudal/caudal/audit"
	"github.com/caudal/caudal/auth"
)

const testAccount = "123456789012"

var rootKey = auth.Key{AccessKeyID: "AKIAROOTROOTROOTROOT", SecretAccessKey: "root/secret+key"}

type harness struct {
	store *auth.Store
	url   string
	root  *iam.Client
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	store, err := auth.OpenStore(auth.StoreConfig{Dir: t.TempDir(), Account: testAccount, Root: rootKey, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(New(Config{Store: store}))
	t.Cleanup(srv.Close)
	h := &harness{store: store, url: srv.URL}
	h.root = h.client(rootKey.AccessKeyID, rootKey.SecretAccessKey)
	return h
}

func (h *harness) client(id, secret string) *iam.Client {
	return iam.New(iam.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(h.url),
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, ""),
		RetryMaxAttempts: 1,
	})
}

func apiError(t *testing.T, err error, code string, status int) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("error %v, want %s", err, code)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Errorf("%s: status %d, want %d", code, re.HTTPStatusCode(), status)
	}
	return ae.ErrorMessage()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSDKUsers(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	out, err := h.root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/")})
	if err != nil {
		t.Fatal(err)
	}
	u := out.User
	if *u.UserName != "alice" || *u.Path != "/eng/" || *u.Arn != "arn:aws:iam::123456789012:user/eng/alice" ||
		!strings.HasPrefix(*u.UserId, "AIDA") || time.Since(*u.CreateDate) > time.Minute {
		t.Errorf("user %+v", u)
	}
	_, err = h.root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	if msg := apiError(t, err, "EntityAlreadyExists", 409); msg != "User with name ALICE already exists." {
		t.Errorf("message %q", msg)
	}
	_, err = h.root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name")})
	if msg := apiError(t, err, "ValidationError", 400); msg != `1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+` {
		t.Errorf("message %q", msg)
	}
	_, err = h.root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("a", 65))})
	apiError(t, err, "ValidationError", 400)
	_, err = h.root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	if msg := apiError(t, err, "NoSuchEntity", 404); msg != "The user with name nobody cannot be found." {
		t.Errorf("message %q", msg)
	}
	got, err := h.root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alice")})
	if err != nil || *got.User.Arn != *u.Arn {
		t.Fatalf("GetUser %v %v", got, err)
	}
	me, err := h.root.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || *me.User.Arn != "arn:aws:iam::123456789012:root" || *me.User.UserId != testAccount || time.Since(*me.User.CreateDate) > time.Minute {
		t.Fatalf("GetUser (root) %+v %v", me, err)
	}

	for _, n := range []string{"bob", "carol", "dave", "erin"} {
		if _, err := h.root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var marker *string
	pages := 0
	for {
		page, err := h.root.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range page.Users {
			names = append(names, *u.UserName)
		}
		if !page.IsTruncated {
			break
		}
		marker = page.Marker
	}
	if strings.Join(names, ",") != "alice,bob,carol,dave,erin" || pages != 3 {
		t.Errorf("ListUsers pages %d: %v", pages, names)
	}
	eng, err := h.root.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/eng")})
	if err != nil || len(eng.Users) != 1 {
		t.Errorf("PathPrefix /eng: %v %v", eng, err)
	}
	_, err = h.root.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(0)})
	apiError(t, err, "ValidationError", 400)

	if _, err := h.root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")})
	apiError(t, err, "NoSuchEntity", 404)
}

func TestSDKAccessKeys(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	h.root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("svc")})
	k1, err := h.root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("svc")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(*k1.AccessKey.AccessKeyId, "AKIA") || len(*k1.AccessKey.SecretAccessKey) != 40 || k1.AccessKey.Status != types.StatusTypeActive {
		t.Errorf("key %+v", k1.AccessKey)
	}
	// The new key signs: the user calls GetUser on itself, which its
	// (empty) policies do not allow.
	user := h.client(*k1.AccessKey.AccessKeyId, *k1.AccessKey.SecretAccessKey)
	_, err = user.GetUser(ctx, &iam.GetUserInput{})
	if msg := apiError(t, err, "AccessDenied", 403); !strings.Contains(msg, "arn:aws:iam::123456789012:user/svc is not authorized to perform: iam:GetUser") {
		t.Errorf("message %q", msg)
	}
	if _, err := h.root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("svc"), PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:*AccessKey*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}); err != nil {
		t.Fatal(err)
	}
	me, err := user.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || *me.User.UserName != "svc" {
		t.Fatalf("GetUser as svc: %v %v", me, err)
	}
	// Rotation by the user itself: a second key, the old one disabled,
	// then deleted.
	k2, err := user.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("svc")})
	if msg := apiError(t, err, "LimitExceeded", 409); msg != "Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Errorf("message %q", msg)
	}
	user2 := h.client(*k2.AccessKey.AccessKeyId, *k2.AccessKey.SecretAccessKey)
	if _, err := user2.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: k1.AccessKey.AccessKeyId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = user.GetUser(ctx, &iam.GetUserInput{})
	apiError(t, err, "InvalidClientTokenId", 403)
	list, err := h.root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("svc")})
	if err != nil || len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys %v %v", list, err)
	}
	status := map[string]types.StatusType{}
	for _, m := range list.AccessKeyMetadata {
		status[*m.AccessKeyId] = m.Status
	}
	if status[*k1.AccessKey.AccessKeyId] != types.StatusTypeInactive || status[*k2.AccessKey.AccessKeyId] != types.StatusTypeActive {
		t.Errorf("statuses %v", status)
	}
	_, err = h.root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("svc")})
	if msg := apiError(t, err, "DeleteConflict", 409); msg != "Cannot delete entity, must delete access keys first." {
		t.Errorf("message %q", msg)
	}
	if _, err := user2.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: k1.AccessKey.AccessKeyId}); err != nil {
		t.Fatal(err)
	}
	_, err = user2.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: k1.AccessKey.AccessKeyId})
	apiError(t, err, "NoSuchEntity", 404)
	lu, err := h.root.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k2.AccessKey.AccessKeyId})
	if err != nil || *lu.UserName != "svc" || *lu.AccessKeyLastUsed.ServiceName != "iam" || *lu.AccessKeyLastUsed.Region != "us-east-1" ||
		lu.AccessKeyLastUsed.LastUsedDate == nil || time.Since(*lu.AccessKeyLastUsed.LastUsedDate) > 2*time.Minute {
		t.Errorf("GetAccessKeyLastUsed %+v %v", lu, err)
	}
	_, err = h.root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("svc"), AccessKeyId: aws.String("short"), Status: types.StatusTypeActive})
	apiError(t, err, "ValidationError", 400)
	_, err = h.root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	apiError(t, err, "InvalidInput", 400)
}

func TestSDKUserPolicies(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t)
	h.root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("pol")})
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a+b c%"}]}`
	if _, err := h.root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pol"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	got, err := h.root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("pol"), PolicyName: aws.String("read")})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := url.QueryUnescape(*got.PolicyDocument)
	if err != nil || dec != doc || strings.Contains(*got.PolicyDocument, "+") {
		t.Errorf("PolicyDocument %q decodes to %q (%v), want %q", *got.PolicyDocument, dec, err, doc)
	}
	_, err = h.root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pol"), PolicyName: aws.String("bad"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`)})
	if msg := apiError(t, err, "MalformedPolicyDocument", 400); msg != "Policy statement must contain resources." {
		t.Errorf("message %q", msg)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("x", 2100) + `"}]}`
	_, err = h.root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pol"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	apiError(t, err, "LimitExceeded", 409)
	_, err = h.root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ghost"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	apiError(t, err, "NoSuchEntity", 404)
	h.root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pol"), PolicyName: aws.String("also"), PolicyDocument: aws.String(doc)})
	names, err := h.root.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("pol")})
	if err != nil || strings.Join(names.PolicyNames, ",") != "also,read" {
		t.Errorf("ListUserPolicies %v %v", names, err)
	}
	_, err = h.root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("pol")})
	apiError(t, err, "DeleteConflict", 409)
	for _, n := range []string{"also", "read"} {
		if _, err := h.root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("pol"), PolicyName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = h.root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("pol"), PolicyName: aws.String("read")})
	if msg := apiError(t, err, "NoSuchEntity", 404); msg != "The user policy with name read cannot be found." {
		t.Errorf("message %q", msg)
	}
	if _, err := h.root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("pol")}); err != nil {
		t.Fatal(err)
	}
}

// Raw requests: what SDKs never send.
func TestRawRequests(t *testing.T) {
	h := newHarness(t)
	post := func(body string) (int, string) {
		resp, err := http.Post(h.url, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}
	status, body := post("Action=ListUsers&Version=2010-05-08")
	if status != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") || !strings.Contains(body, "<Type>Sender</Type>") {
		t.Errorf("unsigned: %d %s", status, body)
	}
	status, body = post(strings.Repeat("A", maxBody+10))
	if status != 413 {
		t.Errorf("oversized: %d %s", status, body)
	}
	// Past authentication (asPrincipal), the parameters' checks.
	root, _ := h.store.Principal(rootKey.AccessKeyID)
	srv := httptest.NewServer(&Handler{cfg: Config{Store: h.store, Now: time.Now}, asPrincipal: root})
	defer srv.Close()
	h.url = srv.URL
	for _, c := range []struct{ body, code string }{
		{"Version=2010-05-08", "MissingAction"},
		{"Action=CreateRole&Version=2010-05-08", "InvalidAction"},
		{"Action=ListUsers&Version=2099-01-01", "InvalidAction"},
		{"Action=CreateUser&Version=2010-05-08", "ValidationError"},
		{"Action=UpdateAccessKey&Version=2010-05-08&UserName=x&AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=Gone", "ValidationError"},
		{"Action=ListUsers&Version=2010-05-08&MaxItems=abc", "ValidationError"},
		{"Action=ListUsers&Version=2010-05-08&Marker=%%%", "MalformedQueryString"},
		{"Action=ListUsers&Version=2010-05-08&Marker=!!notbase64", "InvalidInput"},
		{"Action=CreateUser&Version=2010-05-08&UserName=t&Tags.member.1.Key=k&Tags.member.1.Value=v", "InvalidInput"},
	} {
		_, body := post(c.body)
		if !strings.Contains(body, "<Code>"+c.code+"</Code>") {
			t.Errorf("%s: %s, want %s", c.body, body, c.code)
		}
	}
	status, body = post("Action=CreateUser&Version=2010-05-08&UserName=raw")
	if status != 200 || !strings.Contains(body, `<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateUserResult><User><Path>/</Path><UserName>raw</UserName>`) ||
		!strings.Contains(body, "<ResponseMetadata><RequestId>") {
		t.Errorf("CreateUser: %d %s", status, body)
	}
	status, body = post("Action=DeleteUser&Version=2010-05-08&UserName=raw")
	if status != 200 || !strings.HasSuffix(body, "</RequestId></ResponseMetadata></DeleteUserResponse>") {
		t.Errorf("DeleteUser: %d %s", status, body)
	}
}

// The audit event a request carries learns the operation, the caller and
// the error.
func TestAuditEvent(t *testing.T) {
	h := newHarness(t)
	root, _ := h.store.Principal(rootKey.AccessKeyID)
	handler := &Handler{cfg: Config{Store: h.store, Now: time.Now}, asPrincipal: root}
	for _, c := range []struct{ body, code string }{
		{"Action=CreateUser&UserName=audited", ""},
		{"Action=GetUser&UserName=ghost", "NoSuchEntity"},
	} {
		ev := &audit.Event{}
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r = r.WithContext(audit.WithEvent(r.Context(), ev))
		handler.ServeHTTP(httptest.NewRecorder(), r)
		action, _, _ := strings.Cut(strings.TrimPrefix(c.body, "Action="), "&")
		if ev.EventSource != "iam.amazonaws.com" || ev.EventName != action || ev.UserIdentity.Type != "Root" ||
			ev.UserIdentity.ARN != "arn:aws:iam::123456789012:root" || ev.ErrorCode != c.code {
			t.Errorf("%s: event %+v", c.body, ev)
		}
	}
}
