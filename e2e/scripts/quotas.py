"""Per-shard quotas (server started with quotas on): hammering one shard
eventually fails individual PutRecords entries with
ProvisionedThroughputExceededException while the others in the same call
succeed; PutRecord and GetRecords get the same error as a whole-call 400.
Retries are off so botocore cannot hide a throttle."""

import threading
import time

from common import check, client, create, eq, expect_error, run, unique
from botocore.exceptions import ClientError


def main():
    c = client(retries=0)
    name = unique("e2e-quota")
    create(c, name, shards=1)
    res = {}
    acked = set()
    throttled = None
    deadline = time.time() + 20
    calls = 0
    while time.time() < deadline and throttled is None:
        # 500 records of 2 KiB: each call is ~1 MiB, the shard's write quota
        # per second, so the second or third call must be partly refused
        # however slow the machine is.
        batch = [{"Data": ("q-%d-%d-" % (calls, i)).encode().ljust(2048, b"."), "PartitionKey": "k%d" % i}
                 for i in range(500)]
        calls += 1
        r = c.put_records(StreamName=name, Records=batch)
        eq(len(r["Records"]), 500, "PutRecords result count")
        failed = [x for x in r["Records"] if "ErrorCode" in x]
        eq(r["FailedRecordCount"], len(failed), "FailedRecordCount")
        for req, got in zip(batch, r["Records"]):
            if "SequenceNumber" in got:
                acked.add(req["Data"])
                check("ErrorCode" not in got, "record has both SequenceNumber and ErrorCode: %r", got)
        if failed:
            throttled = failed[0]
            for f in failed:
                eq(f["ErrorCode"], "ProvisionedThroughputExceededException", "per-record ErrorCode")
                check(f.get("ErrorMessage"), "per-record failure without ErrorMessage: %r", f)
                check("SequenceNumber" not in f and "ShardId" not in f, "failed record carries %r", f)
            check("Rate exceeded for shard shardId-000000000000 in stream %s under account " % name in failed[0]["ErrorMessage"],
                  "per-record throttle message %r is not AWS's", failed[0]["ErrorMessage"])
            res["failed_in_call"] = len(failed)
            res["ok_in_call"] = 500 - len(failed)
    check(throttled is not None, "no ProvisionedThroughputExceededException after %d calls of 500 records", calls)
    res["calls_until_throttled"] = calls
    res["error_message"] = throttled["ErrorMessage"]

    # PutRecord hammering with 900 KiB records:
    # the whole call fails with the same code and HTTP 400.
    e = None
    for i in range(200):
        # 900 KiB each: even a slow machine's second call in a second is over.
        data = (b"single-%d-" % i).ljust(900 * 1024, b".")
        try:
            c.put_record(StreamName=name, Data=data, PartitionKey="k")
            acked.add(data)
        except ClientError as ce:
            e = ce.response
            break
    check(e is not None, "200 PutRecord calls of 900 KiB never throttled")
    eq(e["Error"]["Code"], "ProvisionedThroughputExceededException", "PutRecord throttle code")
    eq(e["ResponseMetadata"]["HTTPStatusCode"], 400, "PutRecord throttle status")

    # Reading back: only acknowledged records are stored. GetRecords itself is
    # limited to 5 calls/s per shard, so back off when throttled.
    time.sleep(1.1)
    it = c.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seen = []
    read_throttles = 0
    end = time.time() + 60
    while time.time() < end:
        try:
            g = c.get_records(ShardIterator=it)
        except ClientError as ce:
            eq(ce.response["Error"]["Code"], "ProvisionedThroughputExceededException", "GetRecords throttle code")
            eq(ce.response["ResponseMetadata"]["HTTPStatusCode"], 400, "GetRecords throttle status")
            read_throttles += 1
            time.sleep(0.3)
            continue
        seen.extend(r["Data"] for r in g["Records"])
        it = g["NextShardIterator"]
        if not g["Records"] and g["MillisBehindLatest"] == 0:
            break
    eq(len(seen), len(set(seen)), "duplicates read back")
    eq(set(seen), acked, "records read back vs acknowledged")
    res["acked"] = len(acked)

    # GetRecords rate: 10 readers released together make more than 5 calls
    # per second on one shard however slow each call is.
    it = c.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="LATEST")["ShardIterator"]
    codes = []
    for _ in range(5):
        barrier = threading.Barrier(10)
        readers = [client(retries=0) for _ in range(10)]

        def read(rc):
            barrier.wait(timeout=30)
            try:
                rc.get_records(ShardIterator=it)
                codes.append("ok")
            except ClientError as ce:
                codes.append("%s %s" % (ce.response["ResponseMetadata"]["HTTPStatusCode"], ce.response["Error"]["Code"]))

        ts = [threading.Thread(target=read, args=(rc,)) for rc in readers]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=60)
        if any(x != "ok" for x in codes):
            break
    bad = [x for x in codes if x not in ("ok", "400 ProvisionedThroughputExceededException")]
    check(not bad, "concurrent GetRecords answered %r", bad)
    check("400 ProvisionedThroughputExceededException" in codes, "10 concurrent GetRecords on one shard, 5 times, were never throttled")
    res["read_throttles_while_draining"] = read_throttles
    c.delete_stream(StreamName=name)
    res["ok"] = True
    return res


if __name__ == "__main__":
    run(main)
