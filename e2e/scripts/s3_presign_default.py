"""Presigned URLs from a boto3 S3 client with the default configuration.

With a custom endpoint_url and no signature_version, both boto3 generations
presign S3 URLs with SigV2 (?AWSAccessKeyId=…&Signature=…&Expires=…), which
is what a user who only changes endpoint_url gets. The URLs are used through
urllib: GET, PUT, and an expired GET.

Usage: s3_presign_default.py ENDPOINT
"""

import os
import time
import urllib.error
import urllib.request

import boto3

from common import REGION, endpoint, run, unique


def http(method, url, data=None):
    # No Content-Type, as requests.put(url, data=...) sends: urllib would add
    # application/x-www-form-urlencoded, which a SigV2 signature covers.
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": ""} if data is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    c = boto3.client("s3", endpoint_url=endpoint(), region_name=REGION)
    b = unique("presign")
    c.create_bucket(Bucket=b)
    data = os.urandom(1000)
    c.put_object(Bucket=b, Key="get me", Body=data)
    res = {}
    url = c.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "get me"}, ExpiresIn=300)
    res["style"] = "sigv4" if "X-Amz-Signature=" in url else "sigv2" if "Signature=" in url else "unknown"
    st, got = http("GET", url)
    res["get_status"], res["get_ok"], res["get_answer"] = st, got == data, got[:300].decode("utf-8", "replace") if got != data else ""

    put = os.urandom(2000)
    url = c.generate_presigned_url("put_object", Params={"Bucket": b, "Key": "put me"}, ExpiresIn=300)
    st, raw = http("PUT", url, put)
    res["put_status"], res["put_answer"] = st, raw[:300].decode("utf-8", "replace")
    try:
        res["put_ok"] = c.get_object(Bucket=b, Key="put me")["Body"].read() == put
    except c.exceptions.NoSuchKey:
        res["put_ok"] = False

    url = c.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "get me"}, ExpiresIn=1)
    time.sleep(2.1)
    st, raw = http("GET", url)
    res["expired_status"], res["expired_answer"] = st, raw[:300].decode("utf-8", "replace")
    return res


if __name__ == "__main__":
    run(main)
