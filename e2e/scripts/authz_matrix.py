"""The IAM policy matrix through boto3: users, keys and inline policies made
with the IAM API (root credentials from the environment), then each service
called as those users, allowed and denied by action, resource, wildcards,
NotAction/NotResource, explicit Deny over Allow, conditions (aws:SourceIp,
s3:prefix) and key state (disabled, deleted), with the AWS error code,
HTTP status and message of each refusal, and the server state checked
after every refused write.

aws:SecureTransport: a policy denying everything when it is false refuses
the plain-HTTP server; with argv[2] == "tls" the server serves HTTPS with a
self-signed certificate ($CAUDAL_CA_FILE) and only that row runs, where the
same policy allows.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from common import Later, check, endpoint, eq, expect_error, run, unique, versions

REGION = "us-east-1"
ACCOUNT_ARN_PREFIX = "arn:aws:iam::"


def conf():
    return Config(retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=5, read_timeout=60,
                  s3={"addressing_style": "path"}, signature_version=None)


def svc(name, key=None, secret=None, ep=None, verify=None):
    kw = {}
    if key:
        kw = {"aws_access_key_id": key, "aws_secret_access_key": secret}
    if verify is not None:
        kw["verify"] = verify
    return boto3.client(name, endpoint_url=ep or endpoint(), region_name=REGION, config=conf(), **kw)


def s3v4(key=None, secret=None):
    c = Config(retries={"max_attempts": 0, "mode": "legacy"}, s3={"addressing_style": "path"},
               signature_version="s3v4")
    kw = {"aws_access_key_id": key, "aws_secret_access_key": secret} if key else {}
    return boto3.client("s3", endpoint_url=endpoint(), region_name=REGION, config=c, **kw)


class User:
    """An IAM user with one access key and one inline policy."""

    def __init__(self, iam, prefix, statements):
        self.iam = iam
        self.name = unique(prefix)
        out = iam.create_user(UserName=self.name)["User"]
        self.arn = out["Arn"]
        k = iam.create_access_key(UserName=self.name)["AccessKey"]
        self.key, self.secret = k["AccessKeyId"], k["SecretAccessKey"]
        doc = {"Version": "2012-10-17", "Statement": statements}
        iam.put_user_policy(UserName=self.name, PolicyName="p", PolicyDocument=json.dumps(doc))

    def client(self, name):
        return svc(name, self.key, self.secret)

    def s3(self):
        return s3v4(self.key, self.secret)


def deny(fn, *args, action, resource=None, explicit=False, **kwargs):
    """A JSON service's AccessDeniedException (HTTP 400) naming action and resource."""
    e = expect_error("AccessDeniedException", fn, *args, status=400, **kwargs)
    msg = e["message"] or ""
    check("is not authorized to perform: " + action in msg, "message %r does not name %s", msg, action)
    if resource:
        check("on resource: " + resource in msg, "message %r does not name %s", msg, resource)
    if explicit:
        check("with an explicit deny" in msg, "message %r is not an explicit deny", msg)
    else:
        check("because no identity-based policy allows" in msg, "message %r is not an implicit deny", msg)
    return e


def s3_denied(fn, *args, action=None, resource=None, **kwargs):
    e = expect_error("AccessDenied", fn, *args, status=403, **kwargs)
    msg = e["message"] or ""
    if action:
        check("is not authorized to perform: " + action in msg, "message %r does not name %s", msg, action)
    if resource:
        check('on resource: "%s"' % resource in msg, "message %r does not name %s", msg, resource)
    return e


def head_denied(fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        st = e.response["ResponseMetadata"]["HTTPStatusCode"]
        eq(st, 403, "HEAD status")
        return
    raise AssertionError("HEAD succeeded, want 403")


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def kinesis_rows(iam, later, res):
    root = svc("kinesis")
    a, b = unique("authz-a"), unique("authz-b")
    for n in (a, b):
        root.create_stream(StreamName=n, ShardCount=1)
        root.get_waiter("stream_exists").wait(StreamName=n, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    arn = lambda n: root.describe_stream_summary(StreamName=n)["StreamDescriptionSummary"]["StreamARN"]
    a_arn, b_arn = arn(a), arn(b)

    # Wildcard actions on one stream: kinesis:Get*, kinesis:Describe*, ListShards.
    reader = User(iam, "reader", [{"Effect": "Allow", "Action": ["kinesis:Get*", "kinesis:Describe*", "kinesis:ListShards"],
                                  "Resource": a_arn}])
    kr = reader.client("kinesis")

    def reader_rows():
        kr.describe_stream_summary(StreamName=a)
        it = kr.get_shard_iterator(StreamName=a, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        kr.get_records(ShardIterator=it)
        deny(kr.put_record, StreamName=a, Data=b"x", PartitionKey="p", action="kinesis:PutRecord", resource=a_arn)
        deny(kr.describe_stream_summary, StreamName=b, action="kinesis:DescribeStreamSummary", resource=b_arn)
        deny(kr.list_streams, action="kinesis:ListStreams")
        # An iterator of a stream the reader may not read is refused at GetRecords.
        itb = root.get_shard_iterator(StreamName=b, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        deny(kr.get_records, ShardIterator=itb, action="kinesis:GetRecords", resource=b_arn)
    later.check("kinesis wildcard actions", reader_rows)

    # Explicit Deny beats Allow kinesis:*.
    writer = User(iam, "writer", [{"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"},
                                  {"Effect": "Deny", "Action": "kinesis:PutRecord*", "Resource": a_arn}])
    kw = writer.client("kinesis")

    def writer_rows():
        deny(kw.put_record, StreamName=a, Data=b"x", PartitionKey="p", action="kinesis:PutRecord", resource=a_arn, explicit=True)
        deny(kw.put_records, StreamName=a, Records=[{"Data": b"x", "PartitionKey": "p"}], action="kinesis:PutRecords",
             resource=a_arn, explicit=True)
        kw.put_record(StreamName=b, Data=b"y", PartitionKey="p")
        it = root.get_shard_iterator(StreamName=a, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        eq(len(root.get_records(ShardIterator=it)["Records"]), 0, "records in the stream whose puts were refused")
    later.check("kinesis explicit deny", writer_rows)

    # NotAction: everything but deleting and creating streams (other services included).
    na = User(iam, "notaction", [{"Effect": "Allow", "NotAction": ["kinesis:DeleteStream", "kinesis:CreateStream"], "Resource": "*"}])

    def notaction_rows():
        k = na.client("kinesis")
        deny(k.delete_stream, StreamName=a, action="kinesis:DeleteStream", resource=a_arn)
        deny(k.create_stream, StreamName=unique("authz-n"), ShardCount=1, action="kinesis:CreateStream")
        k.list_streams()
        na.s3().list_buckets()
        root.describe_stream_summary(StreamName=a)  # still there
    later.check("kinesis NotAction", notaction_rows)

    # NotResource: every stream but b.
    nr = User(iam, "notresource", [{"Effect": "Allow", "Action": "kinesis:*", "NotResource": b_arn}])

    def notresource_rows():
        k = nr.client("kinesis")
        k.describe_stream_summary(StreamName=a)
        deny(k.describe_stream_summary, StreamName=b, action="kinesis:DescribeStreamSummary", resource=b_arn)
        k.list_streams()
    later.check("kinesis NotResource", notresource_rows)

    # aws:SourceIp: the tests reach the server over loopback.
    near = User(iam, "loopback", [{"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*",
                                   "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}}])
    far = User(iam, "faraway", [{"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*",
                                 "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}])

    def source_ip_rows():
        near.client("kinesis").list_streams()
        deny(far.client("kinesis").list_streams, action="kinesis:ListStreams")
    later.check("kinesis aws:SourceIp", source_ip_rows)
    res["kinesis"] = {"streams": [a, b]}
    return reader


def s3_rows(iam, later, res):
    root = s3v4()
    bucket = unique("authz")
    root.create_bucket(Bucket=bucket)
    root.put_object(Bucket=bucket, Key="public/x", Body=b"public")
    root.put_object(Bucket=bucket, Key="private/y", Body=b"private")
    barn = "arn:aws:s3:::" + bucket
    u = User(iam, "s3user", [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": barn + "/public/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": barn,
         "Condition": {"StringLike": {"s3:prefix": "public/*"}}},
    ])
    c = u.s3()

    def object_rows():
        eq(c.get_object(Bucket=bucket, Key="public/x")["Body"].read(), b"public", "allowed GetObject")
        s3_denied(c.get_object, Bucket=bucket, Key="private/y", action="s3:GetObject", resource=barn + "/private/y")
        head_denied(c.head_object, Bucket=bucket, Key="private/y")
        c.put_object(Bucket=bucket, Key="public/new", Body=b"n")
        s3_denied(c.put_object, Bucket=bucket, Key="private/new", Body=b"n", action="s3:PutObject")
        s3_denied(c.copy_object, Bucket=bucket, Key="public/copy", CopySource={"Bucket": bucket, "Key": "private/y"},
                  action="s3:GetObject", resource=barn + "/private/y")
        s3_denied(c.delete_object, Bucket=bucket, Key="public/x", action="s3:DeleteObject")
        out = c.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "public/x"}, {"Key": "private/y"}]})
        eq(sorted(e["Code"] for e in out.get("Errors", [])), ["AccessDenied", "AccessDenied"], "DeleteObjects errors")
        # Nothing refused changed anything.
        keys = sorted(o["Key"] for o in root.list_objects_v2(Bucket=bucket)["Contents"])
        eq(keys, ["private/y", "public/new", "public/x"], "objects after refused writes")
        eq(root.get_object(Bucket=bucket, Key="private/y")["Body"].read(), b"private", "private object")
    later.check("s3 objects by prefix", object_rows)

    def list_rows():
        c.list_objects_v2(Bucket=bucket, Prefix="public/")
        c.list_objects(Bucket=bucket, Prefix="public/a")
        s3_denied(c.list_objects_v2, Bucket=bucket, action="s3:ListBucket", resource=barn)
        s3_denied(c.list_objects_v2, Bucket=bucket, Prefix="private/", action="s3:ListBucket")
        s3_denied(c.list_buckets, action="s3:ListAllMyBuckets")
        s3_denied(c.create_bucket, Bucket=unique("authz-new"), action="s3:CreateBucket")
    later.check("s3 ListBucket with s3:prefix", list_rows)

    def presign_rows():
        ok = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "public/x"}, ExpiresIn=300)
        st, body = http_get(ok)
        eq((st, body), (200, b"public"), "presigned GET of an allowed object")
        no = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "private/y"}, ExpiresIn=300)
        st, body = http_get(no)
        check(st == 403 and b"<Code>AccessDenied</Code>" in body and b"s3:GetObject" in body,
              "presigned GET of a denied object: %s %r", st, body)
        short = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "public/x"}, ExpiresIn=1)
        time.sleep(2.2)
        st, body = http_get(short)
        check(st == 403 and b"<Code>AccessDenied</Code>" in body and b"Request has expired" in body,
              "expired presigned URL: %s %r", st, body)
    later.check("s3 presigned URLs", presign_rows)
    res["s3"] = {"bucket": bucket}
    return bucket


def glue_rows(iam, later, res):
    root = svc("glue")
    db = unique("authzdb").replace("-", "_")
    root.create_database(DatabaseInput={"Name": db})
    for t in ("t1", "t2"):
        root.create_table(DatabaseName=db, TableInput={"Name": t, "StorageDescriptor": {
            "Columns": [{"Name": "x", "Type": "int"}], "Location": "s3://nowhere/" + t + "/"}})
    u = User(iam, "glueuser", [{"Effect": "Allow", "Action": ["glue:GetTable", "glue:GetDatabase"], "Resource": [
        "arn:aws:glue:*:*:catalog", "arn:aws:glue:*:*:database/" + db, "arn:aws:glue:*:*:table/" + db + "/t1"]}])
    g = u.client("glue")
    account = u.arn.split(":")[4]
    tarn = "arn:aws:glue:%s:%s:table/%s/" % (REGION, account, db)

    def rows():
        g.get_database(Name=db)
        eq(g.get_table(DatabaseName=db, Name="t1")["Table"]["Name"], "t1", "allowed table")
        deny(g.get_table, DatabaseName=db, Name="t2", action="glue:GetTable", resource=tarn + "t2")
        deny(g.get_databases, action="glue:GetDatabases")
        deny(g.delete_table, DatabaseName=db, Name="t1", action="glue:DeleteTable", resource="arn:aws:glue:%s:%s:catalog" % (REGION, account))
        deny(g.create_table, DatabaseName=db, TableInput={"Name": "t3"}, action="glue:CreateTable")
        names = sorted(t["Name"] for t in root.get_tables(DatabaseName=db)["TableList"])
        eq(names, ["t1", "t2"], "tables after refused writes")
    later.check("glue", rows)
    res["glue"] = {"database": db}
    return db


def athena_rows(iam, later, res, bucket, db):
    root = svc("athena")
    root.create_work_group(Name=unique("authz-wg"))
    other = root.list_work_groups()["WorkGroups"]
    barn = "arn:aws:s3:::" + bucket
    u = User(iam, "athenauser", [
        {"Effect": "Allow", "Action": ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"],
         "Resource": "arn:aws:athena:*:*:workgroup/primary"},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": barn + "/results/*"},
        {"Effect": "Allow", "Action": "glue:GetTable", "Resource": ["arn:aws:glue:*:*:catalog", "arn:aws:glue:*:*:database/" + db]},
    ])
    a = u.client("athena")

    def rows():
        qid = a.start_query_execution(QueryString="SELECT 1", ResultConfiguration={"OutputLocation": "s3://%s/results/" % bucket})["QueryExecutionId"]
        for _ in range(600):
            st = a.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"]
            if st in ("SUCCEEDED", "FAILED", "CANCELLED"):
                break
            time.sleep(0.05)
        eq(st, "SUCCEEDED", "allowed query")
        a.get_query_results(QueryExecutionId=qid)
        # A table the caller may not glue:GetTable cannot be read through Athena.
        qid = a.start_query_execution(QueryString="SELECT * FROM %s.t1" % db,
                                      ResultConfiguration={"OutputLocation": "s3://%s/results/" % bucket})["QueryExecutionId"]
        for _ in range(600):
            status = a.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
            if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                break
            time.sleep(0.05)
        eq(status["State"], "FAILED", "query of a table without glue:GetTable")
        reason = status.get("StateChangeReason", "")
        check("Insufficient permissions to execute the query" in reason and "glue:GetTable" in reason
              and "table/%s/t1" % db in reason, "failure reason %r", reason)
        # The result location must be writable by the caller.
        deny(a.start_query_execution, QueryString="SELECT 1", ResultConfiguration={"OutputLocation": "s3://%s/elsewhere/" % bucket},
             action="s3:PutObject", resource=barn + "/elsewhere/")
        deny(a.list_work_groups, action="athena:ListWorkGroups")
        deny(a.get_work_group, WorkGroup="primary", action="athena:GetWorkGroup")
        ids = svc("athena").list_query_executions()["QueryExecutionIds"]
        eq(len(ids), 2, "executions after a refused start")
    later.check("athena", rows)
    res["athena"] = {"workgroups": len(other)}


def firehose_kms_rows(iam, later, res, bucket):
    """The Firehose and KMS skins authorize too (they call auth.Check
    themselves); one allowed and one denied action each."""
    def firehose_rows():
        root = svc("firehose")
        name = unique("authz-fh")
        root.create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                    ExtendedS3DestinationConfiguration={
                                        "RoleARN": "arn:aws:iam::000000000000:role/firehose",
                                        "BucketARN": "arn:aws:s3:::" + bucket})
        arn = root.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]["DeliveryStreamARN"]
        u = User(iam, "fhuser", [{"Effect": "Allow", "Action": "firehose:PutRecord", "Resource": arn}])
        f = u.client("firehose")
        f.put_record(DeliveryStreamName=name, Record={"Data": b"{}\n"})
        deny(f.put_record_batch, DeliveryStreamName=name, Records=[{"Data": b"{}\n"}], action="firehose:PutRecordBatch",
             resource=arn)
        deny(f.delete_delivery_stream, DeliveryStreamName=name, action="firehose:DeleteDeliveryStream")
        root.describe_delivery_stream(DeliveryStreamName=name)
    later.check("firehose", firehose_rows)

    def kms_rows():
        root = svc("kms")
        key = root.create_key()["KeyMetadata"]
        u = User(iam, "kmsuser", [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey"], "Resource": key["Arn"]}])
        k = u.client("kms")
        blob = k.encrypt(KeyId=key["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
        deny(k.decrypt, CiphertextBlob=blob, action="kms:Decrypt")
        deny(k.create_key, action="kms:CreateKey")
        eq(root.decrypt(CiphertextBlob=blob)["Plaintext"], b"secret", "root decrypts")
    later.check("kms", kms_rows)

    def kms_key_use_rows():
        """Data sealed under a customer-managed key needs the caller's own
        KMS permission on it: kms:GenerateDataKey to write (S3 PutObject,
        Kinesis PutRecord), kms:Decrypt to read (GetObject, GetRecords).
        HeadObject needs none; the refused put stores nothing."""
        key = svc("kms").create_key()["KeyMetadata"]
        root_s3, root_k = s3v4(), svc("kinesis")
        root_s3.put_object(Bucket=bucket, Key="kms/sealed", Body=b"sealed", ServerSideEncryption="aws:kms",
                           SSEKMSKeyId=key["KeyId"])
        name = unique("authz-kms")
        root_k.create_stream(StreamName=name, ShardCount=1)
        root_k.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        root_k.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key["Arn"])
        plain = [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "kinesis:*"], "Resource": "*"}]
        u = User(iam, "kmsdata", plain)
        us, uk = u.s3(), u.client("kinesis")
        s3_denied(us.put_object, Bucket=bucket, Key="kms/new", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key["KeyId"], action="kms:GenerateDataKey", resource=key["Arn"])
        s3_denied(us.get_object, Bucket=bucket, Key="kms/sealed", action="kms:Decrypt", resource=key["Arn"])
        eq(us.head_object(Bucket=bucket, Key="kms/sealed")["SSEKMSKeyId"], key["Arn"], "HEAD needs no KMS permission")
        try:
            root_s3.head_object(Bucket=bucket, Key="kms/new")
            raise AssertionError("a refused PUT stored kms/new")
        except ClientError as e:
            eq(e.response["ResponseMetadata"]["HTTPStatusCode"], 404, "HEAD of the refused PUT's key")
        e = expect_error("KMSAccessDeniedException", uk.put_record, StreamName=name, PartitionKey="p", Data=b"x")
        check("kms:GenerateDataKey on resource: " + key["Arn"] in (e["message"] or ""), "message %r", e["message"])
        it = uk.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        expect_error("KMSAccessDeniedException", uk.get_records, ShardIterator=it)
        eq(len(root_k.get_records(ShardIterator=it)["Records"]), 0, "records after the refused put")
        iam.put_user_policy(UserName=u.name, PolicyName="kms", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key["Arn"]}]}))
        us.put_object(Bucket=bucket, Key="kms/new", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
        eq(us.get_object(Bucket=bucket, Key="kms/sealed")["Body"].read(), b"sealed", "GET with kms:Decrypt")
        uk.put_record(StreamName=name, PartitionKey="p", Data=b"x")
        eq([r["Data"] for r in uk.get_records(ShardIterator=it)["Records"]], [b"x"], "GetRecords with kms:Decrypt")
    later.check("customer KMS key use", kms_key_use_rows)


def key_state_rows(iam, later, res):
    u = User(iam, "keys", [{"Effect": "Allow", "Action": ["kinesis:ListStreams", "s3:ListAllMyBuckets"], "Resource": "*"}])

    def rows():
        u.client("kinesis").list_streams()
        u.s3().list_buckets()
        iam.update_access_key(UserName=u.name, AccessKeyId=u.key, Status="Inactive")
        expect_error("UnrecognizedClientException", u.client("kinesis").list_streams)
        expect_error("InvalidAccessKeyId", u.s3().list_buckets, status=403)
        expect_error("InvalidClientTokenId", u.client("iam").list_users, status=403)
        iam.update_access_key(UserName=u.name, AccessKeyId=u.key, Status="Active")
        u.client("kinesis").list_streams()
        iam.delete_access_key(UserName=u.name, AccessKeyId=u.key)
        expect_error("UnrecognizedClientException", u.client("kinesis").list_streams)
        expect_error("InvalidAccessKeyId", u.s3().list_buckets, status=403)
    later.check("disabled and deleted keys", rows)


def secure_transport_rows(iam, later, res, tls):
    """A policy that refuses everything without TLS: denied over HTTP,
    allowed over HTTPS."""
    ca = os.environ.get("CAUDAL_CA_FILE") if tls else None
    stmts = [{"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"},
             {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    u = User(iam, "tlsonly", stmts)

    def rows():
        k = svc("kinesis", u.key, u.secret, verify=ca)
        if tls:
            k.list_streams()
        else:
            deny(k.list_streams, action="kinesis:ListStreams", explicit=True)
    later.check("aws:SecureTransport", rows)
    res["secure_transport"] = "allowed" if tls else "denied"


def main():
    later = Later()
    res = {"versions": versions()}
    tls = len(sys.argv) > 2 and sys.argv[2] == "tls"
    iam = svc("iam", verify=os.environ.get("CAUDAL_CA_FILE") if tls else None)
    secure_transport_rows(iam, later, res, tls)
    if tls:
        later.raise_any()
        return res
    kinesis_rows(iam, later, res)
    bucket = s3_rows(iam, later, res)
    db = glue_rows(iam, later, res)
    athena_rows(iam, later, res, bucket, db)
    firehose_kms_rows(iam, later, res, bucket)
    key_state_rows(iam, later, res)
    later.raise_any()
    return res


if __name__ == "__main__":
    run(main)
