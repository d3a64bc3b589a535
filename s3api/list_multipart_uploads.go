package s3api

// ListMultipartUploads (GET /bucket?uploads): uploads in progress by key,
// then initiation; prefix, delimiter, key-marker, upload-id-marker,
// max-uploads (default and cap 1000) and encoding-type=url.

import (
	"net/http"

	"github.com/caudal/caudal/lake"
)

type listUploadsResult struct {
	Bucket             string
	KeyMarker          string
	UploadIdMarker     string
	NextKeyMarker      string
	NextUploadIdMarker string
	Delimiter          string `xml:",omitempty"`
	Prefix             string
	EncodingType       string `xml:",omitempty"`
	MaxUploads         int
	IsTruncated        bool
	Upload             []uploadEntry
	CommonPrefixes     []commonPrefix
}

type uploadEntry struct {
	UploadId          string
	Key               string
	Initiated         string
	StorageClass      string
	Owner             owner
	Initiator         owner
	ChecksumAlgorithm string `xml:",omitempty"`
	ChecksumType      string `xml:",omitempty"`
}

func listMultipartUploads(h *Handler, q *request) error {
	maxUploads, err := intParam(q, "max-uploads", maxListKeys, maxListKeys)
	if err != nil {
		return err
	}
	encode, encodingType, err := encoder(q)
	if err != nil {
		return err
	}
	opts := lake.ListUploadsOptions{
		Prefix:         q.query.Get("prefix"),
		Delimiter:      q.query.Get("delimiter"),
		KeyMarker:      q.query.Get("key-marker"),
		UploadIDMarker: q.query.Get("upload-id-marker"),
		MaxUploads:     maxUploads,
	}
	if opts.KeyMarker == "" {
		// S3 ignores upload-id-marker without key-marker.
		opts.UploadIDMarker = ""
	}
	page, err := h.cfg.Lake.ListUploads(q.bucket, opts)
	if err != nil {
		return err
	}
	own := ownerOf(q)
	res := listUploadsResult{
		Bucket:         q.bucket,
		KeyMarker:      encode(opts.KeyMarker),
		UploadIdMarker: opts.UploadIDMarker,
		Delimiter:      encode(opts.Delimiter),
		Prefix:         encode(opts.Prefix),
		EncodingType:   encodingType,
		MaxUploads:     maxUploads,
		IsTruncated:    page.IsTruncated,
	}
	if page.IsTruncated {
		res.NextKeyMarker = encode(page.NextKeyMarker)
		res.NextUploadIdMarker = page.NextUploadIDMarker
	}
	for _, u := range page.Uploads {
		res.Upload = append(res.Upload, uploadEntry{
			UploadId: u.ID, Key: encode(u.Key), Initiated: xmlTime(u.Initiated),
			StorageClass: storageClass(u.Meta.StorageClass), Owner: own, Initiator: own,
			ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: checksumTypeIf(u),
		})
	}
	for _, p := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{encode(p)})
	}
	return writeXML(q, http.StatusOK, "ListMultipartUploadsResult", res)
}

func checksumTypeIf(u lake.Upload) string {
	if u.ChecksumAlgorithm == "" {
		return ""
	}
	return u.ChecksumType
}
