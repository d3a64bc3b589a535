package catalog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func openTest(t testing.TB, dir string) *Catalog {
	t.Helper()
	c, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// partitioned is a table partitioned by year (int), month (string) and
// region (string).
func partitioned(name string) Table {
	return Table{
		Name:      name,
		TableType: TableTypeExternal,
		Parameters: map[string]string{
			"classification": "parquet",
		},
		StorageDescriptor: &StorageDescriptor{
			Columns:      []Column{{Name: "id", Type: "bigint"}, {Name: "payload", Type: "struct<a:int,b:array<string>>", Comment: "raw"}},
			Location:     "s3://lake/events/",
			InputFormat:  "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
			OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
			SerdeInfo:    &SerDeInfo{SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", Parameters: map[string]string{"serialization.format": "1"}},
		},
		PartitionKeys: []Column{{Name: "year", Type: "int"}, {Name: "Month", Type: "string"}, {Name: "region", Type: "string"}},
	}
}

func mustKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want kind %v", err, kind)
	}
}

func TestDatabaseCRUD(t *testing.T) {
	c := openTest(t, t.TempDir())
	if err := c.CreateDatabase(Database{Name: "Sales", Description: "d", LocationURI: "s3://lake/sales", Parameters: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	mustKind(t, c.CreateDatabase(Database{Name: "SALES"}), ErrAlreadyExists)
	db, err := c.GetDatabase("sAlEs")
	if err != nil {
		t.Fatal(err)
	}
	if db.Name != "sales" || db.Description != "d" || db.LocationURI != "s3://lake/sales" || db.Parameters["k"] != "v" || db.CreateTime.IsZero() {
		t.Fatalf("got %+v", db)
	}
	_, err = c.GetDatabase("nope")
	mustKind(t, err, ErrDatabaseNotFound)
	if err.Error() != "Database nope not found." {
		t.Errorf("message %q", err.Error())
	}
	if err := c.UpdateDatabase("Sales", Database{Name: "sales", Description: "new"}); err != nil {
		t.Fatal(err)
	}
	db2, _ := c.GetDatabase("sales")
	if db2.Description != "new" || !db2.CreateTime.Equal(db.CreateTime) || db2.LocationURI != "" {
		t.Fatalf("after update %+v", db2)
	}
	mustKind(t, c.UpdateDatabase("sales", Database{Name: "other"}), ErrInvalidInput)
	mustKind(t, c.UpdateDatabase("missing", Database{}), ErrDatabaseNotFound)
	mustKind(t, c.CreateDatabase(Database{}), ErrInvalidInput)
	mustKind(t, c.DeleteDatabase("missing"), ErrDatabaseNotFound)
	if err := c.DeleteDatabase("SALES"); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDatabase("sales")
	mustKind(t, err, ErrDatabaseNotFound)
}

func TestListDatabasesPaging(t *testing.T) {
	c := openTest(t, t.TempDir())
	for i := range 25 {
		if err := c.CreateDatabase(Database{Name: fmt.Sprintf("db%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := Page{MaxResults: 10}
	pages := 0
	for {
		dbs, next, err := c.ListDatabases(p)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range dbs {
			names = append(names, d.Name)
		}
		if next == "" {
			break
		}
		p.NextToken = next
	}
	if pages != 3 || len(names) != 25 || !slices.IsSorted(names) || names[0] != "db00" {
		t.Fatalf("pages %d names %v", pages, names)
	}
	_, _, err := c.ListDatabases(Page{NextToken: "!!garbage"})
	mustKind(t, err, ErrInvalidInput)
	// Exactly one full page: no token.
	dbs, next, err := c.ListDatabases(Page{MaxResults: 25})
	if err != nil || len(dbs) != 25 || next != "" {
		t.Fatalf("full page: %d %q %v", len(dbs), next, err)
	}
}

func TestTableCRUDAndCascade(t *testing.T) {
	c := openTest(t, t.TempDir())
	mustKind(t, c.CreateTable("nodb", partitioned("t")), ErrDatabaseNotFound)
	if err := c.CreateDatabase(Database{Name: "db"}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateTable("DB", partitioned("Events")); err != nil {
		t.Fatal(err)
	}
	mustKind(t, c.CreateTable("db", partitioned("EVENTS")), ErrAlreadyExists)
	tb, err := c.GetTable("db", "events")
	if err != nil {
		t.Fatal(err)
	}
	if tb.Name != "events" || tb.DatabaseName != "db" || tb.VersionID != "0" || tb.StorageDescriptor.SerdeInfo.Parameters["serialization.format"] != "1" ||
		tb.PartitionKeys[1].Name != "month" || tb.StorageDescriptor.Columns[1].Type != "struct<a:int,b:array<string>>" {
		t.Fatalf("got %+v", tb)
	}
	_, err = c.GetTable("db", "missing")
	mustKind(t, err, ErrTableNotFound)
	if err.Error() != "Table missing not found." {
		t.Errorf("message %q", err.Error())
	}
	_, err = c.GetTable("nodb", "events")
	mustKind(t, err, ErrDatabaseNotFound)

	up := partitioned("events")
	up.Description = "v2"
	time.Sleep(2 * time.Millisecond)
	if err := c.UpdateTable("db", up); err != nil {
		t.Fatal(err)
	}
	tb2, _ := c.GetTable("db", "events")
	if tb2.Description != "v2" || tb2.VersionID != "1" || !tb2.CreateTime.Equal(tb.CreateTime) || !tb2.UpdateTime.After(tb.UpdateTime) {
		t.Fatalf("after update %+v", tb2)
	}
	mustKind(t, c.UpdateTable("db", partitioned("nope")), ErrTableNotFound)
	bad := partitioned("dup")
	bad.PartitionKeys = append(bad.PartitionKeys, Column{Name: "YEAR", Type: "int"})
	mustKind(t, c.CreateTable("db", bad), ErrInvalidInput)

	// Partitions go with their table, tables with their database.
	if err := c.CreatePartition("db", "events", Partition{Values: []string{"2024", "01", "eu"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateTable("db", partitioned("other")); err != nil {
		t.Fatal(err)
	}
	if err := c.CreatePartition("db", "other", Partition{Values: []string{"2024", "01", "eu"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteTable("db", "EVENTS"); err != nil {
		t.Fatal(err)
	}
	mustKind(t, c.DeleteTable("db", "events"), ErrTableNotFound)
	if err := c.CreateTable("db", partitioned("events")); err != nil {
		t.Fatal(err)
	}
	if ps, _, _ := c.GetPartitions("db", "events", PartitionQuery{}); len(ps) != 0 {
		t.Fatalf("recreated table has %d partitions left from the deleted one", len(ps))
	}
	if err := c.DeleteDatabase("db"); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateDatabase(Database{Name: "db"}); err != nil {
		t.Fatal(err)
	}
	if ts, _, _ := c.ListTables("db", "", Page{}); len(ts) != 0 {
		t.Fatalf("recreated database has tables %v", ts)
	}
	if err := c.CreateTable("db", partitioned("other")); err != nil {
		t.Fatal(err)
	}
	if ps, _, _ := c.GetPartitions("db", "other", PartitionQuery{}); len(ps) != 0 {
		t.Fatalf("cascade left %d partitions", len(ps))
	}
}

func TestListTablesPattern(t *testing.T) {
	c := openTest(t, t.TempDir())
	c.CreateDatabase(Database{Name: "db"})
	c.CreateDatabase(Database{Name: "db2"})
	for _, n := range []string{"sales_2023", "sales_2024", "orders", "Customers", "x"} {
		if err := c.CreateTable("db", Table{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	c.CreateTable("db2", Table{Name: "sales_other_db"})
	cases := []struct {
		pattern string
		want    []string
	}{
		{"", []string{"customers", "orders", "sales_2023", "sales_2024", "x"}},
		{"sales*", []string{"sales_2023", "sales_2024"}},
		{"sales.*", []string{"sales_2023", "sales_2024"}},
		{"SALES_2024", []string{"sales_2024"}},
		{"orders|customers", []string{"customers", "orders"}},
		{"*or*", []string{"orders"}},
		{"sales", nil},
	}
	for _, tc := range cases {
		ts, _, err := c.ListTables("db", tc.pattern, Page{})
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		var got []string
		for _, tb := range ts {
			got = append(got, tb.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("pattern %q: got %v want %v", tc.pattern, got, tc.want)
		}
	}
	_, _, err := c.ListTables("db", "(", Page{})
	mustKind(t, err, ErrInvalidInput)
	_, _, err = c.ListTables("nodb", "", Page{})
	mustKind(t, err, ErrDatabaseNotFound)
	// Paging with a filter.
	var got []string
	p := Page{MaxResults: 1}
	for {
		ts, next, err := c.ListTables("db", "sales*|x", p)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range ts {
			got = append(got, tb.Name)
		}
		if next == "" {
			break
		}
		p.NextToken = next
	}
	if !slices.Equal(got, []string{"sales_2023", "sales_2024", "x"}) {
		t.Fatalf("paged filter got %v", got)
	}
}

func TestPartitions(t *testing.T) {
	c := openTest(t, t.TempDir())
	c.CreateDatabase(Database{Name: "db"})
	c.CreateTable("db", partitioned("ev"))
	_, err := c.CreatePartitions("db", "nope", []Partition{{Values: []string{"1"}}})
	mustKind(t, err, ErrTableNotFound)

	parts := []Partition{
		{Values: []string{"2024", "01", "eu"}, StorageDescriptor: &StorageDescriptor{Location: "s3://lake/events/year=2024/month=01/region=eu/"}, Parameters: map[string]string{"p": "1"}},
		{Values: []string{"2024", "02", "eu"}},
		{Values: []string{"2024", "01", "eu"}}, // duplicate within the batch
		{Values: []string{"2024"}},             // wrong arity
		{Values: []string{"2023", "12", "us\x00weird"}},
	}
	errs, err := c.CreatePartitions("db", "ev", parts)
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || errs[1] != nil || errs[4] != nil {
		t.Fatalf("errs %v", errs)
	}
	mustKind(t, errs[2], ErrAlreadyExists)
	mustKind(t, errs[3], ErrInvalidInput)
	if errs[2].Error() != "Partition already exists." {
		t.Errorf("message %q", errs[2])
	}

	p, err := c.GetPartition("DB", "EV", []string{"2024", "01", "eu"})
	if err != nil {
		t.Fatal(err)
	}
	if p.DatabaseName != "db" || p.TableName != "ev" || p.CreationTime.IsZero() || p.StorageDescriptor.Location != "s3://lake/events/year=2024/month=01/region=eu/" || p.Parameters["p"] != "1" {
		t.Fatalf("got %+v", p)
	}
	if _, err := c.GetPartition("db", "ev", []string{"2023", "12", "us\x00weird"}); err != nil {
		t.Fatalf("value with NUL: %v", err)
	}
	_, err = c.GetPartition("db", "ev", []string{"1999", "01", "eu"})
	mustKind(t, err, ErrPartitionNotFound)
	if err.Error() != "Cannot find partition." {
		t.Errorf("message %q", err)
	}

	got, err := c.BatchGetPartitions("db", "ev", [][]string{{"2024", "02", "eu"}, {"1", "2", "3"}, {"2024", "01", "eu"}})
	if err != nil || len(got) != 2 || got[0].Values[1] != "02" || got[1].Values[1] != "01" {
		t.Fatalf("batch get %v %v", got, err)
	}

	// Update in place, then move to new values.
	if err := c.UpdatePartition("db", "ev", []string{"2024", "02", "eu"}, Partition{Parameters: map[string]string{"x": "y"}}); err != nil {
		t.Fatal(err)
	}
	p2, _ := c.GetPartition("db", "ev", []string{"2024", "02", "eu"})
	if p2.Parameters["x"] != "y" || p2.Values[0] != "2024" {
		t.Fatalf("updated %+v", p2)
	}
	mustKind(t, c.UpdatePartition("db", "ev", []string{"2024", "02", "eu"}, Partition{Values: []string{"2024", "01", "eu"}}), ErrAlreadyExists)
	if err := c.UpdatePartition("db", "ev", []string{"2024", "02", "eu"}, Partition{Values: []string{"2024", "03", "eu"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPartition("db", "ev", []string{"2024", "02", "eu"})
	mustKind(t, err, ErrPartitionNotFound)
	mustKind(t, c.UpdatePartition("db", "ev", []string{"9", "9", "9"}, Partition{}), ErrPartitionNotFound)

	errs, err = c.DeletePartitions("db", "ev", [][]string{{"2024", "03", "eu"}, {"0", "0", "0"}})
	if err != nil || errs[0] != nil {
		t.Fatalf("delete %v %v", errs, err)
	}
	mustKind(t, errs[1], ErrPartitionNotFound)
	mustKind(t, c.DeletePartition("db", "ev", []string{"2024", "03", "eu"}), ErrPartitionNotFound)
	if err := c.DeletePartition("db", "ev", []string{"2024", "01", "eu"}); err != nil {
		t.Fatal(err)
	}
	ps, _, err := c.GetPartitions("db", "ev", PartitionQuery{})
	if err != nil || len(ps) != 1 {
		t.Fatalf("left %v %v", ps, err)
	}
}

func TestGetPartitionsPagingAndSegments(t *testing.T) {
	c := openTest(t, t.TempDir())
	c.CreateDatabase(Database{Name: "db"})
	c.CreateTable("db", Table{Name: "t", PartitionKeys: []Column{{Name: "n", Type: "int"}}})
	var parts []Partition
	for i := range 250 {
		parts = append(parts, Partition{Values: []string{fmt.Sprint(i)}})
	}
	if _, err := c.CreatePartitions("db", "t", parts); err != nil {
		t.Fatal(err)
	}
	collect := func(q PartitionQuery) map[string]bool {
		seen := map[string]bool{}
		for {
			ps, next, err := c.GetPartitions("db", "t", q)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) > q.MaxResults && q.MaxResults > 0 {
				t.Fatalf("page of %d > %d", len(ps), q.MaxResults)
			}
			for _, p := range ps {
				if seen[p.Values[0]] {
					t.Fatalf("partition %s twice", p.Values[0])
				}
				seen[p.Values[0]] = true
			}
			if next == "" {
				return seen
			}
			q.NextToken = next
		}
	}
	if got := collect(PartitionQuery{Page: Page{MaxResults: 7}}); len(got) != 250 {
		t.Fatalf("paged %d", len(got))
	}
	if got := collect(PartitionQuery{Expression: "n >= 100 AND n < 200", Page: Page{MaxResults: 9}}); len(got) != 100 {
		t.Fatalf("filtered paged %d", len(got))
	}
	all := map[string]bool{}
	for s := range 4 {
		for k := range collect(PartitionQuery{Segment: s, TotalSegments: 4, Page: Page{MaxResults: 50}}) {
			if all[k] {
				t.Fatalf("%s in two segments", k)
			}
			all[k] = true
		}
	}
	if len(all) != 250 {
		t.Fatalf("segments cover %d", len(all))
	}
	_, _, err := c.GetPartitions("db", "t", PartitionQuery{Segment: 4, TotalSegments: 4})
	mustKind(t, err, ErrInvalidInput)
	_, _, err = c.GetPartitions("db", "t", PartitionQuery{Page: Page{NextToken: encodeToken("\xff\xff\xff")}})
	mustKind(t, err, ErrInvalidInput)
	_, _, err = c.GetPartitions("db", "t", PartitionQuery{Expression: "nope = 1"})
	mustKind(t, err, ErrInvalidInput)
}

func TestDurableAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c.CreateDatabase(Database{Name: "db", Parameters: map[string]string{"a": "b"}})
	c.CreateTable("db", partitioned("ev"))
	c.CreatePartition("db", "ev", Partition{Values: []string{"2024", "01", "eu"}})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2 := openTest(t, dir)
	db, err := c2.GetDatabase("db")
	if err != nil || db.Parameters["a"] != "b" {
		t.Fatalf("db %+v %v", db, err)
	}
	tb, err := c2.GetTable("db", "ev")
	if err != nil || tb.Parameters["classification"] != "parquet" || len(tb.PartitionKeys) != 3 {
		t.Fatalf("table %+v %v", tb, err)
	}
	if _, err := c2.GetPartition("db", "ev", []string{"2024", "01", "eu"}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesUnknownFormat(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c.db.Update(func(tx *boltTx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte("99")) })
	c.Close()
	if _, err := Open(Config{Dir: dir}); err == nil {
		t.Fatal("opened a format-99 catalog")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentCreates(t *testing.T) {
	c := openTest(t, t.TempDir())
	c.CreateDatabase(Database{Name: "db"})
	c.CreateTable("db", Table{Name: "t", PartitionKeys: []Column{{Name: "k", Type: "string"}}})
	const workers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.CreateTable("db", Table{Name: "same"})
			// Every worker also adds its own partitions.
			for i := range 20 {
				if err := c.CreatePartition("db", "t", Partition{Values: []string{fmt.Sprintf("w%d-%d", w, i)}}); err != nil {
					t.Error(err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, ErrAlreadyExists):
				lost++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || lost != workers-1 {
		t.Fatalf("won %d lost %d", won, lost)
	}
	ps, _, err := c.GetPartitions("db", "t", PartitionQuery{})
	if err != nil || len(ps) != workers*20 {
		t.Fatalf("partitions %d %v", len(ps), err)
	}
}

func TestReturnedValuesAreCopies(t *testing.T) {
	c := openTest(t, t.TempDir())
	c.CreateDatabase(Database{Name: "db"})
	tb := partitioned("t")
	c.CreateTable("db", tb)
	tb.StorageDescriptor.Columns[0].Name = "changed"
	got, _ := c.GetTable("db", "t")
	if got.StorageDescriptor.Columns[0].Name != "id" {
		t.Fatal("caller's later change reached the catalog")
	}
	clone := got.StorageDescriptor.Clone()
	clone.SerdeInfo.Parameters["x"] = "y"
	if got.StorageDescriptor.SerdeInfo.Parameters["x"] != "" {
		t.Fatal("Clone shares SerDe parameters")
	}
}

func TestColumnNamesFoldedLikeGlue(t *testing.T) {
	c := openTest(t, t.TempDir())
	c.CreateDatabase(Database{Name: "db"})
	in := Table{
		Name: "T",
		StorageDescriptor: &StorageDescriptor{Columns: []Column{
			{Name: "UserId", Type: "bigint"},
			{Name: "Geo", Type: "struct<Lat:double,Lon:double>"},
		}},
		PartitionKeys: []Column{{Name: "Year", Type: "int"}},
	}
	if err := c.CreateTable("db", in); err != nil {
		t.Fatal(err)
	}
	if in.StorageDescriptor.Columns[0].Name != "UserId" || in.PartitionKeys[0].Name != "Year" {
		t.Fatal("CreateTable changed the caller's columns")
	}
	got, _ := c.GetTable("db", "t")
	cols := got.StorageDescriptor.Columns
	if cols[0].Name != "userid" || cols[1].Name != "geo" || cols[1].Type != "struct<Lat:double,Lon:double>" || got.PartitionKeys[0].Name != "year" {
		t.Fatalf("stored columns %+v keys %+v", cols, got.PartitionKeys)
	}
	// Keys differing only by case are the same key.
	dup := Table{Name: "d", PartitionKeys: []Column{{Name: "a"}, {Name: "A"}}}
	mustKind(t, c.CreateTable("db", dup), ErrInvalidInput)
	if err := c.CreatePartition("db", "t", Partition{Values: []string{"1"}, StorageDescriptor: &StorageDescriptor{Columns: []Column{{Name: "X"}}}}); err != nil {
		t.Fatal(err)
	}
	p, _ := c.GetPartition("db", "t", []string{"1"})
	if p.StorageDescriptor.Columns[0].Name != "x" {
		t.Fatalf("partition columns %+v", p.StorageDescriptor.Columns)
	}
}
