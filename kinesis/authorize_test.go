package kinesis

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/auth/authtest"
	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

// rootSubject is the root principal every harness request is signed by
// unless a test says otherwise: the root may do everything.
var rootSubject = authtest.Root(testAccount, "AKIDTEST")

var aliceARN = authtest.UserARN(testAccount, "alice")

// userSubject is the IAM user alice holding policy documents docs.
func userSubject(t testing.TB, docs ...string) *auth.Subject {
	t.Helper()
	return authtest.User(t, testAccount, "alice", docs...)
}

// grant is one action on one resource, written positionally in the tables
// below (authtest.Grant's fields are exported, which vet wants keyed).
type grant struct{ action, resource string }

func (g grant) authtest() authtest.Grant {
	return authtest.Grant{Action: g.action, Resource: g.resource}
}

// allowing is a policy allowing exactly grants.
func allowing(grants []grant) string {
	gs := make([]authtest.Grant, len(grants))
	for i, g := range grants {
		gs[i] = g.authtest()
	}
	return authtest.Allowing(gs)
}

// deniedMessage is auth's wording of an implicit deny of g to alice.
func deniedMessage(g grant) string { return authtest.DeniedMessage(aliceARN, g.authtest()) }

// TestAuthorizeMapping pins, for every operation, the action and resource
// it is authorized as. For each case the caller first holds none of the
// grants and must be refused for the first one, then each grant in turn,
// until holding them all lets the call past authorization.
func TestAuthorizeMapping(t *testing.T) {
	h := newHarness(t)
	h.createStream("s", 2)
	it, err := h.e.GetShardIterator("us-east-1", "s", "shardId-000000000000", stream.Position{Type: stream.TrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	status, body := h.raw("ListShards", "us-east-1", `{"StreamName":"s","MaxResults":1}`)
	var page struct{ NextToken string }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil || page.NextToken == "" {
		t.Fatalf("ListShards page: %d %s", status, body)
	}
	arn := h.arn("s")
	consumer := arn + "/consumer/c:1700000000"
	k := func(op string) string { return "kinesis:" + op }
	cases := []struct {
		op, body string
		want     []grant
	}{
		{"AddTagsToStream", `{"StreamName":"s","Tags":{"a":"b"}}`, []grant{{k("AddTagsToStream"), arn}}},
		{"CreateStream", `{"StreamName":"n","ShardCount":1}`, []grant{{k("CreateStream"), h.arn("n")}}},
		{"DecreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":24}`, []grant{{k("DecreaseStreamRetentionPeriod"), arn}}},
		{"DeleteResourcePolicy", `{"ResourceARN":"` + arn + `"}`, []grant{{k("DeleteResourcePolicy"), arn}}},
		{"DeleteStream", `{"StreamARN":"` + arn + `"}`, []grant{{k("DeleteStream"), arn}}},
		{"DeregisterStreamConsumer", `{"ConsumerARN":"` + consumer + `"}`, []grant{{k("DeregisterStreamConsumer"), consumer}}},
		{"DescribeAccountSettings", `{}`, []grant{{k("DescribeAccountSettings"), "*"}}},
		{"DescribeLimits", `{}`, []grant{{k("DescribeLimits"), "*"}}},
		{"DescribeStream", `{"StreamName":"s"}`, []grant{{k("DescribeStream"), arn}}},
		{"DescribeStreamConsumer", `{"StreamARN":"` + arn + `","ConsumerName":"c"}`, []grant{{k("DescribeStreamConsumer"), arn + "/consumer/c:*"}}},
		{"DescribeStreamSummary", `{"StreamName":"s"}`, []grant{{k("DescribeStreamSummary"), arn}}},
		{"DisableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":["ALL"]}`, []grant{{k("DisableEnhancedMonitoring"), arn}}},
		{"EnableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":["ALL"]}`, []grant{{k("EnableEnhancedMonitoring"), arn}}},
		{"GetRecords", `{"ShardIterator":"` + it + `"}`, []grant{{k("GetRecords"), arn}}},
		{"GetResourcePolicy", `{"ResourceARN":"` + arn + `"}`, []grant{{k("GetResourcePolicy"), arn}}},
		{"GetShardIterator", `{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"}`, []grant{{k("GetShardIterator"), arn}}},
		{"IncreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":48}`, []grant{{k("IncreaseStreamRetentionPeriod"), arn}}},
		{"ListShards", `{"StreamName":"s"}`, []grant{{k("ListShards"), arn}}},
		{"ListShards", `{"NextToken":"` + page.NextToken + `"}`, []grant{{k("ListShards"), arn}}},
		{"ListStreamConsumers", `{"StreamARN":"` + arn + `"}`, []grant{{k("ListStreamConsumers"), arn}}},
		{"ListStreams", `{}`, []grant{{k("ListStreams"), "*"}}},
		{"ListTagsForResource", `{"ResourceARN":"` + arn + `"}`, []grant{{k("ListTagsForResource"), arn}}},
		{"ListTagsForStream", `{"StreamName":"s"}`, []grant{{k("ListTagsForStream"), arn}}},
		{"MergeShards", `{"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"}`, []grant{{k("MergeShards"), arn}}},
		{"PutRecord", `{"StreamName":"s","PartitionKey":"p","Data":"AA=="}`, []grant{{k("PutRecord"), arn}}},
		{"PutRecords", `{"StreamARN":"` + arn + `","Records":[{"PartitionKey":"p","Data":"AA=="}]}`, []grant{{k("PutRecords"), arn}}},
		{"PutResourcePolicy", `{"ResourceARN":"` + arn + `","Policy":"{}"}`, []grant{{k("PutResourcePolicy"), arn}}},
		{"RegisterStreamConsumer", `{"StreamARN":"` + arn + `","ConsumerName":"c"}`, []grant{{k("RegisterStreamConsumer"), arn}}},
		{"RemoveTagsFromStream", `{"StreamName":"s","TagKeys":["a"]}`, []grant{{k("RemoveTagsFromStream"), arn}}},
		{"SplitShard", `{"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"10"}`, []grant{{k("SplitShard"), arn}}},
		{"StartStreamEncryption", `{"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}`, []grant{{k("StartStreamEncryption"), arn}}},
		{"StopStreamEncryption", `{"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}`, []grant{{k("StopStreamEncryption"), arn}}},
		{"SubscribeToShard", `{"ConsumerARN":"` + consumer + `","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}`, []grant{{k("SubscribeToShard"), consumer}}},
		{"TagResource", `{"ResourceARN":"` + arn + `","Tags":{"a":"b"}}`, []grant{{k("TagResource"), arn}}},
		{"UntagResource", `{"ResourceARN":"` + consumer + `","TagKeys":["a"]}`, []grant{{k("UntagResource"), consumer}}},
		{"UpdateAccountSettings", `{"MinimumThroughputBillingCommitment":{"Status":"DISABLED"}}`, []grant{{k("UpdateAccountSettings"), "*"}}},
		{"UpdateMaxRecordSize", `{"StreamARN":"` + arn + `","MaxRecordSizeInKiB":2048}`, []grant{{k("UpdateMaxRecordSize"), arn}}},
		{"UpdateShardCount", `{"StreamName":"s","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"}`, []grant{{k("UpdateShardCount"), arn}}},
		{"UpdateStreamMode", `{"StreamARN":"` + arn + `","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`, []grant{{k("UpdateStreamMode"), arn}}},
		{"UpdateStreamWarmThroughput", `{"StreamName":"s","WarmThroughputMiBps":0}`, []grant{{k("UpdateStreamWarmThroughput"), arn}}},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.op] = true
		for i := 0; i <= len(tc.want); i++ {
			h.subject.Store(userSubject(t, allowing(tc.want[:i])))
			status, body := h.raw(tc.op, "us-east-1", tc.body)
			denied := strings.Contains(body, "AccessDeniedException")
			if i < len(tc.want) {
				want := deniedMessage(tc.want[i])
				if status != http.StatusBadRequest || !denied || !strings.Contains(body, want) {
					t.Errorf("%s %s holding %d grants: %d %s\nwant AccessDeniedException %q", tc.op, tc.body, i, status, body, want)
				}
				continue
			}
			if denied {
				t.Errorf("%s %s holding every grant: %d %s", tc.op, tc.body, status, body)
			}
		}
	}
	h.subject.Store(rootSubject)
	for op := range New(nil, testAccount).Ops {
		if !covered[op] {
			t.Errorf("%s has no authorization case", op)
		}
	}
}

// TestAuthorizeDeniedChangesNothing: a refused call leaves the stream as
// it was, and explicit Deny beats Allow.
func TestAuthorizeDeniedChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.createStream("s", 1)
	h.subject.Store(userSubject(t,
		`{"Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"},
		 {"Effect":"Deny","Action":["kinesis:PutRecord*","kinesis:DeleteStream","kinesis:CreateStream","kinesis:AddTagsToStream"],"Resource":"*"}]}`))
	for _, c := range []struct{ op, body string }{
		{"PutRecord", `{"StreamName":"s","PartitionKey":"p","Data":"AA=="}`},
		{"PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"p","Data":"AA=="}]}`},
		{"DeleteStream", `{"StreamName":"s"}`},
		{"CreateStream", `{"StreamName":"n","ShardCount":1}`},
		{"AddTagsToStream", `{"StreamName":"s","Tags":{"a":"b"}}`},
	} {
		status, body := h.raw(c.op, "us-east-1", c.body)
		if status != http.StatusBadRequest || !strings.Contains(body, "AccessDeniedException") ||
			!strings.Contains(body, "with an explicit deny in an identity-based policy") {
			t.Errorf("%s: %d %s", c.op, status, body)
		}
	}
	// Allowed reads still work for the same user.
	if status, body := h.raw("DescribeStreamSummary", "us-east-1", `{"StreamName":"s"}`); status != http.StatusOK {
		t.Fatalf("DescribeStreamSummary: %d %s", status, body)
	}
	h.subject.Store(rootSubject)
	st, err := h.e.Describe("us-east-1", "s")
	if err != nil {
		t.Fatalf("stream gone after a refused DeleteStream: %v", err)
	}
	if len(st.Tags) != 0 {
		t.Errorf("tags added by a refused call: %v", st.Tags)
	}
	if _, err := h.e.Describe("us-east-1", "n"); err == nil {
		t.Error("a refused CreateStream created the stream")
	}
	it, err := h.e.GetShardIterator("us-east-1", "s", "shardId-000000000000", stream.Position{Type: stream.TrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := h.e.GetRecords("us-east-1", it, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer recs.Release()
	if len(recs.Records) != 0 {
		t.Errorf("refused puts stored %d records", len(recs.Records))
	}
}

// TestAuthorizeNoSubject: a call that reaches the skin without an
// authenticated subject is refused (authorization fails closed).
func TestAuthorizeNoSubject(t *testing.T) {
	h := newHarness(t)
	h.subject.Store(nil)
	status, body := h.raw("ListStreams", "us-east-1", `{}`)
	if status != http.StatusBadRequest || !strings.Contains(body, "AccessDeniedException") {
		t.Fatalf("%d %s", status, body)
	}
}

// BenchmarkAuthorizeDescribe measures what authorization adds to a call
// of an IAM user: DescribeStreamSummary (a cheap operation, so the policy
// evaluation shows) as root, which is never evaluated, and as a user
// whose policy has a wildcard Allow, a Deny that does not match and a
// condition.
func BenchmarkAuthorizeDescribe(b *testing.B) {
	e, err := stream.Open(stream.Config{Dir: b.TempDir(), AccountID: testAccount, RetentionInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateStream("us-east-1", "bench", stream.CreateOptions{ShardCount: 1}); err != nil {
		b.Fatal(err)
	}
	h := New(e, testAccount).Ops["DescribeStreamSummary"]
	body := []byte(`{"StreamName":"bench"}`)
	user := userSubject(b, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["kinesis:Describe*","kinesis:Get*"],"Resource":"arn:aws:kinesis:*:*:stream/bench*"},
		{"Effect":"Deny","Action":"kinesis:*","Resource":"arn:aws:kinesis:*:*:stream/private-*"},
		{"Effect":"Allow","Action":"kinesis:ListStreams","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	for _, who := range []struct {
		name string
		s    *auth.Subject
	}{{"root", rootSubject}, {"user", user}} {
		b.Run(who.name, func(b *testing.B) {
			ctx := auth.WithSubject(context.Background(), who.s)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := h(ctx, &protocol.Call{Operation: "DescribeStreamSummary", Body: body, Caller: protocol.Caller{Region: "us-east-1"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
