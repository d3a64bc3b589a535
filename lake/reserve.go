package lake

import (
	"context"
	"errors"
	"io"
	"sync"
)

// ErrReservedBucket refuses a write, through the ordinary methods, to a
// bucket the server reserved for itself (the audit trail's). Wire skins
// map it to their AccessDenied.
var ErrReservedBucket = errors.New("lake: bucket is reserved for the server")

// reservedSet is the set of reserved buckets; written at start, read on
// every write.
type reservedSet struct {
	mu    sync.RWMutex
	names map[string]bool // guarded by mu
}

// Reserve makes bucket writable only through PutReservedObject: PutObject,
// CopyObject into it, DeleteObject, SetTags, multipart uploads into it and
// DeleteBucket answer ErrReservedBucket from now on, whoever calls them
// (the S3 skin, Athena's result writer, CTAS, Firehose delivery). Reads
// are unaffected. The reservation lasts while the Lake is open.
func (l *Lake) Reserve(bucket string) {
	l.reserved.mu.Lock()
	defer l.reserved.mu.Unlock()
	if l.reserved.names == nil {
		l.reserved.names = map[string]bool{}
	}
	l.reserved.names[bucket] = true
}

// checkWritable returns ErrReservedBucket for a reserved bucket.
func (l *Lake) checkWritable(bucket string) error {
	l.reserved.mu.RLock()
	r := l.reserved.names[bucket]
	l.reserved.mu.RUnlock()
	if r {
		return ErrReservedBucket
	}
	return nil
}

// PutReservedObject is PutObject for the owner of a reserved bucket.
func (l *Lake) PutReservedObject(ctx context.Context, bucket, key string, body io.Reader, opts PutOptions) (ObjectInfo, error) {
	return l.impl.putObject(ctx, bucket, key, body, opts)
}
