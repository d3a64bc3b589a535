package query

import (
	"context"
	"testing"
)

// TestParquetSchemaEvolution: a table column that some Parquet files lack
// reads as NULL for their rows, as Athena reads Parquet by name, in plain
// and partitioned tables; column names match case-insensitively.
func TestParquetSchemaEvolution(t *testing.T) {
	env := newEnv(t)
	env.put(t, "evo/old.parquet", parquet(t, "SELECT 1 AS id, 'a' AS name"))
	env.put(t, "evo/new.parquet", parquet(t, "SELECT 2 AS id, 'b' AS name, 7.5 AS Score"))
	env.run(t, `CREATE EXTERNAL TABLE evo (id int, name string, score double, added string) STORED AS PARQUET LOCATION 's3://data/evo/'`)
	if got, want := table(env.run(t, "SELECT id, name, score, added FROM evo ORDER BY id")),
		"id:integer,name:varchar,score:double,added:varchar\n1|a|∅|∅\n2|b|7.5|∅"; got != want {
		t.Errorf("plain table:\n%s\nwant:\n%s", got, want)
	}

	env.put(t, "pevo/dt=1/f.parquet", parquet(t, "SELECT 10 AS n"))
	env.put(t, "pevo/dt=2/f.parquet", parquet(t, "SELECT 20 AS n, 'x' AS extra"))
	env.run(t, `CREATE EXTERNAL TABLE pevo (n int, extra string) PARTITIONED BY (dt int) STORED AS PARQUET LOCATION 's3://data/pevo/'`)
	env.run(t, "MSCK REPAIR TABLE pevo")
	if got, want := table(env.run(t, "SELECT dt, n, extra FROM pevo ORDER BY dt")),
		"dt:integer,n:integer,extra:varchar\n1|10|∅\n2|20|x"; got != want {
		t.Errorf("partitioned table:\n%s\nwant:\n%s", got, want)
	}
	// Twice: the second answer comes from the column cache and must agree.
	if got, want := table(env.run(t, "SELECT count(extra), count(*) FROM pevo")), "_col0:bigint,_col1:bigint\n1|2"; got != want {
		t.Errorf("cached:\n%s\nwant:\n%s", got, want)
	}

	// A file that is not Parquet fails the query with Athena's code, not a 500.
	env.put(t, "bad/f.parquet", []byte("not parquet at all"))
	env.run(t, `CREATE EXTERNAL TABLE bad (id int) STORED AS PARQUET LOCATION 's3://data/bad/'`)
	_, err := env.eng.Run(context.Background(), "SELECT * FROM bad", "default")
	if qe, ok := err.(*Error); !ok || qe.Code != "HIVE_CANNOT_OPEN_SPLIT" {
		t.Errorf("a non-Parquet file: %v, want HIVE_CANNOT_OPEN_SPLIT", err)
	}
}
