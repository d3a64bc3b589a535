package protocol

import (
	"sync"
	"unicode/utf8"
)

// Answers that encode themselves.
//
// Why: encoding/json spends most of a large GetRecords answer on
// reflection, on a Marshaler call and a validating re-scan (appendCompact)
// per Timestamp, and on growing its own buffer and copying it into ours:
// 10,000 records cost ~36 MB of garbage. An output that implements
// JSONAppender is appended straight into a pooled buffer instead.
//
// Invariant: AppendJSON writes exactly the bytes encode would write for the
// output through encoding/json (with SetEscapeHTML(false), as encode
// does). The helpers below hold that for their pieces
// (FuzzAppendJSONString checks AppendJSONString against encoding/json);
// each implementation keeps a test comparing it with encoding/json.

// JSONAppender is an output that appends its own JSON encoding to dst.
// ServeHTTP uses it for JSON answers; CBOR answers still go through the
// reflection codec, so an implementation must also encode correctly there
// (or the handler must return another value for CBOR calls).
type JSONAppender interface {
	AppendJSON(dst []byte) []byte
}

// Releaser is an output holding pooled memory: ServeHTTP calls Release
// once the answer has been written or has failed, and never touches the
// output again.
type Releaser interface {
	Release()
}

// answerPool holds the byte slices JSONAppender answers are built in.
// Slices above maxPooledBuf are dropped rather than pinned in the pool.
var answerPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// AppendJSONString appends s as a JSON string exactly as encoding/json
// writes it with SetEscapeHTML(false): '"', '\\' and control characters
// escaped (\b \f \n \r \t by name, others as \u00XX), invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped, everything else as is.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// AppendJSONBlob appends data as encoding/json writes a []byte: standard
// base64 in quotes, and null for a nil slice.
func AppendJSONBlob(dst []byte, data []byte) []byte {
	if data == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = AppendBase64(dst, data)
	return append(dst, '"')
}

// AppendJSONEpochMillis appends the time ms (Unix milliseconds) as a JSON
// Timestamp: what Timestamp.MarshalJSON writes, without allocating.
func AppendJSONEpochMillis(dst []byte, ms int64) []byte {
	sec, frac := ms/1000, ms%1000
	if frac < 0 {
		sec, frac = sec-1, frac+1000
	}
	if sec < 0 && frac != 0 {
		// -0.5 s is sec=-1, frac=500: write it as -0.500.
		sec++
		frac = 1000 - frac
		if sec == 0 {
			dst = append(dst, '-')
		}
	}
	dst = appendInt(dst, sec)
	return append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

// appendInt is strconv.AppendInt(dst, n, 10), kept here so the hot
// path's small numbers stay inlined digit loops.
func appendInt(dst []byte, n int64) []byte {
	if n < 0 {
		dst = append(dst, '-')
		if n == -n { // math.MinInt64
			return append(dst, "9223372036854775808"...)
		}
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}
