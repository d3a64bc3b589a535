package delivery

import (
	"time"
)

// The destination types below mirror the Firehose model's shapes member for
// member (their JSON names are AWS's), so the firehose skin decodes requests
// into them and answers descriptions from them, and the engine stores them
// as they are (see the package doc's on-disk format).

// BufferingHints say when buffered records are flushed: after SizeInMBs of
// data or IntervalInSeconds since the oldest buffered record, whichever
// comes first.
type BufferingHints struct {
	SizeInMBs         *int `json:"SizeInMBs,omitempty"`
	IntervalInSeconds *int `json:"IntervalInSeconds,omitempty"`
}

// ProcessorParameter is one named parameter of a processor.
type ProcessorParameter struct {
	ParameterName  string `json:"ParameterName"`
	ParameterValue string `json:"ParameterValue"`
}

// Processor is one record processor (RecordDeAggregation, MetadataExtraction,
// AppendDelimiterToRecord; Lambda and the others are refused at creation).
type Processor struct {
	Type       string               `json:"Type"`
	Parameters []ProcessorParameter `json:"Parameters,omitempty"`
}

// ProcessingConfiguration is the list of processors and whether it applies.
type ProcessingConfiguration struct {
	Enabled    *bool       `json:"Enabled,omitempty"`
	Processors []Processor `json:"Processors,omitempty"`
}

// KMSEncryptionConfig names a KMS key (accepted and reported; the lake does
// not encrypt).
type KMSEncryptionConfig struct {
	AWSKMSKeyARN string `json:"AWSKMSKeyARN"`
}

// EncryptionConfiguration is the destination's server-side encryption.
type EncryptionConfiguration struct {
	NoEncryptionConfig  string               `json:"NoEncryptionConfig,omitempty"`
	KMSEncryptionConfig *KMSEncryptionConfig `json:"KMSEncryptionConfig,omitempty"`
}

// CloudWatchLoggingOptions are accepted and reported, not acted on.
type CloudWatchLoggingOptions struct {
	Enabled       *bool  `json:"Enabled,omitempty"`
	LogGroupName  string `json:"LogGroupName,omitempty"`
	LogStreamName string `json:"LogStreamName,omitempty"`
}

// SchemaConfiguration names the catalog table whose columns the Parquet
// output has.
type SchemaConfiguration struct {
	RoleARN      string `json:"RoleARN,omitempty"`
	CatalogId    string `json:"CatalogId,omitempty"`
	DatabaseName string `json:"DatabaseName,omitempty"`
	TableName    string `json:"TableName,omitempty"`
	Region       string `json:"Region,omitempty"`
	VersionId    string `json:"VersionId,omitempty"`
}

// OpenXJsonSerDe is the OpenX JSON deserializer's options.
type OpenXJsonSerDe struct {
	ConvertDotsInJsonKeysToUnderscores *bool             `json:"ConvertDotsInJsonKeysToUnderscores,omitempty"`
	CaseInsensitive                    *bool             `json:"CaseInsensitive,omitempty"`
	ColumnToJsonKeyMappings            map[string]string `json:"ColumnToJsonKeyMappings,omitempty"`
}

// HiveJsonSerDe is the Hive JSON deserializer's options.
type HiveJsonSerDe struct {
	TimestampFormats []string `json:"TimestampFormats,omitempty"`
}

// Deserializer reads the input records (JSON).
type Deserializer struct {
	OpenXJsonSerDe *OpenXJsonSerDe `json:"OpenXJsonSerDe,omitempty"`
	HiveJsonSerDe  *HiveJsonSerDe  `json:"HiveJsonSerDe,omitempty"`
}

// InputFormatConfiguration wraps the deserializer.
type InputFormatConfiguration struct {
	Deserializer *Deserializer `json:"Deserializer,omitempty"`
}

// ParquetSerDe is the Parquet serializer's options.
type ParquetSerDe struct {
	BlockSizeBytes              *int   `json:"BlockSizeBytes,omitempty"`
	PageSizeBytes               *int   `json:"PageSizeBytes,omitempty"`
	Compression                 string `json:"Compression,omitempty"`
	EnableDictionaryCompression *bool  `json:"EnableDictionaryCompression,omitempty"`
	MaxPaddingBytes             *int   `json:"MaxPaddingBytes,omitempty"`
	WriterVersion               string `json:"WriterVersion,omitempty"`
}

// OrcSerDe is accepted by the model; caudal refuses it (Parquet only).
type OrcSerDe struct {
	Compression string `json:"Compression,omitempty"`
}

// Serializer writes the output objects.
type Serializer struct {
	ParquetSerDe *ParquetSerDe `json:"ParquetSerDe,omitempty"`
	OrcSerDe     *OrcSerDe     `json:"OrcSerDe,omitempty"`
}

// OutputFormatConfiguration wraps the serializer.
type OutputFormatConfiguration struct {
	Serializer *Serializer `json:"Serializer,omitempty"`
}

// DataFormatConversionConfiguration turns JSON records into Parquet.
type DataFormatConversionConfiguration struct {
	SchemaConfiguration       *SchemaConfiguration       `json:"SchemaConfiguration,omitempty"`
	InputFormatConfiguration  *InputFormatConfiguration  `json:"InputFormatConfiguration,omitempty"`
	OutputFormatConfiguration *OutputFormatConfiguration `json:"OutputFormatConfiguration,omitempty"`
	Enabled                   *bool                      `json:"Enabled,omitempty"`
}

// RetryOptions of dynamic partitioning (reported, not acted on: lake
// writes are local).
type RetryOptions struct {
	DurationInSeconds *int `json:"DurationInSeconds,omitempty"`
}

// DynamicPartitioningConfiguration turns on partitioning by record content.
type DynamicPartitioningConfiguration struct {
	RetryOptions *RetryOptions `json:"RetryOptions,omitempty"`
	Enabled      *bool         `json:"Enabled,omitempty"`
}

// S3Destination is a delivery stream's destination: the union of
// ExtendedS3DestinationConfiguration and its description. A plain
// S3DestinationConfiguration is the subset without processing, conversion
// and partitioning (Extended false).
type S3Destination struct {
	RoleARN                           string                             `json:"RoleARN"`
	BucketARN                         string                             `json:"BucketARN"`
	Prefix                            *string                            `json:"Prefix,omitempty"`
	ErrorOutputPrefix                 *string                            `json:"ErrorOutputPrefix,omitempty"`
	BufferingHints                    *BufferingHints                    `json:"BufferingHints,omitempty"`
	CompressionFormat                 string                             `json:"CompressionFormat,omitempty"`
	EncryptionConfiguration           *EncryptionConfiguration           `json:"EncryptionConfiguration,omitempty"`
	CloudWatchLoggingOptions          *CloudWatchLoggingOptions          `json:"CloudWatchLoggingOptions,omitempty"`
	ProcessingConfiguration           *ProcessingConfiguration           `json:"ProcessingConfiguration,omitempty"`
	S3BackupMode                      string                             `json:"S3BackupMode,omitempty"`
	DataFormatConversionConfiguration *DataFormatConversionConfiguration `json:"DataFormatConversionConfiguration,omitempty"`
	DynamicPartitioningConfiguration  *DynamicPartitioningConfiguration  `json:"DynamicPartitioningConfiguration,omitempty"`
	FileExtension                     *string                            `json:"FileExtension,omitempty"`
	CustomTimeZone                    *string                            `json:"CustomTimeZone,omitempty"`
}

// Delivery stream types and statuses, as Firehose names them.
const (
	TypeDirectPut     = "DirectPut"
	TypeKinesisSource = "KinesisStreamAsSource"
	StatusActive      = "ACTIVE"
)

// DestinationID is the id of every delivery stream's one destination.
const DestinationID = "destinationId-000000000001"

// Defaults of the buffering hints (AWS's for S3 destinations).
const (
	DefaultSizeInMBs         = 5
	DefaultIntervalInSeconds = 300
	// MinSizeInMBsLarge is the smallest SizeInMBs (and the default) with
	// dynamic partitioning or data format conversion, as AWS requires.
	MinSizeInMBsLarge = 64
)

// KinesisSource is a KinesisStreamAsSource delivery stream's source.
type KinesisSource struct {
	KinesisStreamARN string    `json:"KinesisStreamARN"`
	RoleARN          string    `json:"RoleARN"`
	StartTime        time.Time `json:"DeliveryStartTimestamp"` // records from this instant on are delivered
}

// Encryption is the delivery stream's server-side encryption state.
type Encryption struct {
	KeyType string `json:"KeyType,omitempty"` // AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK
	KeyARN  string `json:"KeyARN,omitempty"`
	Status  string `json:"Status"` // ENABLED or DISABLED
}

// Tag is one tag; order is kept as given (ListTagsForDeliveryStream pages
// by key order, so the engine keeps them sorted).
type Tag struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

// DeliveryStream is a snapshot of one delivery stream.
type DeliveryStream struct {
	ID          string         `json:"ID"` // random incarnation id: names the log directory
	Name        string         `json:"Name"`
	Region      string         `json:"Region"`
	ARN         string         `json:"ARN"`
	Type        string         `json:"Type"`
	VersionID   int            `json:"VersionID"` // 1 on creation, +1 on each change of configuration
	Created     time.Time      `json:"Created"`
	Updated     time.Time      `json:"Updated"`
	Source      *KinesisSource `json:"Source,omitempty"`
	Extended    bool           `json:"Extended"` // created with ExtendedS3DestinationConfiguration
	Destination S3Destination  `json:"Destination"`
	Encryption  Encryption     `json:"Encryption"`
	Tags        []Tag          `json:"Tags,omitempty"`
}

// Status is always ACTIVE: creation, updates and deletion complete before
// the call returns.
func (d DeliveryStream) Status() string { return StatusActive }

// CreateInput is what CreateDeliveryStream asks for.
type CreateInput struct {
	Name        string
	Type        string // "" means DirectPut
	Source      *KinesisSource
	Extended    bool
	Destination S3Destination
	Encryption  *Encryption // DirectPut only
	Tags        []Tag
}
