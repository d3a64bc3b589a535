package s3api

// Conditional requests: If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since on GetObject and HeadObject, and their
// x-amz-copy-source-if-* forms on CopyObject and UploadPartCopy.
//
// S3 follows RFC 7232's precedence, which its API reference spells out as
// two cases (GetObjectRequest.IfMatch and .IfNoneMatch): If-Match true
// with If-Unmodified-Since false answers 200, and If-None-Match false with
// If-Modified-Since true answers 304. So If-Match, when present, decides
// alone against If-Unmodified-Since, and If-None-Match decides alone
// against If-Modified-Since. A date that does not parse, and an
// If-Modified-Since in the future, are ignored. Last-Modified has a
// resolution of one second.
//
// For a copy source every failed condition is 412 (there is no 304 for a
// copy).

import (
	"net/http"
	"strings"
	"time"

	"github.com/caudal/caudal/lake"
)

// preconditions are one request's conditional headers.
type preconditions struct {
	ifMatch, ifNoneMatch string // raw header values; "" when absent
	hasIfMatch           bool
	hasIfNoneMatch       bool
	modifiedSince        time.Time // zero when absent or unparsable
	unmodifiedSince      time.Time
	// names of the headers for the Condition field of a 412.
	nameIfMatch, nameIfUnmodifiedSince string
	copySource                         bool
}

// readPreconditions reads a GET/HEAD's conditional headers.
func readPreconditions(h http.Header) preconditions {
	return readPreconditionsPrefixed(h, "", false)
}

// readCopyPreconditions reads x-amz-copy-source-if-*.
func readCopyPreconditions(h http.Header) preconditions {
	return readPreconditionsPrefixed(h, "X-Amz-Copy-Source-", true)
}

func readPreconditionsPrefixed(h http.Header, prefix string, copySource bool) preconditions {
	var p preconditions
	p.copySource = copySource
	if vs, ok := h[prefix+"If-Match"]; ok {
		p.hasIfMatch, p.ifMatch = true, strings.Join(vs, ",")
	}
	if vs, ok := h[prefix+"If-None-Match"]; ok {
		p.hasIfNoneMatch, p.ifNoneMatch = true, strings.Join(vs, ",")
	}
	p.modifiedSince = parseHTTPDate(h.Get(prefix + "If-Modified-Since"))
	p.unmodifiedSince = parseHTTPDate(h.Get(prefix + "If-Unmodified-Since"))
	p.nameIfMatch, p.nameIfUnmodifiedSince = "If-Match", "If-Unmodified-Since"
	if copySource {
		p.nameIfMatch, p.nameIfUnmodifiedSince = "x-amz-copy-source-If-Match", "x-amz-copy-source-If-Unmodified-Since"
	}
	return p
}

// parseHTTPDate parses the date forms HTTP allows (RFC 1123, RFC 850,
// asctime) and ISO 8601, which some clients send; zero when none fits.
func parseHTTPDate(s string) time.Time {
	if s == "" || len(s) > 64 {
		return time.Time{}
	}
	if t, err := http.ParseTime(s); err == nil {
		return t
	}
	for _, layout := range []string{time.RFC3339, "20060102T150405Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// outcome of evaluating preconditions.
type outcome int

const (
	proceed            outcome = iota
	notModified                // 304 (GET/HEAD only)
	preconditionFailed         // 412
)

// evaluate decides the request against the object's current validators;
// condition names the failing header for a 412's Condition field.
func (p preconditions) evaluate(info lake.ObjectInfo, now time.Time) (result outcome, condition string) {
	mod := info.LastModified.Truncate(time.Second)
	if p.hasIfMatch {
		if !etagListMatches(p.ifMatch, info.ETag) {
			return preconditionFailed, p.nameIfMatch
		}
	} else if !p.unmodifiedSince.IsZero() && mod.After(p.unmodifiedSince) {
		return preconditionFailed, p.nameIfUnmodifiedSince
	}
	if p.hasIfNoneMatch {
		if etagListMatches(p.ifNoneMatch, info.ETag) {
			if p.copySource {
				return preconditionFailed, "x-amz-copy-source-If-None-Match"
			}
			return notModified, ""
		}
	} else if !p.modifiedSince.IsZero() && !p.modifiedSince.After(now) && !mod.After(p.modifiedSince) {
		if p.copySource {
			return preconditionFailed, "x-amz-copy-source-If-Modified-Since"
		}
		return notModified, ""
	}
	return proceed, ""
}

// etagListMatches reports whether a comma-separated list of entity tags
// (quoted or not, "*" for any) names etag. Weak tags compare by their
// opaque value, as S3 has only strong tags.
func etagListMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if normalizeETag(t) == etag {
			return true
		}
	}
	return false
}

// normalizeETag removes a weak prefix and the quotes around an entity
// tag.
func normalizeETag(t string) string {
	t = strings.TrimSpace(t)
	t = strings.TrimPrefix(t, "W/")
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		t = t[1 : len(t)-1]
	}
	return t
}

func errPreconditionFailed(condition string) *Error {
	e := newError("PreconditionFailed", http.StatusPreconditionFailed,
		"At least one of the pre-conditions you specified did not hold")
	if condition != "" {
		e.Fields = []Field{{"Condition", condition}}
	}
	return e
}

// writeNotModified answers 304 with the validators and no body.
func writeNotModified(w http.ResponseWriter, info lake.ObjectInfo) {
	setValidators(w.Header(), info)
	w.WriteHeader(http.StatusNotModified)
}
