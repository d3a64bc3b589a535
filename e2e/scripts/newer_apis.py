"""Operations and parameters that only newer botocore models have:
UpdateMaxRecordSize (and records above 1 MiB it then allows),
Describe/UpdateAccountSettings, UpdateStreamWarmThroughput, CreateStream with
MaxRecordSizeInKiB. With an older boto3 the script reports what it skipped."""

from common import check, client, create, eq, expect_error, has_op, has_param, run, unique, wait_exists


def main():
    c = client()
    res = {"ran": [], "skipped": []}

    def want(op):
        ok = has_op(c, op)
        (res["ran"] if ok else res["skipped"]).append(op)
        return ok

    name = unique("e2e-newer")
    create(c, name, shards=1)
    arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]

    if want("UpdateMaxRecordSize"):
        eq(c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"].get("MaxRecordSizeInKiB"), 1024,
           "default MaxRecordSizeInKiB")
        c.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
        wait_exists(c, name)
        eq(c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["MaxRecordSizeInKiB"], 2048,
           "MaxRecordSizeInKiB after update")
        data = bytes(range(256)) * (6 * 1024)  # 1.5 MiB
        r = c.put_record(StreamName=name, Data=data, PartitionKey="k")
        it = c.get_shard_iterator(StreamName=name, ShardId=r["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                  StartingSequenceNumber=r["SequenceNumber"])["ShardIterator"]
        eq(c.get_records(ShardIterator=it, Limit=1)["Records"][0]["Data"], data, "1.5 MiB record round trip")
        expect_error(("InvalidArgumentException", "ValidationException"), c.put_record, StreamName=name,
                     Data=b"z" * (2048 * 1024 + 1), PartitionKey="k")
        expect_error(("ValidationException", "InvalidArgumentException"), c.update_max_record_size, StreamARN=arn,
                     MaxRecordSizeInKiB=10241)
    if has_param(c, "CreateStream", "MaxRecordSizeInKiB"):
        big = unique("e2e-newer-big")
        c.create_stream(StreamName=big, ShardCount=1, MaxRecordSizeInKiB=4096)
        wait_exists(c, big)
        eq(c.describe_stream_summary(StreamName=big)["StreamDescriptionSummary"]["MaxRecordSizeInKiB"], 4096,
           "MaxRecordSizeInKiB given to CreateStream")
        c.put_record(StreamName=big, Data=b"y" * (3 * 1024 * 1024), PartitionKey="k")
        # At the largest allowed size (10 MiB) a record's JSON body is ~13.4 MiB:
        # a request-size limit below that would make the setting unusable.
        c.update_max_record_size(StreamARN=c.describe_stream_summary(StreamName=big)["StreamDescriptionSummary"]["StreamARN"],
                                 MaxRecordSizeInKiB=10240)
        wait_exists(c, big)
        nine = b"n" * (9 * 1024 * 1024)
        r = c.put_record(StreamName=big, Data=nine, PartitionKey="k")
        it = c.get_shard_iterator(StreamName=big, ShardId=r["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                  StartingSequenceNumber=r["SequenceNumber"])["ShardIterator"]
        eq(len(c.get_records(ShardIterator=it, Limit=1)["Records"][0]["Data"]), len(nine), "9 MiB record round trip")
        c.delete_stream(StreamName=big)
        res["ran"].append("CreateStream.MaxRecordSizeInKiB")

    if want("DescribeAccountSettings"):
        a = c.describe_account_settings()
        check("MinimumThroughputBillingCommitment" in a, "DescribeAccountSettings: %r", a)
    if want("UpdateAccountSettings"):
        c.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        eq(c.describe_account_settings()["MinimumThroughputBillingCommitment"]["Status"], "ENABLED",
           "billing commitment after update")

    if want("UpdateStreamWarmThroughput"):
        # Warm throughput is for on-demand streams only.
        expect_error("InvalidArgumentException", c.update_stream_warm_throughput, StreamARN=arn, WarmThroughputMiBps=10)
        od = unique("e2e-newer-od")
        c.create_stream(StreamName=od, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        wait_exists(c, od)
        odarn = c.describe_stream_summary(StreamName=od)["StreamDescriptionSummary"]["StreamARN"]
        r = c.update_stream_warm_throughput(StreamARN=odarn, WarmThroughputMiBps=10)
        res["warm_throughput"] = {k: v for k, v in r.items() if k != "ResponseMetadata"}
        wait_exists(c, od)
        wt = c.describe_stream_summary(StreamName=od)["StreamDescriptionSummary"].get("WarmThroughput")
        check(wt and wt.get("TargetMiBps") == 10, "WarmThroughput after update: %r", wt)
        c.delete_stream(StreamName=od)

    c.delete_stream(StreamName=name)
    return res


if __name__ == "__main__":
    run(main)
