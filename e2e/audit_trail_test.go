package e2e

// The audit trail (issue 7, part 4): boto3 calls to Kinesis, S3, Glue and
// Athena — one success and one failure each — are found in the trail's
// objects in the lake with CloudTrail's fields (principal, operation,
// source, resources, error code, the request id the client saw, the
// caller's address), and through Athena over caudal_audit.cloudtrail;
// the trail's bucket refuses writes even from the root key; and the
// trail survives a clean restart and a kill -9.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const (
	auditAccount = "000000000000"
	auditBucket  = "caudal-audit-" + auditAccount
	auditRootARN = "arn:aws:iam::" + auditAccount + ":root"
)

// trailRecord is the part of a CloudTrail record the tests check.
type trailRecord struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		AccessKeyID string `json:"accessKeyId"`
	} `json:"userIdentity"`
	EventTime       string `json:"eventTime"`
	EventSource     string `json:"eventSource"`
	EventName       string `json:"eventName"`
	AWSRegion       string `json:"awsRegion"`
	SourceIPAddress string `json:"sourceIPAddress"`
	UserAgent       string `json:"userAgent"`
	ErrorCode       string `json:"errorCode"`
	RequestID       string `json:"requestID"`
	EventID         string `json:"eventID"`
	ReadOnly        bool   `json:"readOnly"`
	Resources       []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
	EventType          string `json:"eventType"`
	RecipientAccountID string `json:"recipientAccountId"`
	EventCategory      string `json:"eventCategory"`
	HTTPStatus         int    `json:"httpStatus"`
	TLSDetails         *struct {
		TLSVersion               string `json:"tlsVersion"`
		CipherSuite              string `json:"cipherSuite"`
		ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
	} `json:"tlsDetails"`
}

// readTrail reads every record of every trail object, by request id.
func readTrail(t *testing.T, s *Server, opts ...func(*s3.Options)) map[string]trailRecord {
	t.Helper()
	ctx := context.Background()
	c := s.S3Client(t, opts...)
	out := map[string]trailRecord{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(auditBucket), Prefix: aws.String("AWSLogs/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("list the audit bucket: %v", err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !strings.HasPrefix(key, "AWSLogs/"+auditAccount+"/CloudTrail/us-east-1/") || !strings.HasSuffix(key, ".json") ||
				!strings.Contains(key, "/"+auditAccount+"_CloudTrail_us-east-1_") {
				t.Errorf("trail object %q is not named as CloudTrail names its files", key)
			}
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(auditBucket), Key: o.Key})
			if err != nil {
				t.Fatalf("get %s: %v", key, err)
			}
			body, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatalf("read %s: %v", key, err)
			}
			sc := bufio.NewScanner(bytes.NewReader(body))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var r trailRecord
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("%s: a line is not a JSON record: %v: %q", key, err, sc.Text())
				}
				out[r.RequestID] = r
			}
		}
	}
	return out
}

// waitTrail polls the trail until it holds every request id (the trail
// flushes every 5 s) and returns it.
func waitTrail(t *testing.T, s *Server, ids []string, opts ...func(*s3.Options)) map[string]trailRecord {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		recs := readTrail(t, s, opts...)
		var missing []string
		for _, id := range ids {
			if _, ok := recs[id]; !ok {
				missing = append(missing, id)
			}
		}
		if len(missing) == 0 {
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s the trail (%d records) still lacks request ids %v", len(recs), missing)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func TestE2EAuditTrailBoto3(t *testing.T) {
	c := clients(t)
	s := startServer(t)
	res := runScript(t, c.PythonNew, s, "audit_trail.py", "calls")
	calls, _ := res["calls"].([]any)
	if len(calls) != 8 {
		t.Fatalf("script reported %d calls, want 8: %v", len(calls), res)
	}
	stream, _ := res["stream"].(string)
	bucket, _ := res["bucket"].(string)
	database, _ := res["database"].(string)
	wantResource := map[string]string{
		"CreateStream":   "arn:aws:kinesis:us-east-1:" + auditAccount + ":stream/" + stream,
		"DescribeStream": "arn:aws:kinesis:us-east-1:" + auditAccount + ":stream/" + stream + "-missing",
		"PutObject":      "arn:aws:s3:::" + bucket + "/k/one.txt",
		"GetObject":      "arn:aws:s3:::" + bucket + "/missing.txt",
		"CreateDatabase": "arn:aws:glue:us-east-1:" + auditAccount + ":database/" + database,
	}
	var ids []string
	for _, x := range calls {
		ids = append(ids, x.(map[string]any)["requestId"].(string))
	}
	recs := waitTrail(t, s, ids)
	for _, x := range calls {
		call := x.(map[string]any)
		id, op, svc, errCode := call["requestId"].(string), call["op"].(string), call["service"].(string), call["error"].(string)
		r := recs[id]
		t.Logf("%s %s → %+v", svc, op, r)
		if r.EventName != op || r.EventSource != svc+".amazonaws.com" {
			t.Errorf("%s: eventSource/eventName = %s/%s, want %s.amazonaws.com/%s", id, r.EventSource, r.EventName, svc, op)
		}
		if r.ErrorCode != errCode {
			t.Errorf("%s %s: errorCode = %q, want %q", svc, op, r.ErrorCode, errCode)
		}
		if (errCode == "") != (r.HTTPStatus == 200) {
			t.Errorf("%s %s: httpStatus %d with errorCode %q", svc, op, r.HTTPStatus, errCode)
		}
		if r.UserIdentity.ARN != auditRootARN || r.UserIdentity.Type != "Root" || r.UserIdentity.AccountID != auditAccount {
			t.Errorf("%s %s: userIdentity = %+v, want the root of %s", svc, op, r.UserIdentity, auditAccount)
		}
		if r.SourceIPAddress != "127.0.0.1" {
			t.Errorf("%s %s: sourceIPAddress = %q, want 127.0.0.1", svc, op, r.SourceIPAddress)
		}
		if !strings.Contains(r.UserAgent, "Boto3/") {
			t.Errorf("%s %s: userAgent = %q, want boto3's", svc, op, r.UserAgent)
		}
		if r.EventVersion != "1.08" || r.EventType != "AwsApiCall" || r.RecipientAccountID != auditAccount ||
			len(r.EventID) != 36 || r.AWSRegion != "us-east-1" {
			t.Errorf("%s %s: fixed fields wrong: %+v", svc, op, r)
		}
		if _, err := time.Parse(time.RFC3339, r.EventTime); err != nil || time.Since(mustTime(r.EventTime)) > 10*time.Minute {
			t.Errorf("%s %s: eventTime %q is not a recent RFC 3339 time", svc, op, r.EventTime)
		}
		if want := strings.HasPrefix(op, "Get") || strings.HasPrefix(op, "Describe"); r.ReadOnly != want {
			t.Errorf("%s %s: readOnly = %v, want %v", svc, op, r.ReadOnly, want)
		}
		wantCat := "Management"
		if op == "PutObject" || op == "GetObject" {
			wantCat = "Data"
		}
		if r.EventCategory != wantCat {
			t.Errorf("%s %s: eventCategory = %q, want %q", svc, op, r.EventCategory, wantCat)
		}
		if arn, ok := wantResource[op]; ok {
			found := false
			for _, res := range r.Resources {
				found = found || res.ARN == arn
			}
			if !found {
				t.Errorf("%s %s: resources %+v lack %s", svc, op, r.Resources, arn)
			}
		}
	}

	// The refused writes to the trail's bucket are themselves in the trail.
	denied := 0
	for _, r := range readTrail(t, s) {
		if r.EventSource == "s3.amazonaws.com" && r.ErrorCode == "AccessDenied" && r.HTTPStatus == 403 {
			denied++
		}
	}
	if refused, _ := res["refused"].([]any); len(refused) != 7 || denied < 6 {
		t.Errorf("refused writes: script %v, trail records of AccessDenied %d (want 7 refusals, 6 of them S3 AccessDenied)", res["refused"], denied)
	}

	// The CLI's shortcut: the failed Kinesis call, and only failed calls.
	out := auditCLI(t, s, "--errors", "--service", "kinesis", "--format", "csv")
	var describeID string
	for _, x := range calls {
		if call := x.(map[string]any); call["op"] == "DescribeStream" {
			describeID = call["requestId"].(string)
		}
	}
	if !strings.Contains(out, "DescribeStream") || !strings.Contains(out, "ResourceNotFoundException") ||
		!strings.Contains(out, describeID) || strings.Contains(out, "CreateStream") || strings.Contains(out, "s3.amazonaws.com") {
		t.Errorf("caudal audit --errors --service kinesis printed:\n%s", out)
	}

	// SQL over the trail, through Athena.
	idsJSON, _ := json.Marshal(ids)
	q := runScript(t, c.PythonNew, s, "audit_trail.py", "query", string(idsJSON), bucket)
	rows, _ := q["rows"].([]any)
	if len(rows) != len(ids) {
		t.Fatalf("Athena over caudal_audit.cloudtrail found %d of %d calls: %v", len(rows), len(ids), rows)
	}
	for _, x := range rows {
		row := x.(map[string]any)
		r := recs[row["requestid"].(string)]
		if row["eventname"] != r.EventName || row["eventsource"] != r.EventSource || row["errorcode"] != r.ErrorCode ||
			row["arn"] != auditRootARN || row["sourceipaddress"] != "127.0.0.1" {
			t.Errorf("Athena row %v disagrees with the trail object's record %+v", row, r)
		}
	}
}

// auditCLI runs `caudal audit args…` against s and returns its stdout.
func auditCLI(t *testing.T, s *Server, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), queryCLITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, caudalBinary, append([]string{"--endpoint", s.Endpoint(), "audit"}, args...)...)
	cmd.Env = s.Env()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("caudal audit %q: %v\nstdout: %s\nstderr: %s", args, err, o.String(), e.String())
	}
	return o.String()
}

func mustTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// TestE2EAuditTrailSurvivesRestart: a call made just before a clean stop
// is in the trail after the restart (Close flushed it), and so is one
// made before a kill -9 (its journal segment is put at the next start).
func TestE2EAuditTrailSurvivesRestart(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	call := func() string {
		t.Helper()
		out, err := s.KinesisClient(t).ListStreams(ctx, &kinesis.ListStreamsInput{})
		if err != nil {
			t.Fatalf("ListStreams: %v", err)
		}
		id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		if !ok || id == "" {
			t.Fatal("ListStreams answer has no request id")
		}
		return id
	}
	beforeStop := call()
	s.Restart() // SIGTERM, then start again
	beforeKill := call()
	// The journal is written every 100 ms; give the writer time to run
	// on a loaded machine before the kill.
	time.Sleep(2 * time.Second)
	s.Kill()
	s.Restart()
	recs := waitTrail(t, s, []string{beforeStop, beforeKill})
	for _, id := range []string{beforeStop, beforeKill} {
		if r := recs[id]; r.EventName != "ListStreams" || r.EventSource != "kinesis.amazonaws.com" || !r.ReadOnly || r.TLSDetails != nil {
			t.Errorf("record %s after restart = %+v", id, r)
		}
	}
}

// TestE2EAuditTrailTLS: a call over TLS carries CloudTrail's tlsDetails
// (version, cipher suite, the Host the client sent); a plain-HTTP server
// records none (checked in TestE2EAuditTrailSurvivesRestart's records).
func TestE2EAuditTrailTLS(t *testing.T) {
	s := startServer(t, withTLS())
	hc, err := s.TLSHTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	kc := kinesis.New(kinesis.Options{
		BaseEndpoint: aws.String(s.Endpoint()), Region: testRegion, HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
	})
	out, err := kc.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatalf("ListStreams over TLS: %v", err)
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	recs := waitTrail(t, s, []string{id}, func(o *s3.Options) { o.HTTPClient = hc })
	r := recs[id]
	if r.TLSDetails == nil || !strings.HasPrefix(r.TLSDetails.TLSVersion, "TLSv1.") || r.TLSDetails.CipherSuite == "" ||
		r.TLSDetails.ClientProvidedHostHeader != strings.TrimPrefix(s.Endpoint(), "https://") {
		t.Errorf("tlsDetails = %+v (endpoint %s)", r.TLSDetails, s.Endpoint())
	}
}
