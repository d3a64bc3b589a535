package kinesis

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"time"
)

// Pagination tokens (ListStreams, ListShards) are opaque to clients. They
// carry where the next page starts, so the server keeps no cursor state:
//
//	base64( "k1" | kind | 0x00 | field | 0x00 | field … | issued unix ms (8 bytes BE) | crc32 (4 bytes BE) )
//
// The CRC only tells a corrupted or forged token from a real one so that
// it is refused with InvalidArgumentException instead of being misread; a
// token is no capability (the call is authorised on its own). AWS expires
// NextTokens after 300 seconds, answering ExpiredNextTokenException.
//
// The layout is not persisted anywhere, but clients hold tokens across a
// server upgrade for up to five minutes: change it only with a new
// version prefix.

const (
	tokenVersion = "k1"
	tokenTTL     = 300 * time.Second
)

// encodeToken returns a token of kind carrying fields (which must not
// contain NUL bytes).
func encodeToken(kind string, fields ...string) string {
	var b []byte
	b = append(b, tokenVersion...)
	b = append(b, kind...)
	for _, f := range fields {
		b = append(b, 0)
		b = append(b, f...)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(now().UnixMilli()))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return base64.StdEncoding.EncodeToString(b)
}

// decodeToken returns the fields of a token of kind, an InvalidArgument
// error for anything that is not such a token, and ExpiredNextToken for
// one older than tokenTTL.
func decodeToken(token, kind string, nfields int) ([]string, error) {
	b, err := base64.StdEncoding.DecodeString(token)
	if err != nil || len(b) < len(tokenVersion)+len(kind)+12 {
		return nil, invalidNextToken()
	}
	body, sum := b[:len(b)-4], b[len(b)-4:]
	if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(sum) {
		return nil, invalidNextToken()
	}
	issued := time.UnixMilli(int64(binary.BigEndian.Uint64(body[len(body)-8:])))
	body = body[:len(body)-8]
	head := tokenVersion + kind
	if !strings.HasPrefix(string(body), head) {
		return nil, invalidNextToken()
	}
	rest := string(body[len(head):])
	if !strings.HasPrefix(rest, "\x00") && nfields > 0 {
		return nil, invalidNextToken()
	}
	fields := strings.Split(rest, "\x00")[1:]
	if len(fields) != nfields {
		return nil, invalidNextToken()
	}
	if now().Sub(issued) > tokenTTL {
		return nil, newError(codeExpiredNextToken, "The timestamp in the NextToken has expired. NextTokens are valid for 300 seconds.")
	}
	return fields, nil
}

func invalidNextToken() error {
	return invalidArgument("Invalid NextToken.")
}
