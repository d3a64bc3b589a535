package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caudal/caudal/delivery/columnar"
)

// TestE2EAthenaParquetUpload: a Parquet file that DuckDB did not write
// (caudal's own writer, package delivery/columnar, the one Firehose uses)
// goes up through the S3 API with boto3's upload_file as a multipart
// upload, and Athena's SQL reads it back: types, nested values, a column
// the file lacks; and a partitioned table declared with DDL, its
// partitions found by MSCK REPAIR TABLE and added and dropped by ALTER
// TABLE, a WHERE on the partition column reading only that partition.
func TestE2EAthenaParquetUpload(t *testing.T) {
	const rows = 100000
	dir := t.TempDir()
	path := filepath.Join(dir, "events.parquet")
	writeEventsParquet(t, path, rows)
	// Three days of a partitioned table, 1,000 rows each (dt=2026-01-0N/).
	for day := 1; day <= 3; day++ {
		writeEventsParquet(t, filepath.Join(dir, fmt.Sprintf("day%d.parquet", day)), 1000*day)
	}
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "athena_parquet.py", path, fmt.Sprint(rows), dir)
		checkVersion(t, g, res)
		if parts := resNum(t, res, "parts"); parts < 2 {
			t.Errorf("upload_file sent %v parts, want a multipart upload of several", parts)
		}
	})
}

// writeEventsParquet writes rows events: id i, name user<i%1000>, amount
// i/2, ts 2026-01-02T03:04:05Z + i s, tags [t<i%10>, x], address {city
// c<i%10>, zip i%100}, and an incompressible note so the file spans
// several 5 MiB parts.
func writeEventsParquet(t *testing.T, path string, rows int) {
	t.Helper()
	conv, err := columnar.New(columnar.Options{Columns: []columnar.Column{
		{Name: "id", Type: "bigint"}, {Name: "name", Type: "string"}, {Name: "amount", Type: "double"},
		{Name: "ts", Type: "timestamp"}, {Name: "tags", Type: "array<string>"},
		{Name: "address", Type: "struct<city:string,zip:int>"}, {Name: "note", Type: "string"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	recs := make([][]byte, rows)
	for i := range recs {
		sum := sha256.Sum256([]byte(fmt.Sprint(i)))
		recs[i] = fmt.Appendf(nil, `{"id":%d,"name":"user%d","amount":%g,"ts":"%s","tags":["t%d","x"],"address":{"city":"c%d","zip":%d},"note":"%s"}`,
			i, i%1000, float64(i)/2, base.Add(time.Duration(i)*time.Second).Format("2006-01-02 15:04:05"), i%10, i%10, i%100, hex.EncodeToString(sum[:]))
	}
	var buf bytes.Buffer
	n, failed, err := conv.Convert(recs, &buf)
	if err != nil || n != rows || len(failed) != 0 {
		t.Fatalf("columnar.Convert: %d rows, %d failed (%v), err %v", n, len(failed), failed[:min(len(failed), 3)], err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
