"""boto3 against caudal's Athena API over data uploaded through its S3 API:
CSV and NDJSON files, a database and tables declared with DDL, queries
through start_query_execution / get_query_execution polling /
get_query_results with the paginator (the header row only on the first
page of a SELECT, none for DDL, NULL without VarCharValue), statistics,
idempotency tokens, stop_query_execution on a running query, work groups
with an output location and a bytes-scanned cutoff, the error paths
(syntax error, missing table, missing output bucket) with their FAILED
states and reasons, and the refusals with Athena's codes.

It leaves one SUCCEEDED execution ("kept") for the Go side to re-read
after a restart.

Usage: athena_queries.py ENDPOINT
Prints one JSON object; the Go test checks the key facts.
"""

import time

import boto3
from botocore.config import Config

from common import REGION, check, endpoint, eq, expect_error, run, unique


def clients():
    conf = Config(retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=5, read_timeout=30)
    s3 = boto3.client("s3", endpoint_url=endpoint(), region_name=REGION, config=conf)
    athena = boto3.client("athena", endpoint_url=endpoint(), region_name=REGION, config=conf)
    return s3, athena


def wait(athena, qid, timeout=30):
    deadline = time.time() + timeout
    while True:
        x = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if x["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return x
        check(time.time() < deadline, "query %s still %s", qid, x["Status"]["State"])
        time.sleep(0.05)


def start(athena, sql, out, **kw):
    return athena.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": out}, **kw)["QueryExecutionId"]


def sql_ok(athena, sql, out, **kw):
    x = wait(athena, start(athena, sql, out, **kw))
    check(x["Status"]["State"] == "SUCCEEDED", "%s: %s %s", sql, x["Status"]["State"], x["Status"].get("StateChangeReason"))
    return x


def all_rows(athena, qid):
    pages = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        pages.append(page)
    return pages


def main():
    s3, athena = clients()
    suffix = unique("a").replace("-", "_")
    data, results = unique("data"), unique("results")
    s3.create_bucket(Bucket=data)
    s3.create_bucket(Bucket=results)
    out = "s3://%s/athena/" % results
    res = {}

    # --- data through the S3 API ---
    csv = "".join("%d,item%d,%d.5\n" % (i, i, i % 7) for i in range(1, 2501))
    s3.put_object(Bucket=data, Key="sales/part-0.csv", Body=csv.encode())
    ndjson = '{"id": 1, "who": "ana"}\n{"id": 2, "who": null}\n{"id": 3, "who": ""}\n'
    s3.put_object(Bucket=data, Key="people/p.json", Body=ndjson.encode())

    db = "shop_" + suffix
    x = sql_ok(athena, "CREATE DATABASE %s" % db, out)
    eq(x["StatementType"], "DDL", "CREATE DATABASE statement type")
    sql_ok(athena, "CREATE EXTERNAL TABLE sales (id int, name string, price double) "
                   "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE "
                   "LOCATION 's3://%s/sales/'" % data, out, QueryExecutionContext={"Database": db})
    sql_ok(athena, "CREATE EXTERNAL TABLE people (id int, who string) "
                   "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                   "LOCATION 's3://%s/people/'" % data, out, QueryExecutionContext={"Database": db})

    # --- a SELECT of 2,500 rows through the paginator ---
    x = sql_ok(athena, "SELECT id, name, price FROM sales ORDER BY id", out, QueryExecutionContext={"Database": db})
    qid = x["QueryExecutionId"]
    eq(x["StatementType"], "DML", "SELECT statement type")
    eq(x["ResultConfiguration"]["OutputLocation"], out + qid + ".csv", "output location")
    eq(x["QueryExecutionContext"]["Database"], db, "context database")
    eq(x["WorkGroup"], "primary", "work group")
    st = x["Statistics"]
    check(st["DataScannedInBytes"] == len(csv), "DataScannedInBytes %r, want %d", st["DataScannedInBytes"], len(csv))
    for k in ("EngineExecutionTimeInMillis", "TotalExecutionTimeInMillis", "QueryQueueTimeInMillis"):
        check(k in st, "statistics lack %s: %r", k, st)
    pages = all_rows(athena, qid)
    eq([len(p["ResultSet"]["Rows"]) for p in pages], [1000, 1000, 501], "rows per page")
    eq([d["VarCharValue"] for d in pages[0]["ResultSet"]["Rows"][0]["Data"]], ["id", "name", "price"], "header row")
    eq(pages[1]["ResultSet"]["Rows"][0]["Data"][0]["VarCharValue"], "1000", "second page starts without a header")
    ci = pages[0]["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    eq([(c["Name"], c["Type"]) for c in ci], [("id", "integer"), ("name", "varchar"), ("price", "double")], "column types")
    obj = s3.get_object(Bucket=results, Key="athena/%s.csv" % qid)["Body"].read().decode()
    check(obj.startswith('"id","name","price"\n"1","item1","1.5"\n'), "result CSV starts %r", obj[:60])
    res["pages"] = len(pages)
    res["kept"] = {"id": qid, "rows": 2500}

    # --- NULL and empty string from NDJSON ---
    x = sql_ok(athena, "SELECT id, who FROM people ORDER BY id", out, QueryExecutionContext={"Database": db})
    rows = athena.get_query_results(QueryExecutionId=x["QueryExecutionId"])["ResultSet"]["Rows"]
    eq(rows[1]["Data"][1], {"VarCharValue": "ana"}, "a value")
    eq(rows[2]["Data"][1], {}, "a NULL has no VarCharValue")
    eq(rows[3]["Data"][1], {"VarCharValue": ""}, "an empty string")

    # --- DDL results have no header ---
    x = sql_ok(athena, "SHOW TABLES IN %s" % db, out)
    rows = athena.get_query_results(QueryExecutionId=x["QueryExecutionId"])["ResultSet"]["Rows"]
    eq(sorted(r["Data"][0]["VarCharValue"] for r in rows), ["people", "sales"], "SHOW TABLES rows")

    # --- error paths: FAILED with Athena's reasons ---
    x = wait(athena, start(athena, "SELECT * FROM nowhere", out, QueryExecutionContext={"Database": db}))
    eq(x["Status"]["State"], "FAILED", "missing table state")
    check(x["Status"]["StateChangeReason"].startswith("TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.%s.nowhere' does not exist" % db),
          "missing table reason %r", x["Status"]["StateChangeReason"])
    eq(x["Status"]["AthenaError"]["ErrorCategory"], 2, "user error category")
    e = expect_error("InvalidRequestException", athena.get_query_results, QueryExecutionId=x["QueryExecutionId"])
    check(e["message"].startswith("TABLE_NOT_FOUND"), "results of a failed query: %r", e["message"])
    x = wait(athena, start(athena, "SELEC 1", out))
    eq(x["Status"]["State"], "FAILED", "syntax error state")
    check(x["Status"]["StateChangeReason"].startswith("SYNTAX_ERROR: line 1:1:"), "syntax reason %r", x["Status"]["StateChangeReason"])
    # Bad table locations: not s3:// is refused when declared; a missing
    # bucket fails the query that reads it, not the DDL (Athena checks
    # neither when the table is created).
    x = wait(athena, start(athena, "CREATE EXTERNAL TABLE badloc (id int) LOCATION 'hdfs://nn/x/'", out,
                           QueryExecutionContext={"Database": db}))
    eq(x["Status"]["State"], "FAILED", "non-s3 location state")
    check("Invalid location" in x["Status"]["StateChangeReason"], "non-s3 location reason %r", x["Status"]["StateChangeReason"])
    sql_ok(athena, "CREATE EXTERNAL TABLE gone (id int) LOCATION 's3://%s-gone/t/'" % data, out, QueryExecutionContext={"Database": db})
    x = wait(athena, start(athena, "SELECT count(*) FROM gone", out, QueryExecutionContext={"Database": db}))
    eq(x["Status"]["State"], "FAILED", "missing-bucket location state")
    check(x["Status"]["StateChangeReason"].startswith("HIVE_FILESYSTEM_ERROR") and "does not exist" in x["Status"]["StateChangeReason"],
          "missing-bucket location reason %r", x["Status"]["StateChangeReason"])
    sql_ok(athena, "DROP TABLE gone", out, QueryExecutionContext={"Database": db})
    x = wait(athena, start(athena, "SELECT 1", "s3://%s-missing/x/" % results))
    eq((x["Status"]["State"], x["Status"]["StateChangeReason"]),
       ("FAILED", "Unable to verify/create output bucket %s-missing" % results), "missing output bucket")

    # --- idempotency ---
    tok = "t" * 40 + suffix[:20]
    a = start(athena, "SELECT 42", out, ClientRequestToken=tok)
    b = start(athena, "SELECT 42", out, ClientRequestToken=tok)
    eq(a, b, "same token, same query, same id")
    expect_error("InvalidRequestException", start, athena, "SELECT 43", out, ClientRequestToken=tok,
                 msg_contains="Idempotent parameters do not match")

    # --- stop a running query ---
    slow = start(athena, "SELECT sum(a.id * b.id + c.id) FROM sales a, sales b, sales c", out, QueryExecutionContext={"Database": db})
    for _ in range(400):
        state = athena.get_query_execution(QueryExecutionId=slow)["QueryExecution"]["Status"]["State"]
        if state == "RUNNING":
            break
        check(state == "QUEUED", "slow query ended %s before it could be stopped", state)
        time.sleep(0.02)
    expect_error("InvalidRequestException", athena.get_query_results, QueryExecutionId=slow,
                 msg_contains="Query has not yet finished. Current state: RUNNING")
    athena.stop_query_execution(QueryExecutionId=slow)
    eq(wait(athena, slow)["Status"]["State"], "CANCELLED", "stopped query")

    # --- work groups ---
    wg = "wg_" + suffix
    athena.create_work_group(Name=wg, Configuration={
        "ResultConfiguration": {"OutputLocation": "s3://%s/wg/" % results},
        "BytesScannedCutoffPerQuery": 10000000,
    })
    got = athena.get_work_group(WorkGroup=wg)["WorkGroup"]
    eq(got["Configuration"]["BytesScannedCutoffPerQuery"], 10000000, "cutoff")
    names = [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]
    check("primary" in names and wg in names, "work groups %r", names)
    q = athena.start_query_execution(QueryString="SELECT count(*) FROM sales", WorkGroup=wg,
                                     QueryExecutionContext={"Database": db})["QueryExecutionId"]
    x = wait(athena, q)
    eq(x["Status"]["State"], "SUCCEEDED", "query under the cutoff")
    eq(x["ResultConfiguration"]["OutputLocation"], "s3://%s/wg/%s.csv" % (results, q), "work group output location")
    ids = athena.list_query_executions(WorkGroup=wg)["QueryExecutionIds"]
    eq(ids, [q], "work group history")
    expect_error("InvalidRequestException", athena.create_work_group, Name=wg)
    expect_error("InvalidRequestException", athena.delete_work_group, WorkGroup="primary")
    athena.delete_work_group(WorkGroup=wg)
    expect_error("InvalidRequestException", athena.get_work_group, WorkGroup=wg, msg_contains="is not found")

    # --- history ---
    got = athena.batch_get_query_execution(QueryExecutionIds=[qid, "no-such-id"])
    eq([e["QueryExecutionId"] for e in got["QueryExecutions"]], [qid], "batch get")
    eq([u["QueryExecutionId"] for u in got["UnprocessedQueryExecutionIds"]], ["no-such-id"], "batch get unprocessed")
    recent = athena.list_query_executions(MaxResults=5)["QueryExecutionIds"]
    eq(len(recent), 5, "list page size")

    # --- refusals ---
    expect_error("InvalidRequestException", athena.get_query_results, QueryExecutionId=qid, MaxResults=1001,
                 msg_contains="Member must have value less than or equal to 1000")
    expect_error("InvalidRequestException", athena.get_query_execution, QueryExecutionId="nope",
                 msg_contains="QueryExecution nope was not found")
    expect_error("InvalidRequestException", athena.start_query_execution, QueryString="SELECT 1",
                 msg_contains="No output location provided")

    # --- catalog metadata ---
    dbs = [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
    check(db in dbs, "list_databases %r", dbs)
    tm = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=db, TableName="sales")["TableMetadata"]
    eq([c["Name"] for c in tm["Columns"]], ["id", "name", "price"], "table metadata columns")
    return res


if __name__ == "__main__":
    run(main)
