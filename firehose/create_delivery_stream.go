package firehose

// CreateDeliveryStream: DirectPut and KinesisStreamAsSource delivery
// streams with an S3 or Extended S3 destination. The destination bucket
// must exist in the lake and a stream source must exist; the delivery
// stream is ACTIVE when the call returns. RoleARNs are checked against the
// model's pattern and otherwise ignored.
//
// Deliberately not: MSK and database sources, and every destination but
// S3 (InvalidArgumentException names what caudal supports).

import (
	"context"

	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

type kinesisSourceConfig struct {
	KinesisStreamARN *string `json:"KinesisStreamARN,omitempty"`
	RoleARN          *string `json:"RoleARN,omitempty"`
}

type encryptionInput struct {
	KeyARN  *string `json:"KeyARN,omitempty"`
	KeyType *string `json:"KeyType,omitempty"`
}

type createDeliveryStreamInput struct {
	DeliveryStreamName                         *string                 `json:"DeliveryStreamName,omitempty"`
	DeliveryStreamType                         *string                 `json:"DeliveryStreamType,omitempty"`
	DirectPutSourceConfiguration               any                     `json:"DirectPutSourceConfiguration,omitempty"`
	KinesisStreamSourceConfiguration           *kinesisSourceConfig    `json:"KinesisStreamSourceConfiguration,omitempty"`
	DeliveryStreamEncryptionConfigurationInput *encryptionInput        `json:"DeliveryStreamEncryptionConfigurationInput,omitempty"`
	S3DestinationConfiguration                 *delivery.S3Destination `json:"S3DestinationConfiguration,omitempty"`
	ExtendedS3DestinationConfiguration         *delivery.S3Destination `json:"ExtendedS3DestinationConfiguration,omitempty"`
	Tags                                       []delivery.Tag          `json:"Tags,omitempty"`

	RedshiftDestinationConfiguration                   any `json:"RedshiftDestinationConfiguration,omitempty"`
	ElasticsearchDestinationConfiguration              any `json:"ElasticsearchDestinationConfiguration,omitempty"`
	AmazonopensearchserviceDestinationConfiguration    any `json:"AmazonopensearchserviceDestinationConfiguration,omitempty"`
	SplunkDestinationConfiguration                     any `json:"SplunkDestinationConfiguration,omitempty"`
	HttpEndpointDestinationConfiguration               any `json:"HttpEndpointDestinationConfiguration,omitempty"`
	AmazonOpenSearchServerlessDestinationConfiguration any `json:"AmazonOpenSearchServerlessDestinationConfiguration,omitempty"`
	SnowflakeDestinationConfiguration                  any `json:"SnowflakeDestinationConfiguration,omitempty"`
	IcebergDestinationConfiguration                    any `json:"IcebergDestinationConfiguration,omitempty"`
	MSKSourceConfiguration                             any `json:"MSKSourceConfiguration,omitempty"`
	DatabaseSourceConfiguration                        any `json:"DatabaseSourceConfiguration,omitempty"`
}

type createDeliveryStreamOutput struct {
	DeliveryStreamARN string `json:"DeliveryStreamARN"`
}

const supported = "caudal supports S3DestinationConfiguration and ExtendedS3DestinationConfiguration"

func (s *service) createDeliveryStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in createDeliveryStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	v.enum("deliveryStreamType", in.DeliveryStreamType, "DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource")
	if k := in.KinesisStreamSourceConfiguration; k != nil {
		v.strReq("kinesisStreamSourceConfiguration.kinesisStreamARN", k.KinesisStreamARN, specStreamARN)
		v.strReq("kinesisStreamSourceConfiguration.roleARN", k.RoleARN, specRoleARN)
	}
	if e := in.DeliveryStreamEncryptionConfigurationInput; e != nil {
		v.str("deliveryStreamEncryptionConfigurationInput.keyARN", e.KeyARN, specKMSARN)
		if v.required("deliveryStreamEncryptionConfigurationInput.keyType", e.KeyType != nil) {
			v.enum("deliveryStreamEncryptionConfigurationInput.keyType", e.KeyType, "AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK")
		}
	}
	v.destination("s3DestinationConfiguration", in.S3DestinationConfiguration, true)
	v.destination("extendedS3DestinationConfiguration", in.ExtendedS3DestinationConfiguration, true)
	if in.Tags != nil {
		v.tags("tags", in.Tags, 1)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	name := *in.DeliveryStreamName
	reg, err := s.resolve(ctx, c, name)
	if err != nil {
		return nil, err
	}
	typ := delivery.TypeDirectPut
	if in.DeliveryStreamType != nil {
		typ = *in.DeliveryStreamType
	}
	if typ != delivery.TypeDirectPut && typ != delivery.TypeKinesisSource {
		return nil, invalidArgument("DeliveryStreamType %s is not supported: caudal supports DirectPut and KinesisStreamAsSource.", typ)
	}
	if in.MSKSourceConfiguration != nil || in.DatabaseSourceConfiguration != nil {
		return nil, invalidArgument("MSK and database sources are not supported: caudal supports DirectPut and KinesisStreamAsSource.")
	}
	for _, other := range []struct {
		name string
		set  bool
	}{
		{"RedshiftDestinationConfiguration", in.RedshiftDestinationConfiguration != nil},
		{"ElasticsearchDestinationConfiguration", in.ElasticsearchDestinationConfiguration != nil},
		{"AmazonopensearchserviceDestinationConfiguration", in.AmazonopensearchserviceDestinationConfiguration != nil},
		{"SplunkDestinationConfiguration", in.SplunkDestinationConfiguration != nil},
		{"HttpEndpointDestinationConfiguration", in.HttpEndpointDestinationConfiguration != nil},
		{"AmazonOpenSearchServerlessDestinationConfiguration", in.AmazonOpenSearchServerlessDestinationConfiguration != nil},
		{"SnowflakeDestinationConfiguration", in.SnowflakeDestinationConfiguration != nil},
		{"IcebergDestinationConfiguration", in.IcebergDestinationConfiguration != nil},
	} {
		if other.set {
			return nil, invalidArgument("%s is not supported: %s.", other.name, supported)
		}
	}
	n := 0
	var dest *delivery.S3Destination
	extended := false
	if in.S3DestinationConfiguration != nil {
		n++
		// The S3DestinationConfiguration shape has none of the extended
		// members: any sent are unknown members, ignored as AWS does.
		s3 := in.S3DestinationConfiguration
		dest = &delivery.S3Destination{
			RoleARN: s3.RoleARN, BucketARN: s3.BucketARN, Prefix: s3.Prefix, ErrorOutputPrefix: s3.ErrorOutputPrefix,
			BufferingHints: s3.BufferingHints, CompressionFormat: s3.CompressionFormat,
			EncryptionConfiguration: s3.EncryptionConfiguration, CloudWatchLoggingOptions: s3.CloudWatchLoggingOptions,
		}
	}
	if in.ExtendedS3DestinationConfiguration != nil {
		n++
		dest, extended = in.ExtendedS3DestinationConfiguration, true
	}
	if n != 1 {
		return nil, invalidArgument("Exactly one destination configuration is supported for a Firehose; %s.", supported)
	}
	if typ == delivery.TypeKinesisSource && in.KinesisStreamSourceConfiguration == nil {
		return nil, invalidArgument("KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource.")
	}
	if typ == delivery.TypeDirectPut && in.KinesisStreamSourceConfiguration != nil {
		return nil, invalidArgument("KinesisStreamSourceConfiguration is not allowed when DeliveryStreamType is DirectPut.")
	}
	ci := delivery.CreateInput{Name: name, Type: typ, Extended: extended, Destination: *dest, Tags: in.Tags}
	if k := in.KinesisStreamSourceConfiguration; k != nil {
		ci.Source = &delivery.KinesisSource{KinesisStreamARN: *k.KinesisStreamARN, RoleARN: *k.RoleARN}
	}
	if e := in.DeliveryStreamEncryptionConfigurationInput; e != nil {
		enc := &delivery.Encryption{KeyType: *e.KeyType}
		if e.KeyARN != nil {
			enc.KeyARN = *e.KeyARN
		}
		if err := checkKey(enc.KeyType, enc.KeyARN); err != nil {
			return nil, err
		}
		ci.Encryption = enc
	}
	d, err := s.e.Create(reg, ci)
	if err != nil {
		return nil, wireError(c, err)
	}
	return createDeliveryStreamOutput{DeliveryStreamARN: d.ARN}, nil
}

// checkKey applies Firehose's rule between KeyType and KeyARN.
func checkKey(keyType, keyARN string) error {
	switch {
	case keyType == "CUSTOMER_MANAGED_CMK" && keyARN == "":
		return invalidArgument("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.")
	case keyType == "AWS_OWNED_CMK" && keyARN != "":
		return invalidArgument("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.")
	}
	return nil
}
