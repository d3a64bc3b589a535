package lake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func BenchmarkPutObject1MiB(b *testing.B) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	for _, mode := range []struct {
		name   string
		noSync bool
	}{{"durable", false}, {"nosync", true}} {
		b.Run(mode.name, func(b *testing.B) {
			l, err := Open(Config{Dir: b.TempDir(), NoSync: mode.noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			mustBucket(b, l, "bench")
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := l.PutObject(context.Background(), "bench", fmt.Sprintf("k%d", i%16), bytes.NewReader(body), PutOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGetObject1MiB(b *testing.B) {
	l, _ := newTestLake(b)
	mustBucket(b, l, "bench")
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	put(b, l, "bench", "k", body)
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		o, err := l.GetObject("bench", "k")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{o.Body}, buf)
		o.Close()
		if err != nil || n != int64(len(body)) {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkList1000 lists a 1,000-key page. The index entries are written
// directly (their data files do not matter to List) so the setup stays
// cheap at -benchtime=1x.
func BenchmarkList1000(b *testing.B) {
	l, _ := newTestLake(b)
	mustBucket(b, l, "bench")
	err := l.impl.db.Update(func(tx *bolt.Tx) error {
		ob := tx.Bucket(objectsBucket).Bucket([]byte("bench"))
		for i := range 2000 {
			key := fmt.Sprintf("logs/2026/11/26/part-%05d.parquet", i)
			rec := objectRecord{Path: objectRelPath("bench", key, "0000000000000001"), Size: 1 << 20, ETag: md5hex([]byte(key)), Modified: 1,
				Meta: metaRecord{ContentType: "application/octet-stream"}}
			if err := putObjectRecord(ob, []byte(key), &rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := l.List("bench", ListOptions{Prefix: "logs/", MaxKeys: 1000})
		if err != nil || len(res.Objects) != 1000 || !res.IsTruncated {
			b.Fatal(len(res.Objects), err)
		}
	}
}

// BenchmarkPutObject4KiBParallel measures small durable writes from many
// clients at once, where the group commit shares bbolt fsyncs.
func BenchmarkPutObject4KiBParallel(b *testing.B) {
	l, err := Open(Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	mustBucket(b, l, "bench")
	body := bytes.Repeat([]byte("x"), 4<<10)
	var n atomic.Int64
	b.SetParallelism(8)
	b.SetBytes(int64(len(body)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("k%d", n.Add(1))
			if _, err := l.PutObject(context.Background(), "bench", key, bytes.NewReader(body), PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
