package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// refDecode is the fuzz target's reference: the whole grammar applied to
// the whole body at once, with string operations instead of a streaming
// state machine, and the spec signer for signatures. ok reports whether the
// body is a complete, valid encoding.
func refDecode(body []byte, mode string, seed string) (data []byte, trailers map[string][]string, ok bool) {
	signed := mode != StreamingUnsignedTrailer
	withTrailer := mode != StreamingPayload
	ss := newSpecSigner(testSecret, "20240102T030405Z", seed)
	line := func() (string, bool) {
		i := bytes.IndexByte(body, '\n')
		if i < 1 || i+1 > maxLine || body[i-1] != '\r' {
			return "", false
		}
		l := string(body[:i-1])
		body = body[i+1:]
		return l, true
	}
	isHexDigits := func(s string) bool {
		if s == "" || len(s) > 16 {
			return false
		}
		for _, c := range s {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
		return true
	}
	data = []byte{}
	for {
		l, lok := line()
		if !lok {
			return nil, nil, false
		}
		sizeHex, sig := l, ""
		if signed {
			var found bool
			sizeHex, sig, found = strings.Cut(l, ";")
			if !found || !strings.HasPrefix(sig, "chunk-signature=") {
				return nil, nil, false
			}
			sig = strings.TrimPrefix(sig, "chunk-signature=")
		}
		if !isHexDigits(sizeHex) {
			return nil, nil, false
		}
		var size uint64
		fmt.Sscanf(sizeHex, "%x", &size)
		if signed && size > maxSignedChunk || size > maxUnsignedChunk {
			return nil, nil, false
		}
		if size > uint64(len(body)) {
			return nil, nil, false
		}
		chunk := body[:size]
		body = body[size:]
		if size > 0 {
			if !bytes.HasPrefix(body, []byte("\r\n")) {
				return nil, nil, false
			}
			body = body[2:]
		}
		if signed && ss.chunk(chunk) != sig {
			return nil, nil, false
		}
		data = append(data, chunk...)
		if size == 0 {
			break
		}
	}
	var lines []string
	trailerSig := ""
	for {
		l, lok := line()
		if !lok {
			return nil, nil, false
		}
		if l == "" {
			break
		}
		if !withTrailer || trailerSig != "" {
			return nil, nil, false
		}
		name, value, found := strings.Cut(l, ":")
		if !found || name == "" || strings.ContainsFunc(name, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r))
		}) {
			return nil, nil, false
		}
		value = strings.Trim(value, " \t")
		if strings.ContainsFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return nil, nil, false
		}
		if strings.EqualFold(name, "x-amz-trailer-signature") {
			if !signed || value == "" {
				return nil, nil, false
			}
			trailerSig = value
			continue
		}
		lines = append(lines, l)
	}
	if len(body) != 0 || len(lines) > maxTrailers {
		return nil, nil, false
	}
	trailers = map[string][]string{}
	var canon []string
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ":")
		name, value = strings.ToLower(name), strings.Trim(value, " \t")
		trailers[http.CanonicalHeaderKey(name)] = append(trailers[http.CanonicalHeaderKey(name)], value)
		canon = append(canon, name+":"+value+"\n")
	}
	if signed && withTrailer {
		if trailerSig == "" {
			return nil, nil, false
		}
		sort.SliceStable(canon, func(i, j int) bool {
			return canon[i][:strings.IndexByte(canon[i], ':')] < canon[j][:strings.IndexByte(canon[j], ':')]
		})
		wire := ""
		for _, l := range lines {
			wire += l + "\n"
		}
		sorted := strings.Join(canon, "")
		prev := ss.prev
		if ss.trailer(sorted) != trailerSig {
			ss.prev = prev
			if ss.trailer(wire) != trailerSig {
				return nil, nil, false
			}
		}
	}
	if len(trailers) == 0 {
		trailers = nil
	}
	return data, trailers, true
}

var fuzzModes = []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer}

// FuzzChunkedReader feeds arbitrary bodies in all three modes. The reader
// never panics or hangs, never returns more bytes than the body holds nor
// (0, nil), and ends with io.EOF exactly when the reference decoder accepts
// the body, with the same payload and trailers.
func FuzzChunkedReader(f *testing.F) {
	const date = "20240102T030405Z"
	seedBody := func(mode string, chunks [][]byte, trailers []kv) []byte {
		switch mode {
		case StreamingUnsignedTrailer:
			return encodeUnsigned(chunks, trailers)
		case StreamingPayload:
			return encodeSigned(newSpecSigner(testSecret, date, testSeed), chunks, nil, false)
		}
		return encodeSigned(newSpecSigner(testSecret, date, testSeed), chunks, trailers, true)
	}
	for i, mode := range fuzzModes {
		for _, chunks := range [][][]byte{nil, {[]byte("abc")}, {pattern(100, 1), pattern(7, 2)}, {pattern(20, 3), pattern(20, 4), pattern(1, 5)}} {
			for _, trailers := range [][]kv{nil, {{"x-amz-checksum-crc32", "AAAAAA=="}}, {{"x-amz-checksum-crc32", "AAAAAA=="}, {"X-Amz-Checksum-Sha1", " x "}}} {
				f.Add(seedBody(mode, chunks, trailers), uint8(i), uint16(7))
			}
		}
	}
	f.Add([]byte("3\r\nabc\r\n0\r\n\r\n"), uint8(2), uint16(1))
	f.Add([]byte("3\r\nabc\r\n0\r\n\r\nextra"), uint8(2), uint16(1))
	f.Add([]byte("ffffffff\r\nabc"), uint8(2), uint16(100))
	f.Fuzz(func(t *testing.T, body []byte, modeIndex uint8, step uint16) {
		mode := fuzzModes[int(modeIndex)%len(fuzzModes)]
		var signed *Signed
		if mode != StreamingUnsignedTrailer {
			signed = newSpecSigner(testSecret, date, testSeed).context()
		}
		cr := NewChunkedReader(bytes.NewReader(body), mode, signed)
		p := make([]byte, int(step)%70000+1)
		var got []byte
		var err error
		for reads := 0; ; reads++ {
			if reads > len(body)+2 {
				t.Fatalf("%d reads of a %d byte body without an end", reads, len(body))
			}
			var n int
			n, err = cr.Read(p)
			got = append(got, p[:n]...)
			if len(got) > len(body) {
				t.Fatalf("returned %d bytes from a %d byte body", len(got), len(body))
			}
			if err != nil {
				break
			}
			if n == 0 {
				t.Fatal("Read returned 0, nil")
			}
		}
		want, wantTrailers, ok := refDecode(body, mode, testSeed)
		if err == io.EOF {
			if !ok {
				t.Fatalf("reader accepted a body the reference rejects: %q", body)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("decoded %q, reference %q", got, want)
			}
			tr := cr.Trailer()
			if len(tr) != len(wantTrailers) {
				t.Fatalf("trailer %v, reference %v", tr, wantTrailers)
			}
			for k, v := range wantTrailers {
				if strings.Join(tr[k], "\x00") != strings.Join(v, "\x00") {
					t.Fatalf("trailer %v, reference %v", tr, wantTrailers)
				}
			}
			return
		}
		if ok {
			t.Fatalf("reader failed (%v) on a body the reference accepts: %q", err, body)
		}
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindChunk && e.Kind != KindMismatch {
			t.Fatalf("err %v (%T), want a KindChunk or KindMismatch *Error", err, err)
		}
		if e.Kind == KindMismatch && signed == nil {
			t.Fatalf("signature error %v in unsigned mode", err)
		}
	})
}
