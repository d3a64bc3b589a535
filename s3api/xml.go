package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// s3Namespace is the namespace S3 puts on the root element of every
// successful XML answer (error bodies carry none).
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxXMLBody bounds a request's XML body. S3's largest request documents
// are CompleteMultipartUpload (10,000 parts, each with an ETag and maybe a
// checksum: ~2.5 MB) and DeleteObjects (1,000 keys of up to 1,024 bytes:
// ~1.1 MB); 4 MiB admits both with room for whitespace while keeping a
// hostile body from holding much memory. Bigger bodies are refused with
// S3's MaxMessageLengthExceeded.
const maxXMLBody = 4 << 20

// timeFormat is how S3's XML writes times (LastModified, CreationDate,
// Initiated): RFC 3339 in UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

// xmlTime formats t as S3's XML does.
func xmlTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// writeXML answers status with v encoded as S3 does: the XML declaration,
// then v as the element root with xmlns set to S3's namespace. root
// overrides any XMLName of v, so answer structs need none. The body is
// encoded before anything is written, so an encoding failure can still be
// answered as an error; Content-Length is set.
//
// Use it for every successful XML answer (ListParts, CopyObjectResult,
// CompleteMultipartUploadResult, DeleteResult, Tagging, …).
func writeXML(q *request, status int, root string, v any) error {
	b, err := marshalXML(root, s3Namespace, v)
	if err != nil {
		return err
	}
	h := q.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	q.w.WriteHeader(status)
	if q.r.Method != http.MethodHead {
		q.w.Write(b)
	}
	return nil
}

// marshalXML encodes v as the element root (with xmlns=ns when ns is not
// empty) after the XML declaration.
func marshalXML(root, ns string, v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header) // `<?xml version="1.0" encoding="UTF-8"?>` and a newline, as S3
	start := xml.StartElement{Name: xml.Name{Local: root}}
	if ns != "" {
		start.Attr = []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}
	}
	enc := xml.NewEncoder(&buf)
	if err := enc.EncodeElement(v, start); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	// encoding/xml escapes '"' as "&#34;"; S3 writes "&quot;" (every
	// quoted ETag shows it). A literal "&#34;" in the data was escaped to
	// "&amp;#34;", so only escapes are replaced.
	return bytes.ReplaceAll(buf.Bytes(), []byte("&#34;"), []byte("&quot;")), nil
}

// xmlField is an element whose name is chosen at run time (error fields).
type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func xmlName(local string) xml.Name { return xml.Name{Local: local} }

// readXMLBody reads q.body whole, refusing more than maxXMLBody bytes with
// MaxMessageLengthExceeded. Errors reading the body (payload hash or chunk
// signature mismatch, client gone) are returned as they are, for toError.
// An empty body is returned as an empty slice: callers for which the body
// is optional (CreateBucket) check the length; readXML refuses it.
func readXMLBody(q *request) ([]byte, error) {
	if q.body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(q.body, maxXMLBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxXMLBody {
		return nil, newError("MaxMessageLengthExceeded", http.StatusBadRequest, "Your request was too big.")
	}
	return b, nil
}

// decodeXML decodes a request document into v, answering MalformedXML for
// anything encoding/xml refuses. v's XMLName tag (e.g. `xml:"Delete"`)
// should name the root element S3 expects: encoding/xml then refuses
// another root, and accepts the root with or without S3's namespace, as S3
// does. encoding/xml never resolves external entities.
func decodeXML(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return errMalformedXML()
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		var se *Error
		if errors.As(err, &se) {
			return se
		}
		return errMalformedXML()
	}
	return nil
}

// readXML reads and decodes a required XML request body (DeleteObjects,
// CompleteMultipartUpload, PutObjectTagging): bounded by maxXMLBody
// (MaxMessageLengthExceeded), empty or malformed → MalformedXML.
func readXML(q *request, v any) error {
	b, err := readXMLBody(q)
	if err != nil {
		return err
	}
	return decodeXML(b, v)
}
