"""Error cases: exact error codes, HTTP statuses and (for validation) AWS's
wording. Every bad request must also change nothing."""

import base64

from common import (Later, check, client, create, eq, expect_error, run, unique, MAX_HASH)


def main():
    c = client()
    name = unique("e2e-err")
    missing = unique("e2e-missing")
    create(c, name, shards=2)
    res = {}
    later = Later()

    # Unknown stream, everywhere a stream is named.
    expect_error("ResourceNotFoundException", c.describe_stream, StreamName=missing)
    expect_error("ResourceNotFoundException", c.describe_stream_summary, StreamName=missing)
    expect_error("ResourceNotFoundException", c.put_record, StreamName=missing, Data=b"x", PartitionKey="k")
    expect_error("ResourceNotFoundException", c.put_records, StreamName=missing, Records=[{"Data": b"x", "PartitionKey": "k"}])
    expect_error("ResourceNotFoundException", c.get_shard_iterator, StreamName=missing,
                 ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")
    expect_error("ResourceNotFoundException", c.delete_stream, StreamName=missing)
    expect_error("ResourceNotFoundException", c.list_shards, StreamName=missing)
    expect_error("ResourceNotFoundException", c.add_tags_to_stream, StreamName=missing, Tags={"a": "b"})
    expect_error("ResourceNotFoundException", c.increase_stream_retention_period, StreamName=missing, RetentionPeriodHours=48)
    # Unknown shard of an existing stream.
    expect_error("ResourceNotFoundException", c.get_shard_iterator, StreamName=name,
                 ShardId="shardId-000000000099", ShardIteratorType="TRIM_HORIZON")

    # Duplicate create.
    e = expect_error("ResourceInUseException", c.create_stream, StreamName=name, ShardCount=1)
    res["duplicate_create"] = e["message"]
    eq(c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"], 2,
       "shard count after refused duplicate create")

    # Model validation: stream-name pattern and length, with AWS's wording.
    e = expect_error("ValidationException", c.create_stream, StreamName="bad name!", ShardCount=1,
                     msg_contains="1 validation error detected: ")
    check(e["message"].startswith("1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: "
                                  "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
          "bad stream name message %r", e["message"])
    res["bad_name"] = e["message"]
    e = expect_error("ValidationException", c.describe_stream, StreamName="x" * 129)
    check(e["message"].startswith("1 validation error detected: ") and "length less than or equal to 128" in e["message"],
          "long stream name message %r", e["message"])
    check("bad name!" not in c.list_streams()["StreamNames"], "invalid stream created")

    # Hash keys out of range.
    e = expect_error("InvalidArgumentException", c.put_record, StreamName=name, Data=b"x", PartitionKey="k",
                     ExplicitHashKey=str(MAX_HASH + 1))
    res["hash_key_out_of_range"] = e["message"]
    expect_error("ValidationException", c.put_record, StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey="abc")
    expect_error("InvalidArgumentException", c.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                 NewStartingHashKey="0")
    expect_error("InvalidArgumentException", c.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                 NewStartingHashKey=str(MAX_HASH))

    # Iterator arguments.
    s0 = "shardId-000000000000"
    expect_error("InvalidArgumentException", c.get_shard_iterator, StreamName=name, ShardId=s0,
                 ShardIteratorType="AT_SEQUENCE_NUMBER")
    expect_error("InvalidArgumentException", c.get_shard_iterator, StreamName=name, ShardId=s0,
                 ShardIteratorType="AFTER_SEQUENCE_NUMBER")
    expect_error("InvalidArgumentException", c.get_shard_iterator, StreamName=name, ShardId=s0,
                 ShardIteratorType="AT_TIMESTAMP")
    expect_error("ValidationException", c.get_shard_iterator, StreamName=name, ShardId=s0,
                 ShardIteratorType="SOMETIMES")
    # A sequence number of another shard.
    other = c.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey=str(MAX_HASH))
    eq(other["ShardId"], "shardId-000000000001", "ExplicitHashKey max shard")
    expect_error("InvalidArgumentException", c.get_shard_iterator, StreamName=name, ShardId=s0,
                 ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=other["SequenceNumber"])

    # Corrupted and forged iterators: 400 InvalidArgumentException, never a 500.
    it = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    flipped = it[:len(it) // 2] + ("A" if it[len(it) // 2] != "A" else "B") + it[len(it) // 2 + 1:]
    bad = {
        "flipped": flipped,
        "truncated": it[: len(it) // 2],
        "garbage": "not-an-iterator",
        "forged": base64.b64encode(b'{"stream":"%s","shard":"%s","seq":"0"}' % (name.encode(), s0.encode())).decode(),
    }
    res["corrupt_iterators"] = {}
    for k, v in bad.items():
        e = expect_error("InvalidArgumentException", c.get_records, ShardIterator=v)
        res["corrupt_iterators"][k] = e["message"]
    expect_error("ValidationException", c.get_records, ShardIterator="x" * 513)
    expect_error(("InvalidArgumentException", "ValidationException"), c.get_records, ShardIterator=it, Limit=10001)
    # The genuine iterator still works after all that.
    c.get_records(ShardIterator=it)

    # PutRecords limits: 501 records is a whole-request ValidationException.
    recs = [{"Data": b"x", "PartitionKey": "k%d" % i} for i in range(501)]
    e = expect_error("ValidationException", c.put_records, StreamName=name, Records=recs,
                     msg_contains="1 validation error detected: ")
    check("500" in e["message"], "501 records message %r does not name the limit", e["message"])
    res["put_records_501"] = e["message"][:200]
    # A record over 1 MiB (data alone), for PutRecord and PutRecords.
    big = b"b" * (1024 * 1024 + 1)
    e = expect_error(("ValidationException", "InvalidArgumentException"), c.put_record, StreamName=name, Data=big, PartitionKey="k")
    res["put_record_over_1mib"] = e
    e = expect_error(("ValidationException", "InvalidArgumentException"), c.put_records, StreamName=name,
                     Records=[{"Data": b"ok", "PartitionKey": "k"}, {"Data": big, "PartitionKey": "k"}])
    res["put_records_over_1mib"] = e
    # Data + key over 1 MiB (key counts).
    e = expect_error(("ValidationException", "InvalidArgumentException"), c.put_record, StreamName=name,
                     Data=b"c" * (1024 * 1024), PartitionKey="kk")
    res["put_record_key_plus_data_over_1mib"] = e
    # Exactly 1 MiB including the key is fine.
    ok = c.put_record(StreamName=name, Data=b"d" * (1024 * 1024 - 1), PartitionKey="k")
    check(ok["SequenceNumber"], "1 MiB record not stored")
    # Over 5 MiB of records in one PutRecords whose body is still under the
    # 7 MiB request limit: 5 x (1 MiB - 1) + 100 KiB.
    over5 = [{"Data": b"e" * (1024 * 1024 - 1), "PartitionKey": "k"} for _ in range(5)]
    over5.append({"Data": b"f" * (100 * 1024), "PartitionKey": "k"})
    e = expect_error(("InvalidArgumentException", "ValidationException"), c.put_records, StreamName=name, Records=over5)
    res["put_records_over_5mib"] = e
    # A request body over 7 MiB gets AWS's bare 413 (boto/boto3#1147), which
    # botocore reports as error code "413".
    six = [{"Data": b"e" * (1024 * 1024 - 1), "PartitionKey": "k"} for _ in range(6)]
    res["put_records_body_over_7mib"] = later.check("bare 413 for a PutRecords body over 7 MiB", expect_error, "413",
                                                    c.put_records, StreamName=name, Records=six, status=413)
    # Partition key too long (257 chars) is a model violation.
    expect_error("ValidationException", c.put_record, StreamName=name, Data=b"x", PartitionKey="p" * 257)
    # None of the refused writes landed: shard 0 and 1 hold only the two accepted records.
    total = 0
    for sid in ("shardId-000000000000", "shardId-000000000001"):
        it = c.get_shard_iterator(StreamName=name, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while True:
            g = c.get_records(ShardIterator=it)
            total += len(g["Records"])
            if not g["Records"]:
                break
            it = g["NextShardIterator"]
    eq(total, 2, "records stored after refused writes")
    # Exactly 5 MiB of records (data + keys) in one PutRecords is accepted.
    at5 = [{"Data": b"g" * (1024 * 1024 - 1), "PartitionKey": "k"} for _ in range(5)]
    r = c.put_records(StreamName=name, Records=at5)
    eq(r["FailedRecordCount"], 0, "PutRecords of exactly 5 MiB")

    # Retention bounds and direction.
    expect_error("InvalidArgumentException", c.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=8761)
    expect_error("InvalidArgumentException", c.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=23)
    expect_error("InvalidArgumentException", c.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=48)
    c.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    expect_error("InvalidArgumentException", c.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=24)
    eq(c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"], 48,
       "retention after refused changes")

    # Merging shards that are not adjacent (needs three shards).
    three = unique("e2e-err3")
    create(c, three, shards=3)
    expect_error("InvalidArgumentException", c.merge_shards, StreamName=three,
                 ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000002")
    expect_error("ResourceNotFoundException", c.merge_shards, StreamName=three,
                 ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000042")
    tok_it = c.get_shard_iterator(StreamName=three, ShardId="shardId-000000000002", ShardIteratorType="LATEST")["ShardIterator"]
    # ListShards: NextToken and StreamName together.
    tok = c.list_shards(StreamName=three, MaxResults=1)["NextToken"]
    expect_error("InvalidArgumentException", c.list_shards, StreamName=three, NextToken=tok)
    expect_error(("InvalidArgumentException", "ExpiredNextTokenException"), c.list_shards, NextToken="bogus-token")
    # Updating shard count beyond double.
    expect_error(("InvalidArgumentException", "LimitExceededException", "ValidationException"), c.update_shard_count,
                 StreamName=three, TargetShardCount=7, ScalingType="UNIFORM_SCALING")
    eq(c.describe_stream_summary(StreamName=three)["StreamDescriptionSummary"]["OpenShardCount"], 3,
       "shards after refused update")

    # At most 10 UpdateShardCount calls per stream in a rolling 24 hours.
    busy = unique("e2e-err-usc")
    create(c, busy, shards=2)
    for i in range(10):
        c.update_shard_count(StreamName=busy, TargetShardCount=4 if i % 2 == 0 else 2, ScalingType="UNIFORM_SCALING")
        c.get_waiter("stream_exists").wait(StreamName=busy, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    e = expect_error("LimitExceededException", c.update_shard_count, StreamName=busy, TargetShardCount=4,
                     ScalingType="UNIFORM_SCALING")
    res["update_shard_count_11th"] = e["message"]
    c.delete_stream(StreamName=busy)
    # UpdateShardCount on an on-demand stream.
    od = unique("e2e-err-od")
    create(c, od, on_demand=True)
    expect_error(("ValidationException", "InvalidArgumentException"), c.update_shard_count, StreamName=od,
                 TargetShardCount=8, ScalingType="UNIFORM_SCALING")
    c.delete_stream(StreamName=od)

    # Tags: too many keys to remove at once is a model violation (max 50).
    expect_error(("ValidationException", "InvalidArgumentException"), c.remove_tags_from_stream,
                 StreamName=name, TagKeys=["k%d" % i for i in range(51)])

    # An iterator is bound to its region: the same stream name in another
    # region must not be readable through it.
    w = client(region="us-west-2")
    w.create_stream(StreamName=name, ShardCount=2)
    w.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    it = c.get_shard_iterator(StreamName=name, ShardId=s0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    e = expect_error(("InvalidArgumentException", "ResourceNotFoundException"), w.get_records, ShardIterator=it)
    res["iterator_other_region"] = e
    w.delete_stream(StreamName=name)

    # An iterator of a deleted stream.
    c.delete_stream(StreamName=three)
    c.get_waiter("stream_not_exists").wait(StreamName=three, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    e = expect_error("ResourceNotFoundException", c.get_records, ShardIterator=tok_it)
    res["iterator_deleted_stream"] = e
    # A StreamARN that disagrees with StreamName.
    if "StreamARN" in c.meta.service_model.operation_model("DescribeStreamSummary").input_shape.members:
        arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        e = expect_error(("InvalidArgumentException", "ValidationException", "ResourceNotFoundException"),
                         c.describe_stream_summary, StreamName=name + "-other", StreamARN=arn)
        res["name_arn_mismatch"] = e
        e = expect_error(("InvalidArgumentException", "ValidationException", "ResourceNotFoundException"),
                         c.describe_stream_summary, StreamARN=arn.replace(":us-east-1:", ":us-west-2:"))
        res["arn_other_region"] = e
        # A request signed for us-west-2 must not reach the us-east-1 stream
        # through its ARN (resources are region-scoped).
        e = expect_error(("InvalidArgumentException", "ValidationException", "ResourceNotFoundException", "AccessDeniedException"),
                         client(region="us-west-2").describe_stream_summary, StreamARN=arn)
        res["foreign_region_arn"] = e
        e = expect_error(("InvalidArgumentException", "ValidationException", "ResourceNotFoundException", "AccessDeniedException"),
                         client(region="us-west-2").put_record, StreamARN=arn, Data=b"x", PartitionKey="k")

    c.delete_stream(StreamName=name)
    # Deleting twice: the second sees ResourceNotFound or ResourceInUse (DELETING).
    later.raise_any()
    res["ok"] = True
    return res


if __name__ == "__main__":
    run(main)
