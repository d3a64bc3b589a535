package s3api

// ListObjectsV2 (GET /bucket?list-type=2): prefix, delimiter,
// continuation-token (opaque: base64url of the last key or common prefix
// returned), start-after, max-keys (default and cap 1000), fetch-owner and
// encoding-type=url (Key, Prefix, Delimiter, StartAfter and CommonPrefixes
// URL-encoded, as S3). Optional object attributes (RestoreStatus) are not
// answered.

import (
	"net/http"

	"github.com/caudal/caudal/lake"
)

type listObjectsV2Result struct {
	Name                  string
	Prefix                string
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	StartAfter            string `xml:",omitempty"`
	KeyCount              int
	MaxKeys               int
	Delimiter             string `xml:",omitempty"`
	EncodingType          string `xml:",omitempty"`
	IsTruncated           bool
	Entries               []byte `xml:",innerxml"` // <Contents>…, <CommonPrefixes>…
}

func listObjectsV2(h *Handler, q *request) error {
	if v := q.query.Get("list-type"); v != "2" {
		return errInvalidArgument("Invalid List Type specified in Request", "list-type", v)
	}
	maxKeys, err := intParam(q, "max-keys", maxListKeys, maxListKeys)
	if err != nil {
		return err
	}
	encode, encodingType, err := encoder(q)
	if err != nil {
		return err
	}
	opts := lake.ListOptions{
		Prefix:     q.query.Get("prefix"),
		Delimiter:  q.query.Get("delimiter"),
		StartAfter: q.query.Get("start-after"),
		MaxKeys:    maxKeys,
	}
	token := q.query.Get("continuation-token")
	if q.query.Has("continuation-token") {
		after, err := parseContinuationToken(q, "continuation-token")
		if err != nil {
			return err
		}
		// The token resumes after what the last page returned; a
		// start-after beyond it still applies.
		opts.StartAfter = max(after, opts.StartAfter)
	}
	page, err := h.cfg.Lake.List(q.bucket, opts)
	if err != nil {
		return err
	}
	var own *owner
	if q.query.Get("fetch-owner") == "true" {
		o := ownerOf(q)
		own = &o
	}
	res := listObjectsV2Result{
		Name:              q.bucket,
		Prefix:            encode(opts.Prefix),
		ContinuationToken: token,
		StartAfter:        encode(q.query.Get("start-after")),
		KeyCount:          len(page.Objects) + len(page.CommonPrefixes),
		MaxKeys:           maxKeys,
		Delimiter:         encode(opts.Delimiter),
		EncodingType:      encodingType,
		IsTruncated:       page.IsTruncated,
	}
	if page.IsTruncated && page.Next != "" {
		res.NextContinuationToken = continuationToken(page.Next)
	}
	var entries entriesXML
	for _, o := range page.Objects {
		entries.object(newObjectEntry(o, encode(o.Key), own), false)
	}
	for _, p := range page.CommonPrefixes {
		entries.commonPrefix(encode(p))
	}
	res.Entries = entries.Bytes()
	return writeXML(q, http.StatusOK, "ListBucketResult", res)
}
