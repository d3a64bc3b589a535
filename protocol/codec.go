package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"reflect"
	"strings"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Content types of the codecs. JSON answers echo the request's JSON version.
const (
	ContentTypeJSON11 = "application/x-amz-json-1.1"
	ContentTypeJSON10 = "application/x-amz-json-1.0"
	ContentTypeCBOR11 = "application/x-amz-cbor-1.1"
)

// CodecOf maps a Content-Type to a codec; ok is false for anything else.
// Parameters (e.g. "; charset=utf-8") are ignored; the media type is
// matched case-insensitively.
func CodecOf(contentType string) (c Codec, ok bool) {
	mt := contentType
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = strings.TrimSpace(mt)
	switch {
	case strings.EqualFold(mt, ContentTypeJSON11), strings.EqualFold(mt, ContentTypeJSON10):
		return JSON, true
	case strings.EqualFold(mt, ContentTypeCBOR11):
		return CBOR, true
	}
	return JSON, false
}

// answerContentType is the Content-Type of an answer to a request that
// carried reqType: AWS answers JSON 1.0 requests in 1.0 and 1.1 in 1.1.
func answerContentType(c Codec, reqType string) string {
	if c == CBOR {
		return ContentTypeCBOR11
	}
	if mt, _, err := mime.ParseMediaType(reqType); err == nil && mt == ContentTypeJSON10 {
		return ContentTypeJSON10
	}
	return ContentTypeJSON11
}

// The CBOR modes. Field names come from the json tags (fxamacker/cbor uses
// the "json" key when a field has no "cbor" key, including omitempty), so
// service structs declare one set of tags for both codecs.
var (
	cborDec cbor.DecMode
	cborEnc cbor.UserBufferEncMode
)

func init() {
	var err error
	cborDec, err = cbor.DecOptions{
		// Bounds against hostile input; far above any AWS shape
		// (PutRecords has 500 entries, tags maps 50).
		MaxNestedLevels:  32,
		MaxArrayElements: 1 << 17,
		MaxMapPairs:      1 << 17,
		// Strings must be valid UTF-8 as in JSON; AWS rejects the rest.
		UTF8: cbor.UTF8RejectInvalid,
		// Jackson (the Java SDK's CBOR writer) emits indefinite-length
		// maps and arrays; they must decode.
		IndefLength: cbor.IndefLengthAllowed,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("protocol: cbor decode options: %v", err))
	}
	cborEnc, err = cbor.EncOptions{
		// Match encoding/json: omitempty omits zero Go values only, so an
		// empty struct is still written.
		OmitEmpty: cbor.OmitEmptyGoValue,
		// Floats stay float64: no AWS output needs the bytes, and old
		// Jackson CBOR parsers are least tested on half floats.
		ShortestFloat: cbor.ShortestFloatNone,
		// Never emit tags the SDK does not know (Timestamp writes its own).
		TimeTag: cbor.EncTagNone,
	}.UserBufferEncMode()
	if err != nil {
		panic(fmt.Sprintf("protocol: cbor encode options: %v", err))
	}
}

// Decode decodes the call body into v with the call's codec. Malformed
// input is an *Error (SerializationException, 400).
//
// An empty body decodes as {} (v is left as is); ServeHTTP has already
// refused empty bodies as AWS does, so this only matters to direct callers.
// Unknown members are ignored, as AWS ignores them. On error v may be
// partly filled; callers discard it. The top level must be an
// object (a JSON object or a CBOR map): AWS answers SerializationException to
// a body of `null`, `[]` or a scalar.
func (c *Call) Decode(v any) error {
	return c.decode(v, false)
}

// DecodeTransient is Decode for handlers that keep no decoded []byte
// (blob) after they return: in a JSON call served by ServeHTTP the blobs
// are decoded into one pooled buffer that the next call reuses once this
// one's answer is written, instead of one allocation each. PutRecords
// uses it: the engine copies every record before it answers.
func (c *Call) DecodeTransient(v any) error {
	return c.decode(v, c.transient)
}

// releaseBlobs returns the call's blob buffer, if any, for reuse.
func (c *Call) releaseBlobs() {
	if a := c.blobs; a != nil && cap(a.buf) <= maxPooledArena {
		c.blobs = nil
		blobArenaPool.Put(a)
	}
}

func (c *Call) decode(v any, transient bool) error {
	body := c.Body
	if c.Codec == CBOR {
		// RFC 8949's self-described CBOR tag (55799) may precede the map;
		// it means nothing else.
		body = bytes.TrimPrefix(body, []byte{0xd9, 0xd9, 0xf7})
		if len(body) == 0 {
			return nil
		}
		if body[0]>>5 != 5 { // major type 5 is a map
			return serializationError("")
		}
		if err := cborDec.Unmarshal(body, v); err != nil {
			return serializationError(cborMessage(err))
		}
		return nil
	}
	i := 0
	for i < len(body) && isJSONSpace(body[i]) {
		i++
	}
	if i == len(body) {
		return nil
	}
	if body[i] != '{' {
		return serializationError("")
	}
	// The one-pass decoder handles every shape AWS models; anything else
	// goes to encoding/json, which behaves the same, only slower.
	var blobs *blobArena
	if transient {
		if c.blobs == nil {
			c.blobs = blobArenaPool.Get().(*blobArena)
			c.blobs.reset(len(body))
		}
		blobs = c.blobs
	}
	err := decodeJSONFastInto(body, v, blobs)
	if err == errJSONUnsupported {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		return serializationError(jsonMessage(err))
	}
	return nil
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// serializationError is AWS's answer to a body it cannot read. For a body
// that does not parse at all Kinesis sends no message (kinesalite's
// connection tests, recorded against AWS: {"__type":"SerializationException"});
// for a member of the wrong type it names the problem in Coral's words.
func serializationError(msg string) *Error {
	return &Error{Code: "SerializationException", Status: 400, Message: msg}
}

// jsonMessage words a decoding error the way AWS's Coral front end does for
// type mismatches (kinesalite validations/index.js mirrors those messages);
// syntax errors get no message, as from AWS.
func jsonMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return typeMismatch(te.Value, te.Type)
	}
	var ie base64.CorruptInputError
	if errors.As(err, &ie) {
		return "Base64 encoded value is invalid"
	}
	return ""
}

// typeMismatch words "a JSON <value> where a Go <t> was expected".
func typeMismatch(value string, t reflect.Type) string {
	switch {
	case strings.HasPrefix(value, "number") && isIntegerKind(t):
		// An integer out of range or with a fraction.
		return "class java.math.BigDecimal can not be converted to an " + javaName(t)
	}
	switch value {
	case "object":
		return "Start of structure or map found where not expected."
	case "array":
		return "Start of list found where not expected"
	}
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 {
			return "Expected list or null"
		}
	case reflect.Map:
		return "Expected map or null"
	case reflect.Struct:
		if t != reflect.TypeFor[Timestamp]() {
			return "Expected null"
		}
	}
	from := map[string]string{
		"string": "class java.lang.String",
		"bool":   "class java.lang.Boolean",
		"number": "class java.math.BigDecimal",
	}[value]
	if from == "" {
		return ""
	}
	return from + " can not be converted to " + article(javaName(t))
}

func isIntegerKind(t reflect.Type) bool {
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// javaName is the Coral type name AWS uses for a Go type in its messages.
func javaName(t reflect.Type) string {
	if t == nil {
		return "Object"
	}
	if t == reflect.TypeFor[Timestamp]() {
		return "Date"
	}
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Bool:
		return "Boolean"
	case reflect.Int64, reflect.Uint64:
		return "Long"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return "Integer"
	case reflect.Float32, reflect.Float64:
		return "Double"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "Blob"
		}
	}
	return "Object"
}

// article keeps AWS's grammar: "an String", "an Integer", but "a Blob".
func article(name string) string {
	if name == "Blob" {
		return "a Blob"
	}
	return "an " + name
}

// cborMessage words a CBOR decoding error; only type mismatches get words.
func cborMessage(err error) string {
	var te *cbor.UnmarshalTypeError
	if errors.As(err, &te) {
		value := te.CBORType
		switch {
		case strings.Contains(value, "map"):
			value = "object"
		case strings.Contains(value, "array"):
			value = "array"
		case strings.Contains(value, "text"):
			value = "string"
		case strings.Contains(value, "integer"), strings.Contains(value, "float"):
			value = "number"
		case strings.Contains(value, "primitives"):
			value = "bool"
		}
		return typeMismatch(value, reflectTypeOf(te.GoType))
	}
	return ""
}

// reflectTypeOf maps fxamacker's Go type name back to a kind good enough
// for javaName; its UnmarshalTypeError carries only the name.
func reflectTypeOf(name string) reflect.Type {
	switch {
	case name == "[]uint8":
		return reflect.TypeFor[[]byte]()
	case strings.HasPrefix(name, "[]"):
		return reflect.TypeFor[[]any]()
	case strings.HasPrefix(name, "map["):
		return reflect.TypeFor[map[string]any]()
	case name == "string":
		return reflect.TypeFor[string]()
	case name == "bool":
		return reflect.TypeFor[bool]()
	case name == "int64", name == "uint64":
		return reflect.TypeFor[int64]()
	case strings.HasPrefix(name, "int"), strings.HasPrefix(name, "uint"):
		return reflect.TypeFor[int]()
	case strings.HasPrefix(name, "float"):
		return reflect.TypeFor[float64]()
	case strings.HasSuffix(name, "Timestamp"):
		return reflect.TypeFor[Timestamp]()
	}
	return nil
}

// bufPool holds answer buffers. Answers can be tens of MB (GetRecords);
// buffers above maxPooledBuf are dropped rather than pinned in the pool.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuf = 16 << 20

func getBuf() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuf(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuf {
		return
	}
	b.Reset()
	bufPool.Put(b)
}

// encode appends v in codec c to buf. A nil v is an empty object, which is
// what AWS sends for operations without output members.
func encode(buf *bytes.Buffer, c Codec, v any) error {
	if isNilPointer(v) {
		v = nil // a typed nil output is no output, not null
	}
	if c == CBOR {
		if v == nil {
			buf.WriteByte(0xa0) // empty map
			return nil
		}
		return cborEnc.MarshalToBuffer(v, buf)
	}
	if v == nil {
		buf.WriteString("{}")
		return nil
	}
	if a, ok := v.(JSONAppender); ok {
		buf.Write(a.AppendJSON(buf.AvailableBuffer()))
		return nil
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	// Encoder ends the value with a newline; AWS sends none.
	buf.Truncate(buf.Len() - 1)
	return nil
}

// isNilPointer reports whether v is a typed nil pointer.
func isNilPointer(v any) bool {
	if v == nil {
		return false
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// Marshal encodes v in codec c: the same bytes ServeHTTP would send. It is
// for tests and for callers that build bodies themselves.
func Marshal(c Codec, v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := encode(&buf, c, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
