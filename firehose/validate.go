package firehose

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

// Firehose reports model-constraint violations (required, length, range,
// pattern, enum) as one ValidationException in the wording of AWS's Coral
// front end (protocol.Violations), with lowerCamel member paths and list
// members as 'records.3.member.data'. A blob is shown as Java prints its
// ByteBuffer, as AWS answers it:
//
//	1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0
//	lim=1045710 cap=1045710]' at 'records.1.member.data' failed to satisfy
//	constraint: Member must have length less than or equal to 1024000

type checker struct {
	protocol.Violations
}

func (v *checker) err() error {
	if msg := v.Message(); msg != "" {
		return &protocol.Error{Code: codeValidation, Status: http.StatusBadRequest, Message: msg}
	}
	return nil
}

// quote renders a value as AWS does, cut short so that a hostile value
// does not come back whole in the message.
func quote(s string) string {
	const max = 512
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return "'" + s + "'"
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += len(utf16.AppendRune(nil, r))
	}
	return n
}

// strSpec is the model's constraint on a string shape.
type strSpec struct {
	min, max int    // length bounds in UTF-16 units; max 0 means none
	pattern  string // as the model (and AWS's message) prints it; "" none
	re       *regexp.Regexp
	match    func(string) bool // for patterns RE2 cannot express
}

func spec(min, max int, pattern string) strSpec {
	s := strSpec{min: min, max: max, pattern: pattern}
	if pattern != "" {
		s.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return s
}

var (
	specName          = spec(1, 64, `[a-zA-Z0-9_.-]+`)
	specBucketARN     = spec(1, 2048, `arn:.*:s3:::[\w\.\-]{1,255}`)
	specRoleARN       = spec(1, 512, `arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+`)
	specStreamARN     = spec(1, 512, `arn:.*:kinesis:[a-zA-Z0-9\-]+:\d{12}:stream/[a-zA-Z0-9_.-]+`)
	specKMSARN        = spec(1, 512, `arn:.*:kms:[a-zA-Z0-9\-]+:\d{12}:(key|alias)/[a-zA-Z_0-9+=,.@\-_/]+`)
	specPrefix        = spec(0, 1024, `.*`)
	specVersionID     = spec(1, 50, `[0-9]+`)
	specDestinationID = spec(1, 100, `[a-zA-Z0-9-]+`)
	specFileExtension = spec(0, 128, `^$|\.[0-9a-z!\-_.*'()]+`)
	specTimeZone      = spec(0, 50, `^$|[a-zA-Z/_]+`)
	specNonEmptyNoWS  = spec(1, 1024, `^\S+$`)
	specLogGroup      = spec(0, 512, `[\.\-_/#A-Za-z0-9]*`)
	specLogStream     = spec(0, 512, `[^:*]*`)
	specTagKey        = strSpec{min: 1, max: 128, pattern: `^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$`, match: func(s string) bool {
		return !strings.HasPrefix(s, "aws:") && tagChars(s)
	}}
	specTagValue   = strSpec{max: 256, pattern: `^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$`, match: tagChars}
	specParamValue = strSpec{min: 1, max: 5120, pattern: `^(?!\s*$).+`, match: func(s string) bool {
		return strings.TrimSpace(s) != "" && !strings.ContainsAny(s, "\n\r")
	}}
)

func tagChars(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.In(r, unicode.Z) && !unicode.IsNumber(r) && !strings.ContainsRune("_.:/=+-@%", r) {
			return false
		}
	}
	return true
}

func (v *checker) required(path string, present bool) bool {
	if !present {
		v.Fail("null", path, "Member must not be null")
	}
	return present
}

func (v *checker) str(path string, s *string, sp strSpec) {
	if s != nil {
		v.strVal(path, *s, sp)
	}
}

func (v *checker) strReq(path string, s *string, sp strSpec) {
	if v.required(path, s != nil) {
		v.strVal(path, *s, sp)
	}
}

func (v *checker) strVal(path, s string, sp strSpec) {
	if sp.pattern != "" {
		ok := true
		if sp.match != nil {
			ok = sp.match(s)
		} else {
			ok = sp.re.MatchString(s)
		}
		if !ok {
			v.Fail(quote(s), path, "Member must satisfy regular expression pattern: "+sp.pattern)
		}
	}
	n := utf16Len(s)
	if n < sp.min {
		v.Fail(quote(s), path, "Member must have length greater than or equal to "+strconv.Itoa(sp.min))
	}
	if sp.max > 0 && n > sp.max {
		v.Fail(quote(s), path, "Member must have length less than or equal to "+strconv.Itoa(sp.max))
	}
}

// intRange checks an optional integer against [min, max]; max < min means
// no upper bound.
func (v *checker) intRange(path string, p *int, min, max int) {
	if p == nil {
		return
	}
	n := *p
	if n < min {
		v.Fail(quote(strconv.Itoa(n)), path, "Member must have value greater than or equal to "+strconv.Itoa(min))
	}
	if max >= min && n > max {
		v.Fail(quote(strconv.Itoa(n)), path, "Member must have value less than or equal to "+strconv.Itoa(max))
	}
}

func (v *checker) enum(path string, s *string, values ...string) {
	if s == nil {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.Fail(quote(*s), path, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func (v *checker) enumVal(path, s string, values ...string) {
	if s != "" {
		v.enum(path, &s, values...)
	}
}

func (v *checker) listLen(path string, n, min, max int) {
	if n < min {
		v.Fail("'["+strconv.Itoa(n)+" members]'", path, "Member must have length greater than or equal to "+strconv.Itoa(min))
	}
	if max > 0 && n > max {
		v.Fail("'["+strconv.Itoa(n)+" members]'", path, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

// blob checks a record's Data length.
func (v *checker) blob(path string, b []byte, present bool) {
	if !v.required(path, present) {
		return
	}
	if len(b) > delivery.MaxRecordBytes {
		n := strconv.Itoa(len(b))
		v.Fail("'java.nio.HeapByteBuffer[pos=0 lim="+n+" cap="+n+"]'", path, "Member must have length less than or equal to "+strconv.Itoa(delivery.MaxRecordBytes))
	}
}

var compressionFormats = []string{"UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"}

// destination checks an S3 or Extended S3 destination (configuration or
// update: required members are checked by the caller's flags).
func (v *checker) destination(path string, d *delivery.S3Destination, create bool) {
	if d == nil {
		return
	}
	if create {
		v.strReq(path+".roleARN", nonEmptyPtr(d.RoleARN, create), specRoleARN)
		v.strReq(path+".bucketARN", nonEmptyPtr(d.BucketARN, create), specBucketARN)
	} else {
		v.str(path+".roleARN", nonEmptyPtr(d.RoleARN, false), specRoleARN)
		v.str(path+".bucketARN", nonEmptyPtr(d.BucketARN, false), specBucketARN)
	}
	v.str(path+".prefix", d.Prefix, specPrefix)
	v.str(path+".errorOutputPrefix", d.ErrorOutputPrefix, specPrefix)
	if bh := d.BufferingHints; bh != nil {
		v.intRange(path+".bufferingHints.sizeInMBs", bh.SizeInMBs, 1, 128)
		v.intRange(path+".bufferingHints.intervalInSeconds", bh.IntervalInSeconds, 0, 900)
	}
	v.enumVal(path+".compressionFormat", d.CompressionFormat, compressionFormats...)
	if ec := d.EncryptionConfiguration; ec != nil {
		v.enumVal(path+".encryptionConfiguration.noEncryptionConfig", ec.NoEncryptionConfig, "NoEncryption")
		if k := ec.KMSEncryptionConfig; k != nil {
			v.strVal(path+".encryptionConfiguration.kMSEncryptionConfig.aWSKMSKeyARN", k.AWSKMSKeyARN, specKMSARN)
		}
	}
	if cw := d.CloudWatchLoggingOptions; cw != nil {
		v.strVal(path+".cloudWatchLoggingOptions.logGroupName", cw.LogGroupName, specLogGroup)
		v.strVal(path+".cloudWatchLoggingOptions.logStreamName", cw.LogStreamName, specLogStream)
	}
	if pc := d.ProcessingConfiguration; pc != nil {
		for i, p := range pc.Processors {
			pp := path + ".processingConfiguration.processors." + strconv.Itoa(i+1) + ".member"
			if v.required(pp+".type", p.Type != "") {
				v.enumVal(pp+".type", p.Type, "RecordDeAggregation", "Decompression", "CloudWatchLogProcessing", "Lambda", "MetadataExtraction", "AppendDelimiterToRecord")
			}
			for j, prm := range p.Parameters {
				ppp := pp + ".parameters." + strconv.Itoa(j+1) + ".member"
				if v.required(ppp+".parameterName", prm.ParameterName != "") {
					v.enumVal(ppp+".parameterName", prm.ParameterName, "LambdaArn", "NumberOfRetries", "MetadataExtractionQuery", "JsonParsingEngine", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds", "SubRecordType", "Delimiter", "CompressionFormat", "DataMessageExtraction")
				}
				v.strVal(ppp+".parameterValue", prm.ParameterValue, specParamValue)
			}
		}
	}
	v.enumVal(path+".s3BackupMode", d.S3BackupMode, "Disabled", "Enabled")
	if c := d.DataFormatConversionConfiguration; c != nil {
		cp := path + ".dataFormatConversionConfiguration"
		if sc := c.SchemaConfiguration; sc != nil {
			for _, f := range []struct{ name, val string }{
				{"roleARN", sc.RoleARN}, {"catalogId", sc.CatalogId}, {"databaseName", sc.DatabaseName},
				{"tableName", sc.TableName}, {"region", sc.Region}, {"versionId", sc.VersionId},
			} {
				if f.val != "" {
					v.strVal(cp+".schemaConfiguration."+f.name, f.val, specNonEmptyNoWS)
				}
			}
		}
		if o := c.OutputFormatConfiguration; o != nil && o.Serializer != nil && o.Serializer.ParquetSerDe != nil {
			ps := o.Serializer.ParquetSerDe
			sp := cp + ".outputFormatConfiguration.serializer.parquetSerDe"
			v.intRange(sp+".blockSizeBytes", ps.BlockSizeBytes, 67108864, 0)
			v.intRange(sp+".pageSizeBytes", ps.PageSizeBytes, 65536, 0)
			v.enumVal(sp+".compression", ps.Compression, "UNCOMPRESSED", "GZIP", "SNAPPY")
			v.enumVal(sp+".writerVersion", ps.WriterVersion, "V1", "V2")
			v.intRange(sp+".maxPaddingBytes", ps.MaxPaddingBytes, 0, 0)
		}
	}
	if dp := d.DynamicPartitioningConfiguration; dp != nil && dp.RetryOptions != nil {
		v.intRange(path+".dynamicPartitioningConfiguration.retryOptions.durationInSeconds", dp.RetryOptions.DurationInSeconds, 0, 7200)
	}
	v.str(path+".fileExtension", d.FileExtension, specFileExtension)
	v.str(path+".customTimeZone", d.CustomTimeZone, specTimeZone)
}

// nonEmptyPtr treats an absent string member (decoded as "") as null.
func nonEmptyPtr(s string, _ bool) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (v *checker) tags(path string, tags []delivery.Tag, min int) {
	v.listLen(path, len(tags), min, 50)
	for i, t := range tags {
		p := path + "." + strconv.Itoa(i+1) + ".member"
		v.strVal(p+".key", t.Key, specTagKey)
		v.str(p+".value", t.Value, specTagValue)
	}
}
