"""boto3 against caudal's audit trail.

Mode "calls": one successful and one failing call each to Kinesis, S3, Glue
and Athena, recording what the client saw (operation, request id, error
code); then writes to the audit bucket with the root key, which must be
refused with S3's AccessDenied (403), and a read of it, which must work.

Mode "query": runs an Athena query over caudal_audit.cloudtrail for the
request ids given as JSON in argv[3] and prints the rows it found.

Usage: audit_trail.py ENDPOINT calls
       audit_trail.py ENDPOINT query '["rid1", "rid2"]' RESULT_BUCKET
Prints one JSON object; the Go test checks the trail against it.
"""

import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from common import REGION, check, endpoint, eq, expect_error, run, unique

ACCOUNT = "000000000000"
AUDIT_BUCKET = "caudal-audit-" + ACCOUNT


def client(service):
    conf = Config(retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=5, read_timeout=60,
                  s3={"addressing_style": "path"})
    return boto3.client(service, endpoint_url=endpoint(), region_name=REGION, config=conf)


def ok(calls, service, op, fn, **kwargs):
    out = fn(**kwargs)
    calls.append({"service": service, "op": op, "requestId": out["ResponseMetadata"]["RequestId"], "error": ""})
    return out


def fail(calls, service, op, code, fn, status=400, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        eq(got, code, "%s %s error code" % (service, op))
        eq(e.response["ResponseMetadata"]["HTTPStatusCode"], status, "%s %s status" % (service, op))
        calls.append({"service": service, "op": op, "requestId": e.response["ResponseMetadata"]["RequestId"], "error": got})
        return
    raise AssertionError("%s %s succeeded, want %s" % (service, op, code))


def calls_mode():
    calls = []
    kin, s3, glue, athena = client("kinesis"), client("s3"), client("glue"), client("athena")
    stream = unique("audit")
    ok(calls, "kinesis", "CreateStream", kin.create_stream, StreamName=stream, ShardCount=1)
    fail(calls, "kinesis", "DescribeStream", "ResourceNotFoundException", kin.describe_stream, StreamName=stream + "-missing")

    bucket = unique("audit-b")
    s3.create_bucket(Bucket=bucket)
    ok(calls, "s3", "PutObject", s3.put_object, Bucket=bucket, Key="k/one.txt", Body=b"hello")
    fail(calls, "s3", "GetObject", "NoSuchKey", s3.get_object, status=404, Bucket=bucket, Key="missing.txt")

    db = unique("auditdb").replace("-", "_")
    ok(calls, "glue", "CreateDatabase", glue.create_database, DatabaseInput={"Name": db})
    fail(calls, "glue", "GetDatabase", "EntityNotFoundException", glue.get_database, Name=db + "_missing")

    ok(calls, "athena", "StartQueryExecution", athena.start_query_execution, QueryString="SELECT 1",
       ResultConfiguration={"OutputLocation": "s3://%s/results/" % bucket})
    fail(calls, "athena", "GetQueryExecution", "InvalidRequestException", athena.get_query_execution,
         QueryExecutionId="00000000-0000-0000-0000-000000000000")

    # The trail's bucket exists and can be read, but not written, even by root.
    s3.head_bucket(Bucket=AUDIT_BUCKET)
    s3.list_objects_v2(Bucket=AUDIT_BUCKET)
    refused = []
    for what, fn, kw in [
        ("PutObject", s3.put_object, {"Bucket": AUDIT_BUCKET, "Key": "AWSLogs/forged.json", "Body": b"{}"}),
        ("DeleteObject", s3.delete_object, {"Bucket": AUDIT_BUCKET, "Key": "AWSLogs/x.json"}),
        ("CopyObject", s3.copy_object, {"Bucket": AUDIT_BUCKET, "Key": "AWSLogs/copy.json",
                                        "CopySource": {"Bucket": bucket, "Key": "k/one.txt"}}),
        ("CreateMultipartUpload", s3.create_multipart_upload, {"Bucket": AUDIT_BUCKET, "Key": "AWSLogs/mp.json"}),
        ("DeleteObjects", s3.delete_objects, {"Bucket": AUDIT_BUCKET, "Delete": {"Objects": [{"Key": "a"}]}}),
        ("DeleteBucket", s3.delete_bucket, {"Bucket": AUDIT_BUCKET}),
    ]:
        expect_error("AccessDenied", fn, status=403, **kw)
        refused.append(what)
    # Nor through Athena: a query whose results would land in the trail's
    # bucket fails and writes nothing there.
    qid = athena.start_query_execution(QueryString="SELECT 1", ResultConfiguration={
        "OutputLocation": "s3://%s/AWSLogs/forged/" % AUDIT_BUCKET})["QueryExecutionId"]
    state = wait_query(athena, qid)
    eq(state["State"], "FAILED", "query writing into the audit bucket")
    listed = s3.list_objects_v2(Bucket=AUDIT_BUCKET, Prefix="AWSLogs/forged/")
    eq(listed.get("KeyCount"), 0, "objects Athena wrote into the audit bucket")
    refused.append("AthenaResults")
    return {"calls": calls, "refused": refused, "stream": stream, "bucket": bucket, "database": db}


def wait_query(athena, qid):
    deadline = time.time() + 60
    while True:
        st = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if st["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return st
        check(time.time() < deadline, "query %s still %s after 60 s", qid, st["State"])
        time.sleep(0.2)


def query_mode(request_ids, bucket):
    athena = client("athena")
    ids = ", ".join("'%s'" % r for r in request_ids)
    sql = ("SELECT requestid, eventsource, eventname, errorcode, useridentity.arn, sourceipaddress "
           "FROM caudal_audit.cloudtrail WHERE requestid IN (%s) ORDER BY eventtime DESC" % ids)
    qid = athena.start_query_execution(QueryString=sql, ResultConfiguration={
        "OutputLocation": "s3://%s/results/" % bucket})["QueryExecutionId"]
    st = wait_query(athena, qid)
    eq(st["State"], "SUCCEEDED", "audit query state (%s)" % st.get("StateChangeReason"))
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    header = [c.get("VarCharValue") for c in rows[0]["Data"]]
    out = [dict(zip(header, [c.get("VarCharValue", "") for c in r["Data"]])) for r in rows[1:]]
    return {"rows": out}


def main():
    mode = sys.argv[2] if len(sys.argv) > 2 else "calls"
    if mode == "calls":
        return calls_mode()
    return query_mode(json.loads(sys.argv[3]), sys.argv[4])


if __name__ == "__main__":
    run(main)
