package catalog

import (
	"fmt"
	"testing"
)

// BenchmarkGetPartitionsExpression: a selective expression (one day of
// one region: 1 of 10,000) over a table of 10,000 partitions, as a query
// planner pruning partitions asks it.
func BenchmarkGetPartitionsExpression(b *testing.B) {
	c, err := Open(Config{Dir: b.TempDir(), NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	c.CreateDatabase(Database{Name: "db"})
	c.CreateTable("db", Table{Name: "ev", PartitionKeys: []Column{{Name: "dt", Type: "string"}, {Name: "region", Type: "string"}, {Name: "hour", Type: "int"}}})
	var parts []Partition
	for d := range 100 {
		for r := range 4 {
			for h := range 25 {
				parts = append(parts, Partition{
					Values:            []string{fmt.Sprintf("2024-%02d-%02d", d/28+1, d%28+1), fmt.Sprint("r", r), fmt.Sprint(h)},
					StorageDescriptor: &StorageDescriptor{Location: fmt.Sprintf("s3://lake/ev/dt=%d/region=%d/hour=%d/", d, r, h)},
				})
			}
		}
	}
	for i := 0; i < len(parts); i += 1000 {
		if _, err := c.CreatePartitions("db", "ev", parts[i:i+1000]); err != nil {
			b.Fatal(err)
		}
	}
	q := PartitionQuery{Expression: "dt = '2024-02-03' AND region = 'r2' AND hour BETWEEN 10 AND 10"}
	b.ResetTimer()
	for b.Loop() {
		ps, _, err := c.GetPartitions("db", "ev", q)
		if err != nil || len(ps) != 1 {
			b.Fatalf("%d partitions, %v", len(ps), err)
		}
	}
}

// BenchmarkCreatePartitionsBatch: one BatchCreatePartition of 100
// partitions (Glue's maximum), fsynced.
func BenchmarkCreatePartitionsBatch(b *testing.B) {
	c, err := Open(Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	c.CreateDatabase(Database{Name: "db"})
	c.CreateTable("db", Table{Name: "ev", PartitionKeys: []Column{{Name: "dt", Type: "string"}, {Name: "n", Type: "int"}}})
	batch := make([]Partition, 100)
	n := 0
	for b.Loop() {
		for i := range batch {
			batch[i] = Partition{Values: []string{"2024-01-01", fmt.Sprint(n)}, StorageDescriptor: &StorageDescriptor{Location: fmt.Sprint("s3://lake/ev/n=", n)}}
			n++
		}
		errs, err := c.CreatePartitions("db", "ev", batch)
		if err != nil || errs[0] != nil {
			b.Fatal(err, errs[0])
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "partitions/s")
}
