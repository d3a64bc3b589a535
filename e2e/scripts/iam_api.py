"""The IAM API through boto3: users, access keys and inline policies made with
the root credentials from the environment, then the users' keys used against
Kinesis, S3 and IAM itself to check authentication through a key rotation:
an active key signs, an inactive or deleted key is unknown to every service
in that service's own words (Kinesis UnrecognizedClientException, S3
InvalidAccessKeyId, IAM InvalidClientTokenId), and a re-enabled key signs
again. Errors are checked with code, HTTP status and IAM's message.

The users' policy allows kinesis:* and s3:*, so the calls that must succeed
do so whether or not authorization is enforced; what this script proves is
who the server believes signed.
"""

import json

import boto3
from botocore.config import Config

from common import check, endpoint, eq, expect_error, run, unique

REGION = "us-east-1"


def conf():
    return Config(retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=5, read_timeout=30,
                  s3={"addressing_style": "path"})


def svc(name, key=None):
    kw = {}
    if key:
        kw = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    return boto3.client(name, endpoint_url=endpoint(), region_name=REGION, config=conf(), **kw)


POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Data", "Effect": "Allow", "Action": ["kinesis:*", "s3:*"], "Resource": "*"}],
}


def signs(key):
    """The key authenticates on Kinesis and S3."""
    svc("kinesis", key).list_streams()
    svc("s3", key).list_buckets()


def unknown(key):
    """The key is unknown to Kinesis, S3 and IAM, each in its own words."""
    expect_error("UnrecognizedClientException", svc("kinesis", key).list_streams, status=400,
                 msg_contains="security token included in the request is invalid")
    expect_error("InvalidAccessKeyId", svc("s3", key).list_buckets, status=403)
    expect_error("InvalidClientTokenId", svc("iam", key).get_user, status=403)


def main():
    iam = svc("iam")
    name = unique("iam-user")
    u = iam.create_user(UserName=name, Path="/e2e/")["User"]
    check(u["Arn"].startswith("arn:aws:iam::") and u["Arn"].endswith(":user/e2e/" + name), "arn %r", u["Arn"])
    check(u["UserId"].startswith("AIDA"), "user id %r", u["UserId"])
    eq(iam.get_user(UserName=name)["User"]["UserId"], u["UserId"], "GetUser id")
    root = iam.get_user()["User"]
    check(root["Arn"].endswith(":root"), "GetUser without a name as root: %r", root)

    e = expect_error("EntityAlreadyExists", iam.create_user, UserName=name.upper(), status=409)
    eq(e["message"], "User with name %s already exists." % name.upper(), "EntityAlreadyExists message")
    e = expect_error("ValidationError", iam.create_user, UserName="no spaces", status=400)
    check("failed to satisfy constraint: Member must satisfy regular expression pattern" in e["message"], "message %r", e["message"])
    e = expect_error("NoSuchEntity", iam.get_user, UserName=name + "-nobody", status=404)
    eq(e["message"], "The user with name %s-nobody cannot be found." % name, "NoSuchEntity message")

    # Listing with a paginator over pages of one.
    others = [iam.create_user(UserName=unique("iam-other"))["User"]["UserName"] for _ in range(2)]
    listed = []
    for page in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 1}):
        listed += [x["UserName"] for x in page["Users"]]
    for n in [name] + others:
        check(n in listed, "%s missing from ListUsers %r", n, listed)
    eq(len(listed), len(set(listed)), "ListUsers pages overlap")
    eq([x["UserName"] for x in iam.list_users(PathPrefix="/e2e/")["Users"]], [name], "ListUsers PathPrefix")
    for n in others:
        iam.delete_user(UserName=n)

    # Policies: put, get (boto3 decodes IAM's URL-encoded document), list.
    iam.put_user_policy(UserName=name, PolicyName="data", PolicyDocument=json.dumps(POLICY))
    got = iam.get_user_policy(UserName=name, PolicyName="data")
    eq(got["PolicyDocument"], POLICY, "GetUserPolicy document")
    eq(got["UserName"], name, "GetUserPolicy user")
    eq(iam.list_user_policies(UserName=name)["PolicyNames"], ["data"], "ListUserPolicies")
    e = expect_error("MalformedPolicyDocument", iam.put_user_policy, UserName=name, PolicyName="bad",
                     PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}', status=400)
    eq(e["message"], "Policy statement must contain resources.", "MalformedPolicyDocument message")
    expect_error("NoSuchEntity", iam.get_user_policy, UserName=name, PolicyName="nope", status=404)

    # Keys and rotation.
    k1 = iam.create_access_key(UserName=name)["AccessKey"]
    check(k1["AccessKeyId"].startswith("AKIA") and len(k1["SecretAccessKey"]) == 40, "key %r", k1["AccessKeyId"])
    eq(k1["Status"], "Active", "new key status")
    signs(k1)
    eq(svc("iam", k1).meta.region_name, REGION, "region")
    k2 = iam.create_access_key(UserName=name)["AccessKey"]
    e = expect_error("LimitExceeded", iam.create_access_key, UserName=name, status=409)
    eq(e["message"], "Cannot exceed quota for AccessKeysPerUser: 2", "LimitExceeded message")
    signs(k2)
    # IAM itself authorizes: the policy grants no iam: action.
    e = expect_error("AccessDenied", svc("iam", k2).list_users, status=403)
    check("%s is not authorized to perform: iam:ListUsers" % u["Arn"] in e["message"], "AccessDenied message %r", e["message"])

    iam.update_access_key(UserName=name, AccessKeyId=k1["AccessKeyId"], Status="Inactive")
    unknown(k1)
    signs(k2)
    meta = {m["AccessKeyId"]: m["Status"] for m in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]}
    eq(meta, {k1["AccessKeyId"]: "Inactive", k2["AccessKeyId"]: "Active"}, "ListAccessKeys")
    iam.update_access_key(UserName=name, AccessKeyId=k1["AccessKeyId"], Status="Active")
    signs(k1)
    iam.update_access_key(UserName=name, AccessKeyId=k1["AccessKeyId"], Status="Inactive")
    iam.delete_access_key(UserName=name, AccessKeyId=k1["AccessKeyId"])
    unknown(k1)
    signs(k2)
    expect_error("NoSuchEntity", iam.delete_access_key, UserName=name, AccessKeyId=k1["AccessKeyId"], status=404)
    eq([m["AccessKeyId"] for m in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]], [k2["AccessKeyId"]], "keys after rotation")
    last = iam.get_access_key_last_used(AccessKeyId=k2["AccessKeyId"])
    eq(last["UserName"], name, "GetAccessKeyLastUsed user")
    used = last["AccessKeyLastUsed"]
    eq((used["ServiceName"], used["Region"]), ("s3", REGION), "GetAccessKeyLastUsed: the key's last use was S3's ListBuckets")
    check("LastUsedDate" in used, "GetAccessKeyLastUsed has no LastUsedDate: %r", used)

    # Deletion needs the keys and policies gone first.
    e = expect_error("DeleteConflict", iam.delete_user, UserName=name, status=409)
    eq(e["message"], "Cannot delete entity, must delete access keys first.", "DeleteConflict message")
    iam.delete_access_key(UserName=name, AccessKeyId=k2["AccessKeyId"])
    unknown(k2)
    e = expect_error("DeleteConflict", iam.delete_user, UserName=name, status=409)
    eq(e["message"], "Cannot delete entity, must delete policies first.", "DeleteConflict message")
    iam.delete_user_policy(UserName=name, PolicyName="data")
    iam.delete_user(UserName=name)
    expect_error("NoSuchEntity", iam.get_user, UserName=name, status=404)
    return {"user": name, "arn": u["Arn"], "rotated": [k1["AccessKeyId"], k2["AccessKeyId"]]}


if __name__ == "__main__":
    run(main)
