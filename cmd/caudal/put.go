package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/spf13/cobra"

	"github.com/caudal/caudal/backoff"
)

// Kinesis limits the put command batches within.
const (
	maxBatchRecords = 500
	maxBatchBytes   = 5 << 20 // data + partition keys, per PutRecords
	maxRecordBytes  = 1 << 20 // data + partition key, per record
	maxKeyChars     = 256
	maxPutAttempts  = 30 // per batch, for throughput errors
)

func newPutCmd(e *env, g *globals) *cobra.Command {
	var keyField string
	cmd := &cobra.Command{
		Use:   "put STREAM [FILE]",
		Short: "Put lines (or NDJSON) from stdin or a file as records",
		Long: `Put every non-empty line of FILE (or stdin) as one record, in order, in batches of
up to 500 records / 5 MiB. The partition key is the value of --key-field when the
line is a JSON object that has it, else a random key. Records refused for
throughput (ProvisionedThroughputExceededException) are retried with exponential
backoff. Reading a file on a terminal shows a progress bar on stderr.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := newClient(ctx, e, g)
			if err != nil {
				return err
			}
			p := &putter{c: c, e: e, stream: args[0], keyField: keyField}
			var in io.Reader = e.stdin
			if len(args) == 2 && args[1] != "-" {
				f, err := os.Open(args[1])
				if err != nil {
					return fmt.Errorf("open input: %w", err)
				}
				defer f.Close()
				in = f
				if st, err := f.Stat(); err == nil && isTerminal(e.stderr) {
					p.bar = &progressBar{w: e.stderr, total: st.Size()}
				}
			}
			start := time.Now()
			err = p.run(ctx, in)
			if p.bar != nil {
				p.bar.finish()
			}
			if err != nil {
				if p.sent > 0 {
					return fmt.Errorf("%w (%d records were put before the failure)", err, p.sent)
				}
				return err
			}
			fmt.Fprintf(e.stdout, "put %d records to %s in %.2f s\n", p.sent, p.stream, time.Since(start).Seconds())
			return nil
		},
	}
	cmd.Flags().StringVar(&keyField, "key-field", "", "take the partition key from this field of each JSON line (else random)")
	return cmd
}

// putter reads lines and puts them in batches. Batches go one at a time,
// and a batch's failed records are retried before the next batch is sent,
// so records arrive in input order except around a retry.
type putter struct {
	c        *client
	e        *env
	stream   string
	keyField string
	bar      *progressBar

	batch      []types.PutRecordsRequestEntry
	batchBytes int
	sent       int
	warnedKey  bool
}

// maxLinger is how long a partial batch waits for more lines. Input that
// trickles in (`tail -f app.log | caudal put logs`) is put within this
// delay instead of waiting for 500 lines or the end of input.
const maxLinger = 200 * time.Millisecond

// inputLine is one line (or the read error that ended the input).
type inputLine struct {
	no   int
	line []byte
	err  error
}

func (p *putter) run(ctx context.Context, in io.Reader) error {
	cr := &countingReader{r: in}
	lines := make(chan inputLine, 1024)
	done := make(chan struct{})
	defer close(done)
	// Reading happens in its own goroutine so that a partial batch can be
	// sent on a timer while the reader blocks on a quiet input.
	go readLines(cr, lines, done)

	var linger *time.Timer
	var lingerC <-chan time.Time
	stopLinger := func() {
		if linger != nil {
			linger.Stop()
			linger, lingerC = nil, nil
		}
	}
	defer stopLinger()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-lingerC:
			linger, lingerC = nil, nil
			if err := p.flush(ctx); err != nil {
				return err
			}
		case l, ok := <-lines:
			if !ok {
				return p.flush(ctx)
			}
			if l.err != nil {
				return fmt.Errorf("read input: %w", l.err)
			}
			if err := p.add(ctx, l.no, l.line); err != nil {
				return err
			}
			if p.bar != nil {
				p.bar.update(cr.n.Load(), p.sent)
			}
			switch {
			case len(p.batch) == 0:
				stopLinger()
			case linger == nil:
				linger = time.NewTimer(maxLinger)
				lingerC = linger.C
			}
		}
	}
}

// readLines sends every non-empty line of r (without its line ending) and
// closes lines at the end of input; a read error is sent as the last item.
func readLines(r io.Reader, lines chan<- inputLine, done <-chan struct{}) {
	defer close(lines)
	br := bufio.NewReaderSize(r, 256<<10)
	for no := 1; ; no++ {
		line, err := br.ReadBytes('\n')
		if line = bytes.TrimRight(line, "\r\n"); len(line) > 0 {
			select {
			case lines <- inputLine{no: no, line: line}:
			case <-done:
				return
			}
		}
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			select {
			case lines <- inputLine{err: err}:
			case <-done:
			}
			return
		}
	}
}

func (p *putter) add(ctx context.Context, lineNo int, line []byte) error {
	key := p.partitionKey(line)
	if utf8.RuneCountInString(key) > maxKeyChars {
		return fmt.Errorf("line %d: partition key %.40q… is longer than %d characters", lineNo, key, maxKeyChars)
	}
	size := len(line) + len(key)
	if size > maxRecordBytes {
		return fmt.Errorf("line %d: record is %d bytes with its key; Kinesis records are at most %d", lineNo, size, maxRecordBytes)
	}
	if len(p.batch) == maxBatchRecords || p.batchBytes+size > maxBatchBytes {
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	// ReadBytes returns a fresh slice per line, so keeping it is safe.
	p.batch = append(p.batch, types.PutRecordsRequestEntry{Data: line, PartitionKey: aws.String(key)})
	p.batchBytes += size
	return nil
}

func (p *putter) partitionKey(line []byte) string {
	if p.keyField != "" {
		var obj map[string]json.RawMessage
		if json.Unmarshal(line, &obj) == nil {
			if raw, ok := obj[p.keyField]; ok {
				var s string
				if json.Unmarshal(raw, &s) == nil {
					if s != "" {
						return s
					}
				} else if t := strings.TrimSpace(string(raw)); t != "null" {
					return t // numbers and booleans as written
				}
			}
		}
		if !p.warnedKey {
			p.warnedKey = true
			fmt.Fprintf(p.e.stderr, "caudal: some lines have no %q field; using random partition keys for them\n", p.keyField)
		}
	}
	return strconv.FormatUint(rand.Uint64(), 16)
}

// flush puts the current batch, retrying throughput failures.
func (p *putter) flush(ctx context.Context) error {
	pending := p.batch
	p.batch, p.batchBytes = nil, 0
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt >= maxPutAttempts {
			return fmt.Errorf("%d records still refused after %d attempts; the stream needs more shards (or run the server with --quotas off)", len(pending), attempt)
		}
		if attempt > 0 {
			if err := backoff.Sleep(ctx, putBackoff.Delay(attempt)); err != nil {
				return err
			}
		}
		out, err := p.c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(p.stream), Records: pending})
		if err != nil {
			if retryableCode(err) {
				continue
			}
			return p.c.explainStream(err, p.stream)
		}
		if aws.ToInt32(out.FailedRecordCount) == 0 {
			p.sent += len(pending)
			return nil
		}
		var failed []types.PutRecordsRequestEntry
		for i, r := range out.Records {
			if r.ErrorCode == nil {
				continue
			}
			code := aws.ToString(r.ErrorCode)
			if !retryableRecordCode(code) {
				return fmt.Errorf("record refused: %s: %s", code, aws.ToString(r.ErrorMessage))
			}
			failed = append(failed, pending[i])
		}
		p.sent += len(pending) - len(failed)
		pending = failed
	}
	return nil
}

func retryableRecordCode(code string) bool {
	switch code {
	case "ProvisionedThroughputExceededException", "InternalFailure", "KMSThrottlingException":
		return true
	}
	return false
}

func retryableCode(err error) bool {
	return isCode(err, "ProvisionedThroughputExceededException") || isCode(err, "LimitExceededException") ||
		isCode(err, "KMSThrottlingException")
}

// putBackoff paces retries of records refused for throughput.
var putBackoff = backoff.Policy{Base: 50 * time.Millisecond, Max: 2 * time.Second}

// countingReader counts the bytes read (for the progress bar); the count
// is read from another goroutine than the one reading.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// isTerminal reports whether w is a character device (a terminal); the
// progress bar only makes sense there.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws one self-overwriting line on a terminal, at most ten
// times a second.
type progressBar struct {
	w     io.Writer
	total int64
	last  time.Time
	drawn bool
}

func (b *progressBar) update(done int64, records int) {
	now := time.Now()
	if now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = now
	frac := 1.0
	if b.total > 0 {
		frac = min(float64(done)/float64(b.total), 1)
	}
	const width = 30
	filled := int(frac * width)
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%%  %d records", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), frac*100, records)
	b.drawn = true
}

func (b *progressBar) finish() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
