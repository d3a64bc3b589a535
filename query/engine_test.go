package query

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
)

// testEnv is a lake, a catalog and an engine in temp dirs.
type testEnv struct {
	lake *lake.Lake
	cat  *catalog.Catalog
	eng  *Engine
	dir  string
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	dir := t.TempDir()
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(dir, "lake"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lk.Close() })
	cat, err := catalog.Open(catalog.Config{Dir: filepath.Join(dir, "catalog"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if err := cat.CreateDatabase(catalog.Database{Name: "default"}); err != nil {
		t.Fatal(err)
	}
	eng, err := Open(Config{Lake: lk, Catalog: cat, LakeDir: filepath.Join(dir, "lake"), TempDir: filepath.Join(dir, "tmp"), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if err := lk.CreateBucket("data", ""); err != nil {
		t.Fatal(err)
	}
	return &testEnv{lake: lk, cat: cat, eng: eng, dir: dir}
}

func (env *testEnv) put(t testing.TB, key string, body []byte) {
	t.Helper()
	if _, err := env.lake.PutObject(context.Background(), "data", key, bytes.NewReader(body), lake.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// parquet writes the result of a DuckDB query as Parquet bytes, with a
// DuckDB of the test's own (the engine's may not write outside its lake).
func parquet(t testing.TB, query string) []byte {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := filepath.Join(t.TempDir(), "f.parquet")
	if _, err := db.Exec("COPY (" + query + ") TO " + quoteString(path) + " (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func (env *testEnv) run(t testing.TB, q string) *Result {
	t.Helper()
	res, err := env.eng.Run(context.Background(), q, "")
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

// table renders a result as "name:type,…" then one line per row, NULL as
// ∅ so it differs from "".
func table(res *Result) string {
	var b strings.Builder
	for i, c := range res.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.Name + ":" + c.Type)
	}
	for _, r := range res.Rows {
		b.WriteByte('\n')
		for i, d := range r {
			if i > 0 {
				b.WriteByte('|')
			}
			if d.Null {
				b.WriteString("∅")
			} else {
				b.WriteString(d.Value)
			}
		}
	}
	return b.String()
}

func TestQueryFormats(t *testing.T) {
	env := newEnv(t)
	env.put(t, "pq/part-0.parquet", parquet(t, "SELECT i AS id, 'n'||i AS name, i*1.5 AS score, TIMESTAMP '2024-01-02 03:04:05' + to_seconds(i) AS ts FROM range(3) r(i)"))
	env.put(t, "pq/_SUCCESS", []byte("x"))
	env.put(t, "js/a.json", []byte("{\"id\": 1, \"tags\": [\"a\",\"b\"], \"name\": \"\"}\n{\"id\": 2, \"name\": null}\n"))
	env.put(t, "csv/a.csv", []byte("id,name,score\n1,ann,2.5\n2,,x\n3,\\N,1\n"))
	env.run(t, `CREATE EXTERNAL TABLE pq (id bigint, name string, score double, ts timestamp) STORED AS PARQUET LOCATION 's3://data/pq/'`)
	env.run(t, `CREATE EXTERNAL TABLE js (id int, name string, tags array<string>) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://data/js/'`)
	env.run(t, "CREATE EXTERNAL TABLE `csvt` (`id` int, name string, score double) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://data/csv' TBLPROPERTIES ('skip.header.line.count'='1')")

	res := env.run(t, "SELECT id, name, score, ts, date_format(ts, '%Y/%m/%d %H:%i:%s') FROM pq ORDER BY id")
	want := "id:bigint,name:varchar,score:double,ts:timestamp,_col4:varchar\n" +
		"0|n0|0.0|2024-01-02 03:04:05.000|2024/01/02 03:04:05\n" +
		"1|n1|1.5|2024-01-02 03:04:06.000|2024/01/02 03:04:06\n" +
		"2|n2|3.0|2024-01-02 03:04:07.000|2024/01/02 03:04:07"
	if got := table(res); got != want {
		t.Errorf("parquet:\n%s\nwant:\n%s", got, want)
	}
	if res.Stats.FilesScanned != 1 || res.Stats.DataScannedBytes == 0 {
		t.Errorf("parquet stats %+v: want 1 file (not _SUCCESS)", res.Stats)
	}
	if got, want := table(env.run(t, "SELECT id, name, cardinality(tags) n, element_at(tags, 1) AS first FROM default.js ORDER BY id")),
		"id:integer,name:varchar,n:bigint,first:varchar\n1||2|a\n2|∅|∅|∅"; got != want {
		t.Errorf("json:\n%s\nwant:\n%s", got, want)
	}
	if got, want := table(env.run(t, `SELECT * FROM "csvt" ORDER BY id`)),
		"id:integer,name:varchar,score:double\n1|ann|2.5\n2||∅\n3|∅|1.0"; got != want {
		t.Errorf("csv:\n%s\nwant:\n%s", got, want)
	}
	if got, want := table(env.run(t, "SELECT count(*), approx_distinct(p.id) FROM pq p JOIN js j ON p.id = j.id")),
		"_col0:bigint,_col1:bigint\n2|2"; got != want {
		t.Errorf("join:\n%s\nwant:\n%s", got, want)
	}
}

func TestPartitionPruning(t *testing.T) {
	env := newEnv(t)
	for _, dt := range []string{"2024-01-01", "2024-01-02", "2024-01-03"} {
		for _, region := range []string{"eu", "us"} {
			env.put(t, "ev/dt="+dt+"/region="+region+"/f.parquet", parquet(t, "SELECT i AS n FROM range(10) r(i)"))
		}
	}
	env.run(t, `CREATE EXTERNAL TABLE ev (n bigint) PARTITIONED BY (dt string, region string) STORED AS PARQUET LOCATION 's3://data/ev/'`)
	if got := env.run(t, "SELECT count(*) FROM ev").Rows[0][0].Value; got != "0" {
		t.Fatalf("before MSCK: %s rows, want 0", got)
	}
	if res := env.run(t, "MSCK REPAIR TABLE ev"); res.UpdateCount != 6 {
		t.Fatalf("MSCK added %d partitions, want 6", res.UpdateCount)
	}
	all := env.run(t, "SELECT count(*), sum(n) FROM ev")
	if table(all) != "_col0:bigint,_col1:bigint\n60|270" {
		t.Fatalf("all: %s", table(all))
	}
	one := env.run(t, "SELECT count(*), min(dt), max(region) FROM ev WHERE dt = '2024-01-02' AND ev.region IN ('eu') AND n > 4")
	if got := table(one); got != "_col0:bigint,_col1:varchar,_col2:varchar\n5|2024-01-02|eu" {
		t.Errorf("pruned: %s", got)
	}
	if one.Stats.FilesScanned != 1 || one.Stats.DataScannedBytes*6 != all.Stats.DataScannedBytes {
		t.Errorf("pruned scan %+v, all %+v: want 1 file of 6", one.Stats, all.Stats)
	}
	rng := env.run(t, "SELECT count(*) FROM ev WHERE dt BETWEEN '2024-01-02' AND '2024-01-03' OR n = 1")
	if rng.Stats.FilesScanned != 6 {
		t.Errorf("an OR at the top must not prune: %+v", rng.Stats)
	}
	rng = env.run(t, "SELECT count(*) FROM ev WHERE (dt BETWEEN '2024-01-02' AND '2024-01-03') AND '2024-01-03' > dt")
	if rng.Stats.FilesScanned != 2 || rng.Rows[0][0].Value != "20" {
		t.Errorf("range: %s %+v", table(rng), rng.Stats)
	}
	env.run(t, "ALTER TABLE ev DROP PARTITION (dt='2024-01-01', region='eu')")
	if got := table(env.run(t, "SHOW PARTITIONS ev")); !strings.HasPrefix(got, "partition:string\ndt=2024-01-01/region=us\n") {
		t.Errorf("show partitions: %s", got)
	}
}

func TestDDL(t *testing.T) {
	env := newEnv(t)
	env.run(t, "CREATE DATABASE sales COMMENT 'x'")
	env.run(t, "CREATE DATABASE IF NOT EXISTS sales")
	if _, err := env.eng.Run(context.Background(), "CREATE DATABASE sales", ""); !errors.Is(err, ErrAlreadyExists) {
		t.Errorf("second create: %v", err)
	}
	if got := table(env.run(t, "SHOW DATABASES")); got != "database_name:string\ndefault\nsales" {
		t.Errorf("show databases: %s", got)
	}
	env.run(t, `CREATE EXTERNAL TABLE IF NOT EXISTS sales.orders (
		id bigint COMMENT 'order id',
		amount decimal(10,2),
		items array<struct<sku:string,qty:int>>,
		attrs map<string,string>
	) PARTITIONED BY (year int) ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
	STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
	OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
	LOCATION 's3://data/orders/' TBLPROPERTIES ('classification'='parquet');`)
	tb, err := env.cat.GetTable("sales", "orders")
	if err != nil {
		t.Fatal(err)
	}
	if tb.StorageDescriptor.Columns[2].Type != "array<struct<sku:string,qty:int>>" || tb.PartitionKeys[0].Name != "year" || tb.Parameters["classification"] != "parquet" {
		t.Errorf("stored table: %+v", tb)
	}
	if got := table(env.run(t, "SHOW TABLES IN sales")); got != "tab_name:string\norders" {
		t.Errorf("show tables: %s", got)
	}
	desc := table(env.run(t, "DESCRIBE sales.orders"))
	if !strings.Contains(desc, "id                  \tbigint              \torder id") || !strings.Contains(desc, "# Partition Information") {
		t.Errorf("describe:\n%s", desc)
	}
	env.run(t, "DROP TABLE sales.orders")
	_, err = env.eng.Run(context.Background(), "SELECT * FROM sales.orders", "")
	var qe *Error
	if !errors.Is(err, ErrTableNotFound) || !errors.As(err, &qe) || qe.Error() != "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sales.orders' does not exist" {
		t.Errorf("missing table: %v", err)
	}
	_, err = env.eng.Run(context.Background(), "SELECT * FORM t", "")
	if !errors.Is(err, ErrSyntax) {
		t.Errorf("syntax: %v", err)
	}
	_, err = env.eng.Run(context.Background(), "SELECT * FROM read_csv('/etc/passwd')", "")
	if err == nil {
		t.Errorf("reading outside the lake succeeded")
	}
}

func TestCancel(t *testing.T) {
	env := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := env.eng.Run(ctx, "SELECT count(*) FROM range(10000000000) a(x) WHERE x % 7 = 3", "")
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
	// The engine still answers afterwards.
	if got := env.run(t, "SELECT 1").Rows[0][0].Value; got != "1" {
		t.Errorf("after cancel: %s", got)
	}
}
