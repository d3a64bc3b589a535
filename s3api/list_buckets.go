package s3api

// ListBuckets (GET /): every bucket, with S3's optional paging
// (max-buckets, continuation-token), prefix and bucket-region filters.
// Without max-buckets the whole list is one page, as S3 answers. The
// audit trail's bucket (reservedBucket) is not listed.

import (
	"net/http"
	"strings"
)

type listBucketsResult struct {
	Owner             owner
	Buckets           []bucketEntry `xml:"Buckets>Bucket"`
	ContinuationToken string        `xml:",omitempty"`
	Prefix            string        `xml:",omitempty"`
}

type bucketEntry struct {
	Name         string
	CreationDate string
	BucketRegion string
}

// maxBuckets is S3's cap on max-buckets.
const maxBuckets = 10000

func listBuckets(h *Handler, q *request) error {
	limit, err := intParam(q, "max-buckets", maxBuckets, maxBuckets)
	if err != nil {
		return err
	}
	if q.query.Has("max-buckets") && limit == 0 {
		return errInvalidArgument("Provided max-buckets not an integer or within integer range", "max-buckets", q.query.Get("max-buckets"))
	}
	after := ""
	if q.query.Has("continuation-token") {
		if after, err = parseContinuationToken(q, "continuation-token"); err != nil {
			return err
		}
	}
	prefix := q.query.Get("prefix")
	region := q.query.Get("bucket-region")

	buckets, err := h.cfg.Lake.ListBuckets()
	if err != nil {
		return err
	}
	res := listBucketsResult{Owner: ownerOf(q), Buckets: []bucketEntry{}, Prefix: prefix}
	for _, b := range buckets {
		if reservedBucket(b.Name) {
			// The audit trail's bucket is the server's: readable by
			// name (GET/HEAD), left out of listings so a user's bucket
			// list shows the user's buckets.
			continue
		}
		if b.Name <= after && after != "" || !strings.HasPrefix(b.Name, prefix) ||
			region != "" && bucketRegion(b) != region {
			continue
		}
		if len(res.Buckets) == limit {
			res.ContinuationToken = continuationToken(res.Buckets[len(res.Buckets)-1].Name)
			break
		}
		res.Buckets = append(res.Buckets, bucketEntry{
			Name: b.Name, CreationDate: xmlTime(b.Created), BucketRegion: bucketRegion(b),
		})
	}
	return writeXML(q, http.StatusOK, "ListAllMyBucketsResult", res)
}
