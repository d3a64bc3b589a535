// Package kinesis is the Kinesis Data Streams wire skin: it declares every
// operation of the 2013-12-02 API (botocore's kinesis/service-2.json) as a
// protocol.Handler, checks each request against the model's constraints
// with AWS's error codes and wording, translates it to calls on the stream
// engine and shapes the engine's answers and errors as AWS does. It owns no
// data; durable state lives in the stream engine.
//
// One file per action (put_records.go, get_records.go, …); each is headed
// by what it supports and deliberately does not. The error mapping lives in
// errors.go, the constraint checks in validate.go, shapes shared by several
// actions in shapes.go.
package kinesis

import (
	"context"
	"sync"
	"time"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
)

// TargetPrefix is the X-Amz-Target prefix of Kinesis Data Streams.
const TargetPrefix = "Kinesis_20131202"

// defaultRegion answers calls whose caller carries no region (tests, or a
// server configured without authentication).
const defaultRegion = "us-east-1"

// maxBodyBytes bounds a Kinesis request body. AWS's front end refuses
// bodies over 7 MiB (protocol.DefaultMaxBodyBytes) with a bare 413, but a
// stream whose records may reach 10 MiB (UpdateMaxRecordSize) must accept a
// PutRecord(s) of 10 MiB of data, about 13.4 MiB once base64'd. So the
// service admits 14 MiB and PutRecord(s) apply the 7 MiB bound themselves
// on streams that keep the default 1 MiB records (see tooLarge).
const maxBodyBytes = 14 << 20

// now is the skin's clock, for pagination-token expiry and account
// settings; tests replace it.
var now = time.Now

// service holds what every handler needs. Handlers are methods so that the
// operation table in New is the one list of what is served.
type service struct {
	e         *stream.Engine
	accountID string

	// mu guards the state the engine does not persist (see the report of
	// update_account_settings.go and update_stream_warm_throughput.go):
	// account-level billing commitments and per-stream warm throughput.
	mu       sync.Mutex
	accounts map[string]accountSettings // by region
	warm     map[streamKey]int          // WarmThroughputMiBps by stream
}

type streamKey struct{ region, name string }

// New returns the Kinesis service over engine e; accountID appears in ARNs
// and messages and must match the engine's.
func New(e *stream.Engine, accountID string) *protocol.Service {
	if accountID == "" {
		accountID = "000000000000"
	}
	s := &service{
		e:         e,
		accountID: accountID,
		accounts:  make(map[string]accountSettings),
		warm:      make(map[streamKey]int),
	}
	return &protocol.Service{
		TargetPrefix: TargetPrefix,
		MaxBodyBytes: maxBodyBytes,
		Ops: map[string]protocol.Handler{
			"AddTagsToStream":               s.addTagsToStream,
			"CreateStream":                  s.createStream,
			"DecreaseStreamRetentionPeriod": s.decreaseStreamRetentionPeriod,
			"DeleteResourcePolicy":          s.deleteResourcePolicy,
			"DeleteStream":                  s.deleteStream,
			"DeregisterStreamConsumer":      s.deregisterStreamConsumer,
			"DescribeAccountSettings":       s.describeAccountSettings,
			"DescribeLimits":                s.describeLimits,
			"DescribeStream":                s.describeStream,
			"DescribeStreamConsumer":        s.describeStreamConsumer,
			"DescribeStreamSummary":         s.describeStreamSummary,
			"DisableEnhancedMonitoring":     s.disableEnhancedMonitoring,
			"EnableEnhancedMonitoring":      s.enableEnhancedMonitoring,
			"GetRecords":                    s.getRecords,
			"GetResourcePolicy":             s.getResourcePolicy,
			"GetShardIterator":              s.getShardIterator,
			"IncreaseStreamRetentionPeriod": s.increaseStreamRetentionPeriod,
			"ListShards":                    s.listShards,
			"ListStreamConsumers":           s.listStreamConsumers,
			"ListStreams":                   s.listStreams,
			"ListTagsForResource":           s.listTagsForResource,
			"ListTagsForStream":             s.listTagsForStream,
			"MergeShards":                   s.mergeShards,
			"PutRecord":                     s.putRecord,
			"PutRecords":                    s.putRecords,
			"PutResourcePolicy":             s.putResourcePolicy,
			"RegisterStreamConsumer":        s.registerStreamConsumer,
			"RemoveTagsFromStream":          s.removeTagsFromStream,
			"SplitShard":                    s.splitShard,
			"StartStreamEncryption":         s.startStreamEncryption,
			"StopStreamEncryption":          s.stopStreamEncryption,
			"SubscribeToShard":              s.subscribeToShard,
			"TagResource":                   s.tagResource,
			"UntagResource":                 s.untagResource,
			"UpdateAccountSettings":         s.updateAccountSettings,
			"UpdateMaxRecordSize":           s.updateMaxRecordSize,
			"UpdateShardCount":              s.updateShardCount,
			"UpdateStreamMode":              s.updateStreamMode,
			"UpdateStreamWarmThroughput":    s.updateStreamWarmThroughput,
		},
	}
}

// region is the caller's region, as SigV4 scoped it.
func region(c *protocol.Call) string {
	if c.Caller.Region != "" {
		return c.Caller.Region
	}
	return defaultRegion
}

// empty is the answer of operations whose output the model leaves out; it
// encodes as {} in JSON, as AWS answers them.
type empty struct{}

var _ = context.Background
