package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
)

// projectionEnv is a test env whose clock is fixed at 2024-01-05 10:30 UTC.
func projectionEnv(t *testing.T) *testEnv {
	env := newEnv(t)
	env.eng.cfg.Now = func() time.Time { return time.Date(2024, 1, 5, 10, 30, 0, 0, time.UTC) }
	return env
}

func (env *testEnv) mustFail(t *testing.T, q string) error {
	t.Helper()
	_, err := env.eng.Run(context.Background(), q, "")
	if err == nil {
		t.Fatalf("%s: succeeded, want an error", q)
	}
	return err
}

func TestProjectionDateDaily(t *testing.T) {
	env := projectionEnv(t)
	file := parquet(t, "SELECT i AS n FROM range(10) r(i)")
	size := int64(len(file))
	for _, day := range []string{"2024/01/01", "2024/01/02", "2024/01/03", "2024/01/05", "2024/01/07"} {
		env.put(t, "daily/"+day+"/f.parquet", file)
	}
	// The catalog's partitions are ignored once projection is on.
	env.run(t, `CREATE EXTERNAL TABLE daily (n bigint) PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://data/daily/'
		TBLPROPERTIES ('projection.enabled'='true', 'projection.dt.type'='date', 'projection.dt.format'='yyyy/MM/dd',
		'projection.dt.range'='2024/01/01,NOW', 'storage.location.template'='s3://data/daily/${dt}/')`)
	env.run(t, "ALTER TABLE daily ADD PARTITION (dt='2024/01/07') LOCATION 's3://data/daily/2024/01/07/'")

	all := env.run(t, "SELECT count(*), min(dt), max(dt) FROM daily")
	if got := table(all); got != "_col0:bigint,_col1:varchar,_col2:varchar\n40|2024/01/01|2024/01/05" {
		t.Errorf("all days up to NOW: %s", got)
	}
	if all.Stats.FilesScanned != 4 || all.Stats.DataScannedBytes != 4*size {
		t.Errorf("all: %+v, want 4 files of %d bytes", all.Stats, size)
	}
	two := env.run(t, "SELECT count(*) FROM daily WHERE dt BETWEEN '2024/01/02' AND '2024/01/03' AND n < 5")
	if two.Rows[0][0].Value != "10" || two.Stats.FilesScanned != 2 || two.Stats.DataScannedBytes != 2*size {
		t.Errorf("two days: %s %+v", table(two), two.Stats)
	}
	none := env.run(t, "SELECT count(*) FROM daily WHERE dt = '2024/01/04'")
	if none.Rows[0][0].Value != "0" || none.Stats.FilesScanned != 0 {
		t.Errorf("a day without files: %s %+v", table(none), none.Stats)
	}
}

func TestProjectionDateHourlyRelative(t *testing.T) {
	env := projectionEnv(t)
	file := parquet(t, "SELECT 1 AS n")
	for h := 5; h <= 11; h++ {
		env.put(t, "hourly/hr=2024-01-05-"+twoDigits(h)+"/f.parquet", file)
	}
	// Hive layout under the table location (no template); NOW is 10:30.
	env.run(t, `CREATE EXTERNAL TABLE hourly (n int) PARTITIONED BY (hr string) STORED AS PARQUET LOCATION 's3://data/hourly/'
		TBLPROPERTIES ('projection.enabled'='true', 'projection.hr.type'='date', 'projection.hr.format'='yyyy-MM-dd-HH',
		'projection.hr.range'='NOW-3HOURS,NOW', 'projection.hr.interval'='1', 'projection.hr.interval.unit'='HOURS')`)
	res := env.run(t, "SELECT hr FROM hourly ORDER BY hr")
	want := "hr:varchar\n2024-01-05-07\n2024-01-05-08\n2024-01-05-09\n2024-01-05-10"
	if got := table(res); got != want || res.Stats.FilesScanned != 4 {
		t.Errorf("NOW-3HOURS,NOW: %s %+v", got, res.Stats)
	}
	res = env.run(t, "SELECT hr FROM hourly WHERE hr >= '2024-01-05-09'")
	if res.Stats.FilesScanned != 2 {
		t.Errorf("hr >= 09: %s %+v", table(res), res.Stats)
	}
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

func TestProjectionIntegerEnum(t *testing.T) {
	env := projectionEnv(t)
	file := parquet(t, "SELECT 7 AS n")
	for _, p := range []string{"year=2021/month=03/region=eu", "year=2021/month=03/region=us", "year=2021/month=11/region=eu", "year=2022/month=01/region=eu", "year=2023/month=01/region=eu", "year=2021/month=03/region=ap"} {
		env.put(t, "ie/"+p+"/f.parquet", file)
	}
	env.run(t, `CREATE EXTERNAL TABLE ie (n int) PARTITIONED BY (year int, month string, region string) STORED AS PARQUET LOCATION 's3://data/ie/'
		TBLPROPERTIES ('projection.enabled'='true',
		'projection.year.type'='integer', 'projection.year.range'='2020,2022',
		'projection.month.type'='integer', 'projection.month.range'='1,12', 'projection.month.digits'='2',
		'projection.region.type'='enum', 'projection.region.values'='eu,us')`)
	all := env.run(t, "SELECT count(*) FROM ie")
	if all.Rows[0][0].Value != "4" || all.Stats.FilesScanned != 4 {
		t.Errorf("all (2023 and ap are outside the projection): %s %+v", table(all), all.Stats)
	}
	res := env.run(t, "SELECT year, month, region FROM ie WHERE year = 2021 AND region IN ('eu') ORDER BY month")
	if got := table(res); got != "year:integer,month:varchar,region:varchar\n2021|03|eu\n2021|11|eu" || res.Stats.FilesScanned != 2 {
		t.Errorf("year = 2021 AND region = eu: %s %+v", got, res.Stats)
	}
	res = env.run(t, "SELECT count(*) FROM ie WHERE year > 2021")
	if res.Rows[0][0].Value != "1" || res.Stats.FilesScanned != 1 {
		t.Errorf("year > 2021: %s %+v", table(res), res.Stats)
	}
}

func TestProjectionInjected(t *testing.T) {
	env := projectionEnv(t)
	file := parquet(t, "SELECT 1 AS n")
	for _, d := range []string{"a", "b", "it's"} {
		env.put(t, "inj/devices/"+d+"/f.parquet", file)
	}
	env.run(t, `CREATE EXTERNAL TABLE inj (n int) PARTITIONED BY (device string) STORED AS PARQUET LOCATION 's3://data/inj/'
		TBLPROPERTIES ('projection.enabled'='true', 'projection.device.type'='injected',
		'storage.location.template'='s3://data/inj/devices/${device}')`)
	res := env.run(t, "SELECT device, n FROM inj WHERE device = 'a'")
	if got := table(res); got != "device:varchar,n:integer\na|1" || res.Stats.FilesScanned != 1 {
		t.Errorf("device = 'a': %s %+v", got, res.Stats)
	}
	res = env.run(t, "SELECT count(*) FROM inj WHERE device IN ('a', 'it''s', 'zz') AND n = 1")
	if res.Rows[0][0].Value != "2" || res.Stats.FilesScanned != 2 {
		t.Errorf("IN: %s %+v", table(res), res.Stats)
	}
	const msg = "CONSTRAINT_VIOLATION: For the injected projected partition column device, the WHERE clause must contain only static equality conditions, and at least one such condition must be present."
	for _, q := range []string{"SELECT * FROM inj", "SELECT * FROM inj WHERE n = 1", "SELECT * FROM inj WHERE device = 'a' AND device > 'a'", "SELECT * FROM inj WHERE device = 'a' OR n = 1"} {
		err := env.mustFail(t, q)
		if err.Error() != msg || !errors.Is(err, ErrQuery) {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestProjectionErrors(t *testing.T) {
	env := projectionEnv(t)
	cases := []struct{ props, want string }{
		{`'projection.k.type'='integer', 'projection.k.range'='0,500000'`, "HIVE_EXCEEDED_PARTITION_LIMIT"},
		{`'projection.k.type'='date', 'projection.k.range'='2024-01,NOW', 'projection.k.format'='yyyy-MMM'`, `pattern letters "MMM"`},
		{`'projection.k.type'='date', 'projection.k.range'='NOW-1FORTNIGHT,NOW', 'projection.k.format'='yyyy-MM-dd'`, `unit "FORTNIGHT"`},
		{`'projection.k.type'='integer', 'projection.k.range'='1'`, "not two comma-separated integers"},
		{`'projection.k.type'='hash'`, `type "hash" is not one of`},
		{`'projection.k.type'='enum', 'projection.k.values'='a', 'storage.location.template'='s3://data/x/'`, "does not contain ${k}"},
	}
	for i, c := range cases {
		name := "bad" + twoDigits(i)
		env.run(t, "CREATE EXTERNAL TABLE "+name+" (n int) PARTITIONED BY (k string) STORED AS PARQUET LOCATION 's3://data/"+name+"/' TBLPROPERTIES ('projection.enabled'='true', "+c.props+")")
		err := env.mustFail(t, "SELECT * FROM "+name)
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.props, err, c.want)
		}
	}
	// A WHERE that narrows a large range makes it fit.
	res := env.run(t, "SELECT count(*) FROM bad00 WHERE k = '7'")
	if res.Rows[0][0].Value != "0" {
		t.Errorf("narrowed: %s", table(res))
	}
}

func TestJavaDateFormat(t *testing.T) {
	ts := time.Date(2024, 3, 9, 7, 5, 2, 0, time.UTC)
	for pattern, want := range map[string]string{
		"yyyy/MM/dd":             "2024/03/09",
		"yyyy-MM-dd-HH":          "2024-03-09-07",
		"yyyyMMdd'T'HHmmss":      "20240309T070502",
		"'year='yyyy'/it''s/'MM": "year=2024/it's/03",
	} {
		f, err := parseJavaDateFormat(pattern)
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		got := f.format(ts)
		if got != want {
			t.Errorf("%s: %q, want %q", pattern, got, want)
		}
		back, err := f.parse(got)
		if err != nil || f.format(back) != got {
			t.Errorf("%s: parse(%q) = %v, %v", pattern, got, back, err)
		}
	}
	for _, bad := range []string{"", "yyyy-M-d", "EEE", "'open"} {
		if _, err := parseJavaDateFormat(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	f, _ := parseJavaDateFormat("yyyy-MM-dd")
	for _, bad := range []string{"2024-02-30", "2024-1-01", "2024-01-01x", "abcd-01-01"} {
		if _, err := f.parse(bad); err == nil {
			t.Errorf("parse %q: accepted", bad)
		}
	}
}

// FuzzJavaDateFormat feeds hostile patterns and values (table properties
// arrive through the Glue API): parsing never panics, and whatever a
// format prints it parses back to the same text.
func FuzzJavaDateFormat(f *testing.F) {
	f.Add("yyyy/MM/dd", "2024/01/02", "-3DAYS")
	f.Add("yyyy-MM-dd-HH", "2024-01-02-03", "+1HOUR")
	f.Add("'y='yyyy'/''m'MM", "y=2024/'m01", "")
	f.Add("'", "''", "-")
	f.Fuzz(func(t *testing.T, pattern, value, offset string) {
		now := time.Date(2024, 1, 5, 10, 30, 0, 0, time.UTC)
		rel, err := relativeDate(offset, now)
		if err != nil {
			rel = now
		}
		layout, err := parseJavaDateFormat(pattern)
		if err != nil {
			return
		}
		text := layout.format(rel)
		back, err := layout.parse(text)
		if rel.Year() >= 0 && rel.Year() <= 9999 && (err != nil || layout.format(back) != text) {
			t.Fatalf("%q: %q parses to %v, %v", pattern, text, back, err)
		}
		if v, err := layout.parse(value); err == nil {
			_ = layout.format(v)
		}
		_, _, _ = dateRange(value, layout, now)
	})
}

// BenchmarkProjectHourlyYear projects a year of hourly partitions and
// filters them by a day's range, with no lake access.
func BenchmarkProjectHourlyYear(b *testing.B) {
	tr, err := translate("SELECT * FROM t WHERE hr BETWEEN '2024-06-01-00' AND '2024-06-01-23'")
	if err != nil {
		b.Fatal(err)
	}
	tbl := &catalog.Table{DatabaseName: "default", Name: "t",
		PartitionKeys: []catalog.Column{{Name: "hr", Type: "string"}},
		Parameters: map[string]string{"projection.enabled": "true", "projection.hr.type": "date",
			"projection.hr.format": "yyyy-MM-dd-HH", "projection.hr.range": "2024-01-01-00,2024-12-31-23",
			"projection.hr.interval.unit": "HOURS"}}
	e := &Engine{}
	for i := 0; i < b.N; i++ {
		parts, err := e.projectedPartitions(tbl, tr.refs[0])
		if err != nil || len(parts) != 24 {
			b.Fatalf("%d partitions, %v", len(parts), err)
		}
	}
}
