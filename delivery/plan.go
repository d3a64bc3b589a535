package delivery

import (
	"fmt"
	"strings"
	"time"

	"github.com/caudal/caudal/delivery/compression"
	"github.com/caudal/caudal/delivery/partitionkey"
	"github.com/caudal/caudal/delivery/prefix"
)

// plan is a destination compiled for delivery: the parsed templates and
// processors and the effective buffering hints. Plans are immutable; an
// UpdateDestination swaps in a new one.
type plan struct {
	name      string // delivery stream name (object names)
	version   int    // VersionId (object names)
	bucket    string
	sizeBytes int64
	interval  time.Duration

	prefix      *prefix.Template
	errPrefix   *prefix.Template // nil: the default error prefix
	compression string
	extension   string
	location    *time.Location

	deaggregate string // "", "KPL" or "JSON"
	query       *partitionkey.Query
	delimiter   string // "" when no AppendDelimiterToRecord
	dynamic     bool

	convert *conversion // nil: no data format conversion
}

// conversion is a DataFormatConversionConfiguration, enabled.
type conversion struct {
	database, table string
	schema          SchemaConfiguration
	deserializer    Deserializer
	parquet         ParquetSerDe
}

func enabled(b *bool) bool { return b != nil && *b }

// enabledDefault is enabled with a nil meaning true (ProcessingConfiguration
// and DataFormatConversionConfiguration are on unless Enabled is false).
func enabledDefault(b *bool) bool { return b == nil || *b }

// BucketName returns the bucket of an S3 bucket ARN (arn:aws:s3:::name).
func BucketName(arn string) (string, bool) {
	i := strings.Index(arn, ":::")
	if i < 0 || !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn[:i+1], ":s3:") {
		return "", false
	}
	name := arn[i+3:]
	return name, name != "" && !strings.ContainsAny(name, "/:")
}

// withDefaults fills the members a description always carries.
func withDefaults(d S3Destination) S3Destination {
	bh := BufferingHints{}
	if d.BufferingHints != nil {
		bh = *d.BufferingHints
	}
	if bh.SizeInMBs == nil {
		v := DefaultSizeInMBs
		if (d.DynamicPartitioningConfiguration != nil && enabled(d.DynamicPartitioningConfiguration.Enabled)) ||
			(d.DataFormatConversionConfiguration != nil && enabledDefault(d.DataFormatConversionConfiguration.Enabled)) {
			v = MinSizeInMBsLarge
		}
		bh.SizeInMBs = &v
	}
	if bh.IntervalInSeconds == nil {
		v := DefaultIntervalInSeconds
		bh.IntervalInSeconds = &v
	}
	d.BufferingHints = &bh
	if d.CompressionFormat == "" {
		d.CompressionFormat = "UNCOMPRESSED"
	}
	if d.EncryptionConfiguration == nil || (d.EncryptionConfiguration.KMSEncryptionConfig == nil && d.EncryptionConfiguration.NoEncryptionConfig == "") {
		d.EncryptionConfiguration = &EncryptionConfiguration{NoEncryptionConfig: "NoEncryption"}
	}
	if d.CloudWatchLoggingOptions == nil {
		f := false
		d.CloudWatchLoggingOptions = &CloudWatchLoggingOptions{Enabled: &f}
	}
	if d.S3BackupMode == "" {
		d.S3BackupMode = "Disabled"
	}
	return d
}

func param(p Processor, name string) (string, bool) {
	for _, pp := range p.Parameters {
		if pp.ParameterName == name {
			return pp.ParameterValue, true
		}
	}
	return "", false
}

// compile checks a destination (with defaults applied) and compiles it.
// Errors are ErrInvalidArgument worded as Firehose words them.
func compile(name string, version int, d S3Destination) (*plan, error) {
	p := &plan{name: name, version: version, compression: d.CompressionFormat, location: time.UTC}
	var ok bool
	if p.bucket, ok = BucketName(d.BucketARN); !ok {
		return nil, invalid("BucketARN %s is not a valid S3 bucket ARN.", d.BucketARN)
	}
	p.sizeBytes = int64(*d.BufferingHints.SizeInMBs) << 20
	p.interval = time.Duration(*d.BufferingHints.IntervalInSeconds) * time.Second
	if d.CustomTimeZone != nil && *d.CustomTimeZone != "" {
		loc, err := time.LoadLocation(*d.CustomTimeZone)
		if err != nil {
			return nil, invalid("CustomTimeZone %s is not a supported time zone.", *d.CustomTimeZone)
		}
		p.location = loc
	}
	pre, errPre := "", ""
	if d.Prefix != nil {
		pre = *d.Prefix
	}
	if d.ErrorOutputPrefix != nil {
		errPre = *d.ErrorOutputPrefix
	}
	var err error
	if p.prefix, err = prefix.Parse(pre, false); err != nil {
		return nil, invalid("%s", err.Error())
	}
	if errPre != "" {
		if p.errPrefix, err = prefix.Parse(errPre, true); err != nil {
			return nil, invalid("%s", err.Error())
		}
	}
	if strings.Contains(pre, "!{") && errPre == "" {
		return nil, invalid("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.")
	}
	p.dynamic = d.DynamicPartitioningConfiguration != nil && enabled(d.DynamicPartitioningConfiguration.Enabled)
	if pc := d.ProcessingConfiguration; pc != nil && enabledDefault(pc.Enabled) {
		for _, proc := range pc.Processors {
			switch proc.Type {
			case "RecordDeAggregation":
				v, _ := param(proc, "SubRecordType")
				switch v {
				case "", "KPL":
					p.deaggregate = "KPL"
				case "JSON":
					p.deaggregate = "JSON"
				default:
					return nil, invalid("SubRecordType %s is not supported; caudal supports JSON and KPL.", v)
				}
			case "MetadataExtraction":
				q, ok := param(proc, "MetadataExtractionQuery")
				if !ok {
					return nil, invalid("MetadataExtractionQuery is required for the MetadataExtraction processor.")
				}
				if eng, ok := param(proc, "JsonParsingEngine"); ok && eng != "JQ-1.6" {
					return nil, invalid("JsonParsingEngine %s is not supported; use JQ-1.6.", eng)
				}
				if p.query, err = partitionkey.Compile(q); err != nil {
					return nil, invalid("MetadataExtractionQuery is invalid: %s", err.Error())
				}
			case "AppendDelimiterToRecord":
				p.delimiter = "\n"
				if v, ok := param(proc, "Delimiter"); ok {
					p.delimiter = unescapeDelimiter(v)
				}
			default:
				return nil, invalid("Processor type %s is not supported by caudal; supported: RecordDeAggregation, MetadataExtraction, AppendDelimiterToRecord.", proc.Type)
			}
		}
	}
	if p.dynamic && p.query == nil {
		return nil, invalid("Dynamic partitioning requires a MetadataExtraction processor (caudal does not run Lambda).")
	}
	if p.dynamic && errPre == "" {
		return nil, invalid("ErrorOutputPrefix cannot be null or empty when dynamic partitioning is enabled.")
	}
	if !p.dynamic && strings.Contains(pre, "!{partitionKeyFrom") {
		return nil, invalid("Prefix contains partition keys but dynamic partitioning is not enabled.")
	}
	if c := d.DataFormatConversionConfiguration; c != nil && enabledDefault(c.Enabled) {
		conv, err := compileConversion(c)
		if err != nil {
			return nil, err
		}
		if d.CompressionFormat != "UNCOMPRESSED" {
			return nil, invalid("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled.")
		}
		p.convert = conv
	}
	if (p.dynamic || p.convert != nil) && p.sizeBytes < MinSizeInMBsLarge<<20 {
		what := "dynamic partitioning"
		if !p.dynamic {
			what = "data format conversion"
		}
		return nil, invalid("BufferingHints.SizeInMBs must be at least %d when %s is enabled.", MinSizeInMBsLarge, what)
	}
	if p.dynamic && p.interval == 0 {
		return nil, invalid("BufferingHints.IntervalInSeconds must be greater than 0 when dynamic partitioning is enabled (zero buffering is not available for dynamic partitioning).")
	}
	if _, err := compression.NewWriter(p.compression, discard{}, "x"); err != nil {
		return nil, invalid("CompressionFormat %s is not supported.", p.compression)
	}
	switch {
	case d.FileExtension != nil && *d.FileExtension != "":
		p.extension = *d.FileExtension
	case p.convert != nil:
		p.extension = ".parquet"
	default:
		p.extension = compression.Extension(p.compression)
	}
	return p, nil
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

func compileConversion(c *DataFormatConversionConfiguration) (*conversion, error) {
	sc := c.SchemaConfiguration
	if sc == nil || sc.DatabaseName == "" || sc.TableName == "" {
		return nil, invalid("SchemaConfiguration with DatabaseName and TableName is required when data format conversion is enabled.")
	}
	conv := &conversion{database: sc.DatabaseName, table: sc.TableName, schema: *sc}
	if c.InputFormatConfiguration == nil || c.InputFormatConfiguration.Deserializer == nil ||
		(c.InputFormatConfiguration.Deserializer.OpenXJsonSerDe == nil && c.InputFormatConfiguration.Deserializer.HiveJsonSerDe == nil) {
		return nil, invalid("InputFormatConfiguration must name a deserializer (OpenXJsonSerDe or HiveJsonSerDe) when data format conversion is enabled.")
	}
	conv.deserializer = *c.InputFormatConfiguration.Deserializer
	if c.OutputFormatConfiguration == nil || c.OutputFormatConfiguration.Serializer == nil {
		return nil, invalid("OutputFormatConfiguration must name a serializer when data format conversion is enabled.")
	}
	s := c.OutputFormatConfiguration.Serializer
	if s.OrcSerDe != nil {
		return nil, invalid("OrcSerDe is not supported by caudal; use ParquetSerDe.")
	}
	if s.ParquetSerDe == nil {
		return nil, invalid("OutputFormatConfiguration must name a serializer when data format conversion is enabled.")
	}
	conv.parquet = *s.ParquetSerDe
	return conv, nil
}

// unescapeDelimiter turns the escapes a console user types ("\\n", "\\t")
// into the characters.
func unescapeDelimiter(s string) string {
	r := strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\r`, "\r")
	return r.Replace(s)
}

// objectTime is the time a plan's prefixes are evaluated in.
func (p *plan) objectTime(t time.Time) time.Time { return t.In(p.location) }

// errorOutputTypeDefault is the default error prefix: the error output
// type, then the default time prefix.
func (p *plan) renderErrorPrefix(t time.Time, typ string, keys map[string]string) (string, error) {
	if p.errPrefix == nil {
		return typ + "/" + defaultTimePrefix(t), nil
	}
	s, err := p.errPrefix.Render(prefix.Values{Time: t, ErrorOutputType: typ, PartitionKeys: keys, Random: randomString()})
	if err != nil {
		return "", fmt.Errorf("render error prefix: %w", err)
	}
	if !p.errPrefix.HasTimestamp() {
		s += defaultTimePrefix(t)
	}
	return s, nil
}

// defaultTimePrefix is AWS's default "YYYY/MM/dd/HH/" prefix in t's own
// location: UTC, or the destination's CustomTimeZone.
func defaultTimePrefix(t time.Time) string {
	if t.Location() == time.UTC {
		return prefix.DefaultTimePrefix(t)
	}
	return t.Format("2006/01/02/15") + "/"
}
