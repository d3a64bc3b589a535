"""Stream lifecycle: create (provisioned and on-demand), waiters, describe and
summary, ListStreams and its paginator, region scoping, StreamARN in place of
StreamName, delete."""

import re

from common import (check, check_cover, client, create, eq, expect_error, has_param, run, unique, wait_not_exists)

ARN_RE = re.compile(r"^arn:aws:kinesis:us-east-1:\d{12}:stream/(.+)$")


def main():
    c = client()
    res = {}
    prov = unique("e2e-prov")
    ond = unique("e2e-ond")

    c.create_stream(StreamName=prov, ShardCount=3)
    # The stream may be CREATING at first; the waiter must end on ACTIVE.
    c.get_waiter("stream_exists").wait(StreamName=prov, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    d = c.describe_stream(StreamName=prov)["StreamDescription"]
    eq(d["StreamName"], prov, "describe StreamName")
    eq(d["StreamStatus"], "ACTIVE", "describe StreamStatus")
    eq(d["RetentionPeriodHours"], 24, "default retention")
    eq(d["HasMoreShards"], False, "HasMoreShards")
    eq(len(d["Shards"]), 3, "shard count")
    eq(d["StreamModeDetails"]["StreamMode"], "PROVISIONED", "stream mode")
    eq(d.get("EncryptionType", "NONE"), "NONE", "EncryptionType")
    eq(d.get("EnhancedMonitoring"), [{"ShardLevelMetrics": []}], "EnhancedMonitoring of a new stream")
    check("KeyId" not in d, "KeyId on an unencrypted stream: %r", d.get("KeyId"))
    m = ARN_RE.match(d["StreamARN"])
    check(m and m.group(1) == prov, "StreamARN %r is not arn:aws:kinesis:us-east-1:<12 digits>:stream/%s", d["StreamARN"], prov)
    eq([s["ShardId"] for s in d["Shards"]], ["shardId-%012d" % i for i in range(3)], "shard ids")
    check_cover(d["Shards"], "describe")
    for s in d["Shards"]:
        check(re.match(r"^\d+$", s["SequenceNumberRange"]["StartingSequenceNumber"]),
              "StartingSequenceNumber %r not decimal", s["SequenceNumberRange"]["StartingSequenceNumber"])
    check(d["StreamCreationTimestamp"] is not None, "no StreamCreationTimestamp")
    arn = d["StreamARN"]

    # DescribeStream pagination: Limit + ExclusiveStartShardId, and the paginator.
    p1 = c.describe_stream(StreamName=prov, Limit=2)["StreamDescription"]
    eq(len(p1["Shards"]), 2, "describe Limit=2 shards")
    eq(p1["HasMoreShards"], True, "describe Limit=2 HasMoreShards")
    p2 = c.describe_stream(StreamName=prov, Limit=2, ExclusiveStartShardId=p1["Shards"][-1]["ShardId"])["StreamDescription"]
    eq([s["ShardId"] for s in p2["Shards"]], ["shardId-000000000002"], "describe page 2")
    eq(p2["HasMoreShards"], False, "describe page 2 HasMoreShards")
    pag = [s["ShardId"] for page in c.get_paginator("describe_stream").paginate(
        StreamName=prov, PaginationConfig={"PageSize": 1}) for s in page["StreamDescription"]["Shards"]]
    eq(pag, ["shardId-%012d" % i for i in range(3)], "describe_stream paginator")

    sm = c.describe_stream_summary(StreamName=prov)["StreamDescriptionSummary"]
    eq(sm["OpenShardCount"], 3, "summary OpenShardCount")
    eq(sm["StreamARN"], arn, "summary StreamARN")
    eq(sm["StreamStatus"], "ACTIVE", "summary status")
    eq(sm.get("ConsumerCount", 0), 0, "summary ConsumerCount")
    eq(sm["RetentionPeriodHours"], 24, "summary retention")
    # StreamARN is accepted wherever StreamName is (where this model has it).
    if has_param(c, "DescribeStreamSummary", "StreamARN"):
        sm2 = c.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
        eq(sm2["StreamName"], prov, "summary by ARN")
        eq(c.describe_stream(StreamARN=arn)["StreamDescription"]["StreamName"], prov, "describe by ARN")
        res["by_arn"] = True

    # On-demand: no ShardCount; AWS starts such a stream with 4 shards.
    c.create_stream(StreamName=ond, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    c.get_waiter("stream_exists").wait(StreamName=ond, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    od = c.describe_stream_summary(StreamName=ond)["StreamDescriptionSummary"]
    eq(od["StreamModeDetails"]["StreamMode"], "ON_DEMAND", "on-demand mode")
    eq(od["OpenShardCount"], 4, "on-demand initial shards")
    res["on_demand_shards"] = od["OpenShardCount"]

    # ListStreams: Limit, pagination and the paginator.
    names = set()
    more_names = []
    for i in range(3):
        n = unique("e2e-list%d" % i)
        c.create_stream(StreamName=n, ShardCount=1)
        more_names.append(n)
    for n in more_names:
        c.get_waiter("stream_exists").wait(StreamName=n, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    everything = c.list_streams()
    hdrs = everything["ResponseMetadata"]["HTTPHeaders"]
    check(everything["ResponseMetadata"].get("RequestId") and "x-amzn-requestid" in hdrs,
          "successful answer without x-amzn-RequestId: %r", hdrs)
    all_names = everything["StreamNames"]
    eq(all_names, sorted(all_names), "ListStreams order")
    for n in [prov, ond] + more_names:
        check(n in all_names, "ListStreams lacks %s: %r", n, all_names)
    if "StreamSummaries" in c.meta.service_model.operation_model("ListStreams").output_shape.members:
        sums = {s["StreamName"]: s for s in everything.get("StreamSummaries", [])}
        check(prov in sums, "StreamSummaries lacks %s", prov)
        eq(sums[prov]["StreamARN"], arn, "StreamSummaries ARN")
        eq(sums[prov]["StreamModeDetails"]["StreamMode"], "PROVISIONED", "StreamSummaries mode")
        eq(sums[ond]["StreamModeDetails"]["StreamMode"], "ON_DEMAND", "StreamSummaries on-demand mode")
        res["stream_summaries"] = True
    first = c.list_streams(Limit=2)
    eq(len(first["StreamNames"]), 2, "ListStreams Limit=2")
    eq(first["HasMoreStreams"], True, "ListStreams HasMoreStreams")
    second = c.list_streams(Limit=2, ExclusiveStartStreamName=first["StreamNames"][-1])
    eq(second["StreamNames"], all_names[2:4], "ListStreams ExclusiveStartStreamName page")
    for page in c.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2}):
        check(len(page["StreamNames"]) <= 2, "paginator page too big: %r", page["StreamNames"])
        names.update(page["StreamNames"])
    eq(sorted(names), all_names, "list_streams paginator")
    res["list_streams"] = len(all_names)

    # Resources are region-scoped: us-west-2 sees none of this.
    w = client(region="us-west-2")
    check(prov not in w.list_streams()["StreamNames"], "us-west-2 ListStreams shows the us-east-1 stream")
    expect_error("ResourceNotFoundException", w.describe_stream, StreamName=prov)
    w.create_stream(StreamName=prov, ShardCount=1)  # same name, other region: no conflict
    w.get_waiter("stream_exists").wait(StreamName=prov, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    warn = w.describe_stream_summary(StreamName=prov)["StreamDescriptionSummary"]
    check(":us-west-2:" in warn["StreamARN"], "us-west-2 stream ARN %r", warn["StreamARN"])
    eq(warn["OpenShardCount"], 1, "us-west-2 twin shard count")
    eq(c.describe_stream_summary(StreamName=prov)["StreamDescriptionSummary"]["OpenShardCount"], 3,
       "us-east-1 stream untouched by us-west-2 twin")
    w.delete_stream(StreamName=prov)
    w.get_waiter("stream_not_exists").wait(StreamName=prov, WaiterConfig={"Delay": 1, "MaxAttempts": 60})

    c.put_record(StreamName=prov, Data=b"first life", PartitionKey="k")

    # Delete (by name and by ARN) and the not-exists waiter.
    c.delete_stream(StreamName=prov)
    wait_not_exists(c, prov)
    expect_error("ResourceNotFoundException", c.describe_stream, StreamName=prov)
    expect_error("ResourceNotFoundException", c.describe_stream_summary, StreamName=prov)
    if has_param(c, "DeleteStream", "StreamARN"):
        c.delete_stream(StreamARN=c.describe_stream_summary(StreamName=ond)["StreamDescriptionSummary"]["StreamARN"])
    else:
        c.delete_stream(StreamName=ond)
    wait_not_exists(c, ond)
    for n in more_names:
        c.delete_stream(StreamName=n, EnforceConsumerDeletion=True)
    for n in more_names:
        wait_not_exists(c, n)
    left = c.list_streams()["StreamNames"]
    for n in [prov, ond] + more_names:
        check(n not in left, "deleted stream %s still listed", n)
    # A deleted name can be created again, and starts empty.
    create(c, prov, shards=1)
    it = c.get_shard_iterator(StreamName=prov, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    eq(c.get_records(ShardIterator=it)["Records"], [], "records of a re-created stream")
    c.delete_stream(StreamName=prov)
    wait_not_exists(c, prov)
    res["ok"] = True
    return res


if __name__ == "__main__":
    run(main)
