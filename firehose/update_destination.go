package firehose

// UpdateDestination: merges an S3DestinationUpdate or
// ExtendedS3DestinationUpdate into the destination (members present
// replace, absent ones stay), when CurrentDeliveryStreamVersionId is the
// current VersionId (else ConcurrentModificationException), and bumps
// VersionId. Records already buffered are delivered under the new
// configuration. Other destination updates are refused.

import (
	"context"
	"strconv"

	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

type updateDestinationInput struct {
	DeliveryStreamName             *string                 `json:"DeliveryStreamName,omitempty"`
	CurrentDeliveryStreamVersionId *string                 `json:"CurrentDeliveryStreamVersionId,omitempty"`
	DestinationId                  *string                 `json:"DestinationId,omitempty"`
	S3DestinationUpdate            *delivery.S3Destination `json:"S3DestinationUpdate,omitempty"`
	ExtendedS3DestinationUpdate    *delivery.S3Destination `json:"ExtendedS3DestinationUpdate,omitempty"`

	RedshiftDestinationUpdate                   any `json:"RedshiftDestinationUpdate,omitempty"`
	ElasticsearchDestinationUpdate              any `json:"ElasticsearchDestinationUpdate,omitempty"`
	AmazonopensearchserviceDestinationUpdate    any `json:"AmazonopensearchserviceDestinationUpdate,omitempty"`
	SplunkDestinationUpdate                     any `json:"SplunkDestinationUpdate,omitempty"`
	HttpEndpointDestinationUpdate               any `json:"HttpEndpointDestinationUpdate,omitempty"`
	AmazonOpenSearchServerlessDestinationUpdate any `json:"AmazonOpenSearchServerlessDestinationUpdate,omitempty"`
	SnowflakeDestinationUpdate                  any `json:"SnowflakeDestinationUpdate,omitempty"`
	IcebergDestinationUpdate                    any `json:"IcebergDestinationUpdate,omitempty"`
}

func (s *service) updateDestination(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateDestinationInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	v.strReq("currentDeliveryStreamVersionId", in.CurrentDeliveryStreamVersionId, specVersionID)
	v.strReq("destinationId", in.DestinationId, specDestinationID)
	v.destination("s3DestinationUpdate", in.S3DestinationUpdate, false)
	v.destination("extendedS3DestinationUpdate", in.ExtendedS3DestinationUpdate, false)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, err := s.resolve(ctx, c, *in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	if in.RedshiftDestinationUpdate != nil || in.ElasticsearchDestinationUpdate != nil || in.AmazonopensearchserviceDestinationUpdate != nil ||
		in.SplunkDestinationUpdate != nil || in.HttpEndpointDestinationUpdate != nil || in.AmazonOpenSearchServerlessDestinationUpdate != nil ||
		in.SnowflakeDestinationUpdate != nil || in.IcebergDestinationUpdate != nil {
		return nil, invalidArgument("Only S3DestinationUpdate and ExtendedS3DestinationUpdate are supported: %s.", supported)
	}
	upd := in.ExtendedS3DestinationUpdate
	if upd == nil {
		upd = in.S3DestinationUpdate
	}
	if in.ExtendedS3DestinationUpdate != nil && in.S3DestinationUpdate != nil {
		return nil, invalidArgument("Only one destination update is allowed per UpdateDestination call.")
	}
	version, err := strconv.Atoi(*in.CurrentDeliveryStreamVersionId)
	if err != nil {
		version = -1 // past int range: never the current version
	}
	err = s.e.UpdateDestination(reg, *in.DeliveryStreamName, version, *in.DestinationId, func(d *delivery.S3Destination, _ bool) error {
		if upd != nil {
			merge(d, upd)
		}
		return nil
	})
	if err != nil {
		return nil, wireError(c, err)
	}
	return empty{}, nil
}

// merge copies the members an update sets onto d.
func merge(d, u *delivery.S3Destination) {
	if u.RoleARN != "" {
		d.RoleARN = u.RoleARN
	}
	if u.BucketARN != "" {
		d.BucketARN = u.BucketARN
	}
	if u.Prefix != nil {
		d.Prefix = u.Prefix
	}
	if u.ErrorOutputPrefix != nil {
		d.ErrorOutputPrefix = u.ErrorOutputPrefix
	}
	if u.BufferingHints != nil {
		bh := *d.BufferingHints
		if u.BufferingHints.SizeInMBs != nil {
			bh.SizeInMBs = u.BufferingHints.SizeInMBs
		}
		if u.BufferingHints.IntervalInSeconds != nil {
			bh.IntervalInSeconds = u.BufferingHints.IntervalInSeconds
		}
		d.BufferingHints = &bh
	}
	if u.CompressionFormat != "" {
		d.CompressionFormat = u.CompressionFormat
	}
	if u.EncryptionConfiguration != nil {
		d.EncryptionConfiguration = u.EncryptionConfiguration
	}
	if u.CloudWatchLoggingOptions != nil {
		d.CloudWatchLoggingOptions = u.CloudWatchLoggingOptions
	}
	if u.ProcessingConfiguration != nil {
		d.ProcessingConfiguration = u.ProcessingConfiguration
	}
	if u.S3BackupMode != "" {
		d.S3BackupMode = u.S3BackupMode
	}
	if u.DataFormatConversionConfiguration != nil {
		d.DataFormatConversionConfiguration = u.DataFormatConversionConfiguration
	}
	if u.DynamicPartitioningConfiguration != nil {
		d.DynamicPartitioningConfiguration = u.DynamicPartitioningConfiguration
	}
	if u.FileExtension != nil {
		d.FileExtension = u.FileExtension
	}
	if u.CustomTimeZone != nil {
		d.CustomTimeZone = u.CustomTimeZone
	}
}
