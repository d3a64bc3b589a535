"""KMS through boto3: keys, Encrypt/Decrypt with and without KeyId and
encryption context, GenerateDataKey (both key specs and NumberOfBytes),
aliases, paging, disable/enable and the error codes."""

import base64

import boto3
from botocore.config import Config

from common import check, endpoint, eq, expect_error, run


def main():
    k = boto3.client("kms", endpoint_url=endpoint(), region_name="us-east-1",
                     config=Config(retries={"max_attempts": 0, "mode": "legacy"}))
    md = k.create_key(Description="boto3 key")["KeyMetadata"]
    kid, arn = md["KeyId"], md["Arn"]
    eq(md["KeyState"], "Enabled", "KeyState")
    eq(md["KeyUsage"], "ENCRYPT_DECRYPT", "KeyUsage")
    check(arn.endswith(":key/" + kid), "arn %s", arn)
    eq(k.describe_key(KeyId=arn)["KeyMetadata"]["KeyId"], kid, "describe by ARN")

    secret = b"boto3 secret \x00\x01\x02" * 10
    out = k.encrypt(KeyId=kid, Plaintext=secret, EncryptionContext={"purpose": "e2e"})
    eq(out["KeyId"], arn, "Encrypt KeyId")
    blob = out["CiphertextBlob"]
    check(secret not in blob, "ciphertext holds the plaintext")
    d = k.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "e2e"})
    eq(d["Plaintext"], secret, "Decrypt without KeyId")
    eq(d["KeyId"], arn, "Decrypt KeyId")
    eq(k.decrypt(CiphertextBlob=blob, KeyId=arn, EncryptionContext={"purpose": "e2e"})["Plaintext"], secret, "Decrypt with KeyId")
    expect_error("InvalidCiphertextException", k.decrypt, CiphertextBlob=blob)
    bad = bytearray(blob)
    bad[-1] ^= 1
    expect_error("InvalidCiphertextException", k.decrypt, CiphertextBlob=bytes(bad), EncryptionContext={"purpose": "e2e"})
    other = k.create_key()["KeyMetadata"]["KeyId"]
    expect_error("IncorrectKeyException", k.decrypt, CiphertextBlob=blob, KeyId=other, EncryptionContext={"purpose": "e2e"})

    for spec, n in (("AES_256", 32), ("AES_128", 16)):
        dk = k.generate_data_key(KeyId=kid, KeySpec=spec)
        eq(len(dk["Plaintext"]), n, "GenerateDataKey %s length" % spec)
        eq(k.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"], dk["Plaintext"], "data key round trip")
    eq(len(k.generate_data_key(KeyId=kid, NumberOfBytes=64)["Plaintext"]), 64, "NumberOfBytes")
    wp = k.generate_data_key_without_plaintext(KeyId=kid, KeySpec="AES_256")
    check("Plaintext" not in wp, "WithoutPlaintext answered a plaintext")
    expect_error("ValidationException", k.generate_data_key, KeyId=kid)

    k.create_alias(AliasName="alias/boto3", TargetKeyId=kid)
    eq(k.encrypt(KeyId="alias/boto3", Plaintext=b"x")["KeyId"], arn, "Encrypt by alias")
    alias_arn = arn.split(":key/")[0] + ":alias/boto3"
    eq(k.describe_key(KeyId=alias_arn)["KeyMetadata"]["KeyId"], kid, "describe by alias ARN")
    aws_s3 = k.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    eq(aws_s3["KeyManager"], "AWS", "alias/aws/s3 is AWS-managed")
    names = [a["AliasName"] for a in k.list_aliases()["Aliases"]]
    check("alias/boto3" in names and "alias/aws/s3" in names, "aliases %r", names)
    expect_error("AlreadyExistsException", k.create_alias, AliasName="alias/boto3", TargetKeyId=kid)

    ids = []
    kw = {"Limit": 1}
    for _ in range(10):
        page = k.list_keys(**kw)
        ids += [x["KeyId"] for x in page["Keys"]]
        if not page["Truncated"]:
            break
        kw["Marker"] = page["NextMarker"]
    check(kid in ids and other in ids and len(ids) == len(set(ids)), "list_keys pages %r", ids)

    k.disable_key(KeyId=kid)
    eq(k.describe_key(KeyId=kid)["KeyMetadata"]["KeyState"], "Disabled", "after DisableKey")
    expect_error("DisabledException", k.encrypt, KeyId=kid, Plaintext=b"x")
    expect_error("DisabledException", k.decrypt, CiphertextBlob=blob, EncryptionContext={"purpose": "e2e"})
    k.enable_key(KeyId=kid)
    eq(k.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "e2e"})["Plaintext"], secret, "after EnableKey")

    expect_error("NotFoundException", k.describe_key, KeyId="alias/missing")
    expect_error("NotFoundException", k.encrypt, KeyId="11111111-2222-3333-4444-555555555555", Plaintext=b"x")
    expect_error("ValidationException", k.encrypt, KeyId=kid, Plaintext=b"x" * 4097)
    return {"key": arn, "keys": len(ids)}


if __name__ == "__main__":
    run(main)
