package s3api

// GetObjectTagging, PutObjectTagging, DeleteObjectTagging: an object's tag
// set (<Tagging><TagSet><Tag><Key/><Value/></Tag>…), and the x-amz-tagging
// header of PutObject, CopyObject and CreateMultipartUpload (URL-query
// encoded).
//
// Limits as S3's: at most 10 tags, keys 1–128 and values 0–256 Unicode
// characters of letters, digits, spaces and _.:/=+-@, no duplicate keys;
// each violation is InvalidTag (InvalidArgument for a malformed
// x-amz-tagging header). PutObjectTagging requires Content-MD5 or an
// x-amz-checksum (the model marks it requestChecksumRequired).
//
// Deliberately not: versionId other than "null".

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxTags        = 10
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

func getObjectTagging(h *Handler, q *request) error {
	if err := checkVersionID(q.query); err != nil {
		return err
	}
	info, err := h.cfg.Lake.HeadObject(q.bucket, q.key)
	if err != nil {
		return err
	}
	return writeXML(q, http.StatusOK, "Tagging", taggingFromMap(info.Meta.Tags))
}

func putObjectTagging(h *Handler, q *request) error {
	if err := checkVersionID(q.query); err != nil {
		return err
	}
	in, err := parseIntegrity(q.r.Header)
	if err != nil {
		return err
	}
	body, err := readXMLBody(q)
	if err != nil {
		return err
	}
	if err := checkSmallBody(in, body, q.trailer, true); err != nil {
		return err
	}
	tags, err := decodeTagging(body)
	if err != nil {
		return err
	}
	if err := h.cfg.Lake.SetTags(q.bucket, q.key, tags); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func deleteObjectTagging(h *Handler, q *request) error {
	if err := checkVersionID(q.query); err != nil {
		return err
	}
	if err := h.cfg.Lake.SetTags(q.bucket, q.key, nil); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

// taggingXML is the <Tagging> document (request and answer).
type taggingXML struct {
	XMLName xml.Name `xml:"Tagging"`
	TagSet  *struct {
		Tags []tagXML `xml:"Tag"`
	} `xml:"TagSet"`
}

type tagXML struct {
	Key   *string `xml:"Key"`
	Value *string `xml:"Value"`
}

// taggingAnswer is <Tagging>'s body as GetObjectTagging writes it.
type taggingAnswer struct {
	TagSet struct {
		Tags []tagAnswer `xml:"Tag"`
	} `xml:"TagSet"`
}

type tagAnswer struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// taggingFromMap renders tags sorted by key.
func taggingFromMap(tags map[string]string) taggingAnswer {
	var a taggingAnswer
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a.TagSet.Tags = append(a.TagSet.Tags, tagAnswer{Key: k, Value: tags[k]})
	}
	return a
}

// decodeTagging decodes and validates a PutObjectTagging document.
func decodeTagging(body []byte) (map[string]string, error) {
	var doc taggingXML
	if err := decodeXML(body, &doc); err != nil {
		return nil, err
	}
	if doc.TagSet == nil {
		return nil, errMalformedXML()
	}
	if len(doc.TagSet.Tags) > maxTags {
		return nil, errInvalidTag("Object tags cannot be greater than 10")
	}
	tags := make(map[string]string, len(doc.TagSet.Tags))
	for _, t := range doc.TagSet.Tags {
		if t.Key == nil || t.Value == nil {
			return nil, errMalformedXML()
		}
		if _, dup := tags[*t.Key]; dup {
			return nil, errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		if err := validateTag(*t.Key, *t.Value); err != nil {
			return nil, err
		}
		tags[*t.Key] = *t.Value
	}
	return tags, nil
}

// parseTaggingHeader decodes x-amz-tagging ("k1=v1&k2=v2", URL-query
// encoded) and validates the tags.
func parseTaggingHeader(v string) (map[string]string, error) {
	bad := errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
		"x-amz-tagging", v)
	tags := make(map[string]string)
	if v == "" {
		return tags, nil
	}
	for _, pair := range strings.Split(v, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil || !utf8.ValidString(key) || !utf8.ValidString(value) {
			return nil, bad
		}
		if _, dup := tags[key]; dup {
			return nil, bad
		}
		if len(tags) == maxTags {
			return nil, errInvalidTag("Object tags cannot be greater than 10")
		}
		if err := validateTag(key, value); err != nil {
			return nil, err
		}
		tags[key] = value
	}
	return tags, nil
}

// validateTag checks one tag against S3's length and character rules.
func validateTag(key, value string) error {
	switch {
	case utf8.RuneCountInString(key) > maxTagKeyLen:
		return errInvalidTag("The TagKey you have provided is too long, max 128")
	case utf8.RuneCountInString(value) > maxTagValueLen:
		return errInvalidTag("The TagValue you have provided is too long, max 256")
	case key == "" || !validTagText(key):
		return errInvalidTag("The TagKey you have provided is invalid")
	case !validTagText(value):
		return errInvalidTag("The TagValue you have provided is invalid")
	}
	return nil
}

// validTagText reports whether s holds only the characters AWS allows in
// tags: letters, digits, separators (spaces) and _.:/=+-@.
func validTagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsNumber(r), unicode.In(r, unicode.Z):
		case strings.ContainsRune("_.:/=+-@", r):
		default:
			return false
		}
	}
	return true
}

func errInvalidTag(message string) *Error {
	return newError("InvalidTag", http.StatusBadRequest, message)
}
