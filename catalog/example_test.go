package catalog_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/caudal/caudal/catalog"
)

// A writer that lands files in the lake (Firehose delivery, CTAS)
// registers the partitions it wrote; partitions that already exist are
// fine, so it ignores ErrAlreadyExists per entry. A reader (the SQL
// engine) prunes partitions with an expression typed by the keys.
func Example() {
	dir, _ := os.MkdirTemp("", "catalog-example-")
	defer os.RemoveAll(dir)
	c, err := catalog.Open(catalog.Config{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	c.CreateDatabase(catalog.Database{Name: "Web"})
	c.CreateTable("web", catalog.Table{
		Name:       "clicks",
		TableType:  catalog.TableTypeExternal,
		Parameters: map[string]string{"classification": "parquet"},
		StorageDescriptor: &catalog.StorageDescriptor{
			Columns:  []catalog.Column{{Name: "url", Type: "string"}, {Name: "ms", Type: "bigint"}},
			Location: "s3://lake/clicks/",
		},
		PartitionKeys: []catalog.Column{{Name: "year", Type: "int"}, {Name: "day", Type: "string"}},
	})

	var parts []catalog.Partition
	for _, v := range [][]string{{"2024", "2024-12-31"}, {"2025", "2025-01-01"}, {"2025", "2025-01-02"}} {
		parts = append(parts, catalog.Partition{
			Values:            v,
			StorageDescriptor: &catalog.StorageDescriptor{Location: "s3://lake/clicks/year=" + v[0] + "/day=" + v[1] + "/"},
		})
	}
	for range 2 { // the second round finds them all there
		errs, err := c.CreatePartitions("web", "clicks", parts)
		if err != nil {
			log.Fatal(err) // the table is gone, or storage failed
		}
		for i, e := range errs {
			if e != nil && !errors.Is(e, catalog.ErrAlreadyExists) {
				log.Fatalf("partition %v: %v", parts[i].Values, e)
			}
		}
	}

	ps, _, err := c.GetPartitions("web", "clicks", catalog.PartitionQuery{Expression: "year >= 2025 AND day <> '2025-01-01'"})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range ps {
		fmt.Println(p.Values, p.StorageDescriptor.Location)
	}

	_, err = c.GetTable("web", "nope")
	fmt.Println(errors.Is(err, catalog.ErrTableNotFound), err)
	// Output:
	// [2025 2025-01-02] s3://lake/clicks/year=2025/day=2025-01-02/
	// true Table nope not found.
}
