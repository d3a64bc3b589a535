"""Shards: ListShards paging, the paginator and every ShardFilter type;
SplitShard, MergeShards and UpdateShardCount with parent/child lineage."""

import datetime
import time

from common import (all_shards, has_param, check, check_cover, client, create, eq, expect_error, open_shards, run, unique,
                    wait_exists)


def ids(shards):
    return [s["ShardId"] for s in shards]


def main():
    c = client()
    name = unique("e2e-shards")
    t_before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    create(c, name, shards=4)
    res = {}

    # Paging by MaxResults / NextToken and by the paginator.
    first = c.list_shards(StreamName=name, MaxResults=2)
    eq(ids(first["Shards"]), ["shardId-000000000000", "shardId-000000000001"], "ListShards page 1")
    check(first.get("NextToken"), "ListShards page 1 has no NextToken")
    second = c.list_shards(NextToken=first["NextToken"], MaxResults=2)
    eq(ids(second["Shards"]), ["shardId-000000000002", "shardId-000000000003"], "ListShards page 2")
    if second.get("NextToken"):
        third = c.list_shards(NextToken=second["NextToken"])
        eq(third["Shards"], [], "ListShards page 3")
        check(not third.get("NextToken"), "ListShards keeps paging past the end")
    pag = [s["ShardId"] for page in c.get_paginator("list_shards").paginate(StreamName=name) for s in page["Shards"]]
    eq(pag, ["shardId-%012d" % i for i in range(4)], "list_shards paginator")
    # botocore's ListShards paginator resends StreamName with NextToken, which
    # AWS refuses (boto/botocore#2009): the second page must fail the same way.
    expect_error("InvalidArgumentException", lambda: [p for p in c.get_paginator("list_shards").paginate(
        StreamName=name, PaginationConfig={"PageSize": 1})], msg_contains="NextToken and StreamName cannot be provided together")
    eq(ids(c.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000001")["Shards"]),
       ["shardId-000000000002", "shardId-000000000003"], "ExclusiveStartShardId")
    check_cover(all_shards(c, name), "4 shards")
    arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    if has_param(c, "ListShards", "StreamARN"):
        eq(len(c.list_shards(StreamARN=arn)["Shards"]), 4, "ListShards by StreamARN")

    # Split shard 1 in the middle of its range.
    s1 = first["Shards"][1]
    lo, hi = int(s1["HashKeyRange"]["StartingHashKey"]), int(s1["HashKeyRange"]["EndingHashKey"])
    mid = (lo + hi) // 2
    c.split_shard(StreamName=name, ShardToSplit="shardId-000000000001", NewStartingHashKey=str(mid))
    st = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
    check(st in ("UPDATING", "ACTIVE"), "status right after SplitShard: %s", st)
    wait_exists(c, name)
    t_split = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(1.1)
    shards = all_shards(c, name)
    eq(len(shards), 6, "shards after split (closed parent included)")
    by = {s["ShardId"]: s for s in shards}
    check("EndingSequenceNumber" in by["shardId-000000000001"]["SequenceNumberRange"], "split parent not closed")
    kids = [s for s in shards if s.get("ParentShardId") == "shardId-000000000001"]
    eq(sorted(ids(kids)), ["shardId-000000000004", "shardId-000000000005"], "split children ids")
    eq(sorted((int(k["HashKeyRange"]["StartingHashKey"]), int(k["HashKeyRange"]["EndingHashKey"])) for k in kids),
       [(lo, mid - 1), (mid, hi)], "split children ranges")
    check_cover(shards, "after split")
    dsh = c.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    eq(sorted(ids(dsh)), sorted(by), "DescribeStream lists the closed parent too")

    # ShardFilter types.
    def filt(**f):
        return sorted(ids(all_shards(c, name, ShardFilter=f)))
    all6 = sorted(by)
    open5 = sorted(ids(open_shards(shards)))
    eq(filt(Type="AT_LATEST"), open5, "AT_LATEST")
    eq(filt(Type="AT_TRIM_HORIZON"), sorted("shardId-%012d" % i for i in range(4)), "AT_TRIM_HORIZON")
    eq(filt(Type="FROM_TRIM_HORIZON"), all6, "FROM_TRIM_HORIZON")
    eq(filt(Type="AFTER_SHARD_ID", ShardId="shardId-000000000003"), ["shardId-000000000004", "shardId-000000000005"],
       "AFTER_SHARD_ID")
    eq(filt(Type="AT_TIMESTAMP", Timestamp=datetime.datetime.now(datetime.timezone.utc)), open5, "AT_TIMESTAMP now")
    eq(filt(Type="FROM_TIMESTAMP", Timestamp=t_before), all6, "FROM_TIMESTAMP before creation")
    eq(filt(Type="FROM_TIMESTAMP", Timestamp=t_split + datetime.timedelta(seconds=1)), open5, "FROM_TIMESTAMP after split")
    expect_error(("InvalidArgumentException", "ValidationException"), c.list_shards, StreamName=name,
                 ShardFilter={"Type": "AFTER_SHARD_ID"})
    res["filters"] = "ok"

    # Merge the two children back.
    c.merge_shards(StreamName=name, ShardToMerge="shardId-000000000004", AdjacentShardToMerge="shardId-000000000005")
    wait_exists(c, name)
    shards = all_shards(c, name)
    eq(len(shards), 7, "shards after merge")
    m = [s for s in shards if s["ShardId"] == "shardId-000000000006"]
    check(m, "no merged shard shardId-000000000006: %r", ids(shards))
    m = m[0]
    eq(sorted([m.get("ParentShardId"), m.get("AdjacentParentShardId")]),
       ["shardId-000000000004", "shardId-000000000005"], "merged parents")
    eq((int(m["HashKeyRange"]["StartingHashKey"]), int(m["HashKeyRange"]["EndingHashKey"])), (lo, hi), "merged range")
    eq(len(open_shards(shards)), 4, "open shards after merge")
    check_cover(shards, "after merge")
    # A closed shard cannot be split or merged again.
    expect_error(("ResourceNotFoundException", "InvalidArgumentException", "ResourceInUseException"), c.split_shard,
                 StreamName=name, ShardToSplit="shardId-000000000001", NewStartingHashKey=str(mid))

    # UpdateShardCount: 4 -> 8 -> 4 -> 3, uniform scaling.
    for target in (8, 4, 3):
        cur = len(open_shards(all_shards(c, name)))
        u = c.update_shard_count(StreamName=name, TargetShardCount=target, ScalingType="UNIFORM_SCALING")
        eq(u["CurrentShardCount"], cur, "UpdateShardCount CurrentShardCount")
        eq(u["TargetShardCount"], target, "UpdateShardCount TargetShardCount")
        eq(u["StreamName"], name, "UpdateShardCount StreamName")
        wait_exists(c, name)
        shards = all_shards(c, name)
        op = open_shards(shards)
        eq(len(op), target, "open shards after UpdateShardCount %d" % target)
        check_cover(shards, "after UpdateShardCount %d" % target)
        eq(c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"], target,
           "summary OpenShardCount after UpdateShardCount")
        # Uniform: every open shard's range is within 1 of total/target... loosely: no shard more than 2x another.
        sizes = [int(s["HashKeyRange"]["EndingHashKey"]) - int(s["HashKeyRange"]["StartingHashKey"]) + 1 for s in op]
        check(max(sizes) <= 2 * min(sizes) + 1, "UpdateShardCount %d not uniform: %r", target, sizes)
        ids_all = set(ids(shards))
        for s in shards:
            for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")):
                check(p is None or p in ids_all, "shard %s names unknown parent %s", s["ShardId"], p)
    res["shards_total"] = len(shards)
    # Closed shards do not count against the account's open shards.
    eq(c.describe_limits()["OpenShardCount"], 3, "DescribeLimits OpenShardCount after resharding")
    c.delete_stream(StreamName=name)
    res["ok"] = True
    return res


if __name__ == "__main__":
    run(main)
