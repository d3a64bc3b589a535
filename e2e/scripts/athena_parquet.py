"""boto3 uploads a Parquet file (written by caudal's own Parquet writer,
not DuckDB) with upload_file as a multipart upload, declares an Athena
table over it with DDL, and queries it: counts, sums, timestamps, arrays,
structs, a declared column the file lacks (NULL), partition-free scanning
statistics.

Then a partitioned table: day files uploaded under dt=YYYY-MM-DD/, declared
with PARTITIONED BY, found by MSCK REPAIR TABLE, one more added by ALTER
TABLE ADD PARTITION at its own location and one dropped; a WHERE on dt
reads (DataScannedInBytes) exactly that partition's file.

Usage: athena_parquet.py ENDPOINT FILE ROWS DIR
Prints one JSON object; the Go test checks the key facts.
"""

import datetime
import os
import sys
import time

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from common import REGION, check, endpoint, eq, run, unique


def main():
    path, rows = sys.argv[2], int(sys.argv[3])
    conf = Config(retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=5, read_timeout=60)
    s3 = boto3.client("s3", endpoint_url=endpoint(), region_name=REGION, config=conf)
    athena = boto3.client("athena", endpoint_url=endpoint(), region_name=REGION, config=conf)
    data, results = unique("pq"), unique("results")
    s3.create_bucket(Bucket=data)
    s3.create_bucket(Bucket=results)
    out = "s3://%s/" % results

    # Multipart: 5 MiB parts, so a file over 5 MiB goes up in several.
    tc = TransferConfig(multipart_threshold=1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_file(path, data, "events/part-00000.parquet", Config=tc)
    head = s3.head_object(Bucket=data, Key="events/part-00000.parquet")
    eq(head["ContentLength"], os.path.getsize(path), "uploaded size")
    check(head["ETag"].strip('"').count("-") == 1, "ETag %s is not a multipart ETag", head["ETag"])

    def query(sql):
        qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": "default"},
                                           ResultConfiguration={"OutputLocation": out})["QueryExecutionId"]
        deadline = time.time() + 60
        while True:
            x = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
            if x["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                break
            check(time.time() < deadline, "query still %s: %s", x["Status"]["State"], sql)
            time.sleep(0.05)
        check(x["Status"]["State"] == "SUCCEEDED", "%s: %s", sql, x["Status"].get("StateChangeReason"))
        rs = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]
        vals = [[c.get("VarCharValue") for c in r["Data"]] for r in rs["Rows"]]
        return x, rs["ResultSetMetadata"]["ColumnInfo"], vals

    query("""CREATE EXTERNAL TABLE events (
               id bigint, name string, amount double, ts timestamp,
               tags array<string>, address struct<city:string,zip:int>, note string, added string)
             STORED AS PARQUET LOCATION 's3://%s/events/'""" % data)
    x, cols, vals = query("SELECT count(*), sum(id), count(added), min(ts), max(ts) FROM events")
    last = datetime.datetime(2026, 1, 2, 3, 4, 5) + datetime.timedelta(seconds=rows - 1)
    eq(vals[1], [str(rows), str(rows * (rows - 1) // 2), "0",
                 "2026-01-02 03:04:05.000", last.strftime("%Y-%m-%d %H:%M:%S.000")], "aggregates")
    check(x["Statistics"]["DataScannedInBytes"] > 0, "DataScannedInBytes %r", x["Statistics"])
    _, cols, vals = query("SELECT id, name, amount, ts, element_at(tags, 1), cardinality(tags), address.city, address, added "
                          "FROM events WHERE id IN (0, 7) ORDER BY id")
    types = [c["Type"] for c in cols]
    eq(types, ["bigint", "varchar", "double", "timestamp", "varchar", "bigint", "varchar", "row", "varchar"], "column types")
    eq(vals[1:], [
        ["0", "user0", "0.0", "2026-01-02 03:04:05.000", "t0", "2", "c0", "{city=c0, zip=0}", None],
        ["7", "user7", "3.5", "2026-01-02 03:04:12.000", "t7", "2", "c7", "{city=c7, zip=7}", None],
    ], "rows 0 and 7")
    _, _, vals = query("SELECT address.city, count(*) FROM events GROUP BY address.city ORDER BY address.city LIMIT 3")
    eq(vals[1:], [["c0", str(rows // 10)], ["c1", str(rows // 10)], ["c2", str(rows // 10)]], "group by a struct field")
    # --- a partitioned table ---
    day_dir = sys.argv[4]
    sizes = {}
    for day in (1, 2, 3):
        f = os.path.join(day_dir, "day%d.parquet" % day)
        key = "daily/dt=2026-01-0%d/part-0.parquet" % day if day < 3 else "elsewhere/third.parquet"
        s3.upload_file(f, data, key)
        sizes[day] = os.path.getsize(f)
    query("""CREATE EXTERNAL TABLE daily (id bigint, name string, address struct<city:string,zip:int>)
             PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://%s/daily/'""" % data)
    _, _, vals = query("SELECT count(*) FROM daily")
    eq(vals[1], ["0"], "partitioned table before MSCK REPAIR")
    query("MSCK REPAIR TABLE daily")
    query("ALTER TABLE daily ADD PARTITION (dt = '2026-01-03') LOCATION 's3://%s/elsewhere/'" % data)
    _, _, vals = query("SHOW PARTITIONS daily")
    eq(sorted(v[0] for v in vals), ["dt=2026-01-01", "dt=2026-01-02", "dt=2026-01-03"], "SHOW PARTITIONS")
    _, _, vals = query("SELECT dt, count(*) FROM daily GROUP BY dt ORDER BY dt")
    eq(vals[1:], [["2026-01-01", "1000"], ["2026-01-02", "2000"], ["2026-01-03", "3000"]], "rows per partition")
    x, _, vals = query("SELECT count(*), max(id) FROM daily WHERE dt = '2026-01-02'")
    eq(vals[1], ["2000", "1999"], "one partition")
    eq(x["Statistics"]["DataScannedInBytes"], sizes[2], "bytes scanned by a WHERE on the partition column")
    query("ALTER TABLE daily DROP PARTITION (dt = '2026-01-01')")
    _, _, vals = query("SELECT count(*) FROM daily")
    eq(vals[1], ["5000"], "after DROP PARTITION")

    return {"rows": rows, "size": os.path.getsize(path), "parts": int(head["ETag"].strip('"').split("-")[1])}


if __name__ == "__main__":
    run(main)
