package kms

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/policy"
	"github.com/caudal/caudal/protocol"
)

type env struct {
	t   testing.TB
	svc *protocol.Service
	sub *auth.Subject
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ks, err := keystore.Open(keystore.Config{Dir: t.TempDir(), MasterKey: bytes.Repeat([]byte{2}, 32), ConfigDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, svc: New(ks), sub: &auth.Subject{Principal: &auth.Principal{Root: true, Account: "000000000000"}}}
}

// call posts body to op and returns the status and decoded answer.
func (e *env) call(op, body string) (int, map[string]any) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", TargetPrefix+"."+op)
	r = r.WithContext(protocol.WithCaller(r.Context(), protocol.Caller{AccessKeyID: "AKID", Region: "us-east-1", Subject: e.sub}))
	w := httptest.NewRecorder()
	e.svc.ServeHTTP(w, r)
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

func (e *env) ok(op, body string) map[string]any {
	e.t.Helper()
	code, out := e.call(op, body)
	if code != 200 {
		e.t.Fatalf("%s %s: %d %v", op, body, code, out)
	}
	return out
}

func (e *env) fails(op, body string, status int, typ string) {
	e.t.Helper()
	code, out := e.call(op, body)
	if code != status || !strings.HasSuffix(out["__type"].(string), typ) {
		e.t.Errorf("%s %s: %d %v, want %d %s", op, body, code, out, status, typ)
	}
}

func TestKMSRoundTrip(t *testing.T) {
	e := newEnv(t)
	md := e.ok("CreateKey", `{"Description":"test key"}`)["KeyMetadata"].(map[string]any)
	id, arn := md["KeyId"].(string), md["Arn"].(string)
	if md["KeyState"] != "Enabled" || md["Description"] != "test key" || !strings.HasSuffix(arn, ":key/"+id) {
		t.Fatalf("CreateKey: %v", md)
	}
	pt := base64.StdEncoding.EncodeToString([]byte("hello kms"))
	enc := e.ok("Encrypt", `{"KeyId":"`+id+`","Plaintext":"`+pt+`","EncryptionContext":{"a":"b"}}`)
	blob := enc["CiphertextBlob"].(string)
	if enc["KeyId"] != arn {
		t.Errorf("Encrypt KeyId %v", enc["KeyId"])
	}
	dec := e.ok("Decrypt", `{"CiphertextBlob":"`+blob+`","EncryptionContext":{"a":"b"}}`)
	if dec["Plaintext"] != pt || dec["KeyId"] != arn {
		t.Fatalf("Decrypt: %v", dec)
	}
	e.fails("Decrypt", `{"CiphertextBlob":"`+blob+`"}`, 400, "InvalidCiphertextException")
	e.fails("Decrypt", `{"CiphertextBlob":"AAAA"}`, 400, "InvalidCiphertextException")
	gdk := e.ok("GenerateDataKey", `{"KeyId":"`+arn+`","KeySpec":"AES_256"}`)
	raw, _ := base64.StdEncoding.DecodeString(gdk["Plaintext"].(string))
	if len(raw) != 32 {
		t.Fatalf("data key of %d bytes", len(raw))
	}
	back := e.ok("Decrypt", `{"CiphertextBlob":"`+gdk["CiphertextBlob"].(string)+`","KeyId":"`+id+`"}`)
	if back["Plaintext"] != gdk["Plaintext"] {
		t.Fatal("data key does not decrypt to itself")
	}
	if out := e.ok("GenerateDataKeyWithoutPlaintext", `{"KeyId":"`+id+`","NumberOfBytes":16}`); out["Plaintext"] != nil {
		t.Fatal("WithoutPlaintext returned plaintext")
	}
	e.ok("CreateAlias", `{"AliasName":"alias/mine","TargetKeyId":"`+id+`"}`)
	e.fails("CreateAlias", `{"AliasName":"alias/mine","TargetKeyId":"`+id+`"}`, 400, "AlreadyExistsException")
	if d := e.ok("DescribeKey", `{"KeyId":"alias/mine"}`)["KeyMetadata"].(map[string]any); d["KeyId"] != id {
		t.Fatalf("DescribeKey alias: %v", d)
	}
	keys := e.ok("ListKeys", `{}`)["Keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("ListKeys %v", keys)
	}
	e.ok("DescribeKey", `{"KeyId":"alias/aws/s3"}`)
	if a := e.ok("ListAliases", `{}`)["Aliases"].([]any); len(a) != 2 {
		t.Fatalf("ListAliases %v", a)
	}
	if p := e.ok("ListKeys", `{"Limit":1}`); p["Truncated"] != true || p["NextMarker"] == nil {
		t.Fatalf("ListKeys page %v", p)
	}
	e.ok("DisableKey", `{"KeyId":"`+id+`"}`)
	e.fails("Encrypt", `{"KeyId":"`+id+`","Plaintext":"`+pt+`"}`, 400, "DisabledException")
	e.fails("Decrypt", `{"CiphertextBlob":"`+blob+`","EncryptionContext":{"a":"b"}}`, 400, "DisabledException")
	e.ok("EnableKey", `{"KeyId":"`+id+`"}`)
	e.fails("DescribeKey", `{"KeyId":"alias/none"}`, 400, "NotFoundException")
	e.fails("DescribeKey", `{}`, 400, "ValidationException")
	e.fails("Encrypt", `{"KeyId":"`+id+`"}`, 400, "ValidationException")
	e.fails("Encrypt", `{"KeyId":"`+id+`","Plaintext":"`+base64.StdEncoding.EncodeToString(make([]byte, 4097))+`"}`, 400, "ValidationException")
	e.fails("GenerateDataKey", `{"KeyId":"`+id+`"}`, 400, "ValidationException")
	e.fails("GenerateDataKey", `{"KeyId":"`+id+`","NumberOfBytes":2000}`, 400, "ValidationException")
	e.fails("CreateKey", `{"KeySpec":"RSA_2048"}`, 400, "UnsupportedOperationException")
	e.fails("ListKeys", `{"Limit":0}`, 400, "ValidationException")
	e.fails("ListKeys", `{"Marker":"zz"}`, 400, "InvalidMarkerException")
}

func TestKMSAuthorization(t *testing.T) {
	e := newEnv(t)
	md := e.ok("CreateKey", `{}`)["KeyMetadata"].(map[string]any)
	id, arn := md["KeyId"].(string), md["Arn"].(string)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"` + arn + `"}]}`
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	e.sub = &auth.Subject{Principal: &auth.Principal{Account: "000000000000", UserName: "u", ARN: "arn:aws:iam::000000000000:user/u", Policies: []*policy.Policy{p}}}
	e.ok("Encrypt", `{"KeyId":"`+id+`","Plaintext":"aGk="}`)
	e.fails("DescribeKey", `{"KeyId":"`+id+`"}`, http.StatusBadRequest, "AccessDeniedException")
	e.fails("CreateKey", `{}`, http.StatusBadRequest, "AccessDeniedException")
	e.fails("ListKeys", `{}`, http.StatusBadRequest, "AccessDeniedException")
	// An unknown key is not revealed to a caller who may not ask.
	e.fails("DescribeKey", `{"KeyId":"alias/none"}`, http.StatusBadRequest, "AccessDeniedException")
}

// FuzzRequestBodies: no body makes an operation panic or answer 500.
func FuzzRequestBodies(f *testing.F) {
	e := newEnv(f)
	ops := make([]string, 0, len(e.svc.Ops))
	for op := range e.svc.Ops {
		ops = append(ops, op)
	}
	for _, s := range []string{`{}`, `{"KeyId":"alias/aws/s3","Plaintext":"aGk="}`, `{"CiphertextBlob":"AQ=="}`, `{"Limit":-1,"Marker":""}`,
		`{"KeyId":"arn:aws:kms:x:1:key/","NumberOfBytes":1}`, `{"AliasName":"alias/a","TargetKeyId":"alias/aws/kinesis"}`, `{"KeySpec":"AES_128","KeyId":"x"}`, `[`, `null`} {
		for i := range ops {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, opIdx uint8, body string) {
		op := ops[int(opIdx)%len(ops)]
		code, out := e.call(op, body)
		if code >= 500 {
			t.Fatalf("%s %q: %d %v", op, body, code, out)
		}
	})
}
