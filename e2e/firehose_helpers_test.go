package e2e

// Helpers for the Firehose tests: a small SigV4-signed JSON 1.1 client for
// the Firehose API (the Go SDK's firehose module is not a dependency; the
// wire is simple enough to speak directly, and boto3 and the AWS CLI are
// the clients the tests hold the server to), readers for the objects a
// delivery stream writes into the lake (the compressions AWS documents),
// and the shared checks of AWS's object naming and error-record format.

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/s2"
)

// firehoseClient calls Firehose_20150804.* operations on one server.
type firehoseClient struct {
	s      *Server
	http   *http.Client
	signer *v4.Signer
}

// FirehoseClient is a signed Firehose JSON 1.1 client for s (signing name
// "firehose", us-east-1). Its idle connections are dropped on Restart like
// the SDK clients'.
func (s *Server) FirehoseClient(t testing.TB) *firehoseClient {
	t.Helper()
	hc := s.sdkHTTPClient()
	hc.Timeout = 60 * time.Second
	return &firehoseClient{s: s, http: hc, signer: v4.NewSigner()}
}

// firehoseError is an error answer: the AWS code (from __type), message and
// HTTP status.
type firehoseError struct {
	Code    string
	Message string
	Status  int
}

func (e *firehoseError) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// call sends one operation with in marshalled as JSON and decodes a 200
// answer into out (if not nil). A non-200 answer is a *firehoseError; a
// transport failure is returned as it is.
func (c *firehoseClient) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("marshal %s input: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.s.Endpoint()+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Firehose_20150804."+op)
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: c.s.AccessKeyID, SecretAccessKey: c.s.SecretAccessKey}
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "firehose", testRegion, time.Now()); err != nil {
		return fmt.Errorf("sign %s: %w", op, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read %s answer: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg     string `json:"Message"`
		}
		_ = json.Unmarshal(raw, &e)
		code := e.Type
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
		if code == "" {
			code = resp.Header.Get("X-Amzn-ErrorType")
		}
		msg := e.Message
		if msg == "" {
			msg = e.Msg
		}
		return &firehoseError{Code: code, Message: msg, Status: resp.StatusCode}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("decode %s answer %q: %w", op, truncate(raw, 200), err)
		}
	}
	return nil
}

// must calls op and fails the test on any error.
func (c *firehoseClient) must(t testing.TB, op string, in any) map[string]any {
	t.Helper()
	out := map[string]any{}
	if err := c.call(ctxT(t), op, in, &out); err != nil {
		t.Fatalf("Firehose %s: %v", op, err)
	}
	return out
}

// putBatchOut is PutRecordBatch's answer.
type putBatchOut struct {
	FailedPutCount   int
	Encrypted        bool
	RequestResponses []struct {
		RecordId     string
		ErrorCode    string
		ErrorMessage string
	}
}

// putBatch sends records (raw bytes; JSON carries them base64) to stream.
func (c *firehoseClient) putBatch(ctx context.Context, stream string, records [][]byte) (*putBatchOut, error) {
	type rec struct{ Data []byte } // encoding/json writes []byte as base64
	in := struct {
		DeliveryStreamName string
		Records            []rec
	}{DeliveryStreamName: stream}
	for _, r := range records {
		in.Records = append(in.Records, rec{r})
	}
	var out putBatchOut
	if err := c.call(ctx, "PutRecordBatch", in, &out); err != nil {
		return nil, err
	}
	if len(out.RequestResponses) != len(records) {
		return nil, fmt.Errorf("PutRecordBatch answered %d entries for %d records", len(out.RequestResponses), len(records))
	}
	return &out, nil
}

// waitDeliveryActive polls DescribeDeliveryStream until ACTIVE.
func (c *firehoseClient) waitDeliveryActive(t testing.TB, name string) map[string]any {
	t.Helper()
	var last map[string]any
	eventually(t, 30*time.Second, func() bool {
		last = map[string]any{}
		if err := c.call(ctxT(t), "DescribeDeliveryStream", map[string]any{"DeliveryStreamName": name}, &last); err != nil {
			t.Fatalf("DescribeDeliveryStream %s: %v", name, err)
		}
		d, _ := last["DeliveryStreamDescription"].(map[string]any)
		return d["DeliveryStreamStatus"] == "ACTIVE"
	}, "delivery stream %s is not ACTIVE: %v", name, last)
	return last
}

// lakeObject is one delivered object, read back.
type lakeObject struct {
	Key  string
	Body []byte // as stored (compressed if the stream compresses)
}

// readObjects reads every object under prefix, in key order.
func readObjects(t testing.TB, c *s3.Client, bucket, prefix string) []lakeObject {
	t.Helper()
	keys := listAllKeys(t, c, bucket, prefix)
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var objs []lakeObject
	for _, k := range names {
		b, _, err := getBytes(ctxT(t), c, bucket, k)
		if err != nil {
			t.Fatalf("GetObject %s/%s: %v", bucket, k, err)
		}
		objs = append(objs, lakeObject{Key: k, Body: b})
	}
	return objs
}

// decodeDelivered undoes the compression a delivery stream applied to an
// object, as AWS documents each format: GZIP a gzip member stream, ZIP an
// archive (its entries concatenated), Snappy a Snappy stream (see below),
// HADOOP_SNAPPY Hadoop's block format (big-endian uncompressed length, then
// length-prefixed raw Snappy blocks).
func decodeDelivered(format string, b []byte) ([]byte, error) {
	switch format {
	case "", "UNCOMPRESSED":
		return b, nil
	case "GZIP":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gzip header: %w", err)
		}
		return io.ReadAll(zr)
	case "ZIP":
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, fmt.Errorf("zip archive: %w", err)
		}
		var out []byte
		for _, f := range zr.File {
			r, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("zip entry %s: %w", f.Name, err)
			}
			p, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				return nil, fmt.Errorf("zip entry %s: %w", f.Name, err)
			}
			out = append(out, p...)
		}
		return out, nil
	case "Snappy":
		// AWS does not say which Snappy stream it writes; take the two a
		// Java service would: the framing format snappy's own tools read,
		// and snappy-java's SnappyOutputStream.
		switch {
		case bytes.HasPrefix(b, []byte("\xff\x06\x00\x00sNaPpY")):
			return io.ReadAll(s2.NewReader(bytes.NewReader(b)))
		case bytes.HasPrefix(b, xerialMagic):
			return decodeXerialSnappy(b)
		}
		return nil, fmt.Errorf("neither a Snappy framing-format nor a snappy-java stream (starts %q)", truncate(b, 16))
	case "HADOOP_SNAPPY":
		var out []byte
		for len(b) > 0 {
			if len(b) < 4 {
				return nil, errors.New("hadoop-snappy: torn block header")
			}
			want := int(binary.BigEndian.Uint32(b))
			b = b[4:]
			var block []byte
			for len(block) < want {
				if len(b) < 4 {
					return nil, errors.New("hadoop-snappy: torn chunk header")
				}
				n := int(binary.BigEndian.Uint32(b))
				b = b[4:]
				if n > len(b) {
					return nil, fmt.Errorf("hadoop-snappy: chunk of %d bytes, %d left", n, len(b))
				}
				p, err := s2.Decode(nil, b[:n])
				if err != nil {
					return nil, fmt.Errorf("hadoop-snappy chunk: %w", err)
				}
				block = append(block, p...)
				b = b[n:]
			}
			if len(block) != want {
				return nil, fmt.Errorf("hadoop-snappy: block of %d bytes, header says %d", len(block), want)
			}
			out = append(out, block...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown compression %q", format)
}

// xerialMagic opens a snappy-java SnappyOutputStream, followed by two
// big-endian int32s (version, compatible version).
var xerialMagic = []byte("\x82SNAPPY\x00")

// decodeXerialSnappy decodes snappy-java's stream: the 16-byte header, then
// chunks of a big-endian int32 length and a raw Snappy block; concatenated
// streams repeat the header.
func decodeXerialSnappy(b []byte) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		if bytes.HasPrefix(b, xerialMagic) {
			if len(b) < 16 {
				return nil, errors.New("snappy-java: torn stream header")
			}
			b = b[16:]
			continue
		}
		if len(b) < 4 {
			return nil, errors.New("snappy-java: torn chunk header")
		}
		n := int(binary.BigEndian.Uint32(b))
		b = b[4:]
		if n > len(b) {
			return nil, fmt.Errorf("snappy-java: chunk of %d bytes, %d left", n, len(b))
		}
		p, err := s2.Decode(nil, b[:n])
		if err != nil {
			return nil, fmt.Errorf("snappy-java chunk: %w", err)
		}
		out = append(out, p...)
		b = b[n:]
	}
	return out, nil
}

// deliveredExt is the file extension AWS appends for a compression format.
// The developer guide's table ("Configure Amazon S3 object name format")
// lists .hsnappy for HADOOP_SNAPPY, but objects delivered by the real
// service carry .snappy for both Snappy formats (floci-io/floci#2328
// reproduced them byte for byte), and caudal follows the service.
func deliveredExt(format string) string {
	switch format {
	case "GZIP":
		return ".gz"
	case "ZIP":
		return ".zip"
	case "Snappy", "HADOOP_SNAPPY":
		return ".snappy"
	}
	return ""
}

// objectNameRE matches AWS's object name suffix:
// <stream>-<version>-YYYY-MM-dd-HH-MM-SS-<uuid><ext>.
func objectNameRE(stream, ext string) *regexp.Regexp {
	e := regexp.QuoteMeta(ext)
	return regexp.MustCompile("^" + regexp.QuoteMeta(stream) +
		`-([0-9]+)-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}` +
		e + "$")
}

// timePrefixRE is the default time prefix YYYY/MM/dd/HH/.
var timePrefixRE = regexp.MustCompile(`^(\d{4})/(\d{2})/(\d{2})/(\d{2})/$`)

// checkObjectKey checks that key is prefix + YYYY/MM/dd/HH/ (when
// timePrefix) + AWS's suffix for stream, that the time prefix and the
// suffix's time agree to the hour, and that both lie within [from, to]
// (UTC hours, as AWS evaluates them by default). It returns the stream
// version the name carries ("" if the key is wrong).
func checkObjectKey(t testing.TB, key, prefix string, timePrefix bool, stream, ext string, from, to time.Time) string {
	t.Helper()
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		t.Errorf("object %q is not under prefix %q", key, prefix)
		return ""
	}
	i := strings.LastIndexByte(rest, '/')
	dir, name := rest[:i+1], rest[i+1:]
	m := objectNameRE(stream, ext).FindStringSubmatch(name)
	if m == nil {
		t.Errorf("object %q: name %q is not %s-<version>-YYYY-MM-dd-HH-MM-SS-<uuid>%s", key, name, stream, ext)
		return ""
	}
	stamp, err := time.Parse("2006-01-02-15-04-05", strings.Join(m[2:8], "-"))
	if err != nil {
		t.Errorf("object %q: name time: %v", key, err)
		return ""
	}
	lo, hi := from.UTC().Truncate(time.Hour), to.UTC().Add(time.Hour).Truncate(time.Hour)
	if stamp.Before(lo) || !stamp.Before(hi) {
		t.Errorf("object %q: name time %v outside the run [%v, %v]", key, stamp, from.UTC(), to.UTC())
	}
	if !timePrefix {
		if dir != "" {
			t.Errorf("object %q: %q between the prefix and the name, want nothing", key, dir)
		}
		return m[1]
	}
	p := timePrefixRE.FindStringSubmatch(dir)
	if p == nil {
		t.Errorf("object %q: %q after the prefix is not the default YYYY/MM/dd/HH/", key, dir)
		return ""
	}
	hour, _ := time.Parse("2006/01/02/15", strings.Join(p[1:5], "/"))
	if hour.Before(lo) || !hour.Before(hi) {
		t.Errorf("object %q: time prefix %v outside the run [%v, %v]", key, hour, from.UTC(), to.UTC())
	}
	return m[1]
}

// errorRecord is one line of an error object in AWS's documented format.
type errorRecord struct {
	raw    map[string]any
	Data   []byte // rawData, decoded
	Code   string
	Reason string
}

// parseErrorRecords parses an error object: one JSON document per line
// with attemptsMade, arrivalTimestamp, errorCode, errorMessage,
// attemptEndingTimestamp and rawData (base64 of the record). AWS's pages
// spell the code and message fields errorCode/ErrorCode; either is taken.
func parseErrorRecords(body []byte) ([]errorRecord, error) {
	var out []errorRecord
	for _, line := range bytes.Split(bytes.TrimRight(body, "\n"), []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, fmt.Errorf("error record %q is not JSON: %w", truncate(line, 120), err)
		}
		get := func(names ...string) (any, bool) {
			for k, v := range m {
				for _, n := range names {
					if strings.EqualFold(k, n) {
						return v, true
					}
				}
			}
			return nil, false
		}
		for _, f := range []string{"attemptsMade", "arrivalTimestamp", "attemptEndingTimestamp"} {
			v, ok := m[f]
			if !ok {
				return nil, fmt.Errorf("error record %q has no %s", truncate(line, 200), f)
			}
			if n, ok := v.(float64); !ok || n < 0 {
				return nil, fmt.Errorf("error record %q: %s = %v, want a non-negative number", truncate(line, 200), f, v)
			}
		}
		code, ok1 := get("errorCode")
		msg, ok2 := get("errorMessage")
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("error record %q has no errorCode/errorMessage", truncate(line, 200))
		}
		rd, ok := m["rawData"].(string)
		if !ok {
			return nil, fmt.Errorf("error record %q has no rawData string", truncate(line, 200))
		}
		data, err := base64.StdEncoding.DecodeString(rd)
		if err != nil {
			return nil, fmt.Errorf("error record rawData %q is not base64: %w", truncate([]byte(rd), 60), err)
		}
		cs, _ := code.(string)
		ms, _ := msg.(string)
		if cs == "" || ms == "" {
			return nil, fmt.Errorf("error record %q: empty errorCode or errorMessage", truncate(line, 200))
		}
		out = append(out, errorRecord{raw: m, Data: data, Code: cs, Reason: ms})
	}
	return out, nil
}

// splitLines splits delivered data into its newline-terminated records;
// a trailing partial line is returned as one more element.
func splitLines(b []byte) []string {
	s := string(b)
	if s == "" {
		return nil
	}
	parts := strings.SplitAfter(s, "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// sameMultiset reports the differences between the lines got and want:
// lines wanted and missing, and lines got and unexpected (a duplicate of a
// wanted line counts as unexpected once per extra copy).
func sameMultiset(got, want []string) (missing, extra []string) {
	count := map[string]int{}
	for _, w := range want {
		count[w]++
	}
	for _, g := range got {
		if count[g] > 0 {
			count[g]--
		} else {
			extra = append(extra, g)
		}
	}
	for _, w := range want {
		if count[w] > 0 {
			missing = append(missing, w)
			count[w]--
		}
	}
	return missing, extra
}

// firstN is at most n elements of s, for messages.
func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
