"""Shared helpers for caudal's boto3 end-to-end scripts.

Every script takes the server endpoint from argv[1] or $CAUDAL_ENDPOINT and the
credentials from the usual AWS environment variables, prints one JSON object on
success and exits non-zero with a "FAIL: ..." line on stderr otherwise. The
scripts must run unchanged on old (1.26) and new (1.43) boto3, so anything that
only exists in one botocore model is guarded with has_op().

Retries are disabled by default: a retried 500 would hide exactly the bugs these
scripts exist to find.
"""

import hashlib
import json
import os
import sys
import time
import traceback
import uuid

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
MAX_HASH = 2**128 - 1


class Fail(AssertionError):
    pass


def endpoint():
    if len(sys.argv) > 1 and sys.argv[1].startswith("http"):
        return sys.argv[1]
    ep = os.environ.get("CAUDAL_ENDPOINT")
    if not ep:
        raise Fail("no endpoint: pass it as argv[1] or set CAUDAL_ENDPOINT")
    return ep


def client(region=REGION, retries=0, read_timeout=30):
    conf = Config(
        retries={"max_attempts": retries, "mode": "legacy"},
        connect_timeout=5,
        read_timeout=read_timeout,
    )
    return boto3.client("kinesis", endpoint_url=endpoint(), region_name=region, config=conf)


def has_op(c, op):
    """Whether this botocore's kinesis model has the operation (e.g. DescribeAccountSettings)."""
    return op in c.meta.service_model.operation_names


def versions():
    return {"boto3": boto3.__version__, "botocore": botocore.__version__}


def check(cond, msg, *args):
    if not cond:
        raise Fail(msg % args if args else msg)


def eq(got, want, what):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def expect_error(code, fn, *args, status=400, msg_contains=None, **kwargs):
    """Calls fn and requires a ClientError with exactly this code and HTTP status.

    code may be a tuple of acceptable codes. Returns the error dict plus status."""
    try:
        out = fn(*args, **kwargs)
    except ClientError as e:
        err = e.response.get("Error", {})
        got = err.get("Code")
        st = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        codes = code if isinstance(code, tuple) else (code,)
        check(got in codes, "%s: error code %r (HTTP %s, message %r), want %r",
              fn.__name__, got, st, err.get("Message"), code)
        check(st == status, "%s: %s came with HTTP %s, want %s (message %r)",
              fn.__name__, got, st, status, err.get("Message"))
        rid = e.response.get("ResponseMetadata", {}).get("RequestId")
        check(bool(rid), "%s: %s answer has no request id", fn.__name__, got)
        if msg_contains is not None:
            check(msg_contains in (err.get("Message") or ""),
                  "%s: %s message %r does not contain %r", fn.__name__, got, err.get("Message"), msg_contains)
        return {"code": got, "status": st, "message": err.get("Message")}
    raise Fail("%s: succeeded (%r), want %s" % (fn.__name__, _short(out), code))


class Later:
    """Collects failures of independent checks so that one product bug does
    not hide the checks after it; raise_any() fails the script at the end."""

    def __init__(self):
        self.failures = []

    def check(self, what, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Fail as e:
            self.failures.append("%s: %s" % (what, e))
            return None

    def raise_any(self):
        if self.failures:
            raise Fail("%d check(s) failed:\n  %s" % (len(self.failures), "\n  ".join(self.failures)))


def _short(v):
    s = repr(v)
    return s if len(s) < 300 else s[:300] + "..."


def wait_exists(c, name):
    c.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def wait_not_exists(c, name):
    c.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def create(c, name, shards=None, on_demand=False):
    if on_demand:
        c.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    else:
        c.create_stream(StreamName=name, ShardCount=shards)
    wait_exists(c, name)


def md5_hash(pk):
    return int(hashlib.md5(pk.encode("utf-8")).hexdigest(), 16)


def shard_for(shards, h):
    """The open shard whose hash range holds h."""
    for s in shards:
        if "EndingSequenceNumber" in s.get("SequenceNumberRange", {}):
            continue
        r = s["HashKeyRange"]
        if int(r["StartingHashKey"]) <= h <= int(r["EndingHashKey"]):
            return s["ShardId"]
    raise Fail("no open shard holds hash %d" % h)


def all_shards(c, name, **filt):
    out, tok = [], None
    while True:
        if tok:
            r = c.list_shards(NextToken=tok)
        else:
            r = c.list_shards(StreamName=name, **filt)
        out.extend(r["Shards"])
        tok = r.get("NextToken")
        if not tok:
            return out


def open_shards(shards):
    return [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]


def check_cover(shards, what):
    """Open shards' hash ranges must tile 0..2^128-1 without gap or overlap."""
    rs = sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                for s in open_shards(shards))
    check(rs, "%s: no open shards", what)
    eq(rs[0][0], 0, what + ": first open shard start")
    eq(rs[-1][1], MAX_HASH, what + ": last open shard end")
    for a, b in zip(rs, rs[1:]):
        check(b[0] == a[1] + 1, "%s: hash ranges %r and %r are not contiguous", what, a, b)


def drain(c, it, limit=None, max_calls=200):
    """Reads from iterator it until caught up (empty page with MillisBehindLatest 0)
    or the shard is closed and exhausted. Returns (records, last_response)."""
    recs = []
    last = None
    throttles = 0
    for _ in range(max_calls):
        kw = {"ShardIterator": it}
        if limit:
            kw["Limit"] = limit
        try:
            last = c.get_records(**kw)
        except ClientError as e:
            # With quotas on, reads are limited to 5 calls/s per shard: back off.
            if e.response.get("Error", {}).get("Code") != "ProvisionedThroughputExceededException" or throttles >= 100:
                raise
            throttles += 1
            time.sleep(0.25)
            continue
        recs.extend(last["Records"])
        nxt = last.get("NextShardIterator")
        if nxt is None:
            return recs, last
        if not last["Records"] and last.get("MillisBehindLatest", 0) == 0:
            return recs, last
        it = nxt
    raise Fail("drain: not caught up after %d GetRecords calls" % max_calls)


def read_lineage(c, name):
    """Reads every shard of the stream from TRIM_HORIZON, parents before children,
    discovering children only through GetRecords' ChildShards. Returns
    ({shard_id: [records]}, visited order)."""
    shards = all_shards(c, name)
    ids = {s["ShardId"] for s in shards}
    roots = [s["ShardId"] for s in shards
             if s.get("ParentShardId") not in ids and s.get("AdjacentParentShardId") not in ids]
    parents_of = {}
    for s in shards:
        parents_of[s["ShardId"]] = [p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p in ids]
    done, order, out = set(), [], {}
    queue = sorted(roots)
    announced = {}
    while queue:
        sid = queue.pop(0)
        if sid in done:
            continue
        it = c.get_shard_iterator(StreamName=name, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs, last = drain(c, it, max_calls=400)
        out[sid] = recs
        done.add(sid)
        order.append(sid)
        if last.get("NextShardIterator") is None:
            kids = last.get("ChildShards")
            check(kids, "closed shard %s: last GetRecords has no ChildShards", sid)
            for k in kids:
                check(sid in k["ParentShards"], "child %s of %s does not list it in ParentShards %r",
                      k["ShardId"], sid, k["ParentShards"])
                announced.setdefault(k["ShardId"], set()).add(sid)
                if set(k["ParentShards"]) <= done:
                    queue.append(k["ShardId"])
    check(done == ids, "lineage walk reached %r, ListShards has %r", sorted(done), sorted(ids))
    return out, order


def run(main):
    """Runs main(), prints its result as JSON, maps failures to exit codes."""
    try:
        res = main()
        if res is None:
            res = {}
        res.setdefault("versions", versions())
        print(json.dumps(res, default=str, sort_keys=True))
        sys.stdout.flush()
    except Fail as e:
        traceback.print_exc(limit=3)
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    except ClientError as e:
        traceback.print_exc(limit=3)
        st = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        print("FAIL: unexpected %s (HTTP %s): %s" % (e.response.get("Error", {}).get("Code"), st,
                                                     e.response.get("Error", {}).get("Message")), file=sys.stderr)
        sys.exit(2)
    except Exception as e:  # noqa: BLE001 — any other crash is a failure with a trace
        traceback.print_exc()
        print("FAIL: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(3)


def has_param(c, op, param):
    """Whether this botocore's model lets op take param (StreamARN came in 2022)."""
    return param in c.meta.service_model.operation_model(op).input_shape.members
