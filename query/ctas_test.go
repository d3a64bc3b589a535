package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/caudal/caudal/lake"
)

// source table "events" (id, name, score, dt) partitioned-by-dt source
// data, unpartitioned, in Parquet.
func ctasEnv(t *testing.T) *testEnv {
	env := newEnv(t)
	env.put(t, "src/part-0.parquet", parquet(t, "SELECT i AS id, 'n'||i AS name, i*0.5 AS score, CAST(DATE '2024-01-01' + CAST(i % 3 AS INTEGER) AS VARCHAR) AS dt FROM range(9) r(i)"))
	env.run(t, `CREATE EXTERNAL TABLE events (id bigint, name string, score double, dt string) STORED AS PARQUET LOCATION 's3://data/src/'`)
	return env
}

// ctasErr runs q and returns its *Error, failing when it succeeds.
func (env *testEnv) ctasErr(t *testing.T, q string) *Error {
	t.Helper()
	_, err := env.eng.Run(context.Background(), q, "")
	var qe *Error
	if !errors.As(err, &qe) {
		t.Fatalf("%s: want *Error, got %v", q, err)
	}
	return qe
}

// keys lists the lake keys under prefix.
func (env *testEnv) keys(t *testing.T, prefix string) []string {
	t.Helper()
	page, err := env.lake.List("data", lake.ListOptions{Prefix: prefix, MaxKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range page.Objects {
		out = append(out, o.Key)
	}
	return out
}

func TestCTASParquetUnpartitioned(t *testing.T) {
	env := ctasEnv(t)
	res := env.run(t, `CREATE TABLE copy WITH (external_location = 's3://data/copy/') AS SELECT id, name, score FROM events WHERE id < 5`)
	if res.StatementType != StatementDDL || res.UpdateCount != 5 {
		t.Errorf("CTAS result: %s, %d rows; want DDL, 5", res.StatementType, res.UpdateCount)
	}
	if res.Stats.DataScannedBytes == 0 {
		t.Error("CTAS scanned 0 bytes")
	}
	got := table(env.run(t, "SELECT * FROM copy ORDER BY id"))
	want := table(env.run(t, "SELECT id, name, score FROM events WHERE id < 5 ORDER BY id"))
	if got != want {
		t.Errorf("copy:\n%s\nwant:\n%s", got, want)
	}
	tbl, err := env.cat.GetTable("default", "copy")
	if err != nil {
		t.Fatal(err)
	}
	sd := tbl.StorageDescriptor
	if sd.Location != "s3://data/copy/" || sd.SerdeInfo.SerializationLibrary != parquetSerDe || sd.InputFormat != parquetInput {
		t.Errorf("storage: %+v %+v", sd, sd.SerdeInfo)
	}
	var types []string
	for _, c := range sd.Columns {
		types = append(types, c.Name+" "+c.Type)
	}
	if g := strings.Join(types, ", "); g != "id bigint, name string, score double" {
		t.Errorf("columns: %s", g)
	}
	if k := env.keys(t, "copy/"); len(k) != 1 {
		t.Errorf("files: %v", k)
	}
}

func TestCTASPartitioned(t *testing.T) {
	env := ctasEnv(t)
	res := env.run(t, `CREATE TABLE byday WITH (format = 'PARQUET', write_compression = 'SNAPPY', external_location = 's3://data/byday', partitioned_by = ARRAY['dt']) AS SELECT id, name, dt FROM events`)
	if res.UpdateCount != 9 {
		t.Errorf("UpdateCount %d, want 9", res.UpdateCount)
	}
	if got, want := table(env.run(t, "SELECT * FROM byday ORDER BY id")), table(env.run(t, "SELECT id, name, dt FROM events ORDER BY id")); got != want {
		t.Errorf("byday:\n%s\nwant:\n%s", got, want)
	}
	if got, want := table(env.run(t, "SHOW PARTITIONS byday")), "partition:string\ndt=2024-01-01\ndt=2024-01-02\ndt=2024-01-03"; got != want {
		t.Errorf("partitions:\n%s\nwant:\n%s", got, want)
	}
	for _, k := range env.keys(t, "byday/") {
		if !strings.HasPrefix(k, "byday/dt=2024-01-0") {
			t.Errorf("key %s is not under a dt=… prefix", k)
		}
	}
	// Pruning: one partition of three is read.
	all := env.run(t, "SELECT count(*) FROM byday")
	one := env.run(t, "SELECT id FROM byday WHERE dt = '2024-01-02' ORDER BY id")
	if got := table(one); got != "id:bigint\n1\n4\n7" {
		t.Errorf("pruned:\n%s", got)
	}
	if one.Stats.FilesScanned != 1 || all.Stats.FilesScanned != 3 {
		t.Errorf("files scanned: pruned %d, all %d; want 1, 3", one.Stats.FilesScanned, all.Stats.FilesScanned)
	}

	// INSERT INTO appends a new partition and rows to an existing one.
	ins := env.run(t, `INSERT INTO byday SELECT id + 100, name, '2024-02-01' FROM events WHERE id < 2`)
	if ins.StatementType != StatementDML || ins.UpdateCount != 2 {
		t.Errorf("INSERT: %s %d, want DML 2", ins.StatementType, ins.UpdateCount)
	}
	env.run(t, `INSERT INTO byday VALUES (200, 'v', '2024-01-01')`)
	if got := table(env.run(t, "SELECT id, dt FROM byday WHERE dt IN ('2024-02-01', '2024-01-01') ORDER BY id")); got != "id:bigint,dt:varchar\n0|2024-01-01\n3|2024-01-01\n6|2024-01-01\n100|2024-02-01\n101|2024-02-01\n200|2024-01-01" {
		t.Errorf("after insert:\n%s", got)
	}
	if got := table(env.run(t, "SHOW PARTITIONS byday")); !strings.Contains(got, "dt=2024-02-01") {
		t.Errorf("new partition not registered:\n%s", got)
	}
	// A column list: the others are NULL.
	env.run(t, `INSERT INTO byday (dt, id) SELECT '2024-03-01', 300`)
	if got := table(env.run(t, "SELECT id, name FROM byday WHERE dt = '2024-03-01'")); got != "id:bigint,name:varchar\n300|∅" {
		t.Errorf("column list insert:\n%s", got)
	}
	if e := env.ctasErr(t, `INSERT INTO byday SELECT 1, 'x'`); e.Code != "TYPE_MISMATCH" {
		t.Errorf("too few columns: %v", e)
	}
}

func TestCTASJSONAndText(t *testing.T) {
	env := ctasEnv(t)
	env.run(t, `CREATE TABLE js WITH (format = 'JSON', external_location = 's3://data/js/') AS SELECT id, name, [id, id + 1] AS pair FROM events WHERE id < 3`)
	if got := table(env.run(t, "SELECT id, name, element_at(pair, 2) FROM js ORDER BY id")); got != "id:bigint,name:varchar,_col2:bigint\n0|n0|1\n1|n1|2\n2|n2|3" {
		t.Errorf("json:\n%s", got)
	}
	tbl, _ := env.cat.GetTable("default", "js")
	if tbl.StorageDescriptor.SerdeInfo.SerializationLibrary != jsonSerDe || tbl.StorageDescriptor.Columns[2].Type != "array<bigint>" {
		t.Errorf("json table: %+v", tbl.StorageDescriptor)
	}
	for _, k := range env.keys(t, "js/") {
		if !strings.HasSuffix(k, ".gz") {
			t.Errorf("JSON file %s: want GZIP (Athena's default) with a .gz name", k)
		}
	}
	env.run(t, `CREATE TABLE txt WITH (format = 'TEXTFILE', field_delimiter = ',', write_compression = 'NONE', external_location = 's3://data/txt/') AS SELECT id, name FROM events WHERE id < 2`)
	if got := table(env.run(t, "SELECT * FROM txt ORDER BY id")); got != "id:bigint,name:varchar\n0|n0\n1|n1" {
		t.Errorf("text:\n%s", got)
	}
	obj, err := env.lake.GetObject("data", env.keys(t, "txt/")[0])
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	buf := make([]byte, 64)
	n, _ := obj.Body.Read(buf)
	if got := string(buf[:n]); got != "0,n0\n1,n1\n" {
		t.Errorf("text file: %q", got)
	}
}

func TestCTASRefusals(t *testing.T) {
	env := ctasEnv(t)
	env.run(t, `CREATE TABLE t1 WITH (external_location = 's3://data/t1/') AS SELECT id FROM events`)
	if e := env.ctasErr(t, `CREATE TABLE t1 WITH (external_location = 's3://data/t1b/') AS SELECT id FROM events`); e.Code != "ALREADY_EXISTS" || !errors.Is(e, ErrAlreadyExists) {
		t.Errorf("existing table: %v", e)
	}
	if res := env.run(t, `CREATE TABLE IF NOT EXISTS t1 WITH (external_location = 's3://data/t1c/') AS SELECT id FROM events`); res.UpdateCount != 0 {
		t.Errorf("IF NOT EXISTS wrote %d rows", res.UpdateCount)
	}
	if k := env.keys(t, "t1b/"); len(k)+len(env.keys(t, "t1c/")) != 0 {
		t.Errorf("refused CTAS wrote %v", k)
	}
	// The location must be empty.
	e := env.ctasErr(t, `CREATE TABLE t2 WITH (external_location = 's3://data/src/') AS SELECT id FROM events`)
	if e.Code != "HIVE_PATH_ALREADY_EXISTS" || !strings.Contains(e.Message, "Target directory for table 'default.t2' already exists: s3://data/src/") {
		t.Errorf("non-empty location: %v", e)
	}
	// Partition columns must come last, in order.
	if e := env.ctasErr(t, `CREATE TABLE t3 WITH (external_location = 's3://data/t3/', partitioned_by = ARRAY['dt']) AS SELECT dt, id FROM events`); e.Code != "INVALID_TABLE_PROPERTY" {
		t.Errorf("partition column not last: %v", e)
	}
	if _, err := env.cat.GetTable("default", "t3"); err == nil {
		t.Error("refused CTAS created its table")
	}
	// No location anywhere: refused, not guessed.
	if e := env.ctasErr(t, `CREATE TABLE t4 AS SELECT id FROM events`); e.Code != "INVALID_TABLE_PROPERTY" {
		t.Errorf("no location: %v", e)
	}
	// With the execution's result location, Athena's default place.
	ctx := WithExecution(context.Background(), "q1", "s3://data/results/")
	if _, err := env.eng.Run(ctx, `CREATE TABLE t5 AS SELECT id FROM events WHERE id = 1`, ""); err != nil {
		t.Fatal(err)
	}
	if k := env.keys(t, "results/tables/q1/"); len(k) != 1 || !strings.HasPrefix(k[0], "results/tables/q1/q1_") {
		t.Errorf("default location files: %v", k)
	}
	// WITH NO DATA: the table, no files.
	env.run(t, `CREATE TABLE t6 WITH (external_location = 's3://data/t6/') AS SELECT id, name FROM events WITH NO DATA`)
	if got := table(env.run(t, "SELECT * FROM t6")); got != "id:bigint,name:varchar" {
		t.Errorf("no data: %s", got)
	}
	// A failing query writes nothing and creates nothing.
	env.ctasErr(t, `CREATE TABLE t7 WITH (external_location = 's3://data/t7/') AS SELECT CAST(name AS integer) FROM events`)
	if _, err := env.cat.GetTable("default", "t7"); err == nil || len(env.keys(t, "t7/")) != 0 {
		t.Error("failed CTAS left a table or files")
	}
	if e := env.ctasErr(t, `CREATE TABLE t8 WITH (format = 'ORC', external_location = 's3://data/t8/') AS SELECT 1 AS x`); e.Code != "NOT_SUPPORTED" {
		t.Errorf("ORC: %v", e)
	}
}

func TestHiveType(t *testing.T) {
	for duck, want := range map[string]string{
		"VARCHAR": "string", "DECIMAL(10,2)": "decimal(10,2)", "INTEGER[]": "array<int>",
		"MAP(VARCHAR, INTEGER)": "map<string,int>", `STRUCT("x" INTEGER, "y b" VARCHAR[])`: "struct<x:int,y b:array<string>>",
		"TIMESTAMP WITH TIME ZONE": "timestamp",
	} {
		if got, err := hiveType(duck); err != nil || got != want {
			t.Errorf("hiveType(%s) = %s, %v; want %s", duck, got, err, want)
		}
	}
	if _, err := hiveType("INTERVAL"); err == nil {
		t.Error("INTERVAL accepted")
	}
	if got := escapePathName("a/b:c d"); got != "a%2Fb%3Ac d" {
		t.Errorf("escapePathName: %s", got)
	}
}

func TestInsertIntoPartitionElsewhere(t *testing.T) {
	env := newEnv(t)
	env.run(t, `CREATE EXTERNAL TABLE logs (msg string) PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://data/logs/'`)
	env.run(t, `ALTER TABLE logs ADD PARTITION (dt = 'old') LOCATION 's3://data/archive/old/'`)
	if res := env.run(t, `INSERT INTO logs VALUES ('a', 'old'), ('b', 'new'), ('c', NULL)`); res.UpdateCount != 3 {
		t.Errorf("UpdateCount %d, want 3", res.UpdateCount)
	}
	if k := env.keys(t, "archive/old/"); len(k) != 1 {
		t.Errorf("the registered partition's location holds %v; want the new file", k)
	}
	if k := env.keys(t, "logs/dt=new/"); len(k) != 1 {
		t.Errorf("new partition files %v", k)
	}
	if k := env.keys(t, "logs/dt="+hiveDefaultPartition+"/"); len(k) != 1 {
		t.Errorf("NULL partition files %v", k)
	}
	if got := table(env.run(t, "SELECT msg, dt FROM logs WHERE dt IN ('old', 'new') ORDER BY msg")); got != "msg:varchar,dt:varchar\na|old\nb|new" {
		t.Errorf("after insert:\n%s", got)
	}
}

// FuzzCTASStatement: any CREATE TABLE … AS text parses or fails with an
// *Error, never panics; the query text handed on tokenizes to the tokens
// written (comments aside), without a trailing WITH [NO] DATA; and the
// table it would create is consistent.
func FuzzCTASStatement(f *testing.F) {
	for _, s := range []string{
		"CREATE TABLE db.t WITH (format = 'PARQUET', partitioned_by = ARRAY['a', 'b'], external_location = 's3://b/p/') AS SELECT 1 AS x, 2 AS a, 3 AS b",
		"CREATE TABLE IF NOT EXISTS t AS SELECT * FROM u WITH NO DATA",
		"CREATE TABLE t WITH (format = 'TEXTFILE', field_delimiter = '\\t', write_compression = 'NONE') AS (SELECT 1) -- c",
		"CREATE TABLE t WITH (bucket_count = 4) AS VALUES 1", "CREATE TABLE t WITH (partitioned_by = ARRAY[]) AS",
		"CREATE TABLE t WITH ( AS", "CREATE TABLE t WITH DATA",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		check := func(err error) {
			var qe *Error
			if err != nil && !errors.As(err, &qe) {
				t.Fatalf("error is not *Error: %T %v", err, err)
			}
		}
		toks, err := tokenize(sql)
		if err != nil {
			check(err)
			return
		}
		p := newDDLParser(toks)
		if !p.accept("create", "table") {
			return
		}
		p.accept("if", "not", "exists")
		_, name, at, err := p.qualified()
		if err != nil {
			check(err)
			return
		}
		opts := ctasOptions{format: "parquet"}
		if p.accept("with") {
			if opts, err = p.ctasProperties(); err != nil {
				check(err)
				return
			}
		}
		if err := p.expect("as"); err != nil {
			check(err)
			return
		}
		start := p.i
		text, noData := p.remainder()
		again, err := tokenize(text)
		if err != nil {
			t.Fatalf("query text %q of %q does not tokenize: %v", text, sql, err)
		}
		var want, got []string
		for _, tk := range p.toks[start : len(p.toks)-1] {
			want = append(want, tk.text)
		}
		for _, tk := range newDDLParser(again).toks {
			if tk.kind != tokEOF {
				got = append(got, tk.text)
			}
		}
		if trailer := len(want) - len(got); trailer != 0 && !(noData && trailer == 3) && trailer != 2 {
			t.Fatalf("query text %q of %q: tokens %q, want %q", text, sql, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("query text %q of %q: tokens %q, want %q", text, sql, got, want)
			}
		}
		tbl, spec, err := ctasTable(name, opts, at)
		check(err)
		if err == nil && (tbl.StorageDescriptor.SerdeInfo.SerializationLibrary == "" || spec.format == "") {
			t.Fatalf("table %+v spec %+v", tbl, spec)
		}
	})
}

func FuzzHiveType(f *testing.F) {
	for _, s := range []string{"INTEGER[]", `STRUCT("a" MAP(VARCHAR, INTEGER[]), b DECIMAL(3,1))`, "MAP(", `STRUCT("`, "[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, duck string) {
		h, err := hiveType(duck)
		if err == nil && h == "" {
			t.Fatalf("hiveType(%q) is empty", duck)
		}
		escapePathName(duck)
	})
}

// BenchmarkCTASPartitioned writes 100,000 rows into 10 Parquet partitions
// per iteration (materialize, one COPY per partition, upload, catalog).
func BenchmarkCTASPartitioned(b *testing.B) {
	env := newEnv(b)
	env.put(b, "src/part-0.parquet", parquet(b, "SELECT i AS id, 'n'||i AS name, CAST(i % 10 AS VARCHAR) AS k FROM range(100000) r(i)"))
	env.run(b, `CREATE EXTERNAL TABLE src (id bigint, name string, k string) STORED AS PARQUET LOCATION 's3://data/src/'`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := env.run(b, fmt.Sprintf(`CREATE TABLE t%d WITH (external_location = 's3://data/t%d/', partitioned_by = ARRAY['k']) AS SELECT * FROM src`, i, i))
		if res.UpdateCount != 100000 {
			b.Fatalf("UpdateCount %d", res.UpdateCount)
		}
	}
}
