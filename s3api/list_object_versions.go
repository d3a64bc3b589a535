package s3api

// ListObjectVersions (GET /bucket?versions): caudal's buckets are
// unversioned, and S3 lists an unversioned bucket's objects as versions
// with VersionId "null", each the latest. Tools that empty buckets (the
// conformance suites, Terraform's force_destroy, boto3's
// bucket.object_versions.delete()) list this way and then delete with
// VersionId=null. Supports prefix, delimiter, key-marker,
// version-id-marker (only "null" exists, so it resumes after key-marker),
// max-keys and encoding-type=url. There are never DeleteMarkers.

import (
	"net/http"

	"github.com/caudal/caudal/lake"
)

type listVersionsResult struct {
	Name                string
	Prefix              string
	KeyMarker           string
	VersionIdMarker     string
	NextKeyMarker       string `xml:",omitempty"`
	NextVersionIdMarker string `xml:",omitempty"`
	MaxKeys             int
	Delimiter           string `xml:",omitempty"`
	EncodingType        string `xml:",omitempty"`
	IsTruncated         bool
	Entries             []byte `xml:",innerxml"` // <Version>…, <CommonPrefixes>…
}

// nullVersion is the version id of every object in an unversioned bucket.
const nullVersion = "null"

func listObjectVersions(h *Handler, q *request) error {
	maxKeys, err := intParam(q, "max-keys", maxListKeys, maxListKeys)
	if err != nil {
		return err
	}
	encode, encodingType, err := encoder(q)
	if err != nil {
		return err
	}
	if q.query.Get("version-id-marker") != "" && q.query.Get("key-marker") == "" {
		return errInvalidArgument("A version-id marker cannot be specified without a key marker.",
			"version-id-marker", q.query.Get("version-id-marker"))
	}
	opts := lake.ListOptions{
		Prefix:     q.query.Get("prefix"),
		Delimiter:  q.query.Get("delimiter"),
		StartAfter: q.query.Get("key-marker"),
		MaxKeys:    maxKeys,
	}
	page, err := h.cfg.Lake.List(q.bucket, opts)
	if err != nil {
		return err
	}
	own := ownerOf(q)
	res := listVersionsResult{
		Name:            q.bucket,
		Prefix:          encode(opts.Prefix),
		KeyMarker:       encode(opts.StartAfter),
		VersionIdMarker: q.query.Get("version-id-marker"),
		MaxKeys:         maxKeys,
		Delimiter:       encode(opts.Delimiter),
		EncodingType:    encodingType,
		IsTruncated:     page.IsTruncated,
	}
	if page.IsTruncated {
		res.NextKeyMarker = encode(page.Next)
		res.NextVersionIdMarker = nullVersion
	}
	var entries entriesXML
	for _, o := range page.Objects {
		entries.object(newObjectEntry(o, encode(o.Key), &own), true)
	}
	for _, p := range page.CommonPrefixes {
		entries.commonPrefix(encode(p))
	}
	res.Entries = entries.Bytes()
	return writeXML(q, http.StatusOK, "ListVersionsResult", res)
}
