"""Stream settings: retention, both tag APIs, DescribeLimits,
DescribeAccountSettings, enhanced monitoring, encryption, UpdateStreamMode and
resource policies (the last ones only where this botocore models them)."""

import json

from common import (check, client, create, eq, expect_error, has_op, run, unique, wait_exists)


def summary(c, name):
    return c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def main():
    c = client()
    name = unique("e2e-set")
    create(c, name, shards=2)
    arn = summary(c, name)["StreamARN"]
    res = {"ops": []}

    # Retention: increase, decrease, bounds.
    c.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
    wait_exists(c, name)
    eq(summary(c, name)["RetentionPeriodHours"], 72, "retention after increase")
    c.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=25)
    wait_exists(c, name)
    eq(summary(c, name)["RetentionPeriodHours"], 25, "retention after decrease")
    c.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=8760)
    wait_exists(c, name)
    eq(summary(c, name)["RetentionPeriodHours"], 8760, "retention at max")
    c.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    wait_exists(c, name)
    eq(c.describe_stream(StreamName=name)["StreamDescription"]["RetentionPeriodHours"], 24, "retention at min")
    res["ops"] += ["IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod"]

    # Tags, stream API: add, list with paging, overwrite, remove.
    c.add_tags_to_stream(StreamName=name, Tags={"env": "test", "team": "data", "app": "caudal"})
    t = c.list_tags_for_stream(StreamName=name)
    eq(sorted((x["Key"], x.get("Value")) for x in t["Tags"]), [("app", "caudal"), ("env", "test"), ("team", "data")], "tags")
    eq(t["HasMoreTags"], False, "HasMoreTags")
    p = c.list_tags_for_stream(StreamName=name, Limit=1)
    eq(len(p["Tags"]), 1, "tags Limit=1")
    eq(p["HasMoreTags"], True, "HasMoreTags with Limit=1")
    p2 = c.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey=p["Tags"][0]["Key"])
    eq(len(p2["Tags"]), 2, "tags after ExclusiveStartTagKey")
    check(p["Tags"][0]["Key"] not in [x["Key"] for x in p2["Tags"]], "ExclusiveStartTagKey tag repeated")
    c.add_tags_to_stream(StreamName=name, Tags={"env": "prod"})
    c.remove_tags_from_stream(StreamName=name, TagKeys=["team"])
    t = c.list_tags_for_stream(StreamName=name)
    eq(sorted((x["Key"], x.get("Value")) for x in t["Tags"]), [("app", "caudal"), ("env", "prod")], "tags after update")
    res["ops"] += ["AddTagsToStream", "ListTagsForStream", "RemoveTagsFromStream"]
    # At most 50 tags per stream.
    c.add_tags_to_stream(StreamName=name, Tags={"t%02d" % i: "v" for i in range(48)})
    eq(len(c.list_tags_for_stream(StreamName=name)["Tags"]), 50, "tags at the limit")
    e = expect_error(("InvalidArgumentException", "LimitExceededException"), c.add_tags_to_stream, StreamName=name,
                     Tags={"one-too-many": "v"})
    res["tag_limit"] = e["message"]
    # Overwriting an existing key at the limit is fine.
    c.add_tags_to_stream(StreamName=name, Tags={"t00": "w"})
    c.remove_tags_from_stream(StreamName=name, TagKeys=["t%02d" % i for i in range(48)])
    eq(len(c.list_tags_for_stream(StreamName=name)["Tags"]), 2, "tags after removing 48")

    # Tags at creation (newer models only).
    if "Tags" in c.meta.service_model.operation_model("CreateStream").input_shape.members:
        tagged = unique("e2e-tagged")
        c.create_stream(StreamName=tagged, ShardCount=1, Tags={"born": "tagged"})
        wait_exists(c, tagged)
        eq([(x["Key"], x["Value"]) for x in c.list_tags_for_stream(StreamName=tagged)["Tags"]], [("born", "tagged")],
           "tags given to CreateStream")
        c.delete_stream(StreamName=tagged)
    # Tags, resource API (ARN-based; newer models only).
    if has_op(c, "TagResource"):
        c.tag_resource(ResourceARN=arn, Tags={"owner": "e2e"})
        tr = c.list_tags_for_resource(ResourceARN=arn)["Tags"]
        eq(sorted((x["Key"], x.get("Value")) for x in tr), [("app", "caudal"), ("env", "prod"), ("owner", "e2e")],
           "ListTagsForResource")
        c.untag_resource(ResourceARN=arn, TagKeys=["app"])
        eq(sorted(x["Key"] for x in c.list_tags_for_stream(StreamName=name)["Tags"]), ["env", "owner"],
           "stream tags after UntagResource")
        expect_error("ResourceNotFoundException", c.list_tags_for_resource, ResourceARN=arn.replace(name, unique("e2e-nope")))
        res["ops"] += ["TagResource", "ListTagsForResource", "UntagResource"]

    # DescribeLimits reflects open shards.
    lim = c.describe_limits()
    check(lim["ShardLimit"] > 0, "ShardLimit %r", lim["ShardLimit"])
    check(lim["OpenShardCount"] >= 2, "OpenShardCount %r with a 2-shard stream", lim["OpenShardCount"])
    check("OnDemandStreamCount" in lim and "OnDemandStreamCountLimit" in lim, "DescribeLimits lacks on-demand counts: %r", lim)
    before = lim["OpenShardCount"]
    odn = unique("e2e-lim-od")
    c.create_stream(StreamName=odn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    wait_exists(c, odn)
    lim2 = c.describe_limits()
    eq(lim2["OnDemandStreamCount"], lim["OnDemandStreamCount"] + 1, "OnDemandStreamCount after creating one")
    eq(lim2["OpenShardCount"], before + 4, "OpenShardCount with a 4-shard on-demand stream")
    c.delete_stream(StreamName=odn)
    c.get_waiter("stream_not_exists").wait(StreamName=odn, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    other = unique("e2e-lim")
    create(c, other, shards=3)
    eq(c.describe_limits()["OpenShardCount"], before + 3, "OpenShardCount after creating 3 shards")
    c.delete_stream(StreamName=other)
    res["limits"] = {k: v for k, v in lim.items() if k != "ResponseMetadata"}
    res["ops"].append("DescribeLimits")
    if has_op(c, "DescribeAccountSettings"):
        acct = c.describe_account_settings()
        acct.pop("ResponseMetadata", None)
        res["account_settings"] = acct
        res["ops"].append("DescribeAccountSettings")

    # Enhanced monitoring.
    em = c.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes", "OutgoingRecords"])
    eq(em["StreamName"], name, "EnableEnhancedMonitoring StreamName")
    eq(sorted(em["DesiredShardLevelMetrics"]), ["IncomingBytes", "OutgoingRecords"], "desired metrics")
    eq(sorted(em.get("CurrentShardLevelMetrics", [])), [], "current metrics before enable")
    wait_exists(c, name)
    got = summary(c, name)["EnhancedMonitoring"][0]["ShardLevelMetrics"]
    eq(sorted(got), ["IncomingBytes", "OutgoingRecords"], "summary metrics")
    dm = c.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    eq(sorted(dm["CurrentShardLevelMetrics"]), ["IncomingBytes", "OutgoingRecords"], "current metrics before disable")
    eq(sorted(dm["DesiredShardLevelMetrics"]), ["OutgoingRecords"], "desired metrics after disable")
    wait_exists(c, name)
    c.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    wait_exists(c, name)
    allm = summary(c, name)["EnhancedMonitoring"][0]["ShardLevelMetrics"]
    check(len(allm) >= 7 and "IncomingBytes" in allm and "ALL" not in allm,
          "ALL expands to the metric names, got %r", allm)
    c.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    wait_exists(c, name)
    eq(summary(c, name)["EnhancedMonitoring"][0]["ShardLevelMetrics"], [], "metrics after disable ALL")
    expect_error("ValidationException", c.enable_enhanced_monitoring, StreamName=name, ShardLevelMetrics=["Bogus"])
    res["ops"] += ["EnableEnhancedMonitoring", "DisableEnhancedMonitoring"]

    # Encryption settings are stored and reported; records still round-trip.
    c.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    wait_exists(c, name)
    s = summary(c, name)
    eq(s["EncryptionType"], "KMS", "EncryptionType after start")
    eq(s["KeyId"], "alias/aws/kinesis", "KeyId after start")
    pr = c.put_record(StreamName=name, Data=b"secret", PartitionKey="k")
    eq(pr.get("EncryptionType"), "KMS", "PutRecord EncryptionType on an encrypted stream")
    it = c.get_shard_iterator(StreamName=name, ShardId=pr["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs = c.get_records(ShardIterator=it)["Records"]
    eq([r["Data"] for r in recs], [b"secret"], "record on encrypted stream")
    eq(recs[0].get("EncryptionType"), "KMS", "record EncryptionType")
    c.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    wait_exists(c, name)
    eq(summary(c, name)["EncryptionType"], "NONE", "EncryptionType after stop")
    res["ops"] += ["StartStreamEncryption", "StopStreamEncryption"]

    # UpdateStreamMode (takes the ARN).
    c.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    wait_exists(c, name)
    eq(summary(c, name)["StreamModeDetails"]["StreamMode"], "ON_DEMAND", "mode after update")
    c.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    wait_exists(c, name)
    eq(summary(c, name)["StreamModeDetails"]["StreamMode"], "PROVISIONED", "mode after update back")
    res["ops"].append("UpdateStreamMode")

    # Resource policies (newer models only).
    if has_op(c, "PutResourcePolicy"):
        acct = arn.split(":")[4]
        pol = json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "e2e", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % acct},
                           "Action": "kinesis:DescribeStreamSummary", "Resource": arn}],
        })
        c.put_resource_policy(ResourceARN=arn, Policy=pol)
        got = c.get_resource_policy(ResourceARN=arn)["Policy"]
        eq(json.loads(got), json.loads(pol), "resource policy round trip")
        c.delete_resource_policy(ResourceARN=arn)
        after = c.get_resource_policy(ResourceARN=arn).get("Policy")
        check(after in (None, "", "{}"), "policy after delete: %r", after)
        res["ops"] += ["PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy"]

    c.delete_stream(StreamName=name)
    res["ok"] = True
    return res


if __name__ == "__main__":
    run(main)
