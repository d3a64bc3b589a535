"""Across a server restart (the Go test stops and restarts the server between
the two phases): acknowledged records, stream settings and shard iterators
survive, and new sequence numbers keep growing.

  restart.py ENDPOINT write STATEFILE
  restart.py ENDPOINT read STATEFILE
"""

import json
import sys

from common import check, client, create, drain, eq, has_op, run, unique, wait_exists

POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},'
          '"Action":"kinesis:GetRecords","Resource":"%s"}]}')


def write(c, state):
    name = unique("e2e-restart")
    create(c, name, shards=2)
    c.add_tags_to_stream(StreamName=name, Tags={"keep": "me"})
    c.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=36)
    wait_exists(c, name)
    acked = []
    for b in range(4):
        r = c.put_records(StreamName=name, Records=[{"Data": b"r-%d-%d" % (b, i), "PartitionKey": "k%d" % i} for i in range(100)])
        eq(r["FailedRecordCount"], 0, "FailedRecordCount")
        acked += [(x["ShardId"], x["SequenceNumber"]) for x in r["Records"]]
    c.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
    wait_exists(c, name)
    last = c.put_record(StreamName=name, Data=b"after-split", PartitionKey="z", ExplicitHashKey="1")
    acked.append((last["ShardId"], last["SequenceNumber"]))
    it = c.get_shard_iterator(StreamName=name, ShardId="shardId-000000000001", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    # Settings that must survive too.
    arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    c.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    c.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    wait_exists(c, name)
    od = unique("e2e-restart-od")
    c.create_stream(StreamName=od, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    wait_exists(c, od)
    if has_op(c, "PutResourcePolicy"):
        c.put_resource_policy(ResourceARN=arn, Policy=POLICY % arn)
        c.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
        wait_exists(c, name)
    # A stream deleted before the restart stays deleted, and its name, reused,
    # starts empty.
    gone = unique("e2e-restart-gone")
    create(c, gone, shards=1)
    c.put_record(StreamName=gone, Data=b"old-life", PartitionKey="k")
    c.delete_stream(StreamName=gone)
    c.get_waiter("stream_not_exists").wait(StreamName=gone, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    json.dump({"name": name, "acked": acked, "iterator": it, "od": od, "gone": gone, "arn": arn}, open(state, "w"))
    return {"name": name, "acked": len(acked)}


def read(c, state):
    st = json.load(open(state))
    name = st["name"]
    sm = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    eq(sm["StreamStatus"], "ACTIVE", "status after restart")
    eq(sm["RetentionPeriodHours"], 36, "retention after restart")
    eq(sm["OpenShardCount"], 3, "open shards after restart")
    eq([(t["Key"], t["Value"]) for t in c.list_tags_for_stream(StreamName=name)["Tags"]], [("keep", "me")], "tags after restart")
    # The iterator handed out before the restart still works.
    recs, _ = drain(c, st["iterator"])
    want1 = sorted((s for s in st["acked"] if s[0] == "shardId-000000000001"), key=lambda x: int(x[1]))
    eq([r["SequenceNumber"] for r in recs], [s[1] for s in want1], "shard 1 through the pre-restart iterator")
    # Every acknowledged record is there exactly once.
    got = []
    for sh in c.list_shards(StreamName=name)["Shards"]:
        it = c.get_shard_iterator(StreamName=name, ShardId=sh["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        rr, _ = drain(c, it)
        got += [(sh["ShardId"], r["SequenceNumber"]) for r in rr]
    eq(sorted(map(tuple, st["acked"])), sorted(got), "records after restart")
    # New sequence numbers keep growing on every open shard.
    for sid, hk in (("shardId-000000000001", str(2**127)), ):
        n = c.put_record(StreamName=name, Data=b"post", PartitionKey="z", ExplicitHashKey=hk)
        eq(n["ShardId"], sid, "post-restart routing")
        check(int(n["SequenceNumber"]) > max(int(s[1]) for s in st["acked"] if s[0] == sid),
              "sequence number after restart %s not above the acknowledged ones", n["SequenceNumber"])
    lowkid = c.put_record(StreamName=name, Data=b"post", PartitionKey="z", ExplicitHashKey="1")
    check(int(lowkid["SequenceNumber"]) > int(st["acked"][-1][1]), "child shard sequence number went backwards")
    sm = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    eq(sm["EnhancedMonitoring"][0]["ShardLevelMetrics"], ["IncomingBytes"], "enhanced monitoring after restart")
    eq((sm["EncryptionType"], sm.get("KeyId")), ("KMS", "alias/aws/kinesis"), "encryption after restart")
    eq(c.describe_stream_summary(StreamName=st["od"])["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"],
       "ON_DEMAND", "stream mode after restart")
    if has_op(c, "PutResourcePolicy"):
        eq(json.loads(c.get_resource_policy(ResourceARN=st["arn"])["Policy"]), json.loads(POLICY % st["arn"]),
           "resource policy after restart")
        eq(sm.get("MaxRecordSizeInKiB"), 2048, "MaxRecordSizeInKiB after restart")
    check(st["gone"] not in c.list_streams()["StreamNames"], "deleted stream came back after restart")
    create(c, st["gone"], shards=1)
    it = c.get_shard_iterator(StreamName=st["gone"], ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    old, _ = drain(c, it)
    eq([r["Data"] for r in old], [], "records in a re-created stream after restart")
    for n in (name, st["od"], st["gone"]):
        c.delete_stream(StreamName=n)
    return {"name": name, "records": len(got)}


def main():
    mode, state = sys.argv[2], sys.argv[3]
    c = client()
    return write(c, state) if mode == "write" else read(c, state)


if __name__ == "__main__":
    run(main)
