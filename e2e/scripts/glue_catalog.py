"""boto3 against caudal's Glue Data Catalog API: databases, an Athena-style
partitioned Parquet table (Hive types, SerDe, projection parameters), a
view, GetTables name patterns, 150 partitions through BatchCreatePartition
(in batches of Glue's 100) with per-entry errors, GetPartitions with typed
expressions and pagination, BatchGet/Update/Delete of partitions,
cascading deletes, and the error codes and messages Glue answers.

It leaves database "kept_<suffix>" with table "events" (partitioned by
year int, dt string; 150 partitions) for the Go side to re-read after a
restart.

Usage: glue_catalog.py ENDPOINT
Prints one JSON object; the Go test checks the key facts.
"""

import datetime

import boto3
from botocore.config import Config

from common import REGION, check, endpoint, eq, expect_error, run, unique


def glue_client():
    conf = Config(retries={"max_attempts": 0, "mode": "legacy"}, connect_timeout=5, read_timeout=30)
    return boto3.client("glue", endpoint_url=endpoint(), region_name=REGION, config=conf)


def table_input(name):
    return {
        "Name": name,
        "Description": "click events",
        "Owner": "analytics",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "projection.enabled": "false",
            "storage.location.template": "s3://lake/events/year=${year}/dt=${dt}/",
        },
        "StorageDescriptor": {
            "Columns": [
                {"Name": "id", "Type": "bigint"},
                {"Name": "price", "Type": "decimal(10,2)", "Comment": "EUR"},
                {"Name": "tags", "Type": "array<string>"},
                {"Name": "attrs", "Type": "map<string,int>"},
                {"Name": "geo", "Type": "struct<lat:double,lon:double>"},
                {"Name": "seen", "Type": "timestamp"},
                {"Name": "ok", "Type": "boolean"},
            ],
            "Location": "s3://lake/events/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "Compressed": False,
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                "Parameters": {"serialization.format": "1"},
            },
            "StoredAsSubDirectories": False,
        },
        "PartitionKeys": [{"Name": "year", "Type": "int"}, {"Name": "dt", "Type": "string"}],
    }


def all_partitions(g, db, table, **kw):
    out = []
    for page in g.get_paginator("get_partitions").paginate(DatabaseName=db, TableName=table, **kw):
        out.extend(page["Partitions"])
    return out


def main():
    g = glue_client()
    res = {}
    suffix = unique("x").split("-")[1]
    db = "Kept_" + suffix  # mixed case: Glue stores and answers it lower-case
    dbl = db.lower()

    # --- databases ---
    g.create_database(DatabaseInput={"Name": db, "Description": "e2e", "LocationUri": "s3://lake/",
                                     "Parameters": {"team": "data"}})
    expect_error("AlreadyExistsException", g.create_database, DatabaseInput={"Name": dbl},
                 msg_contains="Database already exists.")
    d = g.get_database(Name=db.upper())["Database"]
    eq(d["Name"], dbl, "database name")
    eq(d["Parameters"], {"team": "data"}, "database parameters")
    check(isinstance(d["CreateTime"], datetime.datetime), "CreateTime is %r", d["CreateTime"])
    age = datetime.datetime.now(datetime.timezone.utc) - d["CreateTime"]
    check(abs(age.total_seconds()) < 120, "CreateTime %s is not now", d["CreateTime"])
    expect_error("EntityNotFoundException", g.get_database, Name="no_such_db_" + suffix,
                 msg_contains="Database no_such_db_%s not found." % suffix)
    for i in range(3):
        g.create_database(DatabaseInput={"Name": "tmp_%s_%d" % (suffix, i)})
    names = []
    for page in g.get_paginator("get_databases").paginate(PaginationConfig={"PageSize": 2}):
        names.extend(x["Name"] for x in page["DatabaseList"])
    check(dbl in names and all("tmp_%s_%d" % (suffix, i) in names for i in range(3)), "GetDatabases: %r", names)
    res["databases_listed"] = len(names)
    g.update_database(Name=dbl, DatabaseInput={"Name": dbl, "Description": "updated"})
    eq(g.get_database(Name=dbl)["Database"]["Description"], "updated", "updated description")

    # --- tables ---
    expect_error("EntityNotFoundException", g.create_table, DatabaseName="no_such_db_" + suffix,
                 TableInput=table_input("events"))
    g.create_table(DatabaseName=db, TableInput=table_input("Events"))
    expect_error("AlreadyExistsException", g.create_table, DatabaseName=dbl, TableInput=table_input("events"),
                 msg_contains="Table already exists.")
    t = g.get_table(DatabaseName=dbl, Name="EVENTS")["Table"]
    eq(t["Name"], "events", "table name")
    eq(t["DatabaseName"], dbl, "table database")
    eq([c["Type"] for c in t["StorageDescriptor"]["Columns"]],
       ["bigint", "decimal(10,2)", "array<string>", "map<string,int>", "struct<lat:double,lon:double>", "timestamp", "boolean"],
       "column types")
    eq(t["StorageDescriptor"]["SerdeInfo"]["Parameters"], {"serialization.format": "1"}, "serde parameters")
    eq(t["PartitionKeys"], [{"Name": "year", "Type": "int"}, {"Name": "dt", "Type": "string"}], "partition keys")
    eq(t["Parameters"]["storage.location.template"], "s3://lake/events/year=${year}/dt=${dt}/", "template")
    eq(t.get("CatalogId") is not None, True, "CatalogId present")
    expect_error("EntityNotFoundException", g.get_table, DatabaseName=dbl, Name="nope",
                 msg_contains="Table nope not found.")

    for n in ("sales_2023", "sales_2024", "orders"):
        g.create_table(DatabaseName=dbl, TableInput={"Name": n, "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "string"}]}})
    g.create_table(DatabaseName=dbl, TableInput={"Name": "v_recent", "TableType": "VIRTUAL_VIEW",
                                                 "ViewOriginalText": "/* Presto View: e30= */", "ViewExpandedText": "/* Presto View */"})
    tables = []
    for page in g.get_paginator("get_tables").paginate(DatabaseName=dbl, PaginationConfig={"PageSize": 2}):
        tables.extend(x["Name"] for x in page["TableList"])
    eq(tables, ["events", "orders", "sales_2023", "sales_2024", "v_recent"], "GetTables")
    sales = [x["Name"] for x in g.get_tables(DatabaseName=dbl, Expression="sales*")["TableList"]]
    eq(sales, ["sales_2023", "sales_2024"], "GetTables Expression sales*")
    res["tables_listed"] = len(tables)

    upd = table_input("events")
    upd["Description"] = "v2"
    g.update_table(DatabaseName=dbl, TableInput=upd)
    t2 = g.get_table(DatabaseName=dbl, Name="events")["Table"]
    eq(t2["Description"], "v2", "updated table")
    eq(t2["CreateTime"], t["CreateTime"], "CreateTime kept by UpdateTable")

    bd = g.batch_delete_table(DatabaseName=dbl, TablesToDelete=["sales_2023", "ghost"])
    eq([e["TableName"] for e in bd["Errors"]], ["ghost"], "BatchDeleteTable errors")
    eq(bd["Errors"][0]["ErrorDetail"]["ErrorCode"], "EntityNotFoundException", "BatchDeleteTable code")

    # --- partitions ---
    parts = []
    for year in range(2010, 2025):  # 15 years x 10 days = 150 partitions
        for day in range(1, 11):
            dt = "%d-01-%02d" % (year, day)
            parts.append({
                "Values": [str(year), dt],
                "StorageDescriptor": {"Location": "s3://lake/events/year=%d/dt=%s/" % (year, dt)},
                "Parameters": {"rows": str(day)},
            })
    for i in range(0, len(parts), 100):
        out = g.batch_create_partition(DatabaseName=dbl, TableName="events", PartitionInputList=parts[i:i + 100])
        eq(out["Errors"], [], "BatchCreatePartition errors")
    out = g.batch_create_partition(DatabaseName=dbl, TableName="events",
                                   PartitionInputList=[parts[0], {"Values": ["1999"]}])
    eq([e["ErrorDetail"]["ErrorCode"] for e in out["Errors"]], ["AlreadyExistsException", "InvalidInputException"],
       "BatchCreatePartition per-entry errors")
    expect_error("AlreadyExistsException", g.create_partition, DatabaseName=dbl, TableName="events",
                 PartitionInput=parts[0], msg_contains="Partition already exists.")

    listed = all_partitions(g, dbl, "events", PaginationConfig={"PageSize": 40})
    eq(len(listed), 150, "GetPartitions count")
    check(len({tuple(p["Values"]) for p in listed}) == 150, "GetPartitions repeated partitions")
    res["partitions_listed"] = len(listed)

    # Typed comparison: year is an int, so year > 9 matches 2010 (as text it would not).
    typed = all_partitions(g, dbl, "events", Expression="year > 9 AND year < 2012")
    eq(sorted({p["Values"][0] for p in typed}), ["2010", "2011"], "typed int comparison")
    res["typed_filter"] = len(typed)
    sel = all_partitions(g, dbl, "events",
                         Expression="(year BETWEEN 2020 AND 2021 OR year IN (2010)) AND dt LIKE '%-01-0_' AND NOT dt = '2020-01-01'")
    res["selective_filter"] = len(sel)
    eq(len(sel), 26, "selective filter (3 years x 9 days - 1)")
    expect_error("InvalidInputException", g.get_partitions, DatabaseName=dbl, TableName="events",
                 Expression="region = 'eu'", msg_contains="Invalid partition expression!")
    expect_error("InvalidInputException", g.get_partitions, DatabaseName=dbl, TableName="events", Expression="year >")

    p = g.get_partition(DatabaseName=dbl, TableName="events", PartitionValues=["2015", "2015-01-03"])["Partition"]
    eq(p["StorageDescriptor"]["Location"], "s3://lake/events/year=2015/dt=2015-01-03/", "partition location")
    eq(p["Parameters"], {"rows": "3"}, "partition parameters")
    check(isinstance(p["CreationTime"], datetime.datetime), "CreationTime %r", p.get("CreationTime"))
    expect_error("EntityNotFoundException", g.get_partition, DatabaseName=dbl, TableName="events",
                 PartitionValues=["1900", "x"], msg_contains="Cannot find partition.")

    bg = g.batch_get_partition(DatabaseName=dbl, TableName="events", PartitionsToGet=[
        {"Values": ["2016", "2016-01-01"]}, {"Values": ["1", "2"]}, {"Values": ["2017", "2017-01-02"]}])
    eq(sorted(x["Values"][1] for x in bg["Partitions"]), ["2016-01-01", "2017-01-02"], "BatchGetPartition")

    g.update_partition(DatabaseName=dbl, TableName="events", PartitionValueList=["2024", "2024-01-10"],
                       PartitionInput={"Values": ["2024", "2024-01-10"], "Parameters": {"rows": "99"},
                                       "StorageDescriptor": {"Location": "s3://lake/moved/"}})
    p = g.get_partition(DatabaseName=dbl, TableName="events", PartitionValues=["2024", "2024-01-10"])["Partition"]
    eq(p["Parameters"], {"rows": "99"}, "updated partition")

    # Delete and re-create two partitions so that the kept table still has 150.
    bdp = g.batch_delete_partition(DatabaseName=dbl, TableName="events", PartitionsToDelete=[
        {"Values": ["2011", "2011-01-01"]}, {"Values": ["1800", "x"]}])
    eq([e["PartitionValues"] for e in bdp["Errors"]], [["1800", "x"]], "BatchDeletePartition errors")
    g.delete_partition(DatabaseName=dbl, TableName="events", PartitionValues=["2011", "2011-01-02"])
    expect_error("EntityNotFoundException", g.delete_partition, DatabaseName=dbl, TableName="events",
                 PartitionValues=["2011", "2011-01-02"])
    eq(len(all_partitions(g, dbl, "events")), 148, "after deletes")
    g.batch_create_partition(DatabaseName=dbl, TableName="events", PartitionInputList=[parts[10], parts[11]])

    # --- refusals ---
    expect_error("ValidationException", g.get_database, Name="n" * 256,
                 msg_contains="Member must have length less than or equal to 255")
    expect_error("ValidationException", g.get_partitions, DatabaseName=dbl, TableName="events", MaxResults=1001)

    # --- cascade ---
    scratch = "scratch_" + suffix
    g.create_database(DatabaseInput={"Name": scratch})
    g.create_table(DatabaseName=scratch, TableInput=table_input("t"))
    g.create_partition(DatabaseName=scratch, TableName="t", PartitionInput=parts[0])
    g.delete_database(Name=scratch)
    expect_error("EntityNotFoundException", g.get_table, DatabaseName=scratch, Name="t")
    g.create_database(DatabaseInput={"Name": scratch})
    g.create_table(DatabaseName=scratch, TableInput=table_input("t"))
    eq(all_partitions(g, scratch, "t"), [], "partitions after cascade")
    g.delete_table(DatabaseName=scratch, Name="t")
    g.delete_database(Name=scratch)
    for i in range(3):
        g.delete_database(Name="tmp_%s_%d" % (suffix, i))

    res["kept"] = {"database": dbl, "table": "events", "partitions": 150}
    return res


if __name__ == "__main__":
    run(main)
