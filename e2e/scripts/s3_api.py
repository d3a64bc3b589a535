"""boto3 against caudal's S3 API: buckets, objects with metadata and content
headers, the transfer manager below and above the multipart threshold,
paginated listings (v2 and v1) over ~1,200 keys, DeleteObjects, CopyObject,
ranged and conditional GETs, tagging, presigned GET/PUT through plain HTTP,
error codes, and checksums both over http and over https (through the test's
TLS front), where boto3 >= 1.36 sends aws-chunked bodies with a CRC32
trailer and boto3 1.26 sends UNSIGNED-PAYLOAD with Content-MD5.

Usage: s3_api.py ENDPOINT --tls HTTPS_ENDPOINT --ca CA_PEM --tmp DIR
Prints one JSON object; the Go test checks the key facts.
"""

import base64
import concurrent.futures
import datetime
import gzip
import hashlib
import json
import os
import sys
import time
import traceback
import urllib.error
import urllib.request
import zlib

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from common import Fail, Later, REGION, check, endpoint, eq, expect_error, run, unique

MiB = 1 << 20


def arg(name):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    raise Fail("missing argument %s" % name)


def s3client(ep, verify=None, region=REGION, **conf):
    c = Config(
        retries={"max_attempts": 0, "mode": "legacy"},
        connect_timeout=5,
        read_timeout=60,
        s3={"addressing_style": "path"},
        max_pool_connections=20,
        **conf,
    )
    return boto3.client("s3", endpoint_url=ep, region_name=region, config=c, verify=verify)


class Wire:
    """Records the payload mode and checksum headers of the requests a
    client sends, so the script can show which path the body took."""

    def __init__(self, c):
        self.seen = {}
        c.meta.events.register("before-send.s3", self._record)

    def _record(self, request, **kwargs):
        # before-send sees the prepared request, which does not name its
        # operation: tell the two body-carrying ones checked here apart.
        h = {k.lower(): v for k, v in request.headers.items()}
        query = request.url.split("?", 1)[1] if "?" in request.url else ""
        op = None
        if request.method == "PUT" and "partNumber=" in query and "uploadId=" in query:
            op = "UploadPart"
        elif request.method == "PUT" and not query and "x-amz-copy-source" not in h:
            op = "PutObject"
        self.seen.setdefault(op, []).append({
            "sha256": h.get("x-amz-content-sha256", b""),
            "trailer": h.get("x-amz-trailer", b""),
            "md5": "content-md5" in h,
            "crc32": "x-amz-checksum-crc32" in h,
            "encoding": h.get("content-encoding", b""),
        })

    def modes(self, op):
        out = set()
        for r in self.seen.get(op, []):
            v = r["sha256"]
            out.add(v.decode() if isinstance(v, bytes) else v)
        return sorted(out)

    def last(self, op):
        r = self.seen.get(op, [{}])[-1]
        return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in r.items()}


def section(later, name, fn, *args):
    """Runs one independent group of checks; any failure, including an
    unexpected error answer, is recorded and the script goes on."""
    start = time.time()
    try:
        return fn(*args)
    except Fail as e:
        later.failures.append("%s: %s" % (name, e))
    except ClientError as e:
        err = e.response.get("Error", {})
        later.failures.append("%s: unexpected %s (HTTP %s): %s [%s]" % (
            name, err.get("Code"), e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
            err.get("Message"), e.operation_name))
    except Exception as e:  # noqa: BLE001 — a crash in one group is that group's failure
        traceback.print_exc()
        later.failures.append("%s: %s: %s" % (name, type(e).__name__, e))
    finally:
        TIMINGS[name] = round(time.time() - start, 2)
    return None


TIMINGS = {}


def sha(b):
    return hashlib.sha256(b).hexdigest()


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MiB), b""):
            h.update(chunk)
    return h.hexdigest()


def crc32_b64(b):
    return base64.b64encode((zlib.crc32(b) & 0xFFFFFFFF).to_bytes(4, "big")).decode()


def md5_etag(b):
    return '"%s"' % hashlib.md5(b).hexdigest()


def multipart_etag(b, part):
    sums = b"".join(hashlib.md5(b[i:i + part]).digest() for i in range(0, len(b), part))
    return '"%s-%d"' % (hashlib.md5(sums).hexdigest(), (len(b) + part - 1) // part)


def body(resp):
    return resp["Body"].read()


def status(resp):
    return resp["ResponseMetadata"]["HTTPStatusCode"]


def expect_status_error(code, st, fn, *args, **kwargs):
    """Like expect_error, for answers without a body (HEAD, 304): botocore
    makes the code the status number."""
    return expect_error(code, fn, *args, status=st, **kwargs)


# ---------------------------------------------------------------- buckets

def check_buckets(c, b):
    r = c.create_bucket(Bucket=b)
    eq(status(r), 200, "CreateBucket status")
    check(r.get("Location") in ("/" + b, None) or r.get("Location", "").endswith(b), "CreateBucket Location %r", r.get("Location"))
    # us-east-1 answers 200 to re-creating a bucket you own.
    eq(status(c.create_bucket(Bucket=b)), 200, "CreateBucket again in us-east-1")
    eq(status(c.head_bucket(Bucket=b)), 200, "HeadBucket")
    names = [x["Name"] for x in c.list_buckets()["Buckets"]]
    check(b in names, "ListBuckets %r lacks %s", names, b)
    eq(c.get_bucket_location(Bucket=b).get("LocationConstraint"), None, "GetBucketLocation of a us-east-1 bucket")
    expect_status_error("404", 404, c.head_bucket, Bucket=unique("missing"))
    expect_error("InvalidBucketName", c.create_bucket, Bucket="Bad_Bucket_Name")
    expect_error("InvalidBucketName", c.create_bucket, Bucket="xy")
    expect_error("NoSuchBucket", c.list_objects_v2, status=404, Bucket=unique("missing"))
    expect_error("NoSuchBucket", c.put_object, status=404, Bucket=unique("missing"), Key="k", Body=b"x")

    # Outside us-east-1, re-creating a bucket you own is 409
    # BucketAlreadyOwnedByYou (S3 API reference, CreateBucket). A client in
    # eu-west-1 makes that unambiguous.
    euc = s3client(endpoint(), region="eu-west-1")
    eu = unique("eu-bucket")
    euc.create_bucket(Bucket=eu, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eq(c.get_bucket_location(Bucket=eu).get("LocationConstraint"), "eu-west-1", "GetBucketLocation of an eu-west-1 bucket")
    expect_error("BucketAlreadyOwnedByYou", euc.create_bucket, status=409, Bucket=eu,
                 CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    euc.delete_bucket(Bucket=eu)
    expect_status_error("404", 404, c.head_bucket, Bucket=eu)
    return names


# ---------------------------------------------------------------- objects

def check_objects(c, b):
    data = gzip.compress(b"hello, lake\n" * 100)
    expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    r = c.put_object(Bucket=b, Key="obj/meta.txt.gz", Body=data, Metadata={"Color": "blue", "n": "42"},
                     ContentType="text/plain; charset=utf-8", ContentEncoding="gzip",
                     ContentDisposition='attachment; filename="meta.txt"', CacheControl="no-cache",
                     ContentLanguage="en-US", Expires=expires)
    eq(r["ETag"], md5_etag(data), "PutObject ETag")
    for name, resp in (("GetObject", c.get_object(Bucket=b, Key="obj/meta.txt.gz")),
                       ("HeadObject", c.head_object(Bucket=b, Key="obj/meta.txt.gz"))):
        if name == "GetObject":
            eq(body(resp), data, "GetObject body")
        eq(resp["ContentLength"], len(data), name + " ContentLength")
        eq(resp["ETag"], md5_etag(data), name + " ETag")
        # S3 stores user metadata names in lower case.
        eq(resp["Metadata"], {"color": "blue", "n": "42"}, name + " Metadata")
        eq(resp["ContentType"], "text/plain; charset=utf-8", name + " ContentType")
        eq(resp["ContentEncoding"], "gzip", name + " ContentEncoding")
        eq(resp["ContentDisposition"], 'attachment; filename="meta.txt"', name + " ContentDisposition")
        eq(resp["CacheControl"], "no-cache", name + " CacheControl")
        eq(resp["ContentLanguage"], "en-US", name + " ContentLanguage")
        got_exp = resp.get("Expires") or resp.get("ExpiresString")
        check(got_exp is not None and "2030" in str(got_exp), "%s Expires %r, want 2030-01-02", name, got_exp)
        lm = resp["LastModified"]
        check(abs((datetime.datetime.now(datetime.timezone.utc) - lm).total_seconds()) < 300,
              "%s LastModified %r is not about now", name, lm)
        eq(resp.get("AcceptRanges"), "bytes", name + " AcceptRanges")

    # Empty object, and an object whose key needs escaping everywhere.
    c.put_object(Bucket=b, Key="obj/empty", Body=b"")
    r = c.get_object(Bucket=b, Key="obj/empty")
    eq((body(r), r["ContentLength"], r["ETag"]), (b"", 0, md5_etag(b"")), "empty object")
    odd = "obj/sp ace+plus%pct&amp<lt>/ünï 🙂.txt"
    c.put_object(Bucket=b, Key=odd, Body=b"odd")
    eq(body(c.get_object(Bucket=b, Key=odd)), b"odd", "odd key GetObject")
    # Default content type.
    eq(c.head_object(Bucket=b, Key="obj/empty")["ContentType"], "binary/octet-stream", "default ContentType")

    expect_status_error("404", 404, c.head_object, Bucket=b, Key="obj/missing")
    expect_error("NoSuchKey", c.get_object, status=404, Bucket=b, Key="obj/missing")
    expect_error("NoSuchBucket", c.get_object, status=404, Bucket=unique("missing"), Key="k")
    # Deleting a missing key is a success (204).
    eq(status(c.delete_object(Bucket=b, Key="obj/never-was")), 204, "DeleteObject of a missing key")
    return odd


def check_large_refusal(c):
    """A large body (botocore sends Expect: 100-continue and waits up to 1 s
    for the server's word) refused by the headers: the error, not a reset."""
    expect_error("NoSuchBucket", c.put_object, status=404, Bucket=unique("missing"), Key="k", Body=os.urandom(6 * MiB))


def check_compat(c, b):
    """What tools that empty buckets and manage ACLs send even where caudal
    models no versioning or ACLs (see DESIGN.md's wire behaviours), and
    GetObject's response-header overrides (used with presigned URLs)."""
    c.put_object(Bucket=b, Key="compat/acl", Body=b"acl", ACL="private")
    c.put_object(Bucket=b, Key="compat/acl2", Body=b"acl2", ACL="public-read")
    check("Status" not in c.get_bucket_versioning(Bucket=b), "GetBucketVersioning of a never-versioned bucket has a Status")
    r = c.list_object_versions(Bucket=b, Prefix="compat/")
    vs = sorted((v["Key"], v["VersionId"], v["IsLatest"], v["Size"]) for v in r.get("Versions", []))
    eq(vs, [("compat/acl", "null", True, 3), ("compat/acl2", "null", True, 4)], "ListObjectVersions of an unversioned bucket")
    c.delete_object(Bucket=b, Key="compat/acl", VersionId="null")
    expect_status_error("404", 404, c.head_object, Bucket=b, Key="compat/acl")
    r = c.get_object(Bucket=b, Key="compat/acl2", ResponseContentType="application/x-override",
                     ResponseContentDisposition='attachment; filename="o.bin"', ResponseCacheControl="no-store")
    eq((body(r), r["ContentType"], r["ContentDisposition"], r["CacheControl"]),
       (b"acl2", "application/x-override", 'attachment; filename="o.bin"', "no-store"), "GetObject response-* overrides")
    c.delete_object(Bucket=b, Key="compat/acl2")


# ---------------------------------------------------------------- transfers

def check_transfers(c, b, tmp, tag):
    """upload_file/download_file below and above a 5 MiB multipart threshold."""
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)
    out = {}
    for name, size in (("small", 1 * MiB + 7), ("large", 12 * MiB + 123)):
        src = os.path.join(tmp, "%s-%s.bin" % (tag, name))
        data = os.urandom(size)
        with open(src, "wb") as f:
            f.write(data)
        key = "transfer/%s/%s.bin" % (tag, name)
        c.upload_file(src, b, key, Config=cfg)
        head = c.head_object(Bucket=b, Key=key)
        eq(head["ContentLength"], size, "%s upload_file ContentLength" % name)
        want_etag = md5_etag(data) if size < 5 * MiB else multipart_etag(data, 5 * MiB)
        eq(head["ETag"], want_etag, "%s upload_file ETag" % name)
        dst = src + ".down"
        c.download_file(b, key, dst, Config=cfg)
        eq(file_sha(dst), sha(data), "%s download_file SHA-256" % name)
        out[name] = {"key": key, "sha256": sha(data), "size": size}
    return out


# ---------------------------------------------------------------- listings

TOPS = ["pg/top-0", "pg/top-1", "pg/top sp+ü&<>%.txt"]


def fill_listing(c, b):
    keys = ["pg/d%02d/k%03d" % (d, k) for d in range(12) for k in range(100)] + TOPS
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        list(ex.map(lambda k: c.put_object(Bucket=b, Key=k, Body=k.encode()), keys))
    return sorted(keys)


def paged(c, op, **kw):
    pages = list(c.get_paginator(op).paginate(**kw))
    keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
    prefixes = [x["Prefix"] for p in pages for x in p.get("CommonPrefixes", [])]
    return pages, keys, prefixes


def check_listing(c, b, keys):
    res = {}
    # v2, no delimiter, 100 a page: every key once, in order.
    pages, got, pre = paged(c, "list_objects_v2", Bucket=b, Prefix="pg/", PaginationConfig={"PageSize": 100})
    eq(len(got), len(keys), "ListObjectsV2 keys")
    eq(got, keys, "ListObjectsV2 keys in UTF-8 order, each once")
    eq(pre, [], "ListObjectsV2 without delimiter CommonPrefixes")
    eq(len(pages), (len(keys) + 99) // 100, "ListObjectsV2 pages of 100")
    for p in pages[:-1]:
        check(p["IsTruncated"] and p.get("NextContinuationToken"), "a full page is not truncated or has no token")
        eq(p["KeyCount"], 100, "KeyCount of a full page")
        eq(p["MaxKeys"], 100, "MaxKeys echoed")
    check(not pages[-1]["IsTruncated"], "last page is truncated")
    res["pages_v2"] = len(pages)
    res["keys_listed"] = len(got)

    # v2 with delimiter, 5 a page: the 12 directories once each, the top keys.
    pages, got, pre = paged(c, "list_objects_v2", Bucket=b, Prefix="pg/", Delimiter="/", PaginationConfig={"PageSize": 5})
    eq(pre, ["pg/d%02d/" % d for d in range(12)], "ListObjectsV2 CommonPrefixes with delimiter")
    eq(got, sorted(TOPS), "ListObjectsV2 keys with delimiter")
    eq(len(pages), 3, "ListObjectsV2 pages of 5 over 12 prefixes + 3 keys")
    for p in pages:
        eq(p["KeyCount"], len(p.get("Contents", [])) + len(p.get("CommonPrefixes", [])), "KeyCount counts keys and prefixes")
        eq(p.get("Delimiter"), "/", "Delimiter echoed")
    res["common_prefixes"] = len(pre)

    # A directory, StartAfter, a non-'/' delimiter.
    _, got, pre = paged(c, "list_objects_v2", Bucket=b, Prefix="pg/d03/", Delimiter="/")
    eq((len(got), pre), (100, []), "ListObjectsV2 of one directory")
    _, got, _ = paged(c, "list_objects_v2", Bucket=b, Prefix="pg/", StartAfter="pg/d11/k050", PaginationConfig={"PageSize": 20})
    eq(got, [k for k in keys if k > "pg/d11/k050"], "ListObjectsV2 StartAfter")
    _, got, pre = paged(c, "list_objects_v2", Bucket=b, Prefix="pg/d0", Delimiter="k0")
    eq(pre, ["pg/d%02d/k0" % d for d in range(10)], "ListObjectsV2 with delimiter k0")
    eq(got, [], "ListObjectsV2 with delimiter k0 keys")
    # botocore asks for encoding-type=url and decodes Key, Prefix,
    # Delimiter, StartAfter and CommonPrefixes: each must come back encoded.
    odd_prefix = "pg/top sp+ü&"
    r = c.list_objects_v2(Bucket=b, Prefix=odd_prefix, StartAfter="pg/top sp+", Delimiter="<")
    eq((r.get("Prefix"), r.get("StartAfter"), r.get("Delimiter")), (odd_prefix, "pg/top sp+", "<"),
       "ListObjectsV2 echoes of Prefix, StartAfter, Delimiter (url-encoded on the wire)")
    eq([x["Prefix"] for x in r.get("CommonPrefixes", [])], ["pg/top sp+ü&<"], "ListObjectsV2 url-encoded CommonPrefixes")
    # (v1's Prefix echo is not compared: S3 documents it url-encoded, and
    # botocore decodes only Delimiter, Marker and NextMarker there —
    # boto/boto3#3534, ceph/s3-tests#327.)
    r = c.list_objects(Bucket=b, Prefix=odd_prefix, Marker="pg/top sp+")
    eq(([o["Key"] for o in r.get("Contents", [])], r.get("Marker")), ([TOPS[2]], "pg/top sp+"),
       "ListObjects (v1) with an odd prefix and marker")
    r = c.list_objects_v2(Bucket=b, Prefix="pg/nothing/")
    eq((r["KeyCount"], r.get("Contents"), r["IsTruncated"]), (0, None, False), "empty ListObjectsV2")

    # v1 with Marker, with and without delimiter.
    pages, got, _ = paged(c, "list_objects", Bucket=b, Prefix="pg/", PaginationConfig={"PageSize": 100})
    eq(got, keys, "ListObjects (v1) keys, each once")
    eq(len(pages), (len(keys) + 99) // 100, "ListObjects (v1) pages")
    pages, got, pre = paged(c, "list_objects", Bucket=b, Prefix="pg/", Delimiter="/", PaginationConfig={"PageSize": 4})
    eq(pre, ["pg/d%02d/" % d for d in range(12)], "ListObjects (v1) CommonPrefixes")
    eq(got, sorted(TOPS), "ListObjects (v1) keys with delimiter")
    for p in pages[:-1]:
        check(p.get("NextMarker"), "ListObjects (v1) truncated page with delimiter has no NextMarker")
    r = c.list_objects(Bucket=b, Prefix="pg/", Marker="pg/d11/k098", MaxKeys=3)
    eq([o["Key"] for o in r["Contents"]], ["pg/d11/k099"] + sorted(TOPS)[:2], "ListObjects (v1) Marker")
    check(r["IsTruncated"], "ListObjects (v1) MaxKeys=3 page is not truncated")
    res["pages_v1"] = len(pages)
    return res


def check_delete_objects(c, b, keys):
    d00 = [k for k in keys if k.startswith("pg/d00/")]
    r = c.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in d00] + [{"Key": "pg/never-existed"}]})
    deleted = sorted(x["Key"] for x in r.get("Deleted", []))
    eq(deleted, sorted(d00 + ["pg/never-existed"]), "DeleteObjects Deleted (missing keys count as deleted)")
    eq(r.get("Errors", []), [], "DeleteObjects Errors")
    r = c.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in keys if k.startswith("pg/d01/")], "Quiet": True})
    eq(r.get("Deleted", []), [], "DeleteObjects Quiet lists nothing deleted")
    eq(r.get("Errors", []), [], "DeleteObjects Quiet Errors")
    _, got, _ = paged(c, "list_objects_v2", Bucket=b, Prefix="pg/d0")
    eq(len(got), 800, "keys left under pg/d0 after deleting two directories")
    expect_error("MalformedXML", c.delete_objects, Bucket=b, Delete={"Objects": []})
    return len(deleted)


# ---------------------------------------------------------------- copy, range, conditions, tags

def check_copy(c, b, odd):
    src = b"copy source body"
    c.put_object(Bucket=b, Key="cp/src", Body=src, Metadata={"a": "1"}, ContentType="text/x-src")
    r = c.copy_object(Bucket=b, Key="cp/same-meta", CopySource={"Bucket": b, "Key": "cp/src"})
    eq(r["CopyObjectResult"]["ETag"], md5_etag(src), "CopyObject ETag")
    h = c.head_object(Bucket=b, Key="cp/same-meta")
    eq((h["Metadata"], h["ContentType"]), ({"a": "1"}, "text/x-src"), "CopyObject COPY keeps metadata")
    c.copy_object(Bucket=b, Key="cp/replaced", CopySource={"Bucket": b, "Key": "cp/src"},
                  MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="application/json")
    r = c.get_object(Bucket=b, Key="cp/replaced")
    eq((body(r), r["Metadata"], r["ContentType"]), (src, {"b": "2"}, "application/json"), "CopyObject REPLACE")
    # Onto itself: only with REPLACE (S3: "This copy request is illegal ...").
    expect_error("InvalidRequest", c.copy_object, Bucket=b, Key="cp/src", CopySource={"Bucket": b, "Key": "cp/src"})
    c.copy_object(Bucket=b, Key="cp/src", CopySource={"Bucket": b, "Key": "cp/src"},
                  MetadataDirective="REPLACE", Metadata={"c": "3"})
    h = c.head_object(Bucket=b, Key="cp/src")
    eq((h["Metadata"], h["ETag"]), ({"c": "3"}, md5_etag(src)), "CopyObject onto itself with REPLACE")
    # A source key that needs escaping.
    c.copy_object(Bucket=b, Key="cp/from-odd", CopySource={"Bucket": b, "Key": odd})
    eq(body(c.get_object(Bucket=b, Key="cp/from-odd")), b"odd", "CopyObject from an odd key")
    expect_error("NoSuchKey", c.copy_object, status=404, Bucket=b, Key="cp/x", CopySource={"Bucket": b, "Key": "cp/missing"})


def check_range(c, b):
    data = bytes(range(256)) * 40
    n = len(data)
    c.put_object(Bucket=b, Key="rng/obj", Body=data)
    for rng, lo, hi in (("bytes=10-19", 10, 19), ("bytes=-5", n - 5, n - 1), ("bytes=%d-" % (n - 100), n - 100, n - 1),
                        ("bytes=0-0", 0, 0), ("bytes=%d-%d" % (n - 3, n + 50), n - 3, n - 1)):
        r = c.get_object(Bucket=b, Key="rng/obj", Range=rng)
        eq(status(r), 206, "GetObject %s status" % rng)
        eq(body(r), data[lo:hi + 1], "GetObject %s body" % rng)
        eq(r["ContentRange"], "bytes %d-%d/%d" % (lo, hi, n), "GetObject %s ContentRange" % rng)
        eq(r["ContentLength"], hi - lo + 1, "GetObject %s ContentLength" % rng)
    expect_error("InvalidRange", c.get_object, status=416, Bucket=b, Key="rng/obj", Range="bytes=%d-" % (n + 10))
    # A syntactically invalid range is ignored: the whole object, 200.
    r = c.get_object(Bucket=b, Key="rng/obj", Range="bytes=abc")
    eq((status(r), len(body(r))), (200, n), "GetObject with an unparsable Range")


def check_conditional(c, b):
    data = b"conditional"
    etag = c.put_object(Bucket=b, Key="cond/obj", Body=data)["ETag"]
    lm = c.head_object(Bucket=b, Key="cond/obj")["LastModified"]
    past = lm - datetime.timedelta(hours=1)
    eq(body(c.get_object(Bucket=b, Key="cond/obj", IfMatch=etag)), data, "IfMatch right")
    eq(body(c.get_object(Bucket=b, Key="cond/obj", IfNoneMatch='"abc"')), data, "IfNoneMatch wrong")
    expect_status_error("304", 304, c.get_object, Bucket=b, Key="cond/obj", IfNoneMatch=etag)
    expect_error("PreconditionFailed", c.get_object, status=412, Bucket=b, Key="cond/obj", IfMatch='"0000"')
    expect_status_error("304", 304, c.get_object, Bucket=b, Key="cond/obj", IfModifiedSince=lm)
    eq(body(c.get_object(Bucket=b, Key="cond/obj", IfModifiedSince=past)), data, "IfModifiedSince past")
    expect_error("PreconditionFailed", c.get_object, status=412, Bucket=b, Key="cond/obj", IfUnmodifiedSince=past)
    expect_status_error("304", 304, c.head_object, Bucket=b, Key="cond/obj", IfNoneMatch=etag)
    expect_status_error("412", 412, c.head_object, Bucket=b, Key="cond/obj", IfMatch='"0000"')


def tagset(resp):
    return {t["Key"]: t["Value"] for t in resp["TagSet"]}


def check_tagging(c, b):
    c.put_object(Bucket=b, Key="tag/obj", Body=b"t", Tagging="team=data&stage=raw%20zone")
    eq(tagset(c.get_object_tagging(Bucket=b, Key="tag/obj")), {"team": "data", "stage": "raw zone"}, "tags from PutObject")
    eq(c.get_object(Bucket=b, Key="tag/obj").get("TagCount"), 2, "GetObject TagCount")
    c.put_object_tagging(Bucket=b, Key="tag/obj", Tagging={"TagSet": [{"Key": "k1", "Value": "v1"}]})
    eq(tagset(c.get_object_tagging(Bucket=b, Key="tag/obj")), {"k1": "v1"}, "tags after PutObjectTagging")
    c.delete_object_tagging(Bucket=b, Key="tag/obj")
    eq(tagset(c.get_object_tagging(Bucket=b, Key="tag/obj")), {}, "tags after DeleteObjectTagging")
    expect_error("NoSuchKey", c.get_object_tagging, status=404, Bucket=b, Key="tag/missing")
    expect_error(("InvalidTag", "BadRequest"), c.put_object_tagging, Bucket=b, Key="tag/obj",
                 Tagging={"TagSet": [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]})


# ---------------------------------------------------------------- presigned URLs

def http(method, url, data=None):
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), r.headers  # case-insensitive get
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def xml_code(raw):
    s = raw.decode("utf-8", "replace")
    if "<Code>" not in s:
        return None
    return s.split("<Code>", 1)[1].split("</Code>", 1)[0]


def check_presigned(b):
    # SigV4 presigning must be asked for: both boto3 generations presign S3
    # URLs with SigV2 by default when the client has no signature_version.
    p = s3client(endpoint(), signature_version="s3v4")
    data = os.urandom(3000)
    p.put_object(Bucket=b, Key="pre/get me.bin", Body=data, ContentType="application/x-pre")
    url = p.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "pre/get me.bin"}, ExpiresIn=120)
    check("X-Amz-Signature=" in url, "presigned URL is not SigV4: %s", url)
    st, got, hdr = http("GET", url)
    eq((st, got == data), (200, True), "presigned GET")
    eq(hdr.get("Content-Type"), "application/x-pre", "presigned GET Content-Type")

    put_data = os.urandom(5000)
    url = p.generate_presigned_url("put_object", Params={"Bucket": b, "Key": "pre/put-ü.bin"}, ExpiresIn=120)
    st, raw, hdr = http("PUT", url, put_data)
    eq(st, 200, "presigned PUT status (answer %r)" % raw[:300])
    eq(hdr.get("ETag"), md5_etag(put_data), "presigned PUT ETag")
    eq(body(p.get_object(Bucket=b, Key="pre/put-ü.bin")), put_data, "object stored by presigned PUT")

    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")[:-1]
    st, raw, _ = http("PUT", tampered, b"evil")
    eq((st, xml_code(raw)), (403, "SignatureDoesNotMatch"), "presigned PUT with a tampered signature")
    eq(body(p.get_object(Bucket=b, Key="pre/put-ü.bin")), put_data, "object after a refused presigned PUT")

    # A GET URL used for a PUT does not match its signature.
    url = p.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "pre/get me.bin"}, ExpiresIn=120)
    st, raw, _ = http("PUT", url, b"evil")
    eq((st, xml_code(raw)), (403, "SignatureDoesNotMatch"), "presigned GET URL used for a PUT")
    # X-Amz-Expires is at most a week (604800 s).
    url = p.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "pre/get me.bin"}, ExpiresIn=604801)
    st, raw, _ = http("GET", url)
    eq((st, xml_code(raw)), (400, "AuthorizationQueryParametersError"), "presigned GET valid for more than a week")

    url = p.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "pre/get me.bin"}, ExpiresIn=1)
    time.sleep(2.1)
    st, raw, _ = http("GET", url)
    eq((st, xml_code(raw)), (403, "AccessDenied"), "expired presigned GET")
    check(b"expired" in raw.lower(), "expired presigned GET message does not say expired: %r", raw[:300])


# ---------------------------------------------------------------- checksums

def check_checksums(c, tls, b, tmp, new):
    """Over https the new boto3 sends aws-chunked bodies with a CRC32
    trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER), the old one UNSIGNED-PAYLOAD
    with Content-MD5; over http the new one sends x-amz-checksum-crc32 in a
    header. All must store the object and, where a checksum came, return it
    to ChecksumMode=ENABLED."""
    res = {}
    wire_tls, wire = Wire(tls), Wire(c)
    data = os.urandom(300 * 1024 + 5)
    r = tls.put_object(Bucket=b, Key="ck/tls.bin", Body=data)
    res["tls_put_modes"] = wire_tls.modes("PutObject")
    eq(r["ETag"], md5_etag(data), "PutObject over https ETag")
    if new:
        eq(res["tls_put_modes"], ["STREAMING-UNSIGNED-PAYLOAD-TRAILER"], "new boto3 PutObject over https payload mode")
        eq(wire_tls.last("PutObject")["trailer"], "x-amz-checksum-crc32", "new boto3 x-amz-trailer")
        eq(r.get("ChecksumCRC32"), crc32_b64(data), "PutObject (trailer) answered ChecksumCRC32")
    else:
        eq(res["tls_put_modes"], ["UNSIGNED-PAYLOAD"], "old boto3 PutObject over https payload mode")
        check(wire_tls.last("PutObject")["md5"], "old boto3 sent no Content-MD5")
    got = c.get_object(Bucket=b, Key="ck/tls.bin", ChecksumMode="ENABLED")
    eq(body(got), data, "GetObject ChecksumMode=ENABLED body")
    if new:
        eq(got.get("ChecksumCRC32"), crc32_b64(data), "GetObject ChecksumMode=ENABLED ChecksumCRC32 (trailer)")

    # aws-chunked is a transfer detail: S3 stores the rest of Content-Encoding.
    gz = gzip.compress(data)
    tls.put_object(Bucket=b, Key="ck/tls.gz", Body=gz, ContentEncoding="gzip")
    if new:
        eq(wire_tls.last("PutObject")["encoding"], "gzip,aws-chunked", "new boto3 Content-Encoding over https")
    h = c.head_object(Bucket=b, Key="ck/tls.gz")
    eq((h["ContentEncoding"], h["ContentLength"]), ("gzip", len(gz)), "stored Content-Encoding without aws-chunked")

    # upload_file above the threshold over https: UploadPart with trailers.
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=3)
    src = os.path.join(tmp, "tls-large.bin")
    big = os.urandom(11 * MiB + 17)
    with open(src, "wb") as f:
        f.write(big)
    tls.upload_file(src, b, "ck/tls-large.bin", Config=cfg)
    res["tls_part_modes"] = wire_tls.modes("UploadPart")
    if new:
        eq(res["tls_part_modes"], ["STREAMING-UNSIGNED-PAYLOAD-TRAILER"], "new boto3 UploadPart over https payload mode")
    eq(c.head_object(Bucket=b, Key="ck/tls-large.bin")["ETag"], multipart_etag(big, 5 * MiB), "upload_file over https ETag")
    dst = src + ".down"
    tls.download_file(b, "ck/tls-large.bin", dst, Config=cfg)
    eq(file_sha(dst), sha(big), "download_file over https SHA-256")
    got = c.get_object(Bucket=b, Key="ck/tls-large.bin", ChecksumMode="ENABLED")
    eq(sha(body(got)), sha(big), "GetObject ChecksumMode=ENABLED of a multipart object")
    small = os.path.join(tmp, "tls-small.bin")
    with open(small, "wb") as f:
        f.write(data)
    tls.upload_file(small, b, "ck/tls-small.bin", Config=cfg)
    eq(body(c.get_object(Bucket=b, Key="ck/tls-small.bin", ChecksumMode="ENABLED")), data, "upload_file below the threshold over https")

    # Over http: a header checksum (new boto3 by default, old when asked).
    kw = {} if new else {"ChecksumAlgorithm": "CRC32"}
    r = c.put_object(Bucket=b, Key="ck/http.bin", Body=data, **kw)
    res["http_put_modes"] = wire.modes("PutObject")
    check(wire.last("PutObject")["crc32"], "PutObject over http sent no x-amz-checksum-crc32 header")
    eq(r.get("ChecksumCRC32"), crc32_b64(data), "PutObject (header) answered ChecksumCRC32")
    got = c.get_object(Bucket=b, Key="ck/http.bin", ChecksumMode="ENABLED")
    eq((body(got), got.get("ChecksumCRC32")), (data, crc32_b64(data)), "GetObject ChecksumMode=ENABLED (header checksum)")
    # A ranged read with ChecksumMode must not carry the whole object's
    # checksum: botocore would validate it against the range and fail.
    got = c.get_object(Bucket=b, Key="ck/http.bin", ChecksumMode="ENABLED", Range="bytes=0-99")
    eq(body(got), data[:100], "ranged GetObject with ChecksumMode=ENABLED")

    # Mismatches are refused with BadDigest and keep the old object.
    expect_error("BadDigest", c.put_object, Bucket=b, Key="ck/http.bin", Body=b"other", ChecksumCRC32=crc32_b64(b"not it"))
    expect_error("BadDigest", c.put_object, Bucket=b, Key="ck/http.bin", Body=b"other",
                 ContentMD5=base64.b64encode(hashlib.md5(b"not it").digest()).decode())
    expect_error("BadDigest", c.put_object, Bucket=b, Key="ck/http.bin", Body=b"other",
                 ChecksumSHA256=base64.b64encode(hashlib.sha256(b"not it").digest()).decode())
    eq(body(c.get_object(Bucket=b, Key="ck/http.bin")), data, "object after refused mismatching PUTs")
    for alg in ("CRC32C", "SHA1", "SHA256"):
        try:
            c.put_object(Bucket=b, Key="ck/alg-" + alg, Body=data, ChecksumAlgorithm=alg)
        except Exception as e:  # noqa: BLE001 — CRC32C needs awscrt in some botocores
            if "crt" in str(e).lower():
                continue
            raise
        got = c.get_object(Bucket=b, Key="ck/alg-" + alg, ChecksumMode="ENABLED")
        eq(body(got), data, "GetObject of a %s object" % alg)
        check(got.get("Checksum" + alg), "GetObject ChecksumMode=ENABLED returned no Checksum%s", alg)
    return res


# ---------------------------------------------------------------- cleanup

def check_delete_bucket(c, b):
    expect_error("BucketNotEmpty", c.delete_bucket, status=409, Bucket=b)
    keys = []
    for p in c.get_paginator("list_objects_v2").paginate(Bucket=b):
        keys.extend(o["Key"] for o in p.get("Contents", []))
    for i in range(0, len(keys), 1000):
        c.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})
    eq(c.list_objects_v2(Bucket=b)["KeyCount"], 0, "keys left after deleting all")
    eq(status(c.delete_bucket(Bucket=b)), 204, "DeleteBucket status")
    expect_error("NoSuchBucket", c.delete_bucket, status=404, Bucket=b)
    return len(keys)


def main():
    tmp = arg("--tmp")
    new = tuple(int(x) for x in boto3.__version__.split(".")[:2]) >= (1, 36)
    c = s3client(endpoint())
    tls = s3client(arg("--tls"), verify=arg("--ca"))
    later = Later()
    res = {"new": new}

    b = unique("boto3")
    res["bucket_names"] = check_buckets(c, b)
    odd = section(later, "objects", check_objects, c, b)
    section(later, "large_refusal", check_large_refusal, c)
    section(later, "compat", check_compat, c, b)
    res["transfers"] = section(later, "transfers", check_transfers, c, b, tmp, "http")
    keys = section(later, "fill_listing", fill_listing, c, b)
    res.update(section(later, "listing", check_listing, c, b, keys) or {})
    res["deleted"] = section(later, "delete_objects", check_delete_objects, c, b, keys)
    if odd:
        section(later, "copy", check_copy, c, b, odd)
    section(later, "range", check_range, c, b)
    section(later, "conditional", check_conditional, c, b)
    section(later, "tagging", check_tagging, c, b)
    section(later, "presigned", check_presigned, b)
    res.update(section(later, "checksums", check_checksums, c, tls, b, tmp, new) or {})
    res["timings"] = TIMINGS
    print(json.dumps(TIMINGS), file=sys.stderr)
    later.raise_any()
    res["emptied"] = check_delete_bucket(c, b)

    # Leave one object for the Go side to cross-check.
    keep = unique("boto3-keep")
    c.create_bucket(Bucket=keep)
    res["kept"] = {"bucket": keep, **check_transfers(c, keep, tmp, "keep")["large"]}
    return res


if __name__ == "__main__":
    run(main)
