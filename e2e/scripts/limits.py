"""Limits as AWS applies them: GetRecords returns at most 10,000 records and
about 10 MiB per call; DescribeStream returns 100 shards per page; CreateStream
over the account's ShardLimit is a LimitExceededException; a 128-character
stream name is fine; non-ASCII partition keys are routed by the MD5 of their
UTF-8 bytes."""

import datetime

from common import (all_shards, check, client, create, eq, expect_error, md5_hash, run, shard_for, unique)


def main():
    c = client(read_timeout=120)
    res = {}

    # 10,000 records per GetRecords.
    name = unique("e2e-lim")
    create(c, name, shards=1)
    for b in range(21):
        r = c.put_records(StreamName=name, Records=[{"Data": b"%d-%d" % (b, i), "PartitionKey": "k"} for i in range(500)])
        eq(r["FailedRecordCount"], 0, "FailedRecordCount")
    it = c.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    g = c.get_records(ShardIterator=it)
    eq(len(g["Records"]), 10000, "records in one GetRecords without Limit")
    check(g["MillisBehindLatest"] >= 0, "MillisBehindLatest %r", g["MillisBehindLatest"])
    g2 = c.get_records(ShardIterator=g["NextShardIterator"])
    eq(len(g2["Records"]), 500, "records in the second GetRecords")
    eq(g2["Records"][0]["Data"], b"20-0", "first record of the second page")
    res["get_records_max"] = len(g["Records"])

    # About 10 MiB per GetRecords: 12 records of 1 MiB - 1 byte (+ key "k").
    big = unique("e2e-big")
    create(c, big, shards=1)
    for i in range(12):
        c.put_record(StreamName=big, Data=bytes([65 + i]) * (1024 * 1024 - 1), PartitionKey="k")
    it = c.get_shard_iterator(StreamName=big, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seen = 0
    pages = []
    for _ in range(5):
        g = c.get_records(ShardIterator=it)
        n = len(g["Records"])
        size = sum(len(r["Data"]) + len(r["PartitionKey"]) for r in g["Records"])
        check(size <= 10 * 1024 * 1024, "GetRecords returned %d bytes, over 10 MiB", size)
        pages.append(n)
        for j, r in enumerate(g["Records"]):
            eq(r["Data"][:1], bytes([65 + seen + j]), "1 MiB record order")
        seen += n
        it = g["NextShardIterator"]
        if seen == 12:
            break
    eq(seen, 12, "1 MiB records read back")
    check(len(pages) >= 2, "12 MiB came back in one GetRecords: %r", pages)
    res["big_pages"] = pages

    # DescribeStream: at most 100 shards per page.
    many = unique("e2e-many")
    create(c, many, shards=150)
    d = c.describe_stream(StreamName=many)["StreamDescription"]
    eq(len(d["Shards"]), 100, "DescribeStream default page")
    eq(d["HasMoreShards"], True, "DescribeStream HasMoreShards with 150 shards")
    pag = [s["ShardId"] for p in c.get_paginator("describe_stream").paginate(StreamName=many) for s in p["StreamDescription"]["Shards"]]
    eq(pag, ["shardId-%012d" % i for i in range(150)], "describe_stream paginator over 150 shards")
    ls = c.list_shards(StreamName=many)
    eq(len(ls["Shards"]), 150, "ListShards default page")
    check(not ls.get("NextToken"), "ListShards NextToken with 150 shards")
    sm = c.describe_stream_summary(StreamName=many)["StreamDescriptionSummary"]
    eq(sm["OpenShardCount"], 150, "OpenShardCount of 150")

    # Over the account's shard limit.
    lim = c.describe_limits()
    res["limits"] = {k: lim[k] for k in ("ShardLimit", "OpenShardCount")}
    eq(lim["OpenShardCount"], 152, "OpenShardCount across streams")
    e = expect_error("LimitExceededException", c.create_stream, StreamName=unique("e2e-over"),
                     ShardCount=lim["ShardLimit"] - lim["OpenShardCount"] + 1)
    res["over_limit"] = e["message"]
    for n in (name, big, many):
        c.delete_stream(StreamName=n)

    # ListStreams answers at most 100 names per call by default.
    for n in (name, big, many):
        c.get_waiter("stream_not_exists").wait(StreamName=n, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    empty = c.list_streams()
    eq((empty["StreamNames"], empty["HasMoreStreams"]), ([], False), "ListStreams with no streams")
    lots = ["e2e-lots-%03d" % i for i in range(105)]
    for n in lots:
        c.create_stream(StreamName=n, ShardCount=1)
    for n in lots:
        c.get_waiter("stream_exists").wait(StreamName=n, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    ls = c.list_streams()
    eq(ls["StreamNames"], lots[:100], "ListStreams default page")
    eq(ls["HasMoreStreams"], True, "ListStreams HasMoreStreams at 105 streams")
    allnames = [n for p in c.get_paginator("list_streams").paginate() for n in p["StreamNames"]]
    eq(allnames, lots, "list_streams paginator over 105 streams")
    for n in lots:
        c.delete_stream(StreamName=n)

    # A 128-character name.
    long_name = ("e2e-" + "x" * 124)
    create(c, long_name, shards=1)
    eq(c.describe_stream_summary(StreamName=long_name)["StreamDescriptionSummary"]["StreamName"], long_name, "128-char name")

    # Non-ASCII partition keys route by MD5 of UTF-8.
    create(c, long_name[:-1] + "y", shards=4)
    uni = long_name[:-1] + "y"
    shards = all_shards(c, uni)
    for pk in ("clé-ü", "日本語のキー", "emoji-🦆", "ascii"):
        r = c.put_record(StreamName=uni, Data=pk.encode(), PartitionKey=pk)
        eq(r["ShardId"], shard_for(shards, md5_hash(pk)), "routing of %r" % pk)
        it = c.get_shard_iterator(StreamName=uni, ShardId=r["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                  StartingSequenceNumber=r["SequenceNumber"])["ShardIterator"]
        got = c.get_records(ShardIterator=it, Limit=1)["Records"][0]
        eq(got["PartitionKey"], pk, "partition key round trip")
        now = datetime.datetime.now(datetime.timezone.utc)
        skew = abs((now - got["ApproximateArrivalTimestamp"]).total_seconds())
        check(skew < 60, "ApproximateArrivalTimestamp %s is %.1f s from now", got["ApproximateArrivalTimestamp"], skew)
    c.delete_stream(StreamName=long_name)
    c.delete_stream(StreamName=uni)
    res["ok"] = True
    return res


if __name__ == "__main__":
    run(main)
