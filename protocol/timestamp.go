package protocol

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Timestamp on the wire.
//
// JSON (every AWS SDK's "json" protocol): epoch seconds as a number; AWS
// writes millisecond precision. We write "1700000000.123" and read integers,
// decimals and exponent forms ("1.700000000123E9", what Java-based services
// answer), exactly to the millisecond for plain decimals.
//
// CBOR (application/x-amz-cbor-1.1, the AWS SDK for Java's default for
// Kinesis): tag 1 followed by epoch MILLISECONDS as an integer — not the
// RFC 8949 seconds. Evidence, read from the SDK sources:
//   - SDK v1 writer, aws-java-sdk-core com/amazonaws/protocol/json/
//     SdkCborGenerator.writeValue(Date): generator.writeTag(1);
//     generator.writeNumber(date.getTime()) — getTime() is epoch millis.
//   - SDK v1 reader, com/amazonaws/transform/SimpleTypeCborUnmarshallers
//     DateCborUnmarshaller: new Date(parser.getLongValue()) — the tag is
//     skipped by Jackson and the integer read as millis.
//   - SDK v2 writer, software/amazon/awssdk/protocols/cbor/internal/
//     SdkCborGenerator.writeValue(Instant): writeTag(1);
//     writeNumber(instant.toEpochMilli()); and AwsCborProtocolFactory sets
//     the payload timestamp format to UNIX_TIMESTAMP_MILLIS ("CBOR uses
//     epoch millis for timestamps rather than epoch seconds with millisecond
//     decimal precision like JSON protocols").
//
// So we write tag 1 + integer millis, and read: tag 1 or untagged; an integer
// as millis; a float as seconds (RFC 8949 tag 1 semantics, as the Smithy
// rpcv2-cbor protocol writes; the Java SDK's reader would truncate a float
// as millis, so we never write one).
//
// The zero Timestamp is the Unix epoch's zero time.Time, not 1970: use a
// *Timestamp with omitempty for optional members.

// NewTimestamp returns t as a Timestamp.
func NewTimestamp(t time.Time) Timestamp { return Timestamp(t) }

// Time returns the timestamp as a time.Time.
func (t Timestamp) Time() time.Time { return time.Time(t) }

// unixMilli is the timestamp in epoch milliseconds, truncated toward the
// earlier millisecond.
func (t Timestamp) unixMilli() int64 {
	tt := time.Time(t)
	ms := tt.Unix() * 1000
	return ms + int64(tt.Nanosecond()/1e6)
}

// MarshalJSON writes epoch seconds with three decimals.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return t.appendJSON(make([]byte, 0, 24)), nil
}

func (t Timestamp) appendJSON(b []byte) []byte {
	return AppendJSONEpochMillis(b, t.unixMilli())
}

var errTimestamp = errors.New("timestamp must be a number of epoch seconds")

// UnmarshalJSON reads epoch seconds: an integer, a decimal or an exponent
// form. null leaves t unchanged, as encoding/json does for other types.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 || b[0] == '"' || b[0] == '{' || b[0] == '[' || b[0] == 't' || b[0] == 'f' {
		return errTimestamp
	}
	tt, err := parseEpochSeconds(b)
	if err != nil {
		return err
	}
	*t = Timestamp(tt)
	return nil
}

// maxEpochSeconds keeps times within what time.Time and int64 nanoseconds
// arithmetic handle without overflow (year ~2262 is far beyond any AWS use
// but any larger number is garbage).
const maxEpochSeconds = 1 << 36

// parseEpochSeconds parses a JSON number as epoch seconds. Plain decimals are
// parsed digit by digit so 1700000000.123 is exactly .123 s, not the float64
// nearest to it; exponent forms go through ParseFloat and are rounded to the
// millisecond.
func parseEpochSeconds(b []byte) (time.Time, error) {
	if bytes.ContainsAny(b, "eE") {
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return time.Time{}, errTimestamp
		}
		return secondsFloat(f)
	}
	neg := false
	i := 0
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	var sec int64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		sec = sec*10 + int64(b[i]-'0')
		if sec > maxEpochSeconds {
			return time.Time{}, errTimestamp
		}
		i++
	}
	if i == start {
		return time.Time{}, errTimestamp
	}
	var nanos int64
	if i < len(b) && b[i] == '.' {
		i++
		fstart := i
		scale := int64(1e8)
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			nanos += int64(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == fstart {
			return time.Time{}, errTimestamp
		}
	}
	if i != len(b) {
		return time.Time{}, errTimestamp
	}
	if neg {
		sec, nanos = -sec, -nanos
	}
	return time.Unix(sec, nanos).UTC(), nil
}

func secondsFloat(f float64) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxEpochSeconds {
		return time.Time{}, errTimestamp
	}
	ms := int64(math.Round(f * 1000))
	return time.UnixMilli(ms).UTC(), nil
}

// cborTagEpoch is RFC 8949's epoch-based date/time tag.
const cborTagEpoch = 1

// MarshalCBOR writes tag 1 and the epoch milliseconds as an integer, as the
// AWS SDK for Java does.
func (t Timestamp) MarshalCBOR() ([]byte, error) {
	b := make([]byte, 0, 10)
	b = append(b, 0xc0|cborTagEpoch) // major type 6, tag 1
	return appendCBORInt(b, t.unixMilli()), nil
}

// appendCBORInt appends n as a CBOR integer in its shortest form.
func appendCBORInt(b []byte, n int64) []byte {
	major := byte(0x00)
	u := uint64(n)
	if n < 0 {
		major = 0x20
		u = uint64(-(n + 1))
	}
	switch {
	case u < 24:
		return append(b, major|byte(u))
	case u <= math.MaxUint8:
		return append(b, major|24, byte(u))
	case u <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, major|25), uint16(u))
	case u <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, major|26), uint32(u))
	}
	return binary.BigEndian.AppendUint64(append(b, major|27), u)
}

var errCBORTimestamp = errors.New("timestamp must be epoch milliseconds (integer) or seconds (float), optionally with tag 1")

// UnmarshalCBOR reads tag 1 (or no tag) followed by integer epoch
// milliseconds or floating-point epoch seconds. CBOR null leaves t
// unchanged.
func (t *Timestamp) UnmarshalCBOR(b []byte) error {
	var raw cbor.RawTag
	content := b
	if len(b) > 0 && b[0]>>5 == 6 {
		if err := cborDec.Unmarshal(b, &raw); err != nil {
			return errCBORTimestamp
		}
		if raw.Number != cborTagEpoch {
			return errCBORTimestamp
		}
		content = raw.Content
	}
	if len(content) == 0 {
		return errCBORTimestamp
	}
	if content[0] == 0xf6 || content[0] == 0xf7 { // null, undefined
		return nil
	}
	switch content[0] >> 5 {
	case 0, 1: // integer: epoch milliseconds
		var ms int64
		if err := cborDec.Unmarshal(content, &ms); err != nil {
			return errCBORTimestamp
		}
		if ms > maxEpochSeconds*1000 || ms < -maxEpochSeconds*1000 {
			return errCBORTimestamp
		}
		*t = Timestamp(time.UnixMilli(ms).UTC())
		return nil
	case 7: // float: epoch seconds
		var f float64
		if err := cborDec.Unmarshal(content, &f); err != nil {
			return errCBORTimestamp
		}
		tt, err := secondsFloat(f)
		if err != nil {
			return errCBORTimestamp
		}
		*t = Timestamp(tt)
		return nil
	}
	return errCBORTimestamp
}
