package loadgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/caudal/caudal/protocol"
)

// The wire client: the generator's own PutRecords, PutRecord and GetRecords.
//
// Why: with the AWS SDK for Go v2 the generator spent more CPU per record
// than the server it measures (8.8 µs against 7.6 µs per 1 KiB record
// written, 8.3 µs against 3.7 µs read, profiled on the shared 2-core
// machine), and every microsecond it spends is taken from the server. Most
// of it was the SDK's JSON: base64 and escaping one byte at a time on the
// way out, a token-by-token parser that copies every blob twice on the way
// back. This client speaks the same protocol (awsJson1.1, SigV4 signed by
// the SDK's own signer, so it works against AWS, kinesalite or caudal) with
// caudal's fast paths: bodies are built with protocol.AppendBase64 from a
// per-run cache of the encoded padding (a record is 18 header bytes to
// encode and a copy), answers are read into a reused buffer and decoded
// with protocol's one-pass decoder into a reused blob arena.
//
// What it does not do: retries (the generator retries throttles itself,
// as it does with the SDK, whose retryer it turns off), endpoint
// discovery, request compression. Config.SDK selects the SDK instead, for
// comparison.

// wireClient signs and sends Kinesis calls over net/http.
type wireClient struct {
	url    string
	region string
	creds  aws.CredentialsProvider
	signer *v4.Signer
	hc     *http.Client
}

// newWireClient takes the endpoint, region and credentials of kc.
func newWireClient(kc *kinesis.Client, conns int) (*wireClient, error) {
	o := kc.Options()
	url := aws.ToString(o.BaseEndpoint)
	if url == "" {
		if o.Region == "" {
			return nil, fmt.Errorf("%w: no endpoint and no region", ErrConfig)
		}
		url = "https://kinesis." + o.Region + ".amazonaws.com"
	}
	if o.Credentials == nil {
		return nil, fmt.Errorf("%w: no credentials", ErrConfig)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns + 8
	t.MaxIdleConnsPerHost = conns + 8
	t.DisableCompression = true
	return &wireClient{
		url:    strings.TrimSuffix(url, "/") + "/",
		region: o.Region,
		creds:  aws.NewCredentialsCache(o.Credentials),
		signer: v4.NewSigner(),
		hc:     &http.Client{Transport: t},
	}, nil
}

// call posts body as operation op and reads the answer into ans (reset
// first). A non-200 answer is a *smithy.GenericAPIError with AWS's code.
func (w *wireClient) call(ctx context.Context, op string, body []byte, ans *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	creds, err := w.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := w.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kinesis", w.region, time.Now()); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	ans.Reset()
	if n := resp.ContentLength; n > 0 && n < 64<<20 {
		ans.Grow(int(n))
	}
	if _, err := ans.ReadFrom(resp.Body); err != nil {
		return fmt.Errorf("%s: reading the answer: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return wireError(resp, ans.Bytes())
	}
	return nil
}

// wireError is the API error of a refused call, named as the SDK names it
// (the part of __type or X-Amzn-ErrorType after any '#' or before ':').
func wireError(resp *http.Response, body []byte) error {
	var e struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	_ = json.Unmarshal(body, &e)
	code := resp.Header.Get("X-Amzn-ErrorType")
	if code == "" {
		code = e.Type
	}
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = "HTTP" + strconv.Itoa(resp.StatusCode)
	}
	msg := e.Message
	if msg == "" {
		msg = e.Message2
	}
	return &smithy.GenericAPIError{Code: code, Message: msg}
}

// putRecordsAnswer is what the generator reads of a PutRecords answer.
type putRecordsAnswer struct {
	Records []struct {
		ErrorCode    *string
		ErrorMessage *string
	}
}

// getRecordsAnswer is what the generator reads of a GetRecords answer.
type getRecordsAnswer struct {
	Records            []wireRecord
	NextShardIterator  *string
	MillisBehindLatest *int64
}

// wireRecord is what the generator reads of a record.
type wireRecord struct {
	Data           []byte
	SequenceNumber *string
}

// wireDecoder decodes answers, reusing one blob buffer: blobs of one
// answer stay valid until the next Decode.
type wireDecoder struct{ d protocol.JSONDecoder }

func (w *wireDecoder) decode(body []byte, v any) error {
	if err := w.d.Decode(body, v); err != nil {
		return fmt.Errorf("decoding the answer: %w", err)
	}
	return nil
}

// encodedTails caches, per record size, the base64 of every record's bytes
// from offset tailFrom on, which depend only on counter%256.
var encodedTails sync.Map // int (record size) -> *[256][]byte

// tailFrom is where the cached part of a record starts: past the header,
// on a 3-byte boundary so the two encodings concatenate.
const tailFrom = 18

// It is nil for records no longer than tailFrom.
func tailsFor(size int) *[256][]byte {
	if size <= tailFrom {
		return nil
	}
	if t, ok := encodedTails.Load(size); ok {
		return t.(*[256][]byte)
	}
	t := new([256][]byte)
	rec := make([]byte, size)
	for c := range t {
		encodeRecord(rec, 0, recordID{counter: uint64(c)})
		t[c] = protocol.AppendBase64(nil, rec[tailFrom:])
	}
	v, _ := encodedTails.LoadOrStore(size, t)
	return v.(*[256][]byte)
}

// appendRecordData appends the JSON string of the base64 of the record
// encodeRecord would write, quotes included.
func appendRecordData(dst []byte, size int, run uint32, id recordID, tails *[256][]byte) []byte {
	dst = append(dst, '"')
	if size <= tailFrom || tails == nil {
		var buf [tailFrom]byte
		var rec []byte
		if size <= tailFrom {
			rec = buf[:size]
		} else {
			rec = make([]byte, size)
		}
		encodeRecord(rec, run, id)
		dst = protocol.AppendBase64(dst, rec)
	} else {
		var head [tailFrom]byte
		encodeRecord(head[:], run, id)
		dst = protocol.AppendBase64(dst, head[:])
		dst = append(dst, tails[id.counter%256]...)
	}
	return append(dst, '"')
}
