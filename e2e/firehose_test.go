package e2e

// Firehose delivery against a real server process, held to AWS's
// documented behaviour (the Firehose developer guide and API reference,
// botocore's firehose/2015-08-04 model): boto3 of both generations drives
// the API through scripts/firehose_delivery.py, and the Go side reads what
// landed in the lake through the S3 API — object names, prefixes, the
// compression formats, Parquet read by DuckDB, the error-record format —
// and that the delivery streams survive a kill -9. The AWS CLI (v1, v2)
// lists, describes and puts.

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/duckdb/duckdb-go/v2"
)

// deliveryTimeout bounds the wait for records to reach the lake. The
// tests' buffering hints flush within a second or two; a loaded 2-core
// machine gets generous slack.
const deliveryTimeout = 90 * time.Second

// waitLines polls bucket/prefix (keys filtered by keep, if not nil) until
// the decoded objects hold at least len(want) records, then requires
// exactly want (as a multiset: no loss, no duplicate, nothing foreign).
// It returns the objects it read.
func waitLines(t *testing.T, c *s3.Client, bucket, prefix, format string, want []string, keep func(string) bool) []lakeObject {
	t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	for {
		var objs []lakeObject
		var got []string
		for _, o := range readObjects(t, c, bucket, prefix) {
			if keep != nil && !keep(o.Key) {
				continue
			}
			b, err := decodeDelivered(format, o.Body)
			if err != nil {
				t.Fatalf("object %s/%s (%s): %v", bucket, o.Key, format, err)
			}
			if len(b) > 0 && b[len(b)-1] != '\n' {
				t.Errorf("object %s/%s does not end with a whole record (ends %q)", bucket, o.Key, truncate(b[max(0, len(b)-40):], 40))
			}
			objs = append(objs, o)
			got = append(got, splitLines(b)...)
		}
		if len(got) >= len(want) || time.Now().After(deadline) {
			missing, extra := sameMultiset(got, want)
			if len(missing) > 0 || len(extra) > 0 {
				t.Fatalf("s3://%s/%s (%s): %d records in %d objects, want %d; %d missing (first %q), %d unexpected (first %q)",
					bucket, prefix, format, len(got), len(objs), len(want), len(missing), firstN(missing, 3), len(extra), firstN(extra, 3))
			}
			return objs
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// numbered is the records "<prefix>-<i>\n" for i in [from, from+n).
func numbered(prefix string, from, n int) []string {
	var out []string
	for i := from; i < from+n; i++ {
		out = append(out, fmt.Sprintf("%s-%d\n", prefix, i))
	}
	return out
}

func unixTime(t *testing.T, res map[string]any, key string) time.Time {
	t.Helper()
	f := resNum(t, res, key)
	return time.Unix(0, int64(f*1e9))
}

func TestE2EFirehoseDirectPutBoto3(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "firehose_delivery.py", "direct")
		checkVersion(t, g, res)
		t0 := unixTime(t, res, "t0")
		t.Logf("501 records: %v; 5 MB batch: %v", res["too_many"], res["too_big_batch"])
		c := s.S3Client(t)
		buckets, _ := res["buckets"].(map[string]any)
		bucket := func(k string) string { b, _ := buckets[k].(string); return b }

		// The default prefix YYYY/MM/dd/HH/ and AWS's object names.
		direct, _ := res["direct"].(map[string]any)
		name, _ := direct["name"].(string)
		objs := waitLines(t, c, bucket("direct"), "", "", numbered("direct", 0, 750), nil)
		for _, o := range objs {
			if v := checkObjectKey(t, o.Key, "", true, name, "", t0, time.Now()); v != "" && v != "1" {
				t.Errorf("object %s: stream version %s in its name, want 1", o.Key, v)
			}
		}
		t.Logf("direct put: 750 records in %d objects", len(objs))

		// Buffering: records of several calls share objects (LocalStack
		// writes one object per put).
		if len(objs) > 3 {
			t.Errorf("750 records put in 3 calls landed in %d objects: no buffering", len(objs))
		}

		// A custom prefix: custom/!{timestamp:yyyy/MM/dd}/ evaluated in
		// UTC, !{firehose:random-string} an 11-character random string,
		// nothing added between the prefix and the name.
		custom, _ := res["custom"].(map[string]any)
		cname, _ := custom["name"].(string)
		objs = waitLines(t, c, bucket("custom"), "", "", numbered("custom", 0, 100), nil)
		dayRE := regexp.MustCompile(`^custom/(\d{4}/\d{2}/\d{2})/r=[0-9A-Za-z]{11}/`)
		for _, o := range objs {
			m := dayRE.FindStringSubmatch(o.Key)
			if m == nil {
				t.Errorf("object %q is not under custom/yyyy/MM/dd/r=<11-character random string>/", o.Key)
				continue
			}
			day, _ := time.Parse("2006/01/02", m[1])
			if day.Before(t0.UTC().Truncate(24*time.Hour)) || day.After(time.Now().UTC()) {
				t.Errorf("object %q: day %s is not the day the records arrived", o.Key, m[1])
			}
			checkObjectKey(t, o.Key, m[0], false, cname, "", t0, time.Now())
		}
		if errs := listAllKeys(t, c, bucket("custom"), "errors/"); len(errs) > 0 {
			t.Errorf("error objects for a stream without failures: %v", errs)
		}

		// Every compression format decodes to exactly what was put, with
		// AWS's extension, under the literal prefix plus the time prefix.
		comp, _ := res["comp"].(map[string]any)
		for _, format := range []string{"GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"} {
			n, _ := comp[format].(string)
			prefix := "comp/" + format + "/"
			objs := waitLines(t, c, bucket("comp"), prefix, format, numbered(format, 0, 200), nil)
			ext := deliveredExt(format)
			for _, o := range objs {
				checkObjectKey(t, o.Key, prefix, true, n, ext, t0, time.Now())
			}
			t.Logf("%s: 200 records in %d objects", format, len(objs))
		}

		// The records at the size limits arrive whole: 1,024,000 bytes,
		// then three of 1,000,000.
		var total int
		eventually(t, deliveryTimeout, func() bool {
			total = 0
			for _, n := range listAllKeys(t, c, bucket("limits"), "") {
				total += int(n)
			}
			return total >= 1024000+3*1000000
		}, "limits stream delivered %d bytes, want %d", total, 1024000+3*1000000)
		// Objects of one second sort by their random suffix, not in
		// delivery order: check each holds whole records.
		zs, ws := 0, 0
		for _, o := range readObjects(t, c, bucket("limits"), "") {
			z, w := bytes.Count(o.Body, []byte("z")), bytes.Count(o.Body, []byte("w"))
			if z+w != len(o.Body) || z%1024000 != 0 || w%1000000 != 0 {
				t.Errorf("limits object %s: %d bytes, %d z and %d w: not whole records", o.Key, len(o.Body), z, w)
			}
			zs, ws = zs+z, ws+w
		}
		if zs != 1024000 || ws != 3000000 {
			t.Errorf("limits stream: %d z and %d w delivered, want the 1,024,000 and 3,000,000 put", zs, ws)
		}
	})
}

func TestE2EFirehoseControlPlaneBoto3(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		res := runScript(t, g.python, s, "firehose_delivery.py", "control")
		checkVersion(t, g, res)
		kept, _ := res["kept"].(map[string]any)
		name, _ := kept["name"].(string)
		bucket, _ := kept["bucket"].(string)
		// UpdateDestination, then SSE on and off: AWS counts each as a
		// configuration change.
		version, _ := kept["version"].(string)

		// SIGKILL: every control-plane change was acknowledged, so all of
		// it must be there (LocalStack forgets delivery streams on restart).
		s.Kill()
		s.Restart()
		fh := s.FirehoseClient(t)
		d := fh.waitDeliveryActive(t, name)
		desc, _ := d["DeliveryStreamDescription"].(map[string]any)
		if desc["VersionId"] != version {
			t.Errorf("after restart, VersionId %v, want %s", desc["VersionId"], version)
		}
		x := jsonPath(t, desc, "Destinations", 0, "ExtendedS3DestinationDescription")
		if jsonPath(t, x, "Prefix") != "updated/" || jsonPath(t, x, "BufferingHints", "IntervalInSeconds") != 5.0 {
			t.Errorf("after restart, destination %v", x)
		}
		tags := fh.must(t, "ListTagsForDeliveryStream", map[string]any{"DeliveryStreamName": name})
		if got := fmt.Sprint(tags["Tags"]); got != "[map[Key:env Value:test]]" {
			t.Errorf("after restart, tags %s", got)
		}
		list := fh.must(t, "ListDeliveryStreams", map[string]any{})
		if got := fmt.Sprint(list["DeliveryStreamNames"]); got != "["+name+"]" {
			t.Errorf("after restart, ListDeliveryStreams %s, want [%s]", got, name)
		}

		// It still delivers, with the updated destination: prefix updated/
		// plus the time prefix, the current version in the object names.
		// (The script put one record while SSE was on.)
		start := time.Now()
		out, err := fh.putBatch(ctxT(t), name, [][]byte{[]byte("after-restart-0\n"), []byte("after-restart-1\n")})
		if err != nil || out.FailedPutCount != 0 {
			t.Fatalf("PutRecordBatch after restart: %+v %v", out, err)
		}
		want := numbered("after-restart", 0, 2)
		for _, r := range kept["records"].([]any) {
			want = append(want, r.(string))
		}
		for _, o := range waitLines(t, s.S3Client(t), bucket, "updated/", "", want, nil) {
			v := checkObjectKey(t, o.Key, "updated/", true, name, "", start.Add(-time.Minute), time.Now())
			// The SSE record went in under an earlier version; objects
			// of only the records put after the restart carry the last.
			if !bytes.Contains(o.Body, []byte("sse\n")) && v != "" && v != version {
				t.Errorf("object %s: version %s in its name, want %s", o.Key, v, version)
			}
		}
	})
}

func TestE2EFirehoseStreamSource(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		start := time.Now()
		res := runScript(t, g.python, s, "firehose_delivery.py", "stream")
		checkVersion(t, g, res)
		bucket, name := resStr(t, res, "bucket"), resStr(t, res, "name")
		want := append(numbered("before", 0, 300), numbered("after", 0, 300)...)
		objs := waitLines(t, s.S3Client(t), bucket, "src/", "", want, nil)
		for _, o := range objs {
			checkObjectKey(t, o.Key, "src/", true, name, "", start, time.Now())
		}
		t.Logf("600 records (300 after the split, children %v) in %d objects", res["children"], len(objs))
	}, withQuotasOff())
}

func TestE2EFirehoseDynamicPartitioning(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		start := time.Now()
		res := runScript(t, g.python, s, "firehose_delivery.py", "partition")
		checkVersion(t, g, res)
		bucket, name := resStr(t, res, "bucket"), resStr(t, res, "name")
		c := s.S3Client(t)
		for _, cust := range []string{"c1", "c2", "c3"} {
			var want []string
			for i := 0; i < 40; i++ {
				// AppendDelimiterToRecord adds the newline.
				want = append(want, fmt.Sprintf(`{"customer_id":"%s","n":%d}`+"\n", cust, i))
			}
			prefix := "dp/customer_id=" + cust + "/"
			for _, o := range waitLines(t, c, bucket, prefix, "", want, nil) {
				checkObjectKey(t, o.Key, prefix, false, name, "", start, time.Now())
			}
		}
		for k := range listAllKeys(t, c, bucket, "") {
			if !strings.HasPrefix(k, "dp/customer_id=c") && !strings.HasPrefix(k, "dperr/") {
				t.Errorf("object %q outside the partitions and the error prefix", k)
			}
		}

		// The records without the key go to the error prefix, in AWS's
		// error-record format, with the record in rawData.
		var wantRaw []string
		for _, m := range res["missing"].([]any) {
			b, _ := base64.StdEncoding.DecodeString(m.(string))
			wantRaw = append(wantRaw, string(b))
		}
		var recs []errorRecord
		eventually(t, deliveryTimeout, func() bool {
			recs = nil
			for _, o := range readObjects(t, c, bucket, "dperr/") {
				r, err := parseErrorRecords(o.Body)
				if err != nil {
					t.Fatalf("error object %s: %v", o.Key, err)
				}
				recs = append(recs, r...)
			}
			return len(recs) >= len(wantRaw)
		}, "error records under dperr/: %d, want %d", len(recs), len(wantRaw))
		var gotRaw []string
		for _, r := range recs {
			gotRaw = append(gotRaw, strings.TrimSuffix(string(r.Data), "\n"))
		}
		if missing, extra := sameMultiset(gotRaw, wantRaw); len(missing)+len(extra) > 0 {
			t.Errorf("error records' rawData %q, want %q", gotRaw, wantRaw)
		}
		keys := listAllKeys(t, c, bucket, "dperr/")
		t.Logf("partitioning errors: %v; first record %v", keys, recs[0].raw)
	})
}

func TestE2EFirehoseParquet(t *testing.T) {
	forEachPython(t, func(t *testing.T, g pythonGen, s *Server) {
		start := time.Now()
		res := runScript(t, g.python, s, "firehose_delivery.py", "parquet")
		checkVersion(t, g, res)
		bucket, name, year, db := resStr(t, res, "bucket"), resStr(t, res, "name"), resStr(t, res, "year"), resStr(t, res, "database")
		c := s.S3Client(t)

		// Athena (in the script) counted 102 rows; the objects are Parquet
		// with the Glue table's schema and the serializer's codec, as
		// DuckDB reads them straight from the files.
		prefix := "parquet/" + year + "/"
		objs := readObjects(t, c, bucket, prefix)
		if len(objs) == 0 {
			t.Fatalf("no objects under %s", prefix)
		}
		dir := t.TempDir()
		var files []string
		for i, o := range objs {
			checkObjectKey(t, o.Key, prefix, false, name, ".parquet", start, time.Now())
			if !bytes.HasPrefix(o.Body, []byte("PAR1")) || !bytes.HasSuffix(o.Body, []byte("PAR1")) {
				t.Fatalf("object %s is not Parquet (starts %q)", o.Key, truncate(o.Body, 8))
			}
			f := filepath.Join(dir, fmt.Sprintf("part-%d.parquet", i))
			if err := os.WriteFile(f, o.Body, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		duck, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatalf("open DuckDB: %v", err)
		}
		defer duck.Close()
		for _, f := range files {
			rows, err := duck.Query(`SELECT name, type, coalesce(converted_type, '') FROM parquet_schema(?) WHERE num_children IS NULL OR num_children = 0`, f)
			if err != nil {
				t.Fatalf("DuckDB parquet_schema: %v", err)
			}
			var schema []string
			for rows.Next() {
				var n, typ, conv string
				if err := rows.Scan(&n, &typ, &conv); err != nil {
					t.Fatal(err)
				}
				schema = append(schema, n+" "+typ+" "+conv)
			}
			rows.Close()
			want := []string{"id INT64 ", "customer BYTE_ARRAY UTF8", "amount DOUBLE ", "paid BOOLEAN ", "qty INT32 "}
			if strings.Join(schema, ", ") != strings.Join(want, ", ") {
				// INT32 may carry INT_32 as its converted type; compare loosely on that one.
				loose := strings.ReplaceAll(strings.Join(schema, ", "), "INT32 INT_32", "INT32 ")
				if loose != strings.Join(want, ", ") {
					t.Errorf("Parquet schema of %s: %q, want %q (the Glue table's columns)", f, schema, want)
				}
			}
			var codecs string
			if err := duck.QueryRow(`SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata(?)`, f).Scan(&codecs); err != nil {
				t.Fatalf("DuckDB parquet_metadata: %v", err)
			}
			if codecs != "SNAPPY" {
				t.Errorf("Parquet codecs of %s: %q, want SNAPPY (the ParquetSerDe's Compression)", f, codecs)
			}
		}
		var n, sumID int64
		list := "['" + strings.Join(files, "','") + "']"
		if err := duck.QueryRow(`SELECT count(*), sum(id) FROM read_parquet(`+list+`)`).Scan(&n, &sumID); err != nil {
			t.Fatalf("DuckDB read_parquet: %v", err)
		}
		if n != 102 || sumID != 5050+101+102 {
			t.Errorf("DuckDB reads %d rows with sum(id) %d, want 102 and %d", n, sumID, 5050+101+102)
		}

		// The malformed records: under perr/format-conversion-failed/, one
		// AWS error record each, rawData the record as put.
		var wantRaw []string
		for _, m := range res["malformed"].([]any) {
			b, _ := base64.StdEncoding.DecodeString(m.(string))
			wantRaw = append(wantRaw, string(b))
		}
		var recs []errorRecord
		eventually(t, deliveryTimeout, func() bool {
			recs = nil
			for _, o := range readObjects(t, c, bucket, "perr/") {
				if !strings.HasPrefix(o.Key, "perr/format-conversion-failed/") {
					t.Fatalf("error object %q is not under perr/format-conversion-failed/", o.Key)
				}
				r, err := parseErrorRecords(o.Body)
				if err != nil {
					t.Fatalf("error object %s: %v", o.Key, err)
				}
				recs = append(recs, r...)
			}
			return len(recs) >= len(wantRaw)
		}, "error records under perr/: %d, want %d", len(recs), len(wantRaw))
		var gotRaw []string
		for _, r := range recs {
			gotRaw = append(gotRaw, string(r.Data))
			if tab, ok := r.raw["dataCatalogTable"].(map[string]any); ok {
				if tab["databaseName"] != db || tab["tableName"] != "events" {
					t.Errorf("error record's dataCatalogTable %v, want %s.events", tab, db)
				}
			}
		}
		sort.Strings(gotRaw)
		sort.Strings(wantRaw)
		if strings.Join(gotRaw, "|") != strings.Join(wantRaw, "|") {
			t.Errorf("error records' rawData %q, want %q", gotRaw, wantRaw)
		}
		t.Logf("%d Parquet objects; error record: %v", len(objs), recs[0].raw)
	})
}

func TestE2EFirehoseCLI(t *testing.T) {
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			s := startServer(t)
			c := s.S3Client(t)
			bucket := "fh-cli-" + g.name
			mustCreateBucket(t, c, bucket)
			fh := s.FirehoseClient(t)
			name := "cli-" + g.name
			fh.must(t, "CreateDeliveryStream", map[string]any{
				"DeliveryStreamName": name,
				"ExtendedS3DestinationConfiguration": map[string]any{
					"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::" + bucket,
					"BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": 1},
				},
			})
			fh.waitDeliveryActive(t, name)

			ls := g.ok(t, s, "firehose", "list-delivery-streams")
			if fmt.Sprint(jsonPath(t, ls, "DeliveryStreamNames")) != "["+name+"]" || jsonPath(t, ls, "HasMoreDeliveryStreams") != false {
				t.Errorf("list-delivery-streams: %v", ls)
			}
			d := g.ok(t, s, "firehose", "describe-delivery-stream", "--delivery-stream-name", name)
			if jsonPath(t, d, "DeliveryStreamDescription", "DeliveryStreamStatus") != "ACTIVE" ||
				jsonPath(t, d, "DeliveryStreamDescription", "Destinations", 0, "ExtendedS3DestinationDescription", "BucketARN") != "arn:aws:s3:::"+bucket {
				t.Errorf("describe-delivery-stream: %v", d)
			}
			// CLI v2 reads blobs as base64 unless told otherwise; v1 sends
			// the text as it is.
			args := append([]string{"firehose", "put-record", "--delivery-stream-name", name, "--record", `{"Data":"cli-line-0\n"}`}, g.blobArgs()...)
			if id, _ := jsonPath(t, g.ok(t, s, args...), "RecordId").(string); id == "" {
				t.Errorf("put-record answered no RecordId")
			}
			args = append([]string{"firehose", "put-record-batch", "--delivery-stream-name", name, "--records", `[{"Data":"cli-line-1\n"},{"Data":"cli-line-2\n"}]`}, g.blobArgs()...)
			if n := jsonPath(t, g.ok(t, s, args...), "FailedPutCount"); n != 0.0 {
				t.Errorf("put-record-batch FailedPutCount %v", n)
			}
			g.fails(t, s, "ResourceNotFoundException", "firehose", "describe-delivery-stream", "--delivery-stream-name", "nope")
			waitLines(t, c, bucket, "", "", numbered("cli-line", 0, 3), nil)
		})
	}
}
