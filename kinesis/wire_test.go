package kinesis

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/wire.golden")

// errBody is the exact JSON error body AWS sends: {"__type":…,"message":…}.
func errBody(code, msg string) string {
	b, err := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{code, msg})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func validation(msgs ...string) string {
	n := fmt.Sprintf("%d validation errors detected: ", len(msgs))
	if len(msgs) == 1 {
		n = "1 validation error detected: "
	}
	return errBody("ValidationException", n+strings.Join(msgs, "; "))
}

const (
	nullAt      = "Value null at '%s' failed to satisfy constraint: Member must not be null"
	namePattern = "Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	minLen      = "Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d"
	maxLen      = "Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d"
	minVal      = "Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d"
	maxVal      = "Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d"
)

func f(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// TestWireErrors checks exact JSON answers, status and body, to requests
// that break the model's constraints or AWS's semantic rules.
func TestWireErrors(t *testing.T) {
	h := newHarness(t)
	h.createStream("exists", 1)
	entryStr := "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310"
	var recs501, entries501 []string
	for i := 0; i < 501; i++ {
		recs501 = append(recs501, `{"PartitionKey":"","Data":""}`)
		entries501 = append(entries501, entryStr)
	}
	tooMany := []string{f(maxLen, "["+strings.Join(entries501, ", ")+"]", "records", 500)}
	for i := 1; i <= 9; i++ {
		tooMany = append(tooMany, f(minLen, "", fmt.Sprintf("records.%d.member.partitionKey", i), 1))
	}
	mib1 := base64.StdEncoding.EncodeToString(make([]byte, 1<<20+1))
	long129 := strings.Repeat("a", 129)
	long257 := strings.Repeat("b", 257)
	streamARN := h.arn("exists")

	cases := []struct {
		name, op, body string
		status         int
		want           string
	}{
		{"PutRecords empty", "PutRecords", `{}`, 400, validation(f(nullAt, "records"))},
		{"PutRecords empty name and list", "PutRecords", `{"StreamName":"","Records":[]}`, 400, validation(
			f(minLen, "[]", "records", 1), f(namePattern, "", "streamName"), f(minLen, "", "streamName", 1))},
		{"PutRecords empty members", "PutRecords", `{"StreamName":"","Records":[{"PartitionKey":"","Data":"","ExplicitHashKey":""}]}`, 400, validation(
			`Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`,
			f(minLen, "", "records.1.member.partitionKey", 1), f(namePattern, "", "streamName"), f(minLen, "", "streamName", 1))},
		{"PutRecords 501 records, ten errors listed", "PutRecords", `{"StreamName":"exists","Records":[` + strings.Join(recs501, ",") + `]}`, 400, validation(tooMany...)},
		{"PutRecords record without data", "PutRecords", `{"StreamName":"exists","Records":[{"PartitionKey":"a"}]}`, 400, validation(f(nullAt, "records.1.member.data"))},
		{"PutRecords long key and name", "PutRecords", `{"StreamName":"` + long129 + `","Records":[{"PartitionKey":"` + long257 + `","Data":""}]}`, 400, validation(
			f(maxLen, long257, "records.1.member.partitionKey", 256), f(maxLen, long129, "streamName", 128))},
		{"PutRecords no stream", "PutRecords", `{"Records":[{"PartitionKey":"a","Data":""}]}`, 400,
			errBody("InvalidArgumentException", "Either StreamName or StreamARN should be provided.")},
		{"PutRecords unknown stream", "PutRecords", `{"StreamName":"nope","Records":[{"PartitionKey":"a","Data":""}]}`, 400,
			errBody("ResourceNotFoundException", "Stream nope under account 123456789012 not found.")},
		{"PutRecords hash key out of range", "PutRecords", `{"StreamName":"exists","Records":[{"PartitionKey":"a","Data":"","ExplicitHashKey":"340282366920938463463374607431768211456"},{"PartitionKey":"a","Data":""}]}`, 400,
			`{"__type":"InvalidArgumentException","message":"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456"}`},
		{"PutRecord data over 1 MiB", "PutRecord", `{"StreamName":"exists","PartitionKey":"a","Data":"` + mib1 + `"}`, 400,
			`{"__type":"ValidationException","message":"1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576"}`},
		{"PutRecord bad name and nulls", "PutRecord", `{"StreamName":"a b"}`, 400, validation(
			f(namePattern, "a b", "streamName"), f(nullAt, "data"), f(nullAt, "partitionKey"))},
		{"PutRecord ARN pattern", "PutRecord", `{"StreamARN":"arn:aws:kinesis:us-east-1:123:stream/x","PartitionKey":"a","Data":""}`, 400,
			validation(`Value 'arn:aws:kinesis:us-east-1:123:stream/x' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:stream/\S+`)},
		{"PutRecord sequence for ordering", "PutRecord", `{"StreamName":"exists","PartitionKey":"a","Data":"","SequenceNumberForOrdering":"01"}`, 400,
			validation(`Value '01' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`)},
		{"GetRecords empty", "GetRecords", `{}`, 400, validation(f(nullAt, "shardIterator"))},
		{"GetRecords limits", "GetRecords", `{"ShardIterator":"","Limit":10001}`, 400, validation(
			f(minLen, "", "shardIterator", 1), f(maxVal, 10001, "limit", 10000))},
		{"GetRecords limit 0", "GetRecords", `{"ShardIterator":"x","Limit":0}`, 400, validation(f(minVal, 0, "limit", 1))},
		{"GetShardIterator type", "GetShardIterator", `{"StreamName":"exists","ShardId":"shardId-000000000000","ShardIteratorType":"FOO"}`, 400,
			validation("Value 'FOO' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]")},
		{"GetShardIterator nulls", "GetShardIterator", `{"StreamName":"exists"}`, 400, validation(f(nullAt, "shardId"), f(nullAt, "shardIteratorType"))},
		{"GetShardIterator TRIM_HORIZON with sequence", "GetShardIterator", `{"StreamName":"exists","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON","StartingSequenceNumber":"1"}`, 400,
			errBody("InvalidArgumentException", "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified TRIM_HORIZON and also a StartingSequenceNumber.")},
		{"CreateStream shard count 0", "CreateStream", `{"StreamName":"ok","ShardCount":0}`, 400, validation(f(minVal, 0, "shardCount", 1))},
		{"CreateStream mode", "CreateStream", `{"StreamName":"ok","StreamModeDetails":{"StreamMode":"FAST"}}`, 400,
			validation("Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]")},
		{"CreateStream mode null", "CreateStream", `{"StreamName":"ok","StreamModeDetails":{}}`, 400, validation(f(nullAt, "streamModeDetails.streamMode"))},
		{"CreateStream no name", "CreateStream", `{"ShardCount":1}`, 400, validation(f(nullAt, "streamName"))},
		{"CreateStream tag value", "CreateStream", `{"StreamName":"ok","ShardCount":1,"Tags":{"k":"` + long257 + `"}}`, 400,
			validation("Value '{k=" + long257 + "}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")},
		{"CreateStream max record size", "CreateStream", `{"StreamName":"ok","ShardCount":1,"MaxRecordSizeInKiB":10241}`, 400, validation(f(maxVal, 10241, "maxRecordSizeInKiB", 10240))},
		{"CreateStream exists", "CreateStream", `{"StreamName":"exists","ShardCount":1}`, 400, errBody("ResourceInUseException", "Stream exists under account 123456789012 already exists.")},
		{"ListStreams limits", "ListStreams", `{"Limit":0,"ExclusiveStartStreamName":""}`, 400, validation(
			f(minVal, 0, "limit", 1), f(namePattern, "", "exclusiveStartStreamName"), f(minLen, "", "exclusiveStartStreamName", 1))},
		{"ListShards limits", "ListShards", `{"MaxResults":10001,"ShardFilter":{"Type":"X"}}`, 400, validation(
			f(maxVal, 10001, "maxResults", 10000),
			"Value 'X' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]")},
		{"ListShards no stream", "ListShards", `{}`, 400, errBody("InvalidArgumentException", "Either NextToken or StreamName should be provided.")},
		{"ListShards token and name", "ListShards", `{"StreamName":"exists","NextToken":"abc"}`, 400, errBody("InvalidArgumentException", "NextToken and StreamName cannot be provided together.")},
		{"DescribeStream limit", "DescribeStream", `{"StreamName":"exists","Limit":0,"ExclusiveStartShardId":"a/b"}`, 400, validation(
			f(minVal, 0, "limit", 1), f(namePattern, "a/b", "exclusiveStartShardId"))},
		{"DescribeStreamSummary stream id", "DescribeStreamSummary", `{"StreamName":"exists","StreamId":"bad"}`, 400,
			validation("Value 'bad' at 'streamId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z0-9]{20}-[a-z0-9]{3}")},
		{"DescribeStreamSummary other account", "DescribeStreamSummary", `{"StreamARN":"arn:aws:kinesis:us-east-1:999999999999:stream/exists"}`, 400,
			errBody("AccessDeniedException", "User: arn:aws:iam::123456789012:root is not authorized to perform: kinesis:DescribeStreamSummary on resource: arn:aws:kinesis:us-east-1:999999999999:stream/exists because no resource-based policy allows the kinesis:DescribeStreamSummary action")},
		{"EnableEnhancedMonitoring metric", "EnableEnhancedMonitoring", `{"StreamName":"exists","ShardLevelMetrics":["Foo"]}`, 400,
			validation("Value '[Foo]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]")},
		{"DisableEnhancedMonitoring empty", "DisableEnhancedMonitoring", `{"StreamName":"exists","ShardLevelMetrics":[]}`, 400, validation(f(minLen, "[]", "shardLevelMetrics", 1))},
		{"RemoveTagsFromStream empty key", "RemoveTagsFromStream", `{"StreamName":"exists","TagKeys":[""]}`, 400,
			validation("Value '[]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")},
		{"AddTagsToStream null tags", "AddTagsToStream", `{"StreamName":"exists"}`, 400, validation(f(nullAt, "tags"))},
		{"UpdateShardCount", "UpdateShardCount", `{"StreamName":"exists","TargetShardCount":0,"ScalingType":"X"}`, 400, validation(
			f(minVal, 0, "targetShardCount", 1), "Value 'X' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]")},
		{"StartStreamEncryption nulls", "StartStreamEncryption", `{"StreamName":"exists"}`, 400, validation(f(nullAt, "encryptionType"), f(nullAt, "keyId"))},
		{"TagResource not a Kinesis ARN", "TagResource", `{"ResourceARN":"arn:aws:s3:::bucket","Tags":{"a":"b"}}`, 400,
			validation(`Value 'arn:aws:s3:::bucket' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`)},
		{"UpdateAccountSettings empty", "UpdateAccountSettings", `{}`, 400, validation(f(nullAt, "minimumThroughputBillingCommitment"))},
		{"UpdateMaxRecordSize", "UpdateMaxRecordSize", `{"StreamARN":"` + streamARN + `","MaxRecordSizeInKiB":100}`, 400, validation(f(minVal, 100, "maxRecordSizeInKiB", 1024))},
		{"UpdateStreamMode nulls", "UpdateStreamMode", `{}`, 400, validation(f(nullAt, "streamARN"), f(nullAt, "streamModeDetails"))},
		{"IncreaseStreamRetentionPeriod null", "IncreaseStreamRetentionPeriod", `{"StreamName":"exists"}`, 400, validation(f(nullAt, "retentionPeriodHours"))},
		{"SplitShard hash key", "SplitShard", `{"StreamName":"exists","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"abc"}`, 400,
			validation(`Value 'abc' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`)},
		{"MergeShards nulls", "MergeShards", `{"StreamName":"exists"}`, 400, validation(f(nullAt, "shardToMerge"), f(nullAt, "adjacentShardToMerge"))},
		{"PutResourcePolicy null", "PutResourcePolicy", `{"ResourceARN":"` + streamARN + `"}`, 400, validation(f(nullAt, "policy"))},
		{"RegisterStreamConsumer nulls", "RegisterStreamConsumer", `{}`, 400, validation(f(nullAt, "streamARN"), f(nullAt, "consumerName"))},
		{"SubscribeToShard nulls", "SubscribeToShard", `{}`, 400, validation(f(nullAt, "consumerARN"), f(nullAt, "shardId"), f(nullAt, "startingPosition"))},
		{"UpdateStreamWarmThroughput null", "UpdateStreamWarmThroughput", `{"StreamName":"exists"}`, 400, validation(f(nullAt, "warmThroughputMiBps"))},
		{"ListTagsForStream limit", "ListTagsForStream", `{"StreamName":"exists","Limit":51}`, 400, validation(f(maxVal, 51, "limit", 50))},
	}
	for _, c := range cases {
		status, body := h.raw(c.op, "us-east-1", c.body)
		if status != c.status || body != c.want {
			t.Errorf("%s: got %d %s\nwant %d %s", c.name, status, body, c.status, c.want)
		}
	}
}

// TestWirePartitionKeyLength: the 256 limit counts UTF-16 units, as Java
// does, not bytes.
func TestWirePartitionKeyLength(t *testing.T) {
	h := newHarness(t)
	h.createStream("exists", 1)
	key := strings.Repeat("é", 256) // 512 bytes, 256 UTF-16 units
	if status, body := h.raw("PutRecord", "", `{"StreamName":"exists","PartitionKey":"`+key+`","Data":""}`); status != 200 {
		t.Fatalf("256 two-byte characters: %d %s", status, body)
	}
	key = strings.Repeat("😀", 129) // 258 UTF-16 units
	status, body := h.raw("PutRecord", "", `{"StreamName":"exists","PartitionKey":"`+key+`","Data":""}`)
	if want := validation(f(maxLen, key, "partitionKey", 256)); status != 400 || body != want {
		t.Fatalf("129 surrogate pairs: %d %s", status, body)
	}
}

// seqNumbers matches sequence numbers, which differ from run to run.
var seqNumbers = regexp.MustCompile(`"(Starting|Ending)SequenceNumber":"[0-9]+"`)

// TestWireGolden pins whole answers, success and error, byte for byte, in
// testdata/wire.golden (go test -run TestWireGolden -update rewrites it).
// Sequence numbers are masked; answers with timestamps are left out.
func TestWireGolden(t *testing.T) {
	h := newHarness(t)
	h.createStream("exists", 1)
	calls := []struct{ op, region, body string }{
		{"ListStreams", "eu-west-3", `{}`},
		{"DescribeLimits", "us-east-1", `{}`},
		{"DescribeAccountSettings", "us-east-1", `{}`},
		{"ListTagsForStream", "us-east-1", `{"StreamName":"exists"}`},
		{"GetResourcePolicy", "us-east-1", `{"ResourceARN":"arn:aws:kinesis:us-east-1:123456789012:stream/exists"}`},
		{"EnableEnhancedMonitoring", "us-east-1", `{"StreamName":"exists","ShardLevelMetrics":["IncomingBytes"]}`},
		{"ListStreamConsumers", "us-east-1", `{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/exists"}`},
		{"UpdateShardCount", "us-east-1", `{"StreamName":"exists","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"}`},
		{"ListShards", "us-east-1", `{"StreamName":"exists","ShardFilter":{"Type":"AT_LATEST"}}`},
		{"AddTagsToStream", "us-east-1", `{"StreamName":"exists","Tags":{"env":"test"}}`},
		{"ListTagsForResource", "us-east-1", `{"ResourceARN":"arn:aws:kinesis:us-east-1:123456789012:stream/exists"}`},
		{"DescribeStreamSummary", "us-west-2", `{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/exists"}`},
		{"RegisterStreamConsumer", "us-east-1", `{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/exists","ConsumerName":"app"}`},
		{"DescribeStreamConsumer", "us-east-1", `{"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/exists","ConsumerName":"app"}`},
		{"PutRecords", "us-east-1", `{"StreamName":"exists","Records":[{"PartitionKey":"","Data":""}]}`},
	}
	var b strings.Builder
	for _, c := range calls {
		status, body := h.raw(c.op, c.region, c.body)
		body = seqNumbers.ReplaceAllString(body, `"${1}SequenceNumber":"<seq>"`)
		fmt.Fprintf(&b, "### %s (%s) %s\n%d %s\n\n", c.op, c.region, c.body, status, body)
	}
	const path = "testdata/wire.golden"
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("wire answers differ from %s (rerun with -update and review the diff):\n%s", path, b.String())
	}
}
