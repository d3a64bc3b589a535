package protocol

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// stdJSON is what encode writes for v through encoding/json.
func stdJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var jsonStringCases = []string{
	"", "plain", `quote " and \ backslash`, "<html> & co", "\x00\x01\x07\b\f\n\r\t\x1f\x7f",
	"caf\u00e9 \u65e5\u672c", "line\u2028sep\u2029", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate",
	"emoji \U0001F600", "/slash/",
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonStringCases {
		if got, want := AppendJSONString(nil, s), stdJSON(t, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

// FuzzAppendJSONString: for every string, AppendJSONString writes what
// encoding/json writes (escapeHTML off).
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := AppendJSONString([]byte("x"), s), append([]byte("x"), stdJSON(t, s)...); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

func TestAppendJSONBlob(t *testing.T) {
	for _, b := range [][]byte{nil, {}, {0}, []byte("hello, world"), bytes.Repeat([]byte{0xff, 0, 0x7e}, 100)} {
		if got, want := AppendJSONBlob(nil, b), stdJSON(t, b); !bytes.Equal(got, want) {
			t.Errorf("%v: got %s, want %s", b, got, want)
		}
	}
}

func TestAppendJSONEpochMillis(t *testing.T) {
	for _, ms := range []int64{0, 1, -1, 999, -999, 1000, -1000, -1500, -500, 1700000000123, -1700000000123, 1 << 40} {
		want, err := NewTimestamp(time.UnixMilli(ms)).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		// MarshalJSON itself is checked against known strings in TestTimestampJSON.
		if got := AppendJSONEpochMillis(nil, ms); !bytes.Equal(got, want) {
			t.Errorf("%d: got %s, want %s", ms, got, want)
		}
		if err := json.Unmarshal(AppendJSONEpochMillis(nil, ms), new(float64)); err != nil {
			t.Errorf("%d: not a JSON number: %v", ms, err)
		}
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = AppendJSONEpochMillis(buf[:0], 1700000000123) }); n != 0 {
		t.Errorf("AppendJSONEpochMillis: %v allocs, want 0", n)
	}
}

// appenderOut encodes itself; released counts Release calls.
type appenderOut struct {
	Name     string `json:"Name"`
	released *atomic.Int32
}

func (a *appenderOut) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"Name":`...)
	dst = AppendJSONString(dst, a.Name)
	return append(dst, '}')
}

func (a *appenderOut) Release() { a.released.Add(1) }

// TestServeJSONAppender: JSON answers come from AppendJSON, CBOR answers
// from the reflection codec, and Release runs once after each.
func TestServeJSONAppender(t *testing.T) {
	var released atomic.Int32
	s := &Service{TargetPrefix: "Test_20240101", Ops: map[string]Handler{
		"Self": func(ctx context.Context, c *Call) (any, error) {
			return &appenderOut{Name: "<x> \u2028", released: &released}, nil
		},
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, ctype := range []string{ContentTypeJSON11, ContentTypeCBOR11} {
		body := []byte("{}")
		if ctype == ContentTypeCBOR11 {
			body = []byte{0xa0}
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-Amz-Target", "Test_20240101.Self")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct{ Name string }
		if ctype == ContentTypeCBOR11 {
			err = cbor.Unmarshal(got, &out)
		} else {
			if want := `{"Name":"<x> \u2028"}`; string(got) != want {
				t.Errorf("JSON answer %s, want %s", got, want)
			}
			err = json.Unmarshal(got, &out)
		}
		if err != nil || out.Name != "<x> \u2028" || resp.StatusCode != 200 {
			t.Errorf("%s: %d %q %v", ctype, resp.StatusCode, got, err)
		}
	}
	if n := released.Load(); n != 2 {
		t.Errorf("Release ran %d times, want 2", n)
	}
}

// FuzzAppendBase64: AppendBase64 writes what encoding/base64 writes, on
// the scalar path and (where the CPU has it) the AVX2 path, without
// touching dst past the encoding, and DecodeBase64 gives src back.
func FuzzAppendBase64(f *testing.F) {
	for n := range 20 {
		f.Add(bytes.Repeat([]byte{0xfb, 0x0f, 0x3e}, n)[:n])
	}
	for _, n := range []int{27, 28, 51, 52, 100, 1024} {
		f.Add(bytes.Repeat([]byte("caudal \x00\xff\x80"), n/10+1)[:n])
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		decodePaths(t, func(path string) {
			checkAppendBase64(t, path, []byte("x"), src)
			enc := AppendBase64(nil, src)
			dec := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
			n, err := DecodeBase64(dec, enc)
			if err != nil || !bytes.Equal(dec[:n], src) {
				t.Fatalf("%s: %x: round trip gave %x, %v", path, src, dec[:n], err)
			}
		})
	})
}

func TestAppendBase64AllLengths(t *testing.T) {
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(i*7 + i>>3)
	}
	for n := range len(src) {
		if got, want := AppendBase64(nil, src[:n]), base64.StdEncoding.AppendEncode(nil, src[:n]); !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: got %s, want %s", n, got, want)
		}
	}
}

// FuzzDecodeBase64: DecodeBase64 returns what encoding/base64 returns:
// the same bytes, count and error, on the scalar path and (where the CPU
// has it) the AVX2 path.
func FuzzDecodeBase64(f *testing.F) {
	long := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("caudal blob \x00\xff"), 12))
	for _, s := range []string{"", "QQ==", "QUJDRA==", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=", "QUJD\nREVGR0hJSktMTU5PUFFS", "QUJDREVGR0hJ!ktMTU5PUFFS", "QUJDREVGR0hJSktMTU5PUFFSU1R=VldY",
		long, long[:40] + "\r\n" + long[40:], long[:70] + "=" + long[71:], long[:100] + "QQ==" + long[100:], long[:len(long)-5]} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		decodePaths(t, func(path string) { checkDecodeBase64(t, path, src) })
	})
}

func TestDecodeBase64AllLengths(t *testing.T) {
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(i*13 + i>>2)
	}
	for n := range len(src) {
		enc := base64.StdEncoding.EncodeToString(src[:n])
		dst := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
		m, err := DecodeBase64(dst, []byte(enc))
		if err != nil || !bytes.Equal(dst[:m], src[:n]) {
			t.Fatalf("%d bytes: %v %x", n, err, dst[:m])
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
