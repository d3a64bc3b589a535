"""Control-plane races: threads create and delete the same stream names,
split and merge the same shards, and change settings at once. Every answer
must be success or an AWS error that describes the race
(ResourceInUseException, ResourceNotFoundException, InvalidArgumentException,
LimitExceededException) — never a 5xx — and the final state must be
consistent: listed streams describe, open shards tile the hash space, each
split parent has exactly two children."""

import threading

from botocore.exceptions import ClientError

from common import all_shards, check, check_cover, client, create, eq, open_shards, run, unique, wait_exists

RACE_CODES = {"ResourceInUseException", "ResourceNotFoundException", "InvalidArgumentException", "LimitExceededException"}


def main():
    c = client()
    res = {}
    bad = []
    codes = {}
    lock = threading.Lock()

    def attempt(fn, **kw):
        try:
            fn(**kw)
            code = "ok"
        except ClientError as e:
            code = e.response["Error"]["Code"]
            st = e.response["ResponseMetadata"]["HTTPStatusCode"]
            if code not in RACE_CODES or st != 400:
                with lock:
                    bad.append("%s(%r) -> %s %s: %s" % (fn.__name__, kw, st, code, e.response["Error"].get("Message")))
        with lock:
            codes[code] = codes.get(code, 0) + 1

    # Create/delete the same names from several threads.
    names = [unique("e2e-race") for _ in range(3)]

    def churn(tid):
        tc = client()
        for i in range(12):
            n = names[(tid + i) % len(names)]
            if (tid + i) % 2 == 0:
                attempt(tc.create_stream, StreamName=n, ShardCount=1 + i % 3)
            else:
                attempt(tc.delete_stream, StreamName=n)

    ts = [threading.Thread(target=churn, args=(i,)) for i in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    check(not any(t.is_alive() for t in ts), "churn threads hang")
    for n in names:
        try:
            d = c.describe_stream_summary(StreamName=n)["StreamDescriptionSummary"]
            check(d["StreamStatus"] in ("CREATING", "ACTIVE", "DELETING", "UPDATING"), "stream %s status %s", n, d["StreamStatus"])
            if d["StreamStatus"] != "DELETING":
                wait_exists(c, n)
                check_cover(all_shards(c, n), "raced stream %s" % n)
        except ClientError as e:
            eq(e.response["Error"]["Code"], "ResourceNotFoundException", "describe of a raced name")
    listed = set(c.list_streams()["StreamNames"])
    for n in names:
        if n in listed:
            c.describe_stream_summary(StreamName=n)

    # Split the same shard from several threads at different keys.
    s = unique("e2e-race-split")
    create(c, s, shards=1)
    keys = [str(2**127 + i * 2**100) for i in range(6)]

    def split(k):
        attempt(client().split_shard, StreamName=s, ShardToSplit="shardId-000000000000", NewStartingHashKey=k)

    ts = [threading.Thread(target=split, args=(k,)) for k in keys]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    wait_exists(c, s)
    shards = all_shards(c, s)
    eq(len(open_shards(shards)), 2, "open shards after racing splits of one shard")
    eq(len([x for x in shards if x.get("ParentShardId") == "shardId-000000000000"]), 2, "children of the raced parent")
    check_cover(shards, "after racing splits")

    # Settings changed concurrently.
    def settings(i):
        tc = client()
        attempt(tc.add_tags_to_stream, StreamName=s, Tags={"t%d" % i: "v"})
        attempt(tc.increase_stream_retention_period, StreamName=s, RetentionPeriodHours=24 + i + 1)
        attempt(tc.enable_enhanced_monitoring, StreamName=s, ShardLevelMetrics=["IncomingBytes"])

    ts = [threading.Thread(target=settings, args=(i,)) for i in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    wait_exists(c, s)
    eq(len(c.list_tags_for_stream(StreamName=s)["Tags"]), 6, "tags added concurrently")
    check(c.describe_stream_summary(StreamName=s)["StreamDescriptionSummary"]["RetentionPeriodHours"] >= 25,
          "retention after concurrent increases")
    check(not bad, "race answers outside the AWS race codes:\n  %s", "\n  ".join(bad[:10]))
    c.delete_stream(StreamName=s)
    res["codes"] = codes
    return res


if __name__ == "__main__":
    run(main)
