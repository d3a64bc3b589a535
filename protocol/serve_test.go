package protocol

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

type echoOut struct {
	Operation string     `json:"Operation"`
	Caller    string     `json:"Caller,omitempty"`
	Region    string     `json:"Region,omitempty"`
	RequestID string     `json:"RequestId"`
	In        testInput  `json:"In"`
	Now       *Timestamp `json:"Now,omitempty"`
}

// testService is a Service whose operations exercise every path of the
// envelope; logs go to logBuf so tests can check what was logged.
func testService(logBuf *bytes.Buffer) *Service {
	return &Service{
		TargetPrefix: "Test_20240101",
		Log:          slog.New(slog.NewTextHandler(logBuf, nil)),
		Ops: map[string]Handler{
			"Echo": func(ctx context.Context, c *Call) (any, error) {
				var in testInput
				if err := c.Decode(&in); err != nil {
					return nil, err
				}
				return &echoOut{Operation: c.Operation, Caller: c.Caller.AccessKeyID, Region: c.Caller.Region,
					RequestID: c.RequestID, In: in}, nil
			},
			"Empty":    func(ctx context.Context, c *Call) (any, error) { return nil, nil },
			"TypedNil": func(ctx context.Context, c *Call) (any, error) { return (*echoOut)(nil), nil },
			"Fail": func(ctx context.Context, c *Call) (any, error) {
				return nil, &Error{Code: "ResourceNotFoundException", Status: 400, Message: "Stream s under account 000000000000 not found."}
			},
			"Wrapped": func(ctx context.Context, c *Call) (any, error) {
				return nil, errors.Join(errors.New("context"), &Error{Code: "LimitExceededException", Status: 400, Message: "too many"})
			},
			"Leak": func(ctx context.Context, c *Call) (any, error) {
				return nil, errors.New("open /secret/path/segment-0001: permission denied")
			},
			"Panic": func(ctx context.Context, c *Call) (any, error) { panic("boom /secret/path") },
		},
	}
}

var (
	uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

type answer struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, url, method, ctype, target string, body []byte, hdr map[string]string) answer {
	t.Helper()
	r, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		r.Body = http.NoBody
		r.ContentLength = 0
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: b}
	if id := resp.Header.Get("x-amzn-RequestId"); !uuidShape.MatchString(id) {
		t.Errorf("x-amzn-RequestId %q is not a v4 UUID", id)
	}
	if id2, err := base64.StdEncoding.DecodeString(resp.Header.Get("x-amz-id-2")); err != nil || len(id2) != 72 {
		t.Errorf("x-amz-id-2 %q: %d bytes, %v", resp.Header.Get("x-amz-id-2"), len(id2), err)
	}
	return a
}

// errorOf decodes an error answer in its codec.
func errorOf(t *testing.T, a answer) map[string]string {
	t.Helper()
	m := map[string]string{}
	var err error
	if a.header.Get("Content-Type") == ContentTypeCBOR11 {
		err = cbor.Unmarshal(a.body, &m)
	} else {
		err = json.Unmarshal(a.body, &m)
	}
	if err != nil {
		t.Fatalf("error body %q: %v", a.body, err)
	}
	if a.header.Get("x-amzn-ErrorType") != m["__type"] {
		t.Errorf("x-amzn-ErrorType %q, body __type %q", a.header.Get("x-amzn-ErrorType"), m["__type"])
	}
	return m
}

func TestServeEnvelope(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(testService(&logs))
	defer srv.Close()
	const json11, json10, cbor11 = ContentTypeJSON11, ContentTypeJSON10, ContentTypeCBOR11
	cborEmpty := []byte{0xa0}

	tests := []struct {
		name    string
		method  string
		ctype   string
		target  string
		body    []byte
		hdr     map[string]string
		status  int
		rawBody string            // exact body for XML/empty answers
		errType string            // __type of a JSON/CBOR error
		errMsg  string            // its message ("" = absent)
		ansType string            // Content-Type of the answer
		check   func(a answer)    // extra checks
		logs    []string          // substrings that must be logged
		nolog   map[string]string // substrings that must not be in the answer
	}{
		{name: "GET without auth", method: "GET", status: 403,
			rawBody: "<MissingAuthenticationTokenException>\n  <Message>Missing Authentication Token</Message>\n</MissingAuthenticationTokenException>\n"},
		{name: "PUT with auth", method: "PUT", hdr: map[string]string{"Authorization": "AWS4-HMAC-SHA256 x"}, status: 403,
			rawBody: "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n"},
		{name: "no content type no target", body: []byte("{}"), status: 403,
			rawBody: "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n"},
		{name: "plain json with target", ctype: "application/json", target: "Test_20240101.Echo", body: []byte("{}"), status: 404,
			rawBody: "<UnknownOperationException/>\n"},
		{name: "empty body known op", ctype: json11, target: "Test_20240101.Echo", status: 400,
			errType: "SerializationException", ansType: json11},
		{name: "empty body unknown op", ctype: json11, target: "Test_20240101.Nope", status: 400,
			errType: "UnknownOperationException", ansType: json11},
		{name: "no target", ctype: json11, body: []byte("{}"), status: 400, errType: "UnknownOperationException", ansType: json11},
		{name: "wrong prefix", ctype: json11, target: "Kinesis_20131202.Echo", body: []byte("{}"), status: 400,
			errType: "UnknownOperationException", ansType: json11},
		{name: "target without dot", ctype: json11, target: "Echo", body: []byte("{}"), status: 400,
			errType: "UnknownOperationException", ansType: json11},
		{name: "unknown op cbor", ctype: cbor11, target: "Test_20240101.Nope", body: cborEmpty, status: 400,
			errType: "UnknownOperationException", ansType: cbor11},
		{name: "malformed json", ctype: json11, target: "Test_20240101.Echo", body: []byte("hello"), status: 400,
			errType: "SerializationException", ansType: json11},
		{name: "wrong type json", ctype: json11, target: "Test_20240101.Echo", body: []byte(`{"StreamName":5}`), status: 400,
			errType: "SerializationException", errMsg: "class java.math.BigDecimal can not be converted to an String", ansType: json11},
		{name: "malformed cbor", ctype: cbor11, target: "Test_20240101.Echo", body: []byte{0xbf, 0x61}, status: 400,
			errType: "SerializationException", ansType: cbor11},
		{name: "service error json", ctype: json11, target: "Test_20240101.Fail", body: []byte("{}"), status: 400,
			errType: "ResourceNotFoundException", errMsg: "Stream s under account 000000000000 not found.", ansType: json11},
		{name: "service error json 1.0", ctype: json10, target: "Test_20240101.Fail", body: []byte("{}"), status: 400,
			errType: "ResourceNotFoundException", errMsg: "Stream s under account 000000000000 not found.", ansType: json10},
		{name: "service error cbor", ctype: cbor11, target: "Test_20240101.Fail", body: cborEmpty, status: 400,
			errType: "ResourceNotFoundException", errMsg: "Stream s under account 000000000000 not found.", ansType: cbor11},
		{name: "wrapped service error", ctype: json11, target: "Test_20240101.Wrapped", body: []byte("{}"), status: 400,
			errType: "LimitExceededException", errMsg: "too many", ansType: json11},
		{name: "internal error is not leaked", ctype: json11, target: "Test_20240101.Leak", body: []byte("{}"), status: 500,
			errType: "InternalFailure", errMsg: "The request processing has failed because of an unknown error, exception or failure.", ansType: json11,
			logs: []string{"permission denied", "operation=Leak"}},
		{name: "panic is recovered", ctype: cbor11, target: "Test_20240101.Panic", body: cborEmpty, status: 500,
			errType: "InternalFailure", errMsg: "The request processing has failed because of an unknown error, exception or failure.", ansType: cbor11,
			logs: []string{"boom /secret/path", "operation=Panic"}},
		{name: "no output is {}", ctype: json11, target: "Test_20240101.Empty", body: []byte("{}"), status: 200, ansType: json11,
			check: func(a answer) {
				if string(a.body) != "{}" {
					t.Errorf("body %q, want {}", a.body)
				}
			}},
		{name: "no output is {} in cbor", ctype: cbor11, target: "Test_20240101.Empty", body: cborEmpty, status: 200, ansType: cbor11,
			check: func(a answer) {
				if !bytes.Equal(a.body, cborEmpty) {
					t.Errorf("body % x, want a0", a.body)
				}
			}},
		{name: "typed nil output is {}", ctype: json11, target: "Test_20240101.TypedNil", body: []byte("{}"), status: 200, ansType: json11,
			check: func(a answer) {
				if string(a.body) != "{}" {
					t.Errorf("body %q, want {}", a.body)
				}
			}},
		{name: "content type with charset", ctype: json11 + "; charset=utf-8", target: "Test_20240101.Empty", body: []byte("{}"),
			status: 200, ansType: json11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			method := tc.method
			if method == "" {
				method = "POST"
			}
			a := do(t, srv.URL+"/", method, tc.ctype, tc.target, tc.body, tc.hdr)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d (body %q)", a.status, tc.status, a.body)
			}
			if a.header.Get("Content-Length") == "" {
				t.Error("no Content-Length")
			}
			if tc.ansType != "" && a.header.Get("Content-Type") != tc.ansType {
				t.Errorf("Content-Type %q, want %q", a.header.Get("Content-Type"), tc.ansType)
			}
			switch {
			case tc.errType != "":
				m := errorOf(t, a)
				if m["__type"] != tc.errType || m["message"] != tc.errMsg {
					t.Errorf("error %v, want %s %q", m, tc.errType, tc.errMsg)
				}
				if _, has := m["message"]; has != (tc.errMsg != "") {
					t.Errorf("message present %v, want %v", has, tc.errMsg != "")
				}
			case tc.status != 200:
				if string(a.body) != tc.rawBody {
					t.Errorf("body %q, want %q", a.body, tc.rawBody)
				}
				if ct, has := a.header["Content-Type"]; has {
					t.Errorf("front-end answer has Content-Type %q; AWS sends none", ct)
				}
			}
			if tc.check != nil {
				tc.check(a)
			}
			for _, l := range tc.logs {
				if !strings.Contains(logs.String(), l) {
					t.Errorf("log lacks %q:\n%s", l, logs.String())
				}
			}
			if tc.status == 500 && strings.Contains(string(a.body), "secret") {
				t.Errorf("answer leaks internals: %q", a.body)
			}
		})
	}
}

// TestServeCodecs sends the same input in JSON 1.1, JSON 1.0 and CBOR and
// checks the answer comes back in the request's codec with the same content.
func TestServeCodecs(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(testService(&logs))
	defer srv.Close()
	in := sampleInput()
	for _, tc := range []struct {
		ctype string
		codec Codec
	}{{ContentTypeJSON11, JSON}, {ContentTypeJSON10, JSON}, {ContentTypeCBOR11, CBOR}} {
		t.Run(tc.ctype, func(t *testing.T) {
			body, err := Marshal(tc.codec, in)
			if err != nil {
				t.Fatal(err)
			}
			a := do(t, srv.URL+"/", "POST", tc.ctype, "Test_20240101.Echo", body, nil)
			if a.status != 200 || a.header.Get("Content-Type") != tc.ctype {
				t.Fatalf("status %d type %q body %q", a.status, a.header.Get("Content-Type"), a.body)
			}
			var out echoOut
			if tc.codec == CBOR {
				err = cbor.Unmarshal(a.body, &out)
			} else {
				err = json.Unmarshal(a.body, &out)
			}
			if err != nil {
				t.Fatalf("decode answer: %v", err)
			}
			if out.Operation != "Echo" || out.RequestID != a.header.Get("x-amzn-RequestId") {
				t.Errorf("operation %q request id %q (header %q)", out.Operation, out.RequestID, a.header.Get("x-amzn-RequestId"))
			}
			equalInput(t, out.In, in)
		})
	}
}

func TestServeCaller(t *testing.T) {
	var logs bytes.Buffer
	svc := testService(&logs)
	// From the context, as the server's auth middleware sets it.
	mw := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.ServeHTTP(w, r.WithContext(WithCaller(r.Context(), Caller{AccessKeyID: "AKIACTX", Region: "eu-west-1"})))
	})
	srv := httptest.NewServer(mw)
	defer srv.Close()
	a := do(t, srv.URL, "POST", ContentTypeJSON11, "Test_20240101.Echo", []byte("{}"), nil)
	var out echoOut
	if err := json.Unmarshal(a.body, &out); err != nil || out.Caller != "AKIACTX" || out.Region != "eu-west-1" {
		t.Fatalf("caller from context: %+v %v", out, err)
	}

	// From the Auth hook, which sees the body and runs after the envelope
	// checks (an unknown operation is refused before authentication).
	var authed []string
	svc2 := testService(&logs)
	svc2.Auth = func(r *http.Request, body []byte) (Caller, error) {
		authed = append(authed, string(body))
		if r.Header.Get("Authorization") == "" {
			return Caller{}, &Error{Code: "MissingAuthenticationTokenException", Status: 400, Message: "Missing Authentication Token"}
		}
		return Caller{AccessKeyID: "AKIAHOOK", Region: "ap-south-1"}, nil
	}
	srv2 := httptest.NewServer(svc2)
	defer srv2.Close()
	a = do(t, srv2.URL, "POST", ContentTypeJSON11, "Test_20240101.Nope", []byte("{}"), nil)
	if m := errorOf(t, a); m["__type"] != "UnknownOperationException" || len(authed) != 0 {
		t.Fatalf("unknown op: %v, auth ran %d times", m, len(authed))
	}
	a = do(t, srv2.URL, "POST", ContentTypeJSON11, "Test_20240101.Echo", []byte("{}"), nil)
	if m := errorOf(t, a); a.status != 400 || m["__type"] != "MissingAuthenticationTokenException" || m["message"] != "Missing Authentication Token" {
		t.Fatalf("auth failure: %d %v", a.status, m)
	}
	a = do(t, srv2.URL, "POST", ContentTypeJSON11, "Test_20240101.Echo", []byte(`{"StreamName":"s"}`), map[string]string{"Authorization": "x"})
	if err := json.Unmarshal(a.body, &out); err != nil || out.Caller != "AKIAHOOK" || out.Region != "ap-south-1" {
		t.Fatalf("caller from hook: %+v %v", out, err)
	}
	if authed[len(authed)-1] != `{"StreamName":"s"}` {
		t.Errorf("hook saw body %q", authed[len(authed)-1])
	}
}

func TestServeBodyLimit(t *testing.T) {
	var logs bytes.Buffer
	svc := testService(&logs)
	svc.MaxBodyBytes = 1 << 10
	srv := httptest.NewServer(svc)
	defer srv.Close()

	big := append([]byte(`{"StreamName":"`), bytes.Repeat([]byte("x"), 2<<10)...)
	big = append(big, `"}`...)
	a := do(t, srv.URL, "POST", ContentTypeJSON11, "Test_20240101.Echo", big, nil)
	if a.status != http.StatusRequestEntityTooLarge || len(a.body) != 0 {
		t.Errorf("declared length: status %d body %q, want an empty 413", a.status, a.body)
	}

	// Chunked: no Content-Length, so the limit applies while reading.
	r, _ := http.NewRequest("POST", srv.URL, io.MultiReader(bytes.NewReader(big)))
	r.ContentLength = -1
	r.Header.Set("Content-Type", ContentTypeJSON11)
	r.Header.Set("X-Amz-Target", "Test_20240101.Echo")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: status %d, want 413", resp.StatusCode)
	}

	// At the limit it is served.
	ok := append([]byte(`{"StreamName":"`), bytes.Repeat([]byte("x"), 1<<10-len(`{"StreamName":""}`))...)
	ok = append(ok, `"}`...)
	if len(ok) != 1<<10 {
		t.Fatalf("test body is %d bytes", len(ok))
	}
	if a := do(t, srv.URL, "POST", ContentTypeJSON11, "Test_20240101.Echo", ok, nil); a.status != 200 {
		t.Errorf("body at the limit: status %d %q", a.status, a.body)
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, JSON, "req-1", &Error{Code: "ValidationException", Status: 400, Message: `1 validation error detected: Value 'a"b' at 'streamName'`})
	if w.Code != 400 || w.Header().Get("x-amzn-RequestId") != "req-1" || w.Header().Get("x-amzn-ErrorType") != "ValidationException" ||
		w.Header().Get("Content-Type") != ContentTypeJSON11 {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	if got := w.Body.String(); got != `{"__type":"ValidationException","message":"1 validation error detected: Value 'a\"b' at 'streamName'"}` {
		t.Errorf("body %s", got)
	}
	w = httptest.NewRecorder()
	WriteError(w, CBOR, "", errors.New("disk on fire"))
	var m map[string]string
	if err := cbor.Unmarshal(w.Body.Bytes(), &m); err != nil || w.Code != 500 || m["__type"] != "InternalFailure" || strings.Contains(w.Body.String(), "fire") {
		t.Errorf("%d %v %v", w.Code, m, err)
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if !uuidShape.MatchString(id) {
			t.Fatalf("%q is not a v4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("duplicate %q", id)
		}
		seen[id] = true
	}
}

func TestServeConcurrentBuffersDoNotMix(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(testService(&logs))
	defer srv.Close()
	done := make(chan error, 16)
	for i := range 16 {
		go func() {
			name := strings.Repeat(string(rune('a'+i)), 1000+i)
			body, _ := json.Marshal(map[string]string{"StreamName": name})
			for range 20 {
				resp, err := http.Post(srv.URL, ContentTypeJSON11, bytes.NewReader(body))
				if err != nil {
					done <- err
					return
				}
				resp.Body.Close()
				// Post cannot set X-Amz-Target; use a full request.
				r, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(body))
				r.Header.Set("Content-Type", ContentTypeJSON11)
				r.Header.Set("X-Amz-Target", "Test_20240101.Echo")
				resp, err = http.DefaultClient.Do(r)
				if err != nil {
					done <- err
					return
				}
				var out echoOut
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if err != nil || out.In.StreamName != name {
					done <- errors.New("answer mixed with another request's")
					return
				}
			}
			done <- nil
		}()
	}
	deadline := time.After(20 * time.Second)
	for range 16 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("timed out")
		}
	}
}
