package audit

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/query"
)

// lakeSink puts trail objects into a lake bucket, as the server does.
type lakeSink struct {
	lk     *lake.Lake
	bucket string
}

func (s lakeSink) Put(ctx context.Context, key string, body []byte) error {
	_, err := s.lk.PutObject(ctx, s.bucket, key, bytes.NewReader(body), lake.PutOptions{})
	return err
}

// TestTableReadsTrail writes events through a Trail into a real lake and
// reads them back with SQL over Table: the column names, the nested
// userIdentity and resources, and the date partition projection all
// match what the writer writes.
func TestTableReadsTrail(t *testing.T) {
	dir := t.TempDir()
	lk, err := lake.Open(lake.Config{Dir: filepath.Join(dir, "lake"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Close()
	cat, err := catalog.Open(catalog.Config{Dir: filepath.Join(dir, "catalog"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	eng, err := query.Open(query.Config{Lake: lk, Catalog: cat, LakeDir: filepath.Join(dir, "lake"), TempDir: filepath.Join(dir, "tmp"), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	const account = "123456789012"
	bucket := BucketName(account)
	if err := lk.CreateBucket(bucket, ""); err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateDatabase(catalog.Database{Name: Database}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := cat.CreateTable(Database, Table(bucket, account, "us-east-1", now.AddDate(0, 0, -3))); err != nil {
		t.Fatal(err)
	}
	tr, err := Open(Config{Dir: filepath.Join(dir, "journal"), Sink: lakeSink{lk, bucket}, Account: account, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ev := NewEvent(now, account)
	ev.SetOperation(SourceKinesis, "PutRecord")
	ev.SetCaller(UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/alice", UserName: "alice", PrincipalID: "AIDAALICE"}, "eu-west-1")
	ev.AddResource("arn:aws:kinesis:eu-west-1:123456789012:stream/s1")
	ev.SetError("ResourceNotFoundException", "Stream s1 not found")
	ev.SourceIPAddress = "127.0.0.1"
	ev.Finish(400, "req-1", "")
	tr.Record(ev)
	ev2 := NewEvent(now, account)
	ev2.SetOperation(SourceS3, "ListBuckets")
	ev2.Finish(200, "REQ2", "")
	tr.Record(ev2)
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}

	res, err := eng.Run(context.Background(),
		"SELECT eventname, useridentity.arn, errorcode, resources[1].arn, readonly, eventcategory, requestid, httpstatus, useridentity.type, useridentity.principalid "+
			"FROM cloudtrail WHERE timestamp = '"+now.Format("2006/01/02")+"' ORDER BY eventname DESC", Database)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 {
		t.Fatalf("rows = %d, want 2: %+v", len(res.Rows), res.Rows)
	}
	got := []string{}
	for _, d := range res.Rows[0] {
		got = append(got, d.Value)
	}
	want := []string{"PutRecord", "arn:aws:iam::123456789012:user/alice", "ResourceNotFoundException",
		"arn:aws:kinesis:eu-west-1:123456789012:stream/s1", "false", "Data", "req-1", "400", "IAMUser", "AIDAALICE"}
	if len(got) != len(want) {
		t.Fatalf("row = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("column %d = %q, want %q (row %q)", i, got[i], want[i], got)
		}
	}
	if r := res.Rows[1]; r[0].Value != "ListBuckets" || r[4].Value != "true" || r[8].Value != "Unknown" {
		t.Errorf("second row = %+v", r)
	}
	// Another day's partition holds nothing.
	res, err = eng.Run(context.Background(), "SELECT count(*) FROM cloudtrail WHERE timestamp = '"+now.AddDate(0, 0, -2).Format("2006/01/02")+"'", Database)
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Rows[0][0].Value; c != "0" {
		t.Errorf("count on another day = %s, want 0", c)
	}
}
