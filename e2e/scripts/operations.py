"""Every operation in this botocore's Kinesis model is answered: either with
success or with an AWS-shaped error (a modelled code, HTTP 4xx, a request id) —
never a 404, a 5xx or an UnknownOperationException. The enhanced fan-out
consumer operations are a later feature and must answer with such an error."""

import datetime
import json

from botocore.exceptions import ClientError

from common import check, client, create, run, unique

CONSUMER_OPS = {"RegisterStreamConsumer", "DeregisterStreamConsumer", "DescribeStreamConsumer",
                "ListStreamConsumers", "SubscribeToShard"}


def main():
    c = client()
    name = unique("e2e-ops")
    create(c, name, shards=1)
    arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer_arn = arn + "/consumer/e2e:1700000000"
    it = c.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="LATEST")["ShardIterator"]
    ts = datetime.datetime.now(datetime.timezone.utc)
    pol = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": arn.split(":")[4]},
                                                               "Action": "kinesis:GetRecords", "Resource": arn}]})
    calls = {
        "AddTagsToStream": dict(StreamName=name, Tags={"a": "b"}),
        "CreateStream": dict(StreamName=unique("e2e-ops-new"), ShardCount=1),
        "DecreaseStreamRetentionPeriod": dict(StreamName=name, RetentionPeriodHours=24),
        "DeleteResourcePolicy": dict(ResourceARN=arn),
        "DeleteStream": dict(StreamName=unique("e2e-ops-gone")),
        "DeregisterStreamConsumer": dict(StreamARN=arn, ConsumerName="e2e"),
        "DescribeAccountSettings": dict(),
        "DescribeLimits": dict(),
        "DescribeStream": dict(StreamName=name),
        "DescribeStreamConsumer": dict(StreamARN=arn, ConsumerName="e2e"),
        "DescribeStreamSummary": dict(StreamName=name),
        "DisableEnhancedMonitoring": dict(StreamName=name, ShardLevelMetrics=["IncomingBytes"]),
        "EnableEnhancedMonitoring": dict(StreamName=name, ShardLevelMetrics=["IncomingBytes"]),
        "GetRecords": dict(ShardIterator=it),
        "GetResourcePolicy": dict(ResourceARN=arn),
        "GetShardIterator": dict(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="AT_TIMESTAMP", Timestamp=ts),
        "IncreaseStreamRetentionPeriod": dict(StreamName=name, RetentionPeriodHours=24),
        "ListShards": dict(StreamName=name),
        "ListStreamConsumers": dict(StreamARN=arn),
        "ListStreams": dict(),
        "ListTagsForResource": dict(ResourceARN=arn),
        "ListTagsForStream": dict(StreamName=name),
        "MergeShards": dict(StreamName=name, ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000001"),
        "PutRecord": dict(StreamName=name, Data=b"x", PartitionKey="k"),
        "PutRecords": dict(StreamName=name, Records=[{"Data": b"x", "PartitionKey": "k"}]),
        "PutResourcePolicy": dict(ResourceARN=arn, Policy=pol),
        "RegisterStreamConsumer": dict(StreamARN=arn, ConsumerName="e2e"),
        "RemoveTagsFromStream": dict(StreamName=name, TagKeys=["a"]),
        "SplitShard": dict(StreamName=name, ShardToSplit="shardId-000000000042", NewStartingHashKey="1"),
        "StartStreamEncryption": dict(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis"),
        "StopStreamEncryption": dict(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis"),
        "SubscribeToShard": dict(ConsumerARN=consumer_arn, ShardId="shardId-000000000000",
                                 StartingPosition={"Type": "LATEST"}),
        "TagResource": dict(ResourceARN=arn, Tags={"c": "d"}),
        "UntagResource": dict(ResourceARN=arn, TagKeys=["c"]),
        "UpdateAccountSettings": dict(MinimumThroughputBillingCommitment={"Status": "DISABLED"}),
        "UpdateMaxRecordSize": dict(StreamARN=arn, MaxRecordSizeInKiB=1024),
        "UpdateShardCount": dict(StreamName=name, TargetShardCount=2, ScalingType="UNIFORM_SCALING"),
        "UpdateStreamMode": dict(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"}),
        "UpdateStreamWarmThroughput": dict(StreamARN=arn, WarmThroughputMiBps=1),
    }
    model_ops = sorted(c.meta.service_model.operation_names)
    unknown = [op for op in model_ops if op not in calls]
    check(not unknown, "this script does not know how to call %r: add them", unknown)
    out = {}
    bad = []
    for op in model_ops:
        fn = getattr(c, _py_name(c, op))
        try:
            r = fn(**calls[op])
            if op == "SubscribeToShard":
                # An event stream: read at most one event, then close.
                for _ in r["EventStream"]:
                    break
                r["EventStream"].close()
            out[op] = "ok"
            if op in CONSUMER_OPS and op != "ListStreamConsumers":
                bad.append("%s succeeded; enhanced fan-out is not implemented, want an AWS-shaped error" % op)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            st = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            rid = e.response.get("ResponseMetadata", {}).get("RequestId")
            out[op] = "%s %s" % (st, code)
            if st is None or st >= 500 or st == 404 or not code or code.isdigit() or \
                    code in ("UnknownOperationException", "InternalFailure", "InternalFailureException", "NotFound"):
                bad.append("%s -> HTTP %s %r: %s" % (op, st, code, e.response.get("Error", {}).get("Message")))
            elif not rid:
                bad.append("%s -> %s without a request id" % (op, code))
    check(not bad, "operations answered wrongly:\n  %s", "\n  ".join(bad))
    return {"operations": out, "count": len(model_ops)}


def _py_name(c, op):
    for py, api in c.meta.method_to_api_mapping.items():
        if api == op:
            return py
    raise AssertionError("no python method for %s" % op)


if __name__ == "__main__":
    run(main)
