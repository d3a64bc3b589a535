"""boto3 against caudal's Firehose API (Firehose_20150804.*), held to what
AWS documents and botocore's firehose/2015-08-04 model says.

Usage: firehose_delivery.py ENDPOINT SCENARIO
  direct     DirectPut streams into the lake: create/describe, PutRecord,
             PutRecordBatch and its limits, the default and a custom prefix,
             every S3 compression format. The Go side reads the objects.
  control    the control plane's errors, UpdateDestination and its version
             check, server-side encryption on and off, tags,
             ListDeliveryStreams paging, delete. Leaves "kept"
             for the Go side to re-read after a restart.
  stream     a caudal Kinesis stream as the source, through a split.
  partition  dynamic partitioning with a JQ-1.6 MetadataExtraction query.
  parquet    JSON -> Parquet with a Glue table's schema, then Athena over
             the delivered objects; malformed records go to the error prefix.

Each prints one JSON object; the Go test (firehose_test.go) checks the lake.
"""

import base64
import datetime
import re
import sys
import time

import boto3
from botocore.config import Config

from common import REGION, Fail, Later, check, endpoint, eq, expect_error, run, unique

ROLE = "arn:aws:iam::123456789012:role/firehose-delivery"


def conf():
    return Config(retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=5, read_timeout=60)


def client(service):
    c = boto3.client(service, endpoint_url=endpoint(), region_name=REGION, config=conf())
    if service == "firehose":
        hints = c.meta.service_model.shape_for("IntervalInSeconds")
        if hints.metadata.get("min", 0) > 0:
            # botocore before 2023 models IntervalInSeconds as 60..900;
            # AWS now takes 0..900. Old clients that want short buffers
            # turn client-side validation off, and so do we.
            c = boto3.client(service, endpoint_url=endpoint(), region_name=REGION,
                             config=conf().merge(Config(parameter_validation=False)))
    return c


def bucket_arn(b):
    return "arn:aws:s3:::" + b


def s3_dest(bucket, **kw):
    d = {"RoleARN": ROLE, "BucketARN": bucket_arn(bucket),
         "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}}
    d.update(kw)
    return d


def wait_active(fh, name, timeout=30):
    deadline = time.time() + timeout
    while True:
        d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        if d["DeliveryStreamStatus"] == "ACTIVE":
            return d
        check(d["DeliveryStreamStatus"] == "CREATING", "%s: status %s while waiting for ACTIVE (%r)",
              name, d["DeliveryStreamStatus"], d.get("FailureDescription"))
        check(time.time() < deadline, "%s still %s after %ss", name, d["DeliveryStreamStatus"], timeout)
        time.sleep(0.1)


def wait_gone(fh, name, timeout=30):
    deadline = time.time() + timeout
    while True:
        try:
            d = fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
        except fh.exceptions.ResourceNotFoundException:
            return
        check(d["DeliveryStreamStatus"] == "DELETING", "%s: %s after delete", name, d["DeliveryStreamStatus"])
        check(time.time() < deadline, "%s still DELETING after %ss", name, timeout)
        time.sleep(0.1)


ARN_RE = re.compile(r"^arn:aws:firehose:us-east-1:\d{12}:deliverystream/(.+)$")


def create(fh, name, **kw):
    out = fh.create_delivery_stream(DeliveryStreamName=name, **kw)
    m = ARN_RE.match(out.get("DeliveryStreamARN", ""))
    check(m and m.group(1) == name, "create %s: DeliveryStreamARN %r", name, out.get("DeliveryStreamARN"))
    d = wait_active(fh, name)
    eq(d["DeliveryStreamARN"], out["DeliveryStreamARN"], name + " describe ARN")
    return d


def put_batch(fh, name, records):
    out = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in records])
    eq(out["FailedPutCount"], 0, "%s FailedPutCount" % name)
    eq(len(out["RequestResponses"]), len(records), "%s RequestResponses" % name)
    ids = [r.get("RecordId") for r in out["RequestResponses"]]
    for r in out["RequestResponses"]:
        check(r.get("RecordId") and "ErrorCode" not in r, "%s: entry %r", name, r)
    eq(len(set(ids)), len(ids), "%s distinct RecordIds" % name)
    return out


def lines(prefix, n, start=0):
    return [("%s-%d\n" % (prefix, i)).encode() for i in range(start, start + n)]


# --- direct ----------------------------------------------------------------

def scenario_direct():
    fh, s3 = client("firehose"), client("s3")
    later = Later()
    res = {"t0": time.time()}
    tag = unique("x")[2:]
    buckets = {k: "fh-%s-%s" % (k, tag) for k in ("direct", "custom", "comp", "limits")}
    for b in buckets.values():
        s3.create_bucket(Bucket=b)
    res["buckets"] = buckets

    # The default: DirectPut (type omitted), the default YYYY/MM/dd/HH/ prefix.
    name = "direct-" + tag
    d = create(fh, name, ExtendedS3DestinationConfiguration=s3_dest(buckets["direct"], CompressionFormat="UNCOMPRESSED"))
    eq(d["DeliveryStreamStatus"], "ACTIVE", "status")
    eq(d["DeliveryStreamType"], "DirectPut", "type when omitted")
    eq(d["VersionId"], "1", "first VersionId")
    eq(d["HasMoreDestinations"], False, "HasMoreDestinations")
    check("CreateTimestamp" in d, "describe has no CreateTimestamp: %r", d)
    eq(len(d["Destinations"]), 1, "destinations")
    dest = d["Destinations"][0]
    eq(dest["DestinationId"], "destinationId-000000000001", "DestinationId")
    x = dest.get("ExtendedS3DestinationDescription")
    check(x, "no ExtendedS3DestinationDescription in %r", dest)
    eq(x["BucketARN"], bucket_arn(buckets["direct"]), "BucketARN echo")
    eq(x["RoleARN"], ROLE, "RoleARN echo")
    eq(x["BufferingHints"], {"SizeInMBs": 1, "IntervalInSeconds": 1}, "BufferingHints echo")
    eq(x["CompressionFormat"], "UNCOMPRESSED", "CompressionFormat echo")
    # AWS describes the S3 destination twice: the extended and the plain view.
    later.check("S3DestinationDescription", lambda: check(
        dest.get("S3DestinationDescription", {}).get("BucketARN") == bucket_arn(buckets["direct"]),
        "S3DestinationDescription %r", dest.get("S3DestinationDescription")))

    one = fh.put_record(DeliveryStreamName=name, Record={"Data": b"direct-0\n"})
    check(one.get("RecordId"), "PutRecord RecordId: %r", one)
    check(one.get("Encrypted") in (None, False), "PutRecord Encrypted %r without SSE", one.get("Encrypted"))
    put_batch(fh, name, lines("direct", 500, 1))  # the maximum batch
    put_batch(fh, name, lines("direct", 249, 501))
    res["direct"] = {"name": name, "records": 750}

    # PutRecordBatch's limits: 500 records (the model's list max), 1,000 KiB
    # per record (the model's blob max), 4 MiB per request.
    lim = "limits-" + tag
    create(fh, lim, ExtendedS3DestinationConfiguration=s3_dest(buckets["limits"]))
    e = expect_error("ValidationException", fh.put_record_batch, DeliveryStreamName=lim,
                     Records=[{"Data": b"x\n"}] * 501, msg_contains="500")
    res["too_many"] = e
    expect_error("ValidationException", fh.put_record, DeliveryStreamName=lim,
                 Record={"Data": b"y" * 1024001}, msg_contains="1024000")
    expect_error("ValidationException", fh.put_record_batch, DeliveryStreamName=lim,
                 Records=[{"Data": b"x\n"}, {"Data": b"y" * 1024001}], msg_contains="1024000")
    ok = fh.put_record(DeliveryStreamName=lim, Record={"Data": b"z" * 1024000})
    check(ok.get("RecordId"), "a 1,024,000-byte record (the maximum) was refused: %r", ok)
    put_batch(fh, lim, [b"w" * 1000000] * 3)
    e = expect_error(("InvalidArgumentException", "ValidationException"), fh.put_record_batch,
                     DeliveryStreamName=lim, Records=[{"Data": b"v" * 1000000}] * 5)
    res["too_big_batch"] = e
    expect_error("ResourceNotFoundException", fh.put_record, DeliveryStreamName="nope-" + tag,
                 Record={"Data": b"x"})
    expect_error("ResourceNotFoundException", fh.put_record_batch, DeliveryStreamName="nope-" + tag,
                 Records=[{"Data": b"x"}])

    # A custom prefix with an expression needs an ErrorOutputPrefix (AWS
    # refuses the stream otherwise); with one, objects land under the
    # evaluated prefix and no default time prefix is added.
    custom = "custom-" + tag
    expect_error("InvalidArgumentException", fh.create_delivery_stream, DeliveryStreamName=custom,
                 ExtendedS3DestinationConfiguration=s3_dest(buckets["custom"], Prefix="custom/!{timestamp:yyyy/MM/dd}/"))
    d = create(fh, custom, DeliveryStreamType="DirectPut", ExtendedS3DestinationConfiguration=s3_dest(
        buckets["custom"], Prefix="custom/!{timestamp:yyyy/MM/dd}/r=!{firehose:random-string}/",
        ErrorOutputPrefix="errors/!{firehose:error-output-type}/"))
    x = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    eq(x["Prefix"], "custom/!{timestamp:yyyy/MM/dd}/r=!{firehose:random-string}/", "Prefix echo")
    eq(x["ErrorOutputPrefix"], "errors/!{firehose:error-output-type}/", "ErrorOutputPrefix echo")
    put_batch(fh, custom, lines("custom", 100))
    res["custom"] = {"name": custom, "records": 100}

    # Every S3 compression format, each its own stream under a literal
    # prefix (to which AWS adds the default time prefix).
    res["comp"] = {}
    for fmt in ("GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"):
        n = "comp-%s-%s" % (fmt.lower().replace("_", "-"), tag)
        d = create(fh, n, ExtendedS3DestinationConfiguration=s3_dest(
            buckets["comp"], Prefix="comp/%s/" % fmt, CompressionFormat=fmt))
        eq(d["Destinations"][0]["ExtendedS3DestinationDescription"]["CompressionFormat"], fmt, n + " compression echo")
        put_batch(fh, n, lines(fmt, 200))
        res["comp"][fmt] = n
    res["t1"] = time.time()
    later.raise_any()
    return res


# --- control ---------------------------------------------------------------

def scenario_control():
    fh, s3 = client("firehose"), client("s3")
    tag = unique("c")[2:]
    bucket = "fh-ctl-" + tag
    s3.create_bucket(Bucket=bucket)
    res = {}
    later = Later()

    expect_error("ResourceNotFoundException", fh.describe_delivery_stream, DeliveryStreamName="nope-" + tag)
    expect_error("ResourceNotFoundException", fh.delete_delivery_stream, DeliveryStreamName="nope-" + tag)
    expect_error("ResourceNotFoundException", fh.list_tags_for_delivery_stream, DeliveryStreamName="nope-" + tag)

    kept = "kept-" + tag
    create(fh, kept, ExtendedS3DestinationConfiguration=s3_dest(bucket), Tags=[{"Key": "team", "Value": "data"}])
    expect_error("ResourceInUseException", fh.create_delivery_stream, DeliveryStreamName=kept,
                 ExtendedS3DestinationConfiguration=s3_dest(bucket))

    # The model's constraints, answered with Coral's wording.
    for what, kw, frag in [
        ("name pattern", dict(DeliveryStreamName="bad name!"), "deliveryStreamName"),
        ("name length", dict(DeliveryStreamName="n" * 65), "deliveryStreamName"),
        ("SizeInMBs 129", dict(DeliveryStreamName="b1-" + tag, ExtendedS3DestinationConfiguration=dict(
            s3_dest(bucket), BufferingHints={"SizeInMBs": 129, "IntervalInSeconds": 60})), "sizeInMBs"),
        ("IntervalInSeconds 901", dict(DeliveryStreamName="b2-" + tag, ExtendedS3DestinationConfiguration=dict(
            s3_dest(bucket), BufferingHints={"SizeInMBs": 5, "IntervalInSeconds": 901})), "intervalInSeconds"),
        ("compression enum", dict(DeliveryStreamName="b3-" + tag, ExtendedS3DestinationConfiguration=dict(
            s3_dest(bucket), CompressionFormat="LZ4")), "compressionFormat"),
    ]:
        if "ExtendedS3DestinationConfiguration" not in kw:
            kw["ExtendedS3DestinationConfiguration"] = s3_dest(bucket)
        e = later.check(what, expect_error, "ValidationException", fh.create_delivery_stream,
                        msg_contains="validation error", **kw)
        if e:
            later.check(what + " message", check, frag.lower() in (e["message"] or "").lower(),
                        "%s: message %r does not name %s", what, e["message"], frag)
    names = [n for n in fh.list_delivery_streams()["DeliveryStreamNames"]]
    eq(names, [kept], "streams after the refused creates")

    # UpdateDestination: the version moves on; a stale version is refused.
    d = fh.describe_delivery_stream(DeliveryStreamName=kept)["DeliveryStreamDescription"]
    eq(d["VersionId"], "1", "VersionId before update")
    fh.update_destination(DeliveryStreamName=kept, CurrentDeliveryStreamVersionId="1",
                          DestinationId="destinationId-000000000001",
                          ExtendedS3DestinationUpdate={"BufferingHints": {"SizeInMBs": 2, "IntervalInSeconds": 5},
                                                       "Prefix": "updated/"})
    d = wait_active(fh, kept)
    eq(d["VersionId"], "2", "VersionId after update")
    x = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    eq(x["BufferingHints"], {"SizeInMBs": 2, "IntervalInSeconds": 5}, "updated BufferingHints")
    eq(x["Prefix"], "updated/", "updated Prefix")
    eq(x["BucketARN"], bucket_arn(bucket), "BucketARN kept by a partial update")
    check("LastUpdateTimestamp" in d, "no LastUpdateTimestamp after an update: %r", d)
    expect_error("ConcurrentModificationException", fh.update_destination, DeliveryStreamName=kept,
                 CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001",
                 ExtendedS3DestinationUpdate={"Prefix": "stale/"})
    eq(fh.describe_delivery_stream(DeliveryStreamName=kept)["DeliveryStreamDescription"]["VersionId"], "2",
       "VersionId after the refused update")
    expect_error("ResourceNotFoundException", fh.update_destination, DeliveryStreamName="nope-" + tag,
                 CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001",
                 ExtendedS3DestinationUpdate={"Prefix": "x/"})

    # Tags round-trip.
    t = fh.list_tags_for_delivery_stream(DeliveryStreamName=kept)
    eq(t["Tags"], [{"Key": "team", "Value": "data"}], "tags from create")
    eq(t["HasMoreTags"], False, "HasMoreTags")
    fh.tag_delivery_stream(DeliveryStreamName=kept, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "lake"}])
    t = fh.list_tags_for_delivery_stream(DeliveryStreamName=kept)
    eq(sorted((x["Key"], x["Value"]) for x in t["Tags"]), [("env", "test"), ("team", "lake")], "tags after tag")
    fh.untag_delivery_stream(DeliveryStreamName=kept, TagKeys=["team"])
    t = fh.list_tags_for_delivery_stream(DeliveryStreamName=kept)
    eq(t["Tags"], [{"Key": "env", "Value": "test"}], "tags after untag")
    expect_error("ResourceNotFoundException", fh.tag_delivery_stream, DeliveryStreamName="nope-" + tag,
                 Tags=[{"Key": "a", "Value": "b"}])

    # Server-side encryption: ENABLED after Start (through ENABLING),
    # DISABLED after Stop; PutRecord says Encrypted while it is on.
    def sse_status():
        d = fh.describe_delivery_stream(DeliveryStreamName=kept)["DeliveryStreamDescription"]
        return d.get("DeliveryStreamEncryptionConfiguration", {}).get("Status")

    def wait_sse(want):
        deadline = time.time() + 30
        while sse_status() != want:
            check(time.time() < deadline, "SSE status %r, want %s", sse_status(), want)
            time.sleep(0.1)

    fh.start_delivery_stream_encryption(DeliveryStreamName=kept,
                                        DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
    wait_sse("ENABLED")
    out = fh.put_record(DeliveryStreamName=kept, Record={"Data": b"sse\n"})
    eq(out.get("Encrypted"), True, "PutRecord Encrypted with SSE on")
    fh.stop_delivery_stream_encryption(DeliveryStreamName=kept)
    wait_sse("DISABLED")
    expect_error("ResourceNotFoundException", fh.start_delivery_stream_encryption, DeliveryStreamName="nope-" + tag)

    # ListDeliveryStreams pages with Limit and ExclusiveStartDeliveryStreamName.
    more = ["page-%d-%s" % (i, tag) for i in range(4)]
    for n in more:
        fh.create_delivery_stream(DeliveryStreamName=n, DeliveryStreamType="DirectPut",
                                  ExtendedS3DestinationConfiguration=s3_dest(bucket))
    for n in more:
        wait_active(fh, n)
    seen, start = [], None
    for _ in range(10):
        kw = {"Limit": 2}
        if start:
            kw["ExclusiveStartDeliveryStreamName"] = start
        page = fh.list_delivery_streams(**kw)
        check(len(page["DeliveryStreamNames"]) <= 2, "Limit 2 answered %r", page["DeliveryStreamNames"])
        seen += page["DeliveryStreamNames"]
        if not page["HasMoreDeliveryStreams"]:
            break
        start = page["DeliveryStreamNames"][-1]
    eq(sorted(seen), sorted(more + [kept]), "paged ListDeliveryStreams")
    eq(len(seen), len(set(seen)), "paged ListDeliveryStreams without repeats")
    eq(fh.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")["DeliveryStreamNames"], [],
       "KinesisStreamAsSource streams")
    eq(sorted(fh.list_delivery_streams(DeliveryStreamType="DirectPut")["DeliveryStreamNames"]), sorted(more + [kept]),
       "DirectPut streams")

    for n in more:
        fh.delete_delivery_stream(DeliveryStreamName=n)
    for n in more:
        wait_gone(fh, n)
    eq(fh.list_delivery_streams()["DeliveryStreamNames"], [kept], "streams after delete")
    later.raise_any()
    version = fh.describe_delivery_stream(DeliveryStreamName=kept)["DeliveryStreamDescription"]["VersionId"]
    check(int(version) >= 2, "VersionId %s after an update", version)
    res["kept"] = {"name": kept, "bucket": bucket, "version": version, "records": ["sse\n"]}
    return res


# --- stream ----------------------------------------------------------------

def scenario_stream():
    fh, s3, kin = client("firehose"), client("s3"), client("kinesis")
    tag = unique("s")[2:]
    bucket = "fh-src-" + tag
    s3.create_bucket(Bucket=bucket)
    src = "src-" + tag
    kin.create_stream(StreamName=src, ShardCount=2)
    kin.get_waiter("stream_exists").wait(StreamName=src, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    arn = kin.describe_stream_summary(StreamName=src)["StreamDescriptionSummary"]["StreamARN"]

    name = "from-stream-" + tag
    d = create(fh, name, DeliveryStreamType="KinesisStreamAsSource",
               KinesisStreamSourceConfiguration={"KinesisStreamARN": arn, "RoleARN": ROLE},
               ExtendedS3DestinationConfiguration=s3_dest(bucket, Prefix="src/"))
    eq(d["DeliveryStreamType"], "KinesisStreamAsSource", "type")
    k = d.get("Source", {}).get("KinesisStreamSourceDescription", {})
    eq(k.get("KinesisStreamARN"), arn, "KinesisStreamSourceDescription.KinesisStreamARN")
    eq(k.get("RoleARN"), ROLE, "KinesisStreamSourceDescription.RoleARN")
    check(k.get("DeliveryStartTimestamp"), "KinesisStreamSourceDescription has no DeliveryStartTimestamp: %r", k)
    # A stream-sourced delivery stream takes no direct puts.
    expect_error("InvalidArgumentException", fh.put_record, DeliveryStreamName=name, Record={"Data": b"x\n"})
    expect_error("InvalidArgumentException", fh.put_record_batch, DeliveryStreamName=name, Records=[{"Data": b"x\n"}])
    eq(fh.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")["DeliveryStreamNames"], [name],
       "KinesisStreamAsSource streams")

    def put(prefix, n):
        for start in range(0, n, 100):
            recs = [{"Data": ("%s-%d\n" % (prefix, i)).encode(), "PartitionKey": "pk-%d" % i}
                    for i in range(start, min(n, start + 100))]
            out = kin.put_records(StreamName=src, Records=recs)
            eq(out["FailedRecordCount"], 0, "kinesis FailedRecordCount")

    put("before", 300)
    shards = kin.list_shards(StreamName=src)["Shards"]
    first = sorted(shards, key=lambda s: s["ShardId"])[0]
    lo, hi = int(first["HashKeyRange"]["StartingHashKey"]), int(first["HashKeyRange"]["EndingHashKey"])
    kin.split_shard(StreamName=src, ShardToSplit=first["ShardId"], NewStartingHashKey=str((lo + hi) // 2 + 1))
    kin.get_waiter("stream_exists").wait(StreamName=src, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    shards = kin.list_shards(StreamName=src)["Shards"]
    kids = [s["ShardId"] for s in shards if s.get("ParentShardId") == first["ShardId"]]
    eq(len(kids), 2, "children of the split")
    put("after", 300)
    return {"bucket": bucket, "name": name, "source": src, "before": 300, "after": 300, "children": kids}


# --- partition -------------------------------------------------------------

def scenario_partition():
    fh, s3 = client("firehose"), client("s3")
    tag = unique("p")[2:]
    bucket = "fh-dp-" + tag
    s3.create_bucket(Bucket=bucket)
    name = "dp-" + tag
    cfg = s3_dest(bucket, Prefix="dp/customer_id=!{partitionKeyFromQuery:customer_id}/",
                  ErrorOutputPrefix="dperr/!{firehose:error-output-type}/",
                  BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 1},
                  DynamicPartitioningConfiguration={"Enabled": True},
                  ProcessingConfiguration={"Enabled": True, "Processors": [
                      {"Type": "MetadataExtraction", "Parameters": [
                          {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{customer_id:.customer_id}"},
                          {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
                      {"Type": "AppendDelimiterToRecord", "Parameters": []}]})
    # Dynamic partitioning without an ErrorOutputPrefix is refused.
    bad = dict(cfg)
    del bad["ErrorOutputPrefix"]
    expect_error("InvalidArgumentException", fh.create_delivery_stream, DeliveryStreamName=name,
                 ExtendedS3DestinationConfiguration=bad)
    d = create(fh, name, ExtendedS3DestinationConfiguration=cfg)
    x = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    eq(x.get("DynamicPartitioningConfiguration", {}).get("Enabled"), True, "DynamicPartitioningConfiguration echo")
    eq(len(x.get("ProcessingConfiguration", {}).get("Processors", [])), 2, "processors echo")

    recs = []
    for c in ("c1", "c2", "c3"):
        for i in range(40):
            recs.append(('{"customer_id":"%s","n":%d}' % (c, i)).encode())
    missing = [b'{"n":-1,"other":"no key"}', b'{"n":-2}']
    out = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in recs + missing])
    eq(out["FailedPutCount"], 0, "FailedPutCount")
    return {"bucket": bucket, "name": name, "customers": ["c1", "c2", "c3"], "per_customer": 40,
            "missing": [base64.b64encode(m).decode() for m in missing]}


# --- parquet ---------------------------------------------------------------

def athena_wait(athena, qid, timeout=30):
    deadline = time.time() + timeout
    while True:
        x = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if x["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return x
        check(time.time() < deadline, "query %s still %s", qid, x["Status"]["State"])
        time.sleep(0.05)


def athena_rows(athena, sql, out, db):
    qid = athena.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": out},
                                       QueryExecutionContext={"Database": db})["QueryExecutionId"]
    x = athena_wait(athena, qid)
    check(x["Status"]["State"] == "SUCCEEDED", "%s: %s %s", sql, x["Status"]["State"], x["Status"].get("StateChangeReason"))
    rows = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        rows += [[c.get("VarCharValue") for c in r["Data"]] for r in page["ResultSet"]["Rows"]]
    return rows


def parquet_records():
    good = []
    for i in range(1, 101):
        rec = {"id": i, "customer": "cust-%d" % (i % 7), "amount": i * 1.25, "paid": i % 3 == 0, "qty": i % 5,
               "ignored_extra": "x"}
        good.append(rec)
    return good


def scenario_parquet():
    import json as _json
    fh, s3, glue, athena = client("firehose"), client("s3"), client("glue"), client("athena")
    tag = unique("q")[2:]
    bucket, results = "fh-pq-" + tag, "fh-pq-results-" + tag
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=results)
    db = "fh_schema_" + tag.replace("-", "_")
    glue.create_database(DatabaseInput={"Name": db})
    cols = [{"Name": "id", "Type": "bigint"}, {"Name": "customer", "Type": "string"},
            {"Name": "amount", "Type": "double"}, {"Name": "paid", "Type": "boolean"}, {"Name": "qty", "Type": "int"}]
    glue.create_table(DatabaseName=db, TableInput={
        "Name": "events", "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Columns": cols, "Location": "s3://%s/parquet/" % bucket}})

    year = datetime.datetime.now(datetime.timezone.utc).strftime("%Y")
    name = "pq-" + tag
    d = create(fh, name, ExtendedS3DestinationConfiguration=s3_dest(
        bucket, Prefix="parquet/!{timestamp:yyyy}/", ErrorOutputPrefix="perr/!{firehose:error-output-type}/",
        BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 1},
        DataFormatConversionConfiguration={
            "Enabled": True,
            "SchemaConfiguration": {"RoleARN": ROLE, "DatabaseName": db, "TableName": "events",
                                    "Region": REGION, "VersionId": "LATEST"},
            "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"Compression": "SNAPPY"}}}}))
    x = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    dc = x.get("DataFormatConversionConfiguration", {})
    eq(dc.get("Enabled"), True, "DataFormatConversionConfiguration.Enabled echo")
    eq(dc.get("SchemaConfiguration", {}).get("TableName"), "events", "SchemaConfiguration echo")

    good = parquet_records()
    # OpenX lower-cases JSON keys by default (CaseInsensitive), and a
    # missing column is NULL.
    extra = [b'{"ID": 101, "Customer": "upper", "AMOUNT": 0.5, "paid": true, "qty": 1}',
             b'{"id": 102, "customer": "no-qty", "amount": 2.0, "paid": false}']
    malformed = [b'{"id": 900, "customer": ', b'this is not json']
    recs = [_json.dumps(r).encode() for r in good[:50]] + [malformed[0]] + \
           [_json.dumps(r).encode() for r in good[50:]] + extra + [malformed[1]]
    out = fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": r} for r in recs])
    eq(out["FailedPutCount"], 0, "FailedPutCount")

    # Athena over the delivered objects: a table declared with DDL.
    out_loc = "s3://%s/athena/" % results
    adb = "fh_read_" + tag.replace("-", "_")
    athena_rows(athena, "CREATE DATABASE %s" % adb, out_loc, "default")
    athena_rows(athena, "CREATE EXTERNAL TABLE delivered (id bigint, customer string, amount double, paid boolean, "
                        "qty int) STORED AS PARQUET LOCATION 's3://%s/parquet/%s/'" % (bucket, year), out_loc, adb)
    deadline = time.time() + 60
    while not s3.list_objects_v2(Bucket=bucket, Prefix="parquet/%s/" % year).get("Contents"):
        check(time.time() < deadline, "no object under parquet/%s/ after 60 s", year)
        time.sleep(0.2)
    while True:
        n = int(athena_rows(athena, "SELECT count(*) FROM delivered", out_loc, adb)[1][0])
        if n >= 102:
            break
        check(time.time() < deadline, "Athena sees %d of 102 converted rows after 60 s", n)
        time.sleep(0.5)
    eq(n, 102, "converted rows")
    rows = athena_rows(athena, "SELECT sum(id), sum(qty), sum(CASE WHEN paid THEN 1 ELSE 0 END), sum(amount), "
                               "count(DISTINCT customer) FROM delivered WHERE id <= 100", out_loc, adb)
    got = rows[1]
    eq(int(got[0]), sum(r["id"] for r in good), "sum(id)")
    eq(int(got[1]), sum(r["qty"] for r in good), "sum(qty)")
    eq(int(got[2]), sum(1 for r in good if r["paid"]), "paid rows")
    check(abs(float(got[3]) - sum(r["amount"] for r in good)) < 1e-6, "sum(amount) %s", got[3])
    eq(int(got[4]), 7, "distinct customers")
    rows = athena_rows(athena, "SELECT id, customer, amount, paid, qty FROM delivered WHERE id IN (42, 101, 102) "
                               "ORDER BY id", out_loc, adb)
    def typed(r):
        return [int(r[0]), r[1], float(r[2]), r[3], None if r[4] is None else int(r[4])]
    eq(typed(rows[1]), [42, "cust-0", 52.5, "true", 2], "row 42")
    eq(typed(rows[2]), [101, "upper", 0.5, "true", 1], "row 101 (upper-case keys)")
    eq(typed(rows[3]), [102, "no-qty", 2.0, "false", None], "row 102 (no qty: NULL)")
    return {"bucket": bucket, "name": name, "year": year, "database": db,
            "malformed": [base64.b64encode(m).decode() for m in malformed]}


SCENARIOS = {"direct": scenario_direct, "control": scenario_control, "stream": scenario_stream,
             "partition": scenario_partition, "parquet": scenario_parquet}

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("http")]
    if len(args) != 1 or args[0] not in SCENARIOS:
        print("usage: firehose_delivery.py ENDPOINT {%s}" % "|".join(SCENARIOS), file=sys.stderr)
        sys.exit(64)
    run(SCENARIOS[args[0]])
