package kinesis

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/stream"
)

// TestAuthorizeKMSKeyUse: on a stream encrypted under a customer-managed
// KMS key, producers also need kms:GenerateDataKey and consumers
// kms:Decrypt on that key (KMSAccessDeniedException, 400, and nothing
// stored); a stream under the AWS-managed alias/aws/kinesis key needs only
// the Kinesis actions.
func TestAuthorizeKMSKeyUse(t *testing.T) {
	var ks *keystore.Store
	h := newHarnessWith(t, func(c *stream.Config) { ks = c.Keys })
	h.createStream("cust", 1)
	h.createStream("managed", 1)
	k, err := ks.CreateKey(keystore.CreateOptions{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]string{"cust": k.ID, "managed": "alias/aws/kinesis"} {
		if status, body := h.raw("StartStreamEncryption", "us-east-1", `{"StreamName":"`+name+`","EncryptionType":"KMS","KeyId":"`+key+`"}`); status != http.StatusOK {
			t.Fatalf("StartStreamEncryption %s: %d %s", name, status, body)
		}
	}
	iterator := func(stream string) string {
		t.Helper()
		status, body := h.raw("GetShardIterator", "us-east-1", `{"StreamName":"`+stream+`","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`)
		if status != http.StatusOK {
			t.Fatalf("GetShardIterator: %d %s", status, body)
		}
		var out struct{ ShardIterator string }
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		return out.ShardIterator
	}
	put := func(stream string) (int, string) {
		return h.raw("PutRecord", "us-east-1", `{"StreamName":"`+stream+`","PartitionKey":"p","Data":"AA=="}`)
	}
	refused := func(what string, status int, body, action string) {
		t.Helper()
		if status != http.StatusBadRequest || !strings.Contains(body, "KMSAccessDeniedException") ||
			!strings.Contains(body, "not authorized to perform: "+action+" on resource: "+k.ARN) {
			t.Errorf("%s: %d %s, want KMSAccessDeniedException for %s", what, status, body, action)
		}
	}
	kinesisOnly := `{"Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`
	h.subject.Store(userSubject(t, kinesisOnly))
	status, body := put("cust")
	refused("PutRecord", status, body, "kms:GenerateDataKey")
	status, body = h.raw("PutRecords", "us-east-1", `{"StreamName":"cust","Records":[{"PartitionKey":"p","Data":"AA=="}]}`)
	refused("PutRecords", status, body, "kms:GenerateDataKey")
	status, body = h.raw("GetRecords", "us-east-1", `{"ShardIterator":"`+iterator("cust")+`"}`)
	refused("GetRecords", status, body, "kms:Decrypt")
	// The AWS-managed key: the Kinesis actions are enough.
	if status, body := put("managed"); status != http.StatusOK {
		t.Errorf("PutRecord under alias/aws/kinesis: %d %s", status, body)
	}
	if status, body := h.raw("GetRecords", "us-east-1", `{"ShardIterator":"`+iterator("managed")+`"}`); status != http.StatusOK || !strings.Contains(body, `"EncryptionType":"KMS"`) {
		t.Errorf("GetRecords under alias/aws/kinesis: %d %s", status, body)
	}

	// Nothing was stored by the refused puts.
	h.subject.Store(rootSubject)
	if status, body := h.raw("GetRecords", "us-east-1", `{"ShardIterator":"`+iterator("cust")+`"}`); status != http.StatusOK || !strings.Contains(body, `"Records":[]`) {
		t.Errorf("records after refused puts: %d %s", status, body)
	}

	h.subject.Store(userSubject(t, kinesisOnly, `{"Statement":[{"Effect":"Allow","Action":"kms:GenerateDataKey","Resource":"`+k.ARN+`"}]}`))
	if status, body := put("cust"); status != http.StatusOK {
		t.Errorf("PutRecord with kms:GenerateDataKey: %d %s", status, body)
	}
	status, body = h.raw("GetRecords", "us-east-1", `{"ShardIterator":"`+iterator("cust")+`"}`)
	refused("GetRecords without kms:Decrypt", status, body, "kms:Decrypt")
	h.subject.Store(userSubject(t, kinesisOnly, `{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+k.ARN+`"}]}`))
	if status, body := h.raw("GetRecords", "us-east-1", `{"ShardIterator":"`+iterator("cust")+`"}`); status != http.StatusOK || !strings.Contains(body, `"Data":"AA=="`) {
		t.Errorf("GetRecords with kms:Decrypt: %d %s", status, body)
	}
}
