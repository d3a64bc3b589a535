package catalog

import (
	"bytes"
	"encoding/base64"

	bolt "go.etcd.io/bbolt"
)

// Page asks for one page of a listing. MaxResults bounds the page (zero
// means the listing's default); NextToken is "" for the first page and
// otherwise the token the previous page returned. A listing returns the
// token of the next page, or "" after the last one.
//
// Tokens are opaque to callers. They carry the key the previous page ended
// at, so the catalog keeps no cursor state and a token stays valid while
// entries come and go (a page starts after the last key seen, whatever
// happened since). Layout: base64url("c1" | last key); changing it needs
// a new prefix, since clients hold tokens across a restart.
type Page struct {
	NextToken  string
	MaxResults int
}

const (
	tokenPrefix     = "c1"
	defaultPageSize = 100
)

func encodeToken(lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + lastKey))
}

// decode returns the key to start after (nil for the first page) and the
// page size.
func (p Page) decode(defaultSize int) (after []byte, limit int, err error) {
	limit = p.MaxResults
	if limit <= 0 {
		limit = defaultSize
	}
	if p.NextToken == "" {
		return nil, limit, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.NextToken)
	if err != nil || !bytes.HasPrefix(b, []byte(tokenPrefix)) || len(b) == len(tokenPrefix) {
		return nil, 0, invalidInput("Invalid pagination token.")
	}
	return b[len(tokenPrefix):], limit, nil
}

// seekAfter positions cur at the first key after `after` (at the first
// key when after is nil).
func seekAfter(cur *bolt.Cursor, after []byte) (k, v []byte) {
	if after == nil {
		return cur.First()
	}
	k, v = cur.Seek(after)
	if k != nil && bytes.Equal(k, after) {
		k, v = cur.Next()
	}
	return k, v
}
