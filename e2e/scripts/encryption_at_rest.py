"""Encryption at rest through boto3: an encrypted stream and SSE-S3, SSE-KMS and
bucket-default-encrypted objects (one multipart), plus plaintext controls.

Usage: encryption_at_rest.py <endpoint> write|read <stream> <bucket-sse> <bucket-default> <bucket-plain>

write stores everything and checks the answers; read (also run after a
restart) reads every record and object back through the API, whole and in
ranges, and checks the SSE headers. The Go test walks the data directory
between the two for the SECRET-* markers (must be absent) and the CTRL-*
markers (must be present)."""

import sys
import time

import boto3
from botocore.config import Config

from common import Fail, check, client, endpoint, eq, expect_error, run, wait_exists

CHUNK = 64 << 10


def s3():
    return boto3.client("s3", endpoint_url=endpoint(), region_name="us-east-1",
                        config=Config(retries={"max_attempts": 0, "mode": "legacy"}, s3={"addressing_style": "path"}))


def kms():
    return boto3.client("kms", endpoint_url=endpoint(), region_name="us-east-1",
                        config=Config(retries={"max_attempts": 0, "mode": "legacy"}))


def body(marker, n):
    """n bytes holding marker every 1000 bytes, deterministic."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += (marker + "-%08d-" % i).encode()
        out += bytes((65 + (i * 7 + j) % 26) for j in range(1000 - len(marker) - 10))
        i += 1
    return bytes(out[:n])


OBJECTS = {
    # key: (bucket index, marker, size, sse args)
    "sse-s3": (0, "SECRET-S3-SSES3", 3 * CHUNK + 123, {"ServerSideEncryption": "AES256"}),
    "sse-kms": (0, "SECRET-S3-SSEKMS", CHUNK + 1, {"ServerSideEncryption": "aws:kms"}),
    "sse-kms-custom": (0, "SECRET-S3-CUSTOMKEY", 5000, None),  # key filled in at write time
    "default": (1, "SECRET-S3-DEFAULT", 2 * CHUNK, {}),
    "copy-sealed": (1, "SECRET-S3-COPIED", 4000, None),  # copied from a plain object (then deleted) into the default bucket
    "plain": (2, "CTRL-S3-PLAIN", 4000, {}),
}
MP_PARTS = [body("SECRET-S3-MULTIPART", 5 << 20), body("SECRET-S3-MULTIPART-LAST", 300000)]


def write(stream, buckets):
    k, c, m = client(), s3(), kms()
    # --- stream: a plaintext control record, then encrypted records.
    k.create_stream(StreamName=stream, ShardCount=1)
    wait_exists(k, stream)
    k.put_record(StreamName=stream, PartitionKey="ctrl", Data=b"CTRL-STREAM-PLAIN-0")
    k.start_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    d = k.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    eq(d.get("EncryptionType"), "KMS", "EncryptionType after StartStreamEncryption")
    out = k.put_records(StreamName=stream, Records=[
        {"PartitionKey": "SECRET-PK-%d" % i, "Data": ("SECRET-STREAM-%d" % i).encode() * 20} for i in range(10)])
    eq(out.get("FailedRecordCount", 0), 0, "PutRecords failures")
    eq(out.get("EncryptionType"), "KMS", "PutRecords EncryptionType")
    r = k.put_record(StreamName=stream, PartitionKey="one", Data=b"SECRET-STREAM-single")
    eq(r.get("EncryptionType"), "KMS", "PutRecord EncryptionType")
    expect_error("KMSNotFoundException", k.start_stream_encryption, StreamName=stream, EncryptionType="KMS",
                 KeyId="alias/does-not-exist")

    # --- objects
    for b in buckets:
        c.create_bucket(Bucket=b)
    key = m.create_key(Description="e2e object key")["KeyMetadata"]
    OBJECTS["sse-kms-custom"] = (0, "SECRET-S3-CUSTOMKEY", 5000, {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key["KeyId"]})
    c.put_bucket_encryption(Bucket=buckets[1], ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    got = c.get_bucket_encryption(Bucket=buckets[1])["ServerSideEncryptionConfiguration"]["Rules"][0]
    eq(got["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256", "bucket default algorithm")
    expect_error("ServerSideEncryptionConfigurationNotFoundError", c.get_bucket_encryption, Bucket=buckets[2], status=404)
    for name, (bi, marker, n, sse) in OBJECTS.items():
        if name == "copy-sealed":
            continue
        resp = c.put_object(Bucket=buckets[bi], Key=name, Body=body(marker, n), **sse)
        want = {"sse-s3": "AES256", "sse-kms": "aws:kms", "sse-kms-custom": "aws:kms", "default": "AES256"}.get(name)
        eq(resp.get("ServerSideEncryption"), want, "PutObject %s ServerSideEncryption" % name)
        if name == "sse-kms-custom":
            eq(resp.get("SSEKMSKeyId"), key["Arn"], "PutObject SSEKMSKeyId")
    c.put_object(Bucket=buckets[2], Key="copy-src", Body=body("SECRET-S3-COPIED", 4000))
    cp = c.copy_object(Bucket=buckets[1], Key="copy-sealed", CopySource={"Bucket": buckets[2], "Key": "copy-src"})
    eq(cp.get("ServerSideEncryption"), "AES256", "CopyObject into the default-encrypted bucket")
    c.delete_object(Bucket=buckets[2], Key="copy-src")
    # Multipart, SSE-KMS with the default key.
    up = c.create_multipart_upload(Bucket=buckets[1], Key="multipart", ServerSideEncryption="aws:kms")
    eq(up.get("ServerSideEncryption"), "aws:kms", "CreateMultipartUpload ServerSideEncryption")
    parts = []
    for i, p in enumerate(MP_PARTS, 1):
        pr = c.upload_part(Bucket=buckets[1], Key="multipart", UploadId=up["UploadId"], PartNumber=i, Body=p)
        eq(pr.get("ServerSideEncryption"), "aws:kms", "UploadPart ServerSideEncryption")
        parts.append({"PartNumber": i, "ETag": pr["ETag"]})
    done = c.complete_multipart_upload(Bucket=buckets[1], Key="multipart", UploadId=up["UploadId"],
                                       MultipartUpload={"Parts": parts})
    eq(done.get("ServerSideEncryption"), "aws:kms", "CompleteMultipartUpload ServerSideEncryption")
    expect_error("KMS.NotFoundException", c.put_object, Bucket=buckets[0], Key="bad-key", Body=b"x",
                 ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/nope")
    athena(buckets)
    return {"kmsKey": key["Arn"]}


def athena(buckets):
    """Queries: results land sealed in the default-encrypted bucket and read
    back through GetQueryResults; a table over sealed objects reads their
    plaintext (from decrypted copies made for the query, never the
    ciphertext)."""
    a = boto3.client("athena", endpoint_url=endpoint(), region_name="us-east-1",
                     config=Config(retries={"max_attempts": 0, "mode": "legacy"}))
    out = "s3://%s/athena/" % buckets[1]

    def q(sql):
        qid = a.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": out})["QueryExecutionId"]
        deadline = time.time() + 60
        while True:
            x = a.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
            if x["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                return qid, x
            check(time.time() < deadline, "query %s still running", qid)
            time.sleep(0.1)

    for sql in ("CREATE EXTERNAL TABLE enc_plain (line string) LOCATION 's3://%s/'" % buckets[2],
                "CREATE EXTERNAL TABLE enc_sealed (line string) LOCATION 's3://%s/'" % buckets[0]):
        _, x = q(sql)
        eq(x["Status"]["State"], "SUCCEEDED", sql)
    qid, x = q("SELECT count(*) AS n FROM enc_plain WHERE line LIKE 'CTRL-S3-PLAIN%'")
    eq(x["Status"]["State"], "SUCCEEDED", "SELECT over the plain bucket: %s" % x["Status"].get("StateChangeReason"))
    rows = a.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    eq(rows[1]["Data"][0]["VarCharValue"], "1", "lines counted in the plain object (it has no newline)")
    qid, x = q("SELECT count(*), count_if(line LIKE 'SECRET-S3-%') FROM enc_sealed")
    eq(x["Status"]["State"], "SUCCEEDED", "SELECT over sealed objects: %s" % x["Status"].get("StateChangeReason"))
    rows = a.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    eq([d["VarCharValue"] for d in rows[1]["Data"]], ["3", "3"], "lines of the three sealed objects (none has a newline)")


def read(stream, buckets):
    k, c = client(), s3()
    shard = k.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    it = k.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    recs = k.get_records(ShardIterator=it, Limit=100)["Records"]
    eq(len(recs), 12, "records")
    eq(recs[0]["Data"], b"CTRL-STREAM-PLAIN-0", "plaintext record")
    check(recs[0].get("EncryptionType") in (None, "NONE"), "plaintext record reports %r", recs[0].get("EncryptionType"))
    for i in range(10):
        rr = recs[1 + i]
        eq(rr["Data"], ("SECRET-STREAM-%d" % i).encode() * 20, "record %d data" % i)
        eq(rr["PartitionKey"], "SECRET-PK-%d" % i, "record %d key" % i)
        eq(rr.get("EncryptionType"), "KMS", "record %d EncryptionType" % i)
    eq(recs[11]["Data"], b"SECRET-STREAM-single", "PutRecord record")

    for name, (bi, marker, n, _) in OBJECTS.items():
        want = body(marker, n)
        o = c.get_object(Bucket=buckets[bi], Key=name)
        eq(o["Body"].read(), want, "GET %s" % name)
        h = c.head_object(Bucket=buckets[bi], Key=name)
        sse = {"plain": None, "sse-s3": "AES256", "default": "AES256", "copy-sealed": "AES256"}.get(name, "aws:kms")
        eq(h.get("ServerSideEncryption"), sse, "HEAD %s ServerSideEncryption" % name)
        eq(o.get("ServerSideEncryption"), sse, "GET %s ServerSideEncryption" % name)
        for first, last in ((0, 0), (CHUNK - 3, CHUNK + 3), (CHUNK, CHUNK), (n - 10, n - 1), (1000, 2 * CHUNK + 5)):
            last = min(last, n - 1)
            if first > last:
                continue
            got = c.get_object(Bucket=buckets[bi], Key=name, Range="bytes=%d-%d" % (first, last))["Body"].read()
            eq(got, want[first:last + 1], "GET %s bytes=%d-%d" % (name, first, last))
    whole = b"".join(MP_PARTS)
    eq(c.get_object(Bucket=buckets[1], Key="multipart")["Body"].read(), whole, "GET multipart")
    edge = (5 << 20) - 7
    got = c.get_object(Bucket=buckets[1], Key="multipart", Range="bytes=%d-%d" % (edge, edge + 20))["Body"].read()
    eq(got, whole[edge:edge + 21], "GET multipart across the part boundary")
    eq(c.head_object(Bucket=buckets[1], Key="multipart").get("ServerSideEncryption"), "aws:kms", "HEAD multipart")
    return {"records": len(recs)}


def main():
    mode, stream, buckets = sys.argv[2], sys.argv[3], sys.argv[4:7]
    return write(stream, buckets) if mode == "write" else read(stream, buckets)


if __name__ == "__main__":
    run(main)
