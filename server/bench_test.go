package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// BenchmarkPutRecordsSigned measures the whole server path of a write: the
// AWS SDK for Go v2 signs a 500-record PutRecords, the server verifies the
// signature, decodes, routes, appends with fsync (group commit) and
// answers. Four producers run concurrently, as real ones do.
func BenchmarkPutRecordsSigned(b *testing.B) {
	s, err := Start(Config{Listen: "127.0.0.1:0", DataDir: b.TempDir(), Log: io.Discard, QuotasOff: true,
		Getenv: func(string) string { return "" }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	c := kinesisClient(s, nil)
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bench"), ShardCount: aws.Int32(4)}); err != nil {
		b.Fatal(err)
	}
	const perCall, size, producers = 500, 100, 4
	entries := make([]types.PutRecordsRequestEntry, perCall)
	data := make([]byte, size)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(fmt.Sprint(i))}
	}
	b.SetBytes(perCall * size)
	b.ResetTimer()
	var wg sync.WaitGroup
	calls := make(chan struct{})
	for range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: entries})
				if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
					b.Errorf("PutRecords: %v", err)
					// Keep draining calls so the sender never blocks.
				}
			}
		}()
	}
	for range b.N {
		calls <- struct{}{}
	}
	close(calls)
	wg.Wait()
	b.ReportMetric(float64(b.N*perCall)/b.Elapsed().Seconds(), "records/s")
}

// deadlineWriter is a ResponseWriter whose read deadline costs nothing,
// so BenchmarkPacedBody measures the pacing itself.
type deadlineWriter struct{ http.ResponseWriter }

func (deadlineWriter) SetReadDeadline(time.Time) error { return nil }

// BenchmarkPacedBody reads a 64 MiB body through pacedBody in 32 KiB reads,
// as a large S3 PUT does.
func BenchmarkPacedBody(b *testing.B) {
	data := make([]byte, 64<<20)
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, _ := http.NewRequest(http.MethodPut, "/b/k", bytes.NewReader(data))
		r = paceBody(deadlineWriter{}, r, defaultBodyPace)
		for {
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
		}
	}
}
