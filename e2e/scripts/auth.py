"""SigV4 through boto3: an unknown access key and a wrong secret are refused
with AWS's codes and change nothing; the right key works in any region."""

import os

import boto3
from botocore.config import Config

from common import check, client, endpoint, expect_error, run, unique


def other(key, secret, region="us-east-1"):
    return boto3.client("kinesis", endpoint_url=endpoint(), region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 0, "mode": "legacy"}))


def main():
    good = client()
    key, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    res = {}
    n1, n2 = unique("e2e-auth"), unique("e2e-auth")
    e = expect_error("UnrecognizedClientException", other("AKIAUNKNOWNKEY000000", secret).create_stream,
                     StreamName=n1, ShardCount=1)
    res["unknown_key"] = e
    e = expect_error("InvalidSignatureException", other(key, secret + "x").create_stream, StreamName=n2, ShardCount=1)
    res["wrong_secret"] = e
    names = good.list_streams()["StreamNames"]
    check(n1 not in names and n2 not in names, "a refused request created a stream: %r", names)
    # Any region works with the right key.
    for region in ("eu-west-1", "ap-southeast-2"):
        other(key, secret, region).list_streams()
    return res


if __name__ == "__main__":
    run(main)
