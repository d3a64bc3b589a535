package query

import (
	"context"
	"testing"
)

const benchSQL = `SELECT date_format(ts, '%Y-%m-%d') AS day, approx_distinct(user_id), count(*)
FROM db.events e JOIN db.users u ON e.uid = u.id
WHERE dt BETWEEN '2024-01-01' AND '2024-01-31' AND regexp_like(path, '^/api/')
GROUP BY 1 ORDER BY 1`

func BenchmarkTranslate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Translate(benchSQL); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunSmallQuery is the fixed cost of a query over a small table:
// translation, catalog lookup, lake listing, DuckDB and formatting.
func BenchmarkRunSmallQuery(b *testing.B) {
	env := newEnv(b)
	env.put(b, "small/f.parquet", parquet(b, "SELECT i AS id, 'n'||i AS name FROM range(10) r(i)"))
	env.run(b, `CREATE EXTERNAL TABLE small (id bigint, name string) STORED AS PARQUET LOCATION 's3://data/small/'`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.eng.Run(ctx, "SELECT name FROM small WHERE id = 3", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGroupBy1M is a GROUP BY over one million Parquet rows in the lake.
func BenchmarkGroupBy1M(b *testing.B) {
	env := newEnv(b)
	env.put(b, "big/f.parquet", parquet(b, "SELECT i AS id, i % 100 AS k, random() AS v FROM range(1000000) r(i)"))
	env.run(b, `CREATE EXTERNAL TABLE big (id bigint, k bigint, v double) STORED AS PARQUET LOCATION 's3://data/big/'`)
	ctx := context.Background()
	for b.Loop() {
		res, err := env.eng.Run(ctx, "SELECT k, count(*), avg(v) FROM big GROUP BY k", "")
		if err != nil || len(res.Rows) != 100 {
			b.Fatal(err)
		}
	}
}
