"""Records: PutRecord (MD5 routing, ExplicitHashKey, SequenceNumberForOrdering),
PutRecords per-record results, every iterator type, GetRecords paging,
MillisBehindLatest, and ChildShards / a null NextShardIterator at the end of a
shard closed by SplitShard and MergeShards."""

import datetime
import re
import time

from common import (check, client, expect_error, create, eq, md5_hash, run, shard_for, unique, wait_exists, drain,
                    all_shards, MAX_HASH)


def main():
    c = client()
    name = unique("e2e-rec")
    create(c, name, shards=2)
    shards = c.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    res = {}

    # PutRecord: MD5 routing, binary data, increasing sequence numbers.
    seqs = {}
    payloads = []
    for i in range(20):
        pk = "key-%d" % i
        data = bytes([i, 0, 255]) + ("payload-%d" % i).encode()
        r = c.put_record(StreamName=name, Data=data, PartitionKey=pk)
        eq(r["ShardId"], shard_for(shards, md5_hash(pk)), "routing of %s" % pk)
        check(re.match(r"^\d+$", r["SequenceNumber"]), "sequence number %r not decimal", r["SequenceNumber"])
        prev = seqs.get(r["ShardId"])
        check(prev is None or int(r["SequenceNumber"]) > int(prev), "sequence numbers not increasing in %s", r["ShardId"])
        seqs[r["ShardId"]] = r["SequenceNumber"]
        payloads.append((r["ShardId"], r["SequenceNumber"], data, pk))
    check(len(seqs) == 2, "20 keys all landed in one shard: %r", seqs)

    # ExplicitHashKey overrides the partition key.
    lo = c.put_record(StreamName=name, Data=b"lo", PartitionKey="x", ExplicitHashKey="0")
    hi = c.put_record(StreamName=name, Data=b"hi", PartitionKey="x", ExplicitHashKey=str(MAX_HASH))
    eq(lo["ShardId"], "shardId-000000000000", "ExplicitHashKey 0")
    eq(hi["ShardId"], "shardId-000000000001", "ExplicitHashKey 2^128-1")
    # SequenceNumberForOrdering: the new number is greater.
    o = c.put_record(StreamName=name, Data=b"ord", PartitionKey="x", ExplicitHashKey="0",
                     SequenceNumberForOrdering=lo["SequenceNumber"])
    check(int(o["SequenceNumber"]) > int(lo["SequenceNumber"]), "SequenceNumberForOrdering not honoured")
    if "EncryptionType" in r:
        eq(r["EncryptionType"], "NONE", "PutRecord EncryptionType")

    # PutRecords: per-record results in request order.
    batch = [{"Data": ("batch-%d" % i).encode(), "PartitionKey": "bk-%d" % i} for i in range(50)]
    batch.append({"Data": b"batch-ehk", "PartitionKey": "z", "ExplicitHashKey": "0"})
    pr = c.put_records(StreamName=name, Records=batch)
    eq(pr["FailedRecordCount"], 0, "PutRecords FailedRecordCount")
    eq(len(pr["Records"]), len(batch), "PutRecords result count")
    for i, (req, got) in enumerate(zip(batch, pr["Records"])):
        check("SequenceNumber" in got and "ErrorCode" not in got, "record %d failed: %r", i, got)
        want = shard_for(shards, int(req["ExplicitHashKey"]) if "ExplicitHashKey" in req else md5_hash(req["PartitionKey"]))
        eq(got["ShardId"], want, "PutRecords routing of record %d" % i)
    res["put_records"] = len(pr["Records"])

    # TRIM_HORIZON reads everything on shard 0 in sequence order, byte for byte.
    s0 = "shardId-000000000000"
    it = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got0, last = drain(c, it)
    want0 = [p for p in payloads if p[0] == s0]
    got_seqs = [r["SequenceNumber"] for r in got0]
    eq(got_seqs, sorted(got_seqs, key=int), "shard 0 read order")
    check(len(set(got_seqs)) == len(got_seqs), "duplicate records on shard 0")
    by_seq = {r["SequenceNumber"]: r for r in got0}
    for sid, seq, data, pk in want0:
        check(seq in by_seq, "record %s missing from shard 0", seq)
        eq(by_seq[seq]["Data"], data, "data of %s" % seq)
        eq(by_seq[seq]["PartitionKey"], pk, "partition key of %s" % seq)
        check(isinstance(by_seq[seq]["ApproximateArrivalTimestamp"], datetime.datetime), "no arrival timestamp")
    n0 = len(want0) + 2 + sum(1 for x in pr["Records"] if x["ShardId"] == s0)
    eq(len(got0), n0, "records on shard 0")
    eq(last["MillisBehindLatest"], 0, "MillisBehindLatest when caught up")
    res["shard0_records"] = len(got0)

    # An iterator can be used again until it expires: same records.
    again = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    a1 = c.get_records(ShardIterator=again, Limit=5)
    a2 = c.get_records(ShardIterator=again, Limit=5)
    eq([r["SequenceNumber"] for r in a2["Records"]], [r["SequenceNumber"] for r in a1["Records"]], "reused iterator")

    # Limit pages through.
    it = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = c.get_records(ShardIterator=it, Limit=3)
    eq([r["SequenceNumber"] for r in page["Records"]], got_seqs[:3], "Limit=3 page")
    page2 = c.get_records(ShardIterator=page["NextShardIterator"], Limit=3)
    eq([r["SequenceNumber"] for r in page2["Records"]], got_seqs[3:6], "second Limit=3 page")

    # AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER.
    mid = got_seqs[4]
    at = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="AT_SEQUENCE_NUMBER",
                              StartingSequenceNumber=mid)["ShardIterator"]
    eq([r["SequenceNumber"] for r in c.get_records(ShardIterator=at, Limit=2)["Records"]], got_seqs[4:6], "AT_SEQUENCE_NUMBER")
    af = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                              StartingSequenceNumber=mid)["ShardIterator"]
    eq([r["SequenceNumber"] for r in c.get_records(ShardIterator=af, Limit=2)["Records"]], got_seqs[5:7], "AFTER_SEQUENCE_NUMBER")
    afl = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                               StartingSequenceNumber=got_seqs[-1])["ShardIterator"]
    eq(c.get_records(ShardIterator=afl)["Records"], [], "AFTER the last record")

    # LATEST sees only what comes after it.
    lt = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="LATEST")["ShardIterator"]
    g = c.get_records(ShardIterator=lt)
    eq(g["Records"], [], "LATEST before new writes")
    eq(g["MillisBehindLatest"], 0, "LATEST MillisBehindLatest")
    new = c.put_record(StreamName=name, Data=b"after-latest", PartitionKey="x", ExplicitHashKey="0")
    g2 = c.get_records(ShardIterator=g["NextShardIterator"])
    eq([r["SequenceNumber"] for r in g2["Records"]], [new["SequenceNumber"]], "LATEST after a write")

    # AT_TIMESTAMP: a batch written after a pause, timestamp taken in the pause.
    # botocore sends timestamps as whole seconds: keep both batches more than
    # a second away from ts.
    time.sleep(1.6)
    ts = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(1.2)
    later = [c.put_record(StreamName=name, Data=("late-%d" % i).encode(), PartitionKey="x", ExplicitHashKey="0")["SequenceNumber"]
             for i in range(3)]
    ati = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="AT_TIMESTAMP", Timestamp=ts)["ShardIterator"]
    recs, _ = drain(c, ati)
    eq([r["SequenceNumber"] for r in recs], later, "AT_TIMESTAMP records")
    # AWS refuses a timestamp in the future ("The timestampInMillis parameter
    # cannot be greater than the currentTimestampInMillis").
    e = expect_error("InvalidArgumentException", c.get_shard_iterator, StreamName=name, ShardId=s0,
                     ShardIteratorType="AT_TIMESTAMP",
                     Timestamp=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
    res["future_timestamp"] = e["message"]
    old = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="AT_TIMESTAMP",
                               Timestamp=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))["ShardIterator"]
    eq(c.get_records(ShardIterator=old, Limit=1)["Records"][0]["SequenceNumber"], got_seqs[0], "AT_TIMESTAMP before the stream")

    # MillisBehindLatest: reading one old record while newer ones exist.
    th = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    behind = c.get_records(ShardIterator=th, Limit=1)
    check(behind["MillisBehindLatest"] > 0, "MillisBehindLatest %r while 2.4 s behind the tip", behind["MillisBehindLatest"])
    res["millis_behind"] = behind["MillisBehindLatest"]

    # Split shard 0; the parent's reader ends with ChildShards and no next iterator.
    before_split = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r0 = shards[0]["HashKeyRange"]
    midkey = (int(r0["StartingHashKey"]) + int(r0["EndingHashKey"])) // 2 + 1
    c.split_shard(StreamName=name, ShardToSplit=s0, NewStartingHashKey=str(midkey))
    wait_exists(c, name)
    after = c.put_record(StreamName=name, Data=b"after-split", PartitionKey="x", ExplicitHashKey="0")
    check(after["ShardId"] not in (s0, "shardId-000000000001"), "record after split went to %s", after["ShardId"])
    recs, last = drain(c, before_split)
    eq(len(recs), len(got_seqs) + 1 + 3, "records read from the split parent")
    check(last.get("NextShardIterator") is None, "closed shard still returns NextShardIterator")
    kids = last.get("ChildShards") or []
    eq(len(kids), 2, "ChildShards after split")
    kid_ids = sorted(k["ShardId"] for k in kids)
    for k in kids:
        eq(k["ParentShards"], [s0], "ChildShards ParentShards")
    ranges = sorted((int(k["HashKeyRange"]["StartingHashKey"]), int(k["HashKeyRange"]["EndingHashKey"])) for k in kids)
    eq(ranges, [(int(r0["StartingHashKey"]), midkey - 1), (midkey, int(r0["EndingHashKey"]))], "child hash ranges")
    desc = {s["ShardId"]: s for s in all_shards(c, name)}
    check("EndingSequenceNumber" in desc[s0]["SequenceNumberRange"], "split parent has no EndingSequenceNumber")
    for k in kid_ids:
        eq(desc[k].get("ParentShardId"), s0, "ParentShardId of %s" % k)
    # The low child holds the post-split record.
    lowkid = [k["ShardId"] for k in kids if int(k["HashKeyRange"]["StartingHashKey"]) == int(r0["StartingHashKey"])][0]
    eq(after["ShardId"], lowkid, "post-split record shard")
    res["split_children"] = kid_ids

    # LATEST and a later AT_TIMESTAMP on the closed parent: nothing to read,
    # no next iterator, and the children named. botocore sends JSON
    # timestamps as whole seconds, so the parent's last record must be more
    # than a second old for "now" to be after it on the wire.
    time.sleep(1.1)
    for kw in ({"ShardIteratorType": "LATEST"},
               {"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": datetime.datetime.now(datetime.timezone.utc)}):
        it = c.get_shard_iterator(StreamName=name, ShardId=s0, **kw)["ShardIterator"]
        g = c.get_records(ShardIterator=it)
        eq(g["Records"], [], "records from %s on a closed shard" % kw["ShardIteratorType"])
        check(g.get("NextShardIterator") is None, "%s on a closed shard returned a NextShardIterator", kw["ShardIteratorType"])
        eq(sorted(k["ShardId"] for k in g.get("ChildShards") or []), kid_ids, "ChildShards via %s" % kw["ShardIteratorType"])

    # Merge the two children back; each parent's reader ends at the merged child.
    c.merge_shards(StreamName=name, ShardToMerge=kid_ids[0], AdjacentShardToMerge=kid_ids[1])
    wait_exists(c, name)
    merged = set()
    for k in kid_ids:
        it = c.get_shard_iterator(StreamName=name, ShardId=k, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        rr, last = drain(c, it)
        check(last.get("NextShardIterator") is None, "merged parent %s still open", k)
        ch = last.get("ChildShards") or []
        eq(len(ch), 1, "ChildShards of merged parent %s" % k)
        eq(sorted(ch[0]["ParentShards"]), kid_ids, "merged child's parents")
        merged.add(ch[0]["ShardId"])
    eq(len(merged), 1, "both parents name the same merged child")
    m = desc2 = {s["ShardId"]: s for s in all_shards(c, name)}[merged.pop()]
    eq(sorted([m.get("ParentShardId"), m.get("AdjacentParentShardId")]), kid_ids, "merged shard parents")
    eq(m["HashKeyRange"], r0, "merged shard hash range")
    res["merged"] = m["ShardId"]
    # An iterator on a closed shard at its end: empty page, no next iterator.
    c.delete_stream(StreamName=name)
    res["ok"] = True
    return res


if __name__ == "__main__":
    run(main)
