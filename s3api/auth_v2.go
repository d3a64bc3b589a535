package s3api

// Signature Version 2 (S3's "HmacV1"): the Authorization: AWS <id>:<sig>
// header and the presigned query form (AWSAccessKeyId, Signature,
// Expires). AWS deprecated it, but boto3 still presigns S3 URLs with it by
// default (botocore client.py, _default_s3_presign_to_sigv2: every
// generate_presigned_url call without signature_version="s3v4"), and S3
// still accepts it, so `s3.generate_presigned_url(...)` URLs must work.
//
// The string to sign (S3 REST authentication, "Constructing the
// CanonicalizedResource Element"; botocore auth.py HmacV1Auth):
//
//	METHOD \n Content-MD5 \n Content-Type \n Date-or-Expires \n
//	x-amz-header:value \n …   (lower-case names, sorted; values joined by ',')
//	/bucket/key-as-sent [?subresource[=value]&…]   (S3's list, sorted, values decoded)
//
// The Date slot is the Date header (empty when x-amz-date is sent, which
// then signs as an x-amz header) or, presigned, Expires. A presigned URL
// may carry Content-Type, Content-MD5 and x-amz-* as query parameters
// (botocore moves them there); they sign in place of absent headers.
// V2 signs no payload hash: the body is taken as it comes.

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caudal/caudal/sigv4"
)

// v2Subresources are the query parameters that are part of a V2
// CanonicalizedResource (botocore's QSAOfInterest, S3's documented list).
var v2Subresources = map[string]bool{
	"accelerate": true, "acl": true, "cors": true, "defaultObjectAcl": true, "location": true,
	"logging": true, "partNumber": true, "policy": true, "requestPayment": true, "torrent": true,
	"versioning": true, "versionId": true, "versions": true, "website": true, "uploads": true,
	"uploadId": true, "response-content-type": true, "response-content-language": true,
	"response-expires": true, "response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "delete": true, "lifecycle": true, "tagging": true,
	"restore": true, "storageClass": true, "notification": true, "replication": true,
	"analytics": true, "metrics": true, "inventory": true, "select": true, "select-type": true,
	"object-lock": true,
}

// authenticateV2 verifies a V2 header signature (authz "AWS id:sig") or,
// when authz is empty, a V2 presigned query.
func (h *Handler) authenticateV2(q *request, authz string) error {
	r := q.r
	var keyID, sig, dateSlot string
	presigned := authz == ""
	now := h.cfg.Now().UTC()
	if presigned {
		keyID, sig = q.query.Get("AWSAccessKeyId"), q.query.Get("Signature")
		dateSlot = q.query.Get("Expires")
		if keyID == "" || sig == "" || dateSlot == "" {
			return newError("AccessDenied", http.StatusForbidden,
				"Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
		}
		exp, err := strconv.ParseInt(dateSlot, 10, 64)
		if err != nil {
			return newError("AccessDenied", http.StatusForbidden, "Invalid date (should be seconds since epoch): "+dateSlot)
		}
		if now.Unix() > exp {
			return newError("AccessDenied", http.StatusForbidden, "Request has expired",
				Field{"Expires", time.Unix(exp, 0).UTC().Format(time.RFC3339)},
				Field{"ServerTime", now.Format(time.RFC3339)})
		}
	} else {
		cred, ok := strings.CutPrefix(authz, "AWS ")
		if ok {
			keyID, sig, ok = strings.Cut(strings.TrimSpace(cred), ":")
		}
		if !ok || keyID == "" || sig == "" {
			return newError("InvalidArgument", http.StatusBadRequest, "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
				Field{"ArgumentName", "Authorization"}, Field{"ArgumentValue", authz})
		}
		sent := r.Header.Get("X-Amz-Date")
		if sent == "" {
			sent = r.Header.Get("Date")
			dateSlot = sent
		}
		t, err := http.ParseTime(sent)
		if err != nil {
			t, err = time.Parse(time.RFC1123Z, sent) // "Tue, 27 Mar 2007 19:36:42 +0000", as AWS's examples
		}
		if err != nil {
			if t, err = time.Parse("20060102T150405Z", sent); err != nil {
				return newError("AccessDenied", http.StatusForbidden, "AWS authentication requires a valid Date or x-amz-date header")
			}
		}
		if d := now.Sub(t); d > 15*time.Minute || d < -15*time.Minute {
			return newError("RequestTimeTooSkewed", http.StatusForbidden,
				"The difference between the request time and the current time is too large.",
				Field{"RequestTime", sent}, Field{"ServerTime", now.Format(time.RFC3339)},
				Field{"MaxAllowedSkewMilliseconds", "900000"})
		}
	}
	secret, ok := h.cfg.Secret(keyID)
	if !ok {
		return newError("InvalidAccessKeyId", http.StatusForbidden,
			"The AWS Access Key Id you provided does not exist in our records.", Field{"AWSAccessKeyId", keyID})
	}
	sts := h.stringToSignV2(q, dateSlot, presigned, "")
	matches := func(sts string) bool {
		mac := hmac.New(sha1.New, []byte(secret))
		mac.Write([]byte(sts))
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		return hmac.Equal([]byte(want), []byte(sig))
	}
	ok = matches(sts)
	// botocore's resource path differs from the request's in two cases
	// S3's documentation does not cover: bucket-level calls are signed as
	// "/bucket/" (botocore 1.43), and operations whose model request URI
	// has a query ("/{Bucket}?list-type=2", "?uploads") carry it in the
	// path. Accept those forms too; each still signs this very request.
	for _, suffix := range v2PathVariants(q) {
		if ok {
			break
		}
		ok = matches(h.stringToSignV2(q, dateSlot, presigned, suffix))
	}
	if !ok {
		return newError("SignatureDoesNotMatch", http.StatusForbidden,
			"The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			Field{"AWSAccessKeyId", keyID}, Field{"StringToSign", sts}, Field{"SignatureProvided", sig},
			Field{"StringToSignBytes", spacedHex(sts)})
	}
	q.cred = sigv4.Credential{AccessKeyID: keyID, Region: h.cfg.Region, Service: "s3"}
	q.body = r.Body
	return nil
}

// v2PathVariants are the suffixes botocore may have added to the resource
// path it signed (see authenticateV2): a slash after a bucket, and the
// query of its model's request URI — the request's first query parameter
// as sent ("list-type=2"; "uploads", which botocore 1.26 then signs twice).
func v2PathVariants(q *request) []string {
	var out []string
	slash := q.key == "" && q.bucket != "" && !strings.HasSuffix(rawPath(q.r), "/")
	if slash {
		out = append(out, "/")
	}
	if first, _, _ := strings.Cut(q.r.URL.RawQuery, "&"); first != "" && !strings.HasPrefix(first, "AWSAccessKeyId=") {
		out = append(out, "?"+first)
		if slash {
			out = append(out, "/?"+first)
		}
	}
	return out
}

// stringToSignV2 is the V2 string to sign of q; pathSuffix is appended to
// the resource path (see the list-type case in authenticateV2).
func (h *Handler) stringToSignV2(q *request, dateSlot string, presigned bool, pathSuffix string) string {
	r := q.r
	// A header, or for a presigned URL the query parameter standing in
	// for an absent one.
	value := func(name string) string {
		if vs := r.Header.Values(name); len(vs) > 0 {
			trimmed := make([]string, len(vs))
			for i, v := range vs {
				trimmed[i] = strings.TrimSpace(v)
			}
			return strings.Join(trimmed, ",")
		}
		if presigned {
			for k, v := range q.query {
				if strings.EqualFold(k, name) {
					return strings.Join(v, ",")
				}
			}
		}
		return ""
	}
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(value("Content-Md5"))
	b.WriteByte('\n')
	b.WriteString(value("Content-Type"))
	b.WriteByte('\n')
	b.WriteString(dateSlot)
	b.WriteByte('\n')

	amz := map[string]bool{}
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") {
			amz[lk] = true
		}
	}
	if presigned {
		for k := range q.query {
			if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") {
				amz[lk] = true
			}
		}
	}
	names := make([]string, 0, len(amz))
	for k := range amz {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(value(k))
		b.WriteByte('\n')
	}

	// The resource names the bucket even when the Host does.
	raw := rawPath(r)
	if h.hostBucket(r.Host) != "" {
		raw = "/" + q.bucket + raw
	}
	b.WriteString(raw)
	b.WriteString(pathSuffix)
	type param struct{ name, value string }
	var subs []param
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		name, val, hasValue := strings.Cut(kv, "=")
		if !v2Subresources[name] {
			continue
		}
		if hasValue {
			if dec, err := url.QueryUnescape(val); err == nil {
				val = dec
			}
			subs = append(subs, param{name, "=" + val})
		} else {
			subs = append(subs, param{name, ""})
		}
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].name < subs[j].name })
	for i, p := range subs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteString(p.value)
	}
	return b.String()
}
