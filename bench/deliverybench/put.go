package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The delivery phases' producers send pre-encoded requests.
//
// Why: the drain rate needs a backlog, so the records must go in faster than
// delivery takes them out while both share the machine's two cores. Through
// the AWS SDK the generator spent more CPU per 1 KiB record than the server
// (loadgen/wire.go has the numbers) and the put phase crawled at a third of
// `caudal bench`'s rate. Here every batch's JSON body (records base64-encoded
// as the wire wants them) and its SHA-256 are built before the clock starts;
// timed, a producer only signs the headers, posts and checks the answer's
// failure count.

// batch is one 500-record request body, ready to send.
type batch struct {
	first, n int    // records first … first+n-1
	body     []byte // the JSON request
	hash     string // hex SHA-256 of body, for SigV4
}

// api is one put operation on the wire.
type api struct {
	service, target string
	// open starts a body for the named stream: `{"StreamName":"x","Records":[`.
	open func(dst []byte) []byte
	// entry appends record i's entry (without a separating comma).
	entry func(dst []byte, i int, data []byte) []byte
	// failed is the answer's count of failed records.
	failed func(answer []byte) (int, []bool, error)
}

func kinesisPut(streamName string) api {
	return api{
		service: "kinesis", target: "Kinesis_20131202.PutRecords",
		open: func(dst []byte) []byte {
			return append(append(append(dst, `{"StreamName":`...), strconv.Quote(streamName)...), `,"Records":[`...)
		},
		entry: func(dst []byte, i int, data []byte) []byte {
			dst = append(dst, `{"Data":"`...)
			dst = base64.StdEncoding.AppendEncode(dst, data)
			dst = append(dst, `","PartitionKey":"`...)
			dst = strconv.AppendInt(dst, int64(i), 10)
			return append(dst, `"}`...)
		},
		failed: func(answer []byte) (int, []bool, error) {
			var a struct {
				FailedRecordCount int
				Records           []struct{ ErrorCode string }
			}
			if err := json.Unmarshal(answer, &a); err != nil {
				return 0, nil, fmt.Errorf("PutRecords answer: %w", err)
			}
			bad := make([]bool, len(a.Records))
			for i, r := range a.Records {
				bad[i] = r.ErrorCode != ""
			}
			return a.FailedRecordCount, bad, nil
		},
	}
}

func firehosePut(deliveryStream string) api {
	return api{
		service: "firehose", target: "Firehose_20150804.PutRecordBatch",
		open: func(dst []byte) []byte {
			return append(append(append(dst, `{"DeliveryStreamName":`...), strconv.Quote(deliveryStream)...), `,"Records":[`...)
		},
		entry: func(dst []byte, _ int, data []byte) []byte {
			dst = append(dst, `{"Data":"`...)
			dst = base64.StdEncoding.AppendEncode(dst, data)
			return append(dst, `"}`...)
		},
		failed: func(answer []byte) (int, []bool, error) {
			var a struct {
				FailedPutCount   int
				RequestResponses []struct{ ErrorCode string }
			}
			if err := json.Unmarshal(answer, &a); err != nil {
				return 0, nil, fmt.Errorf("PutRecordBatch answer: %w", err)
			}
			bad := make([]bool, len(a.RequestResponses))
			for i, r := range a.RequestResponses {
				bad[i] = r.ErrorCode != ""
			}
			return a.FailedPutCount, bad, nil
		},
	}
}

// body encodes the records whose ids are given as one request.
func (a api) body(ids []int) batch {
	b := a.open(make([]byte, 0, len(ids)*(recordSize*4/3+40)+100))
	for k, i := range ids {
		if k > 0 {
			b = append(b, ',')
		}
		b = a.entry(b, i, jsonRecord(i))
	}
	b = append(b, "]}"...)
	sum := sha256.Sum256(b)
	return batch{first: ids[0], n: len(ids), body: b, hash: hex.EncodeToString(sum[:])}
}

// batches pre-encodes records 0 … n-1 in 500-record requests.
func (a api) batches(n int) []batch {
	out := make([]batch, 0, (n+499)/500)
	ids := make([]int, 0, 500)
	for first := 0; first < n; first += 500 {
		ids = ids[:0]
		for i := first; i < min(first+500, n); i++ {
			ids = append(ids, i)
		}
		out = append(out, a.body(ids))
	}
	return out
}

// send posts b and, while the answer names failed records, posts those
// again.
func (a api) send(ctx context.Context, c *firehose, b batch) error {
	ids := make([]int, b.n)
	for k := range ids {
		ids[k] = b.first + k
	}
	for {
		ans, err := c.post(ctx, a.service, a.target, b.body, b.hash)
		if err != nil {
			return err
		}
		if bytes.Contains(ans, []byte(`"FailedRecordCount":0`)) || bytes.Contains(ans, []byte(`"FailedPutCount":0`)) {
			return nil
		}
		n, bad, err := a.failed(ans)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if len(bad) != len(ids) {
			return fmt.Errorf("%s answered %d entries for %d records", a.target, len(bad), len(ids))
		}
		var retry []int
		for k, f := range bad {
			if f {
				retry = append(retry, ids[k])
			}
		}
		ids = retry
		b = a.body(ids)
	}
}

// post sends one signed request and returns the answer of a 200.
func (c *firehose) post(ctx context.Context, service, target string, body []byte, hash string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hash, service, "us-east-1", time.Now()); err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %s", target, resp.StatusCode, truncate(string(raw), 300))
	}
	return raw, nil
}
