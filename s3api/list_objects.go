package s3api

// ListObjects (GET /bucket, version 1): prefix, delimiter, marker,
// max-keys (default and cap 1000) and encoding-type=url. NextMarker is
// answered only when a delimiter was given and the page is truncated, as
// S3 does; without a delimiter clients continue from the last Key.
// Contents always carry an Owner, as S3's V1 listings do.

import (
	"net/http"

	"github.com/caudal/caudal/lake"
)

type listObjectsResult struct {
	Name         string
	Prefix       string
	Marker       string
	NextMarker   string `xml:",omitempty"`
	MaxKeys      int
	Delimiter    string `xml:",omitempty"`
	EncodingType string `xml:",omitempty"`
	IsTruncated  bool
	Entries      []byte `xml:",innerxml"` // <Contents>…, <CommonPrefixes>…
}

func listObjects(h *Handler, q *request) error {
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
		StartAfter: q.query.Get("marker"),
		MaxKeys:    maxKeys,
	}
	page, err := h.cfg.Lake.List(q.bucket, opts)
	if err != nil {
		return err
	}
	own := ownerOf(q)
	res := listObjectsResult{
		Name:         q.bucket,
		Prefix:       encode(opts.Prefix),
		Marker:       encode(opts.StartAfter),
		MaxKeys:      maxKeys,
		Delimiter:    encode(opts.Delimiter),
		EncodingType: encodingType,
		IsTruncated:  page.IsTruncated,
	}
	if page.IsTruncated && opts.Delimiter != "" {
		res.NextMarker = encode(page.Next)
	}
	var entries entriesXML
	for _, o := range page.Objects {
		entries.object(newObjectEntry(o, encode(o.Key), &own), false)
	}
	for _, p := range page.CommonPrefixes {
		entries.commonPrefix(encode(p))
	}
	res.Entries = entries.Bytes()
	return writeXML(q, http.StatusOK, "ListBucketResult", res)
}
