package query

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/lake"
)

// sealedEngine is a query engine over a lake with a key store, a catalog
// with the default database, a bucket "data", and decrypted copies in
// sealedDir with a 1 MiB budget.
func sealedEngine(t *testing.T, sealedDir string) (*Engine, *lake.Lake, *keystore.Store) {
	t.Helper()
	dir := t.TempDir()
	ks, err := keystore.Open(keystore.Config{Dir: filepath.Join(dir, "keys"), MasterKey: bytes.Repeat([]byte{7}, 32), ConfigDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(dir, "lake"), NoSync: true, Keys: ks})
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
	eng, err := Open(Config{Lake: lk, Catalog: cat, LakeDir: filepath.Join(dir, "lake"), TempDir: filepath.Join(dir, "tmp"), Threads: 2,
		SealedDir: sealedDir, SealedBudget: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if err := lk.CreateBucket("data", ""); err != nil {
		t.Fatal(err)
	}
	return eng, lk, ks
}

// TestQuerySealedObjects: tables over server-side-encrypted objects read
// as any other (JSON, gzipped CSV, Parquet), from decrypted copies that
// are gone when the query ends; a query over the budget fails with
// HIVE_CANNOT_OPEN_SPLIT.
func TestQuerySealedObjects(t *testing.T) {
	sealed := filepath.Join(t.TempDir(), "sealed")
	eng, lk, _ := sealedEngine(t, sealed)
	sse := &lake.Encryption{Algorithm: lake.SSEAES256}
	put := func(key string, body []byte) {
		t.Helper()
		if _, err := lk.PutObject(context.Background(), "data", key, bytes.NewReader(body), lake.PutOptions{Encryption: sse}); err != nil {
			t.Fatal(err)
		}
		if _, err := lk.Path("data", key); !errors.Is(err, lake.ErrEncrypted) {
			t.Fatalf("%s is not sealed: Path = %v", key, err)
		}
	}
	put("js/a.json", []byte("{\"id\": 1, \"who\": \"SEALED-ana\"}\n{\"id\": 2, \"who\": \"SEALED-luis\"}\n"))
	put("pq/p.parquet", parquet(t, "SELECT i AS n FROM range(5) r(i)"))
	run := func(q string) *Result {
		t.Helper()
		res, err := eng.Run(context.Background(), q, "")
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return res
	}
	run(`CREATE EXTERNAL TABLE js (id int, who string) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://data/js/'`)
	run(`CREATE EXTERNAL TABLE pq (n bigint) STORED AS PARQUET LOCATION 's3://data/pq/'`)
	if got, want := table(run("SELECT id, who FROM js ORDER BY id")), "id:integer,who:varchar\n1|SEALED-ana\n2|SEALED-luis"; got != want {
		t.Errorf("json:\n%s\nwant\n%s", got, want)
	}
	if got, want := table(run("SELECT sum(n) FROM pq")), "_col0:bigint\n10"; got != want {
		t.Errorf("parquet:\n%s\nwant\n%s", got, want)
	}
	// The copies went with their queries.
	var left []string
	filepath.WalkDir(sealed, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("decrypted copies left after the queries: %v", left)
	}

	put("big/b.json", bytes.Repeat([]byte("{\"id\": 1, \"who\": \"x\"}\n"), 60000)) // over the 1 MiB budget
	run(`CREATE EXTERNAL TABLE big (id int, who string) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://data/big/'`)
	_, err := eng.Run(context.Background(), "SELECT count(*) FROM big", "")
	var qe *Error
	if !errors.As(err, &qe) || qe.Code != "HIVE_CANNOT_OPEN_SPLIT" || !strings.Contains(qe.Message, "exceed") {
		t.Errorf("a query over the decryption budget: %v, want HIVE_CANNOT_OPEN_SPLIT", err)
	}
}

// TestQuerySealedObjectsNeedKMSDecrypt: a query reads an object sealed
// under a customer-managed KMS key only if the caller's ObjectAccess
// allows kms:Decrypt on that key, as S3's GetObject does; objects under
// the AWS-managed key or SSE-S3 need s3:GetObject alone.
func TestQuerySealedObjectsNeedKMSDecrypt(t *testing.T) {
	eng, lk, ks := sealedEngine(t, filepath.Join(t.TempDir(), "sealed"))
	k, err := ks.CreateKey(keystore.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string, enc *lake.Encryption) {
		t.Helper()
		if _, err := lk.PutObject(context.Background(), "data", key, strings.NewReader("{\"id\": 1}\n"), lake.PutOptions{Encryption: enc}); err != nil {
			t.Fatal(err)
		}
	}
	put("cust/a.json", &lake.Encryption{Algorithm: lake.SSEKMS, KMSKeyID: k.ID})
	put("managed/a.json", &lake.Encryption{Algorithm: lake.SSEKMS})
	put("managed/b.json", &lake.Encryption{Algorithm: lake.SSEAES256})
	for _, q := range []string{
		`CREATE EXTERNAL TABLE cust (id int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://data/cust/'`,
		`CREATE EXTERNAL TABLE managed (id int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://data/managed/'`,
	} {
		if _, err := eng.Run(context.Background(), q, ""); err != nil {
			t.Fatal(err)
		}
	}
	var asked []string
	s3Only := func(action, resource string, _ map[string][]string) error {
		asked = append(asked, action+" "+resource)
		if strings.HasPrefix(action, "s3:") {
			return nil
		}
		return errors.New("not authorized to perform: " + action)
	}
	ctx := WithObjectAccess(context.Background(), s3Only)
	_, err = eng.Run(ctx, "SELECT count(*) FROM cust", "")
	var qe *Error
	if !errors.As(err, &qe) || qe.Code != "PERMISSION_DENIED" || !strings.Contains(qe.Message, "kms:Decrypt") {
		t.Fatalf("customer-key object without kms:Decrypt: %v, want PERMISSION_DENIED", err)
	}
	if last := asked[len(asked)-1]; last != "kms:Decrypt "+k.ARN {
		t.Errorf("last permission asked %q, want kms:Decrypt on %s", last, k.ARN)
	}
	res, err := eng.Run(ctx, "SELECT count(*) FROM managed", "")
	if err != nil {
		t.Fatalf("AWS-managed key and SSE-S3 with s3 permissions only: %v", err)
	}
	if got := table(res); got != "_col0:bigint\n2" {
		t.Errorf("managed count:\n%s", got)
	}
	withKMS := WithObjectAccess(context.Background(), func(action, resource string, c map[string][]string) error {
		if action == "kms:Decrypt" && resource == k.ARN {
			return nil
		}
		return s3Only(action, resource, c)
	})
	if res, err := eng.Run(withKMS, "SELECT count(*) FROM cust", ""); err != nil || table(res) != "_col0:bigint\n1" {
		t.Fatalf("with kms:Decrypt: %v", err)
	}
}
