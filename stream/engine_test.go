package stream

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCreateDescribeListDelete(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "b", 2)
	mustCreate(t, e, "a", 3)
	if err := e.CreateStream("eu-west-1", "a", CreateOptions{ShardCount: 1}); err != nil {
		t.Fatalf("same name in another region: %v", err)
	}
	err := e.CreateStream(testRegion, "a", CreateOptions{ShardCount: 1})
	wantErr(t, err, ErrResourceInUse, "Stream a under account 000000000000 already exists.")

	st, err := e.Describe(testRegion, "a")
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusActive || st.Mode != ModeProvisioned || st.RetentionHours != 24 || st.OpenShardCount != 3 ||
		st.EncryptionType != "NONE" || st.MaxRecordSizeKiB != 1024 || st.ARN != "arn:aws:kinesis:us-east-1:000000000000:stream/a" {
		t.Fatalf("Describe = %+v", st)
	}
	for i, sh := range st.Shards {
		if sh.ID != ShardID(i) || !sh.Open() || sh.StartingSequence == "" {
			t.Fatalf("shard %d = %+v", i, sh)
		}
	}
	names := []string{}
	for _, s := range e.ListStreams(testRegion) {
		names = append(names, s.Name)
	}
	if !reflect.DeepEqual(names, []string{"a", "b"}) {
		t.Fatalf("ListStreams = %v", names)
	}
	if l := e.Limits(testRegion); l.ShardLimit != 500 || l.OpenShardCount != 5 || l.OnDemandStreamCountLimit != 50 {
		t.Fatalf("Limits = %+v", l)
	}
	if err := e.DeleteStream(testRegion, "a"); err != nil {
		t.Fatal(err)
	}
	_, err = e.Describe(testRegion, "a")
	wantErr(t, err, ErrStreamNotFound, "Stream a under account 000000000000 not found.")
	wantErr(t, e.DeleteStream(testRegion, "a"), ErrStreamNotFound, "not found")
	if _, err := e.Describe("eu-west-1", "a"); err != nil {
		t.Fatalf("other region's stream was deleted too: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(cfg.Dir, regionsDir, testRegion, streamsDir)); len(ents) != 1 {
		t.Fatalf("%d stream directories remain, want 1", len(ents))
	}
}

func TestCreateValidation(t *testing.T) {
	cfg, _ := testConfig(t)
	cfg.ShardLimit = 10
	e := openEngine(t, cfg)
	wantErr(t, e.CreateStream(testRegion, "x", CreateOptions{}), ErrInvalidArgument, "")
	wantErr(t, e.CreateStream(testRegion, "x", CreateOptions{ShardCount: 11}), ErrLimitExceeded,
		"This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard count for the account: 0. Limit: 10.")
	if err := e.CreateStream(testRegion, "od", CreateOptions{Mode: ModeOnDemand}); err != nil {
		t.Fatal(err)
	}
	st, _ := e.Describe(testRegion, "od")
	if st.Mode != ModeOnDemand || st.OpenShardCount != DefaultOnDemandShards {
		t.Fatalf("on-demand stream: %+v", st)
	}
	wantErr(t, e.CreateStream(testRegion, "y", CreateOptions{ShardCount: 1, Mode: "FAST"}), ErrValidation, "1 validation error detected")
	wantErr(t, e.CreateStream(testRegion, "a b", CreateOptions{ShardCount: 1}), ErrValidation,
		"1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	wantErr(t, e.CreateStream(testRegion, strings.Repeat("n", 129), CreateOptions{ShardCount: 1}), ErrValidation, "length less than or equal to 128")
	wantErr(t, e.CreateStream(testRegion, "y", CreateOptions{ShardCount: 1, Tags: map[string]string{"aws:x": "1"}}), ErrInvalidArgument, "aws:")
}

func TestMetadataSurvivesReopen(t *testing.T) {
	cfg, _ := testConfig(t)
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", 2)
	steps := []error{
		e.AddTags(testRegion, "s", map[string]string{"team": "data", "env": "prod"}),
		e.RemoveTags(testRegion, "s", []string{"env"}),
		e.IncreaseRetention(testRegion, "s", 48),
		e.SetEncryption(testRegion, "s", "KMS", "alias/aws/kinesis"),
		e.SetMaxRecordSize(testRegion, "s", 2048),
		e.PutPolicy(testRegion, "s", `{"Version":"2012-10-17","Statement":[]}`),
		e.SplitShard(testRegion, "s", "shardId-000000000000", HashKey{Hi: 1 << 62}),
		e.UpdateStreamMode(testRegion, "s", ModeOnDemand),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if _, _, err := e.SetShardLevelMetrics(testRegion, "s", []string{"IncomingBytes", "OutgoingBytes"}, true); err != nil {
		t.Fatal(err)
	}
	res := put(t, e, "s", "d", 20)
	before, _ := e.Describe(testRegion, "s")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e2 := openEngine(t, cfg)
	after, err := e2.Describe(testRegion, "s")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("metadata changed across reopen:\nbefore %+v\nafter  %+v", before, after)
	}
	if after.RetentionHours != 48 || after.Tags["team"] != "data" || len(after.Tags) != 1 || after.KeyID != "alias/aws/kinesis" ||
		after.MaxRecordSizeKiB != 2048 || after.Mode != ModeOnDemand || len(after.Shards) != 4 ||
		!reflect.DeepEqual(after.ShardLevelMetrics, []string{"IncomingBytes", "OutgoingBytes"}) {
		t.Fatalf("after reopen: %+v", after)
	}
	// The records are there too, under the same sequence numbers.
	got := 0
	for _, sh := range after.Shards {
		recs, _ := getAll(t, e2, iter(t, e2, "s", sh.ID, Position{Type: TrimHorizon}))
		got += len(recs)
	}
	if got != len(res) {
		t.Fatalf("read %d records after reopen, wrote %d", got, len(res))
	}
	// And new records never reuse a sequence number.
	res2 := put(t, e2, "s", "e", 20)
	seen := map[string]bool{}
	for _, r := range append(res, res2...) {
		if seen[r.SequenceNumber] {
			t.Fatalf("sequence number %s issued twice", r.SequenceNumber)
		}
		seen[r.SequenceNumber] = true
	}
}

func TestDeletedThenRecreatedStreamIsIsolated(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	old := putTo(t, e, "s", "0", "old-1", "old-2")
	oldIt := iter(t, e, "s", "shardId-000000000000", Position{Type: TrimHorizon})
	if err := e.DeleteStream(testRegion, "s"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", 1)
	_, err := e.GetRecords(testRegion, oldIt, 10)
	wantErr(t, err, ErrStreamNotFound, "Shard shardId-000000000000 in stream s under account 000000000000 does not exist")
	_, err = e.GetShardIterator(testRegion, "s", "shardId-000000000000", Position{Type: AtSequenceNumber, SequenceNumber: old[0].SequenceNumber})
	wantErr(t, err, ErrInvalidArgument, "because it did not come from this stream.")
	recs, _ := getAll(t, e, iter(t, e, "s", "shardId-000000000000", Position{Type: TrimHorizon}))
	if len(recs) != 0 {
		t.Fatalf("recreated stream serves %d old records", len(recs))
	}
	// Also after a restart.
	e.Close()
	e2 := openEngine(t, cfg)
	recs, _ = getAll(t, e2, iter(t, e2, "s", "shardId-000000000000", Position{Type: TrimHorizon}))
	if len(recs) != 0 {
		t.Fatalf("recreated stream serves %d old records after reopen", len(recs))
	}
	_, err = e2.GetRecords(testRegion, oldIt, 10)
	if !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("old iterator after reopen: %v", err)
	}
}

func TestSettingsValidation(t *testing.T) {
	cfg, _ := testConfig(t)
	e := openEngine(t, cfg)
	mustCreate(t, e, "s", 1)
	wantErr(t, e.IncreaseRetention(testRegion, "s", 23), ErrInvalidArgument, "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.")
	wantErr(t, e.IncreaseRetention(testRegion, "s", 8761), ErrInvalidArgument, "Maximum allowed retention period is 8760 hours.")
	if err := e.IncreaseRetention(testRegion, "s", 100); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.IncreaseRetention(testRegion, "s", 50), ErrInvalidArgument,
		"Requested retention period (50 hours) for stream s can not be shorter than existing retention period (100 hours). Use DecreaseRetentionPeriod API.")
	wantErr(t, e.DecreaseRetention(testRegion, "s", 200), ErrInvalidArgument,
		"Requested retention period (200 hours) for stream s can not be longer than existing retention period (100 hours). Use IncreaseRetentionPeriod API.")
	if err := e.DecreaseRetention(testRegion, "s", 24); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.IncreaseRetention(testRegion, "nope", 48), ErrStreamNotFound, "Stream nope under account 000000000000 not found.")

	tags := map[string]string{}
	for i := 0; i < 50; i++ {
		tags[string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	if err := e.AddTags(testRegion, "s", tags); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.AddTags(testRegion, "s", map[string]string{"one-more": "v"}), ErrInvalidArgument, "cannot have more than 50 tags")
	if err := e.AddTags(testRegion, "s", map[string]string{"aa": "replaced"}); err != nil {
		t.Fatalf("replacing a tag at the limit: %v", err)
	}
	wantErr(t, e.AddTags(testRegion, "s", map[string]string{"": "v"}), ErrInvalidArgument, "")

	before, after, err := e.SetShardLevelMetrics(testRegion, "s", []string{"ALL"}, true)
	if err != nil || len(before) != 0 || len(after) != 7 {
		t.Fatalf("enable ALL: %v %v %v", before, after, err)
	}
	before, after, err = e.SetShardLevelMetrics(testRegion, "s", []string{"IncomingBytes"}, false)
	if err != nil || len(before) != 7 || len(after) != 6 {
		t.Fatalf("disable one: %v %v %v", before, after, err)
	}
	_, _, err = e.SetShardLevelMetrics(testRegion, "s", []string{"Bogus"}, true)
	wantErr(t, err, ErrValidation, "1 validation error detected")

	wantErr(t, e.SetMaxRecordSize(testRegion, "s", 1023), ErrValidation, "")
	wantErr(t, e.SetEncryption(testRegion, "s", "KMS", ""), ErrInvalidArgument, "")
	wantErr(t, e.PutPolicy(testRegion, "s", "{not json"), ErrInvalidArgument, "")
	wantErr(t, e.DeletePolicy(testRegion, "s"), ErrStreamNotFound, "No resource policy found")
	if p, _ := e.GetPolicy(testRegion, "s"); p != "" {
		t.Fatalf("policy = %q", p)
	}
	wantErr(t, e.UpdateStreamMode(testRegion, "s", "X"), ErrValidation, "")
}

func TestOnDemandStreamLimit(t *testing.T) {
	cfg, _ := testConfig(t)
	cfg.OnDemandStreamCountLimit = 1
	e := openEngine(t, cfg)
	if err := e.CreateStream(testRegion, "a", CreateOptions{Mode: ModeOnDemand}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.CreateStream(testRegion, "b", CreateOptions{Mode: ModeOnDemand}), ErrLimitExceeded, "on-demand stream count limit")
	mustCreate(t, e, "c", 1)
	wantErr(t, e.UpdateStreamMode(testRegion, "c", ModeOnDemand), ErrLimitExceeded, "on-demand stream count limit")
	if l := e.Limits(testRegion); l.OnDemandStreamCount != 1 {
		t.Fatalf("Limits = %+v", l)
	}
}

func TestOpenRemovesUnfinishedWork(t *testing.T) {
	cfg, _ := testConfig(t)
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", 1)
	e.Close()
	sroot := filepath.Join(cfg.Dir, regionsDir, testRegion, streamsDir)
	ents, _ := os.ReadDir(sroot)
	live := filepath.Join(sroot, ents[0].Name())
	// An unfinished create (no meta.json), a stray shard, and trash.
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(sroot, "deadbeef", shardsSubdir, "shardId-000000000000"), 0o755))
	must(os.MkdirAll(filepath.Join(live, shardsSubdir, "shardId-000000000009"), 0o755))
	must(os.MkdirAll(filepath.Join(cfg.Dir, regionsDir, testRegion, trashDir, "old"), 0o755))
	e2 := openEngine(t, cfg)
	for _, p := range []string{filepath.Join(sroot, "deadbeef"), filepath.Join(live, shardsSubdir, "shardId-000000000009"), filepath.Join(cfg.Dir, regionsDir, testRegion, trashDir, "old")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived Open", p)
		}
	}
	if _, err := e2.Describe(testRegion, "s"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(cfg.Dir, keyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("iterator key: %v %v", fi, err)
	}
}

func TestCloseStopsBackgroundLoop(t *testing.T) {
	cfg, _ := testConfig(t)
	cfg.RetentionInterval = time.Millisecond
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e, "s", 1)
	time.Sleep(5 * time.Millisecond)
	done := make(chan error)
	go func() { done <- e.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, err := e.Describe(testRegion, "s"); err == nil {
		// Describe after Close still finds the state but must not panic;
		// PutRecords must fail.
		_, err := e.PutRecords(testRegion, "s", []PutEntry{{PartitionKey: "k", Data: []byte("x")}})
		if err == nil {
			t.Fatal("PutRecords after Close succeeded")
		}
	}
}
