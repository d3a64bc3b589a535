package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Path rules (format v1; see the package doc). Changing them does not break
// existing lakes, because every index entry records its data file's path,
// but keep them stable anyway so that files stay where people expect them.
const (
	// maxSegmentBytes bounds one escaped path segment. A file name is
	// versionHexLen + 1 + an escaped segment, so it stays well under
	// ext4's 255-byte name limit.
	maxSegmentBytes = 200
	// keepSegmentBytes is how much of an over-long escaped segment is kept
	// before the "~" and the hash that replace the rest.
	keepSegmentBytes = 160
	versionHexLen    = 16
	// maxDirDepth and maxDirBytes bound the directories a key maps to.
	// Without them a key like "////…" would make 1,024 nested directories:
	// a PUT costing O(depth²) path lookups and one fsync per directory,
	// and a path near PATH_MAX. Past either bound the rest of the key,
	// slashes and all, is folded into the file name.
	maxDirDepth = 32
	maxDirBytes = 1024
)

// checkKey returns an error wrapping ErrInvalidKey unless key is a key S3
// accepts: non-empty, at most MaxKeyBytes bytes, valid UTF-8.
func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty key", ErrInvalidKey)
	case len(key) > MaxKeyBytes:
		return fmt.Errorf("%w: key is %d bytes, over %d", ErrInvalidKey, len(key), MaxKeyBytes)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: key is not valid UTF-8", ErrInvalidKey)
	}
	return nil
}

// objectRelPath is the slash-separated path, relative to Config.Dir, of
// the data file of version ver of bucket/key:
//
//	objects/<bucket>/<escaped dir segments…>/<ver>#<escaped last segment>
//
// Only the first maxDirDepth segments (and at most maxDirBytes of them)
// become directories; the rest of the key, its slashes escaped, is the
// last segment. The key must have passed checkKey and the bucket
// ValidBucketName. The result never leaves objects/<bucket>/, and every
// segment of it is at most versionHexLen+1+maxSegmentBytes bytes long.
func objectRelPath(bucket, key, ver string) string {
	var b strings.Builder
	b.Grow(len("objects/") + len(bucket) + 1 + len(key)*2 + versionHexLen + 2)
	b.WriteString("objects/")
	b.WriteString(bucket)
	b.WriteByte('/')
	rest := key
	for depth, dirBytes := 0, 0; depth < maxDirDepth; depth++ {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			break
		}
		seg := escapeSegment(rest[:i])
		if dirBytes += len(seg) + 1; dirBytes > maxDirBytes {
			break
		}
		b.WriteString(seg)
		b.WriteByte('/')
		rest = rest[i+1:]
	}
	b.WriteString(ver)
	b.WriteByte('#')
	b.WriteString(escapeSegment(rest))
	return b.String()
}

// partRelPath is the slash-separated path, relative to Config.Dir, of
// version ver of part n of an upload. id must be an ID the lake made
// (newUploadID), never a client's string.
func partRelPath(id string, n int, ver string) string {
	return fmt.Sprintf("uploads/%s/%05d#%s", id, n, ver)
}

// escapeSegment turns one '/'-separated key segment into a safe file or
// directory name:
//   - '#', '%', '\', '/', control bytes and DEL become %XX, so an escaped
//     segment never holds a raw '#' (which marks data file names) and
//     nothing a terminal or shell treats specially stays raw;
//   - "" becomes "%" and "." and ".." become "%2E" and "%2E%2E", so no
//     segment walks up or stays in place;
//   - a result over maxSegmentBytes keeps its first keepSegmentBytes bytes
//     (cut at a character boundary) followed by "~" and 16 hex digits of
//     the segment's SHA-256.
//
// The mapping need not be injective: data file names carry a unique
// version, so two keys never share a file even if their paths collide.
func escapeSegment(seg string) string {
	switch seg {
	case "":
		return "%"
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	clean := true
	for i := 0; i < len(seg); i++ {
		if needsEscape(seg[i]) {
			clean = false
			break
		}
	}
	out := seg
	if !clean {
		const hexDigits = "0123456789ABCDEF"
		var b strings.Builder
		b.Grow(len(seg) + 16)
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if needsEscape(c) {
				b.WriteByte('%')
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&15])
			} else {
				b.WriteByte(c)
			}
		}
		out = b.String()
	}
	if len(out) <= maxSegmentBytes {
		return out
	}
	cut := keepSegmentBytes
	// Never cut inside a %XX escape or a UTF-8 sequence.
	for cut > 0 && (!utf8.RuneStart(out[cut]) || (cut >= 1 && out[cut-1] == '%') || (cut >= 2 && out[cut-2] == '%')) {
		cut--
	}
	sum := sha256.Sum256([]byte(seg))
	return out[:cut] + "~" + hex.EncodeToString(sum[:8])
}

func needsEscape(c byte) bool {
	// '/' is only seen in a folded last segment (see objectRelPath).
	return c < 0x20 || c == 0x7f || c == '#' || c == '%' || c == '\\' || c == '/'
}

// insideDir reports whether the slash-separated relative path rel stays
// inside dir (also slash-separated and relative) once cleaned. Tests and
// the fuzz target use it to check objectRelPath.
func insideDir(rel, dir string) bool {
	c := path.Clean(rel)
	return strings.HasPrefix(c, dir+"/") && c == rel
}
