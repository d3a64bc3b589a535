"""boto3 CREATE TABLE AS SELECT and INSERT INTO through caudal's Athena API:
CSV data uploaded through the S3 API and declared with DDL, a CTAS into a
new Parquet table partitioned by a column (external_location,
partitioned_by), its files under key=value/ prefixes in the lake, its
partitions in the catalog, a SELECT with a WHERE on the partition column
through start/poll/get_query_results that reads only that partition
(DataScannedInBytes), INSERT INTO adding a partition, a CTAS without
external_location landing under the result location's tables/<query id>/
as in Athena, and the refusals
Athena gives (table exists, location not empty).

Usage: athena_ctas.py ENDPOINT
Prints one JSON object; the Go test checks the key facts.
"""

import time

import boto3
from botocore.config import Config

from common import REGION, check, endpoint, eq, run, unique


def clients():
    conf = Config(retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=5, read_timeout=30)
    s3 = boto3.client("s3", endpoint_url=endpoint(), region_name=REGION, config=conf)
    athena = boto3.client("athena", endpoint_url=endpoint(), region_name=REGION, config=conf)
    return s3, athena


def wait(athena, qid, timeout=15):
    deadline = time.time() + timeout
    while True:
        x = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if x["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return x
        check(time.time() < deadline, "query %s still %s", qid, x["Status"]["State"])
        time.sleep(0.05)


def start(athena, sql, out, db):
    return athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": db},
                                        ResultConfiguration={"OutputLocation": out})["QueryExecutionId"]


def sql_ok(athena, sql, out, db):
    x = wait(athena, start(athena, sql, out, db))
    check(x["Status"]["State"] == "SUCCEEDED", "%s: %s %s", sql, x["Status"]["State"], x["Status"].get("StateChangeReason"))
    return x


def rows(athena, qid):
    """The data rows of a SELECT (the header row dropped), as lists of strings."""
    out = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        out.extend([c.get("VarCharValue") for c in r["Data"]] for r in page["ResultSet"]["Rows"])
    return out[1:]


def main():
    s3, athena = clients()
    data, results = unique("data"), unique("results")
    s3.create_bucket(Bucket=data)
    s3.create_bucket(Bucket=results)
    out = "s3://%s/athena/" % results
    res = {}

    # 30 sales over three regions.
    regions = ["eu", "us", "ap"]
    csv = "".join("%d,%s,%d.5\n" % (i, regions[i % 3], i) for i in range(30))
    s3.put_object(Bucket=data, Key="raw/sales.csv", Body=csv.encode())
    db = "ctas_" + unique("d").replace("-", "_")
    sql_ok(athena, "CREATE DATABASE %s" % db, out, "default")
    sql_ok(athena, "CREATE EXTERNAL TABLE raw (id int, region string, amount double) "
                   "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://%s/raw/'" % data, out, db)

    # --- CTAS into a partitioned Parquet table ---
    ctas = ("CREATE TABLE sales WITH (format = 'PARQUET', external_location = 's3://%s/sales/', "
            "partitioned_by = ARRAY['region']) AS SELECT id, amount * 2 AS doubled, region FROM raw" % data)
    x = sql_ok(athena, ctas, out, db)
    eq(x["StatementType"], "DDL", "CTAS statement type")
    got = athena.get_query_results(QueryExecutionId=x["QueryExecutionId"])
    eq(got.get("UpdateCount"), 30, "CTAS UpdateCount")
    res["ctas_scanned"] = x["Statistics"]["DataScannedInBytes"]

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=data, Prefix="sales/").get("Contents", [])]
    prefixes = sorted({k.split("/")[1] for k in keys})
    eq(prefixes, ["region=ap", "region=eu", "region=us"], "CTAS partition prefixes")
    res["files"] = len(keys)

    x = sql_ok(athena, "SHOW PARTITIONS sales", out, db)
    parts = sorted(r["Data"][0]["VarCharValue"] for r in athena.get_query_results(QueryExecutionId=x["QueryExecutionId"])["ResultSet"]["Rows"])
    eq(parts, ["region=ap", "region=eu", "region=us"], "SHOW PARTITIONS")

    # --- SELECT with a WHERE on the partition column ---
    full = sql_ok(athena, "SELECT count(*) FROM sales", out, db)
    eq(rows(athena, full["QueryExecutionId"]), [["30"]], "count over the new table")
    one = sql_ok(athena, "SELECT id, doubled, region FROM sales WHERE region = 'eu' ORDER BY id", out, db)
    got = rows(athena, one["QueryExecutionId"])
    want = [[str(i), "%.1f" % ((i + 0.5) * 2), "eu"] for i in range(30) if i % 3 == 0]
    eq(got, want, "pruned SELECT rows")
    full_bytes = full["Statistics"]["DataScannedInBytes"]
    one_bytes = one["Statistics"]["DataScannedInBytes"]
    check(0 < one_bytes < full_bytes, "pruned scan %d bytes, full %d: want fewer", one_bytes, full_bytes)
    res["scanned"] = {"full": full_bytes, "one": one_bytes}

    # --- INSERT INTO adds a partition ---
    x = sql_ok(athena, "INSERT INTO sales SELECT id + 100, amount, 'sa' FROM raw WHERE id < 4", out, db)
    eq(x["StatementType"], "DML", "INSERT statement type")
    eq(athena.get_query_results(QueryExecutionId=x["QueryExecutionId"]).get("UpdateCount"), 4, "INSERT UpdateCount")
    x = sql_ok(athena, "SELECT id FROM sales WHERE region = 'sa' ORDER BY id", out, db)
    eq(rows(athena, x["QueryExecutionId"]), [["100"], ["101"], ["102"], ["103"]], "inserted partition")

    # --- CTAS without external_location: under <OutputLocation>/tables/<query id>/ ---
    x = sql_ok(athena, "CREATE TABLE totals WITH (format = 'JSON') AS SELECT region, sum(amount) AS total FROM raw GROUP BY region", out, db)
    qid = x["QueryExecutionId"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=results, Prefix="athena/tables/%s/" % qid).get("Contents", [])]
    check(len(keys) == 1, "default-location CTAS files %r", keys)
    x = sql_ok(athena, "SELECT region, total FROM totals ORDER BY region", out, db)
    eq(rows(athena, x["QueryExecutionId"]), [["ap", "160.0"], ["eu", "140.0"], ["us", "150.0"]], "default-location table rows")

    # --- refusals ---
    x = wait(athena, start(athena, ctas, out, db))
    eq(x["Status"]["State"], "FAILED", "CTAS of an existing table")
    check(x["Status"]["StateChangeReason"].startswith("ALREADY_EXISTS"), "existing table reason %r", x["Status"]["StateChangeReason"])
    x = wait(athena, start(athena, "CREATE TABLE other WITH (external_location = 's3://%s/sales/') AS SELECT 1 AS x" % data, out, db))
    eq(x["Status"]["State"], "FAILED", "CTAS into a non-empty location")
    reason = x["Status"]["StateChangeReason"]
    check(reason.startswith("HIVE_PATH_ALREADY_EXISTS") and "s3://%s/sales/" % data in reason, "non-empty location reason %r", reason)
    return res


if __name__ == "__main__":
    run(main)
