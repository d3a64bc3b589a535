package athena

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"strings"
)

// Pagination tokens are opaque to clients. They carry where the next page
// starts, so the server keeps no cursor state:
//
//	base64url( "a1" | kind | 0x00 | field | 0x00 | field … | crc32 (4 bytes BE) )
//
// The CRC tells a corrupted or forged token from a real one so that it is
// refused with InvalidRequestException instead of being misread; a token
// is no capability (each call is checked on its own). Athena's result
// tokens do not expire, so neither do these. Clients may hold a token
// across a server upgrade: change the layout only with a new version
// prefix.

const tokenVersion = "a1"

func encodeToken(kind string, fields ...string) string {
	var b []byte
	b = append(b, tokenVersion...)
	b = append(b, kind...)
	for _, f := range fields {
		b = append(b, 0)
		b = append(b, f...)
	}
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken returns the nfields fields of a token of kind, or an
// InvalidRequestException.
func decodeToken(token, kind string, nfields int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < len(tokenVersion)+len(kind)+4 {
		return nil, invalidToken()
	}
	body, sum := b[:len(b)-4], b[len(b)-4:]
	if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(sum) {
		return nil, invalidToken()
	}
	head := tokenVersion + kind
	if !strings.HasPrefix(string(body), head+"\x00") {
		return nil, invalidToken()
	}
	fields := strings.Split(string(body[len(head)+1:]), "\x00")
	if len(fields) != nfields {
		return nil, invalidToken()
	}
	return fields, nil
}

func invalidToken() error {
	return invalidRequest("Invalid NextToken")
}
