package s3api

// ListParts (GET ?uploadId=…): one page of an upload's parts by number,
// after part-number-marker, at most max-parts (default and cap 1000).
// Answers <ListPartsResult>.
//
// Deliberately not: SSE-C headers, request-payer.

import (
	"net/http"

	"github.com/caudal/caudal/lake"
)

// maxListParts is S3's page size cap and default for ListParts.
const maxListParts = 1000

type listPartsResult struct {
	Bucket               string    `xml:"Bucket"`
	Key                  string    `xml:"Key"`
	UploadID             string    `xml:"UploadId"`
	Initiator            owner     `xml:"Initiator"`
	Owner                owner     `xml:"Owner"`
	StorageClass         string    `xml:"StorageClass"`
	PartNumberMarker     int       `xml:"PartNumberMarker"`
	NextPartNumberMarker int       `xml:"NextPartNumberMarker"`
	MaxParts             int       `xml:"MaxParts"`
	IsTruncated          bool      `xml:"IsTruncated"`
	Parts                []partXML `xml:"Part"`
	ChecksumAlgorithm    string    `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string    `xml:"ChecksumType,omitempty"`
}

type partXML struct {
	PartNumber        int    `xml:"PartNumber"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	Size              int64  `xml:"Size"`
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func listParts(h *Handler, q *request) error {
	maxParts, err := nonNegativeParam(q, "max-parts", maxListParts, "Provided max-parts not an integer or within integer range")
	if err != nil {
		return err
	}
	marker, err := nonNegativeParam(q, "part-number-marker", 0, "Provided part-number-marker not an integer or within integer range")
	if err != nil {
		return err
	}
	up, err := uploadOf(h, q)
	if err != nil {
		return err
	}
	page, err := h.cfg.Lake.ListParts(up.ID, lake.ListPartsOptions{PartNumberMarker: marker, MaxParts: maxParts})
	if err != nil {
		return err
	}
	own := ownerOf(q)
	res := listPartsResult{
		Bucket: q.bucket, Key: q.key, UploadID: up.ID,
		Initiator: own, Owner: own, StorageClass: storageClass(up.Meta.StorageClass),
		PartNumberMarker: marker, NextPartNumberMarker: page.NextPartNumberMarker,
		MaxParts: maxParts, IsTruncated: page.IsTruncated,
		ChecksumAlgorithm: up.ChecksumAlgorithm, ChecksumType: up.ChecksumType,
	}
	for _, p := range page.Parts {
		res.Parts = append(res.Parts, partXML{
			PartNumber: p.Number, LastModified: xmlTime(p.LastModified), ETag: quoteETag(p.ETag), Size: p.Size,
			ChecksumCRC32: p.Checksums[lake.CRC32], ChecksumCRC32C: p.Checksums[lake.CRC32C],
			ChecksumCRC64NVME: p.Checksums[lake.CRC64NVME], ChecksumSHA1: p.Checksums[lake.SHA1],
			ChecksumSHA256: p.Checksums[lake.SHA256],
		})
	}
	return writeXML(q, http.StatusOK, "ListPartsResult", res)
}

// nonNegativeParam reads an integer query parameter, def when absent,
// capped at def when def > 0 (max-parts), refusing anything else with
// InvalidArgument.
func nonNegativeParam(q *request, name string, def int, message string) (int, error) {
	vs, ok := q.query[name]
	if !ok {
		return def, nil
	}
	v := ""
	if len(vs) > 0 {
		v = vs[0]
	}
	n, ok := parseRangeNumber(v)
	if !ok || n > 1<<31-1 {
		return 0, errInvalidArgument(message, name, v)
	}
	if def > 0 && int(n) > def {
		return def, nil
	}
	return int(n), nil
}
