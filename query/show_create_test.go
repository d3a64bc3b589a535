package query

import (
	"reflect"
	"strings"
	"testing"
)

func TestShowCreateTable(t *testing.T) {
	env := newEnv(t)
	env.run(t, `CREATE EXTERNAL TABLE logs (id bigint COMMENT 'the id', msg string, tags array<string>)
		COMMENT 'it''s logs' PARTITIONED BY (dt string)
		ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' WITH SERDEPROPERTIES ('separatorChar'=',', 'quoteChar'='"')
		LOCATION 's3://data/logs/'
		TBLPROPERTIES ('skip.header.line.count'='1', 'projection.enabled'='true', 'projection.dt.type'='date')`)
	res := env.run(t, "SHOW CREATE TABLE logs")
	var lines []string
	for _, r := range res.Rows {
		lines = append(lines, r[0].Value)
	}
	got := strings.Join(lines, "\n")
	want := "CREATE EXTERNAL TABLE `logs`(\n" +
		"  `id` bigint COMMENT 'the id', \n" +
		"  `msg` string, \n" +
		"  `tags` array<string>)\n" +
		"COMMENT 'it''s logs'\n" +
		"PARTITIONED BY ( \n" +
		"  `dt` string)\n" +
		"ROW FORMAT SERDE \n" +
		"  'org.apache.hadoop.hive.serde2.OpenCSVSerde' \n" +
		"WITH SERDEPROPERTIES ( \n" +
		"  'quoteChar'='\"', \n" +
		"  'separatorChar'=',') \n" +
		"STORED AS INPUTFORMAT \n" +
		"  'org.apache.hadoop.mapred.TextInputFormat' \n" +
		"OUTPUTFORMAT \n" +
		"  'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n" +
		"LOCATION\n" +
		"  's3://data/logs/'\n" +
		"TBLPROPERTIES (\n" +
		"  'projection.dt.type'='date', \n" +
		"  'projection.enabled'='true', \n" +
		"  'skip.header.line.count'='1')"
	if got != want {
		t.Fatalf("SHOW CREATE TABLE:\n%s\nwant:\n%s", got, want)
	}
	if len(res.Columns) != 1 || res.Columns[0].Name != "createtab_stmt" {
		t.Errorf("columns: %+v", res.Columns)
	}
	// The text creates the same table again.
	env.run(t, strings.Replace(got, "`logs`", "`logs2`", 1))
	a, err := env.cat.GetTable("default", "logs")
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.cat.GetTable("default", "logs2")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.StorageDescriptor, b.StorageDescriptor) || !reflect.DeepEqual(a.PartitionKeys, b.PartitionKeys) ||
		!reflect.DeepEqual(a.Parameters, b.Parameters) || a.Description != b.Description {
		t.Errorf("round trip:\n%+v\n%+v", a, b)
	}
	if err := env.mustFail(t, "SHOW CREATE TABLE nope"); !strings.HasPrefix(err.Error(), "TABLE_NOT_FOUND") {
		t.Errorf("missing table: %v", err)
	}
}
