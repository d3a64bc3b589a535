package firehose

import (
	"strconv"

	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/protocol"
)

// s3Description is the S3DestinationDescription shape: the subset of a
// destination that plain S3 destinations have.
type s3Description struct {
	RoleARN                  string                             `json:"RoleARN"`
	BucketARN                string                             `json:"BucketARN"`
	Prefix                   *string                            `json:"Prefix,omitempty"`
	ErrorOutputPrefix        *string                            `json:"ErrorOutputPrefix,omitempty"`
	BufferingHints           *delivery.BufferingHints           `json:"BufferingHints"`
	CompressionFormat        string                             `json:"CompressionFormat"`
	EncryptionConfiguration  *delivery.EncryptionConfiguration  `json:"EncryptionConfiguration"`
	CloudWatchLoggingOptions *delivery.CloudWatchLoggingOptions `json:"CloudWatchLoggingOptions,omitempty"`
}

type destinationDescription struct {
	DestinationId                    string                  `json:"DestinationId"`
	S3DestinationDescription         *s3Description          `json:"S3DestinationDescription,omitempty"`
	ExtendedS3DestinationDescription *delivery.S3Destination `json:"ExtendedS3DestinationDescription,omitempty"`
}

type kinesisSourceDescription struct {
	KinesisStreamARN       string             `json:"KinesisStreamARN"`
	RoleARN                string             `json:"RoleARN"`
	DeliveryStartTimestamp protocol.Timestamp `json:"DeliveryStartTimestamp"`
}

type sourceDescription struct {
	KinesisStreamSourceDescription *kinesisSourceDescription `json:"KinesisStreamSourceDescription,omitempty"`
}

type encryptionDescription struct {
	KeyARN  string `json:"KeyARN,omitempty"`
	KeyType string `json:"KeyType,omitempty"`
	Status  string `json:"Status"`
}

type deliveryStreamDescription struct {
	DeliveryStreamName                    string                   `json:"DeliveryStreamName"`
	DeliveryStreamARN                     string                   `json:"DeliveryStreamARN"`
	DeliveryStreamStatus                  string                   `json:"DeliveryStreamStatus"`
	DeliveryStreamEncryptionConfiguration *encryptionDescription   `json:"DeliveryStreamEncryptionConfiguration,omitempty"`
	DeliveryStreamType                    string                   `json:"DeliveryStreamType"`
	VersionId                             string                   `json:"VersionId"`
	CreateTimestamp                       protocol.Timestamp       `json:"CreateTimestamp"`
	LastUpdateTimestamp                   *protocol.Timestamp      `json:"LastUpdateTimestamp,omitempty"`
	Source                                *sourceDescription       `json:"Source,omitempty"`
	Destinations                          []destinationDescription `json:"Destinations"`
	HasMoreDestinations                   bool                     `json:"HasMoreDestinations"`
}

func describe(d delivery.DeliveryStream) deliveryStreamDescription {
	dest := d.Destination
	out := deliveryStreamDescription{
		DeliveryStreamName:   d.Name,
		DeliveryStreamARN:    d.ARN,
		DeliveryStreamStatus: d.Status(),
		DeliveryStreamType:   d.Type,
		VersionId:            strconv.Itoa(d.VersionID),
		CreateTimestamp:      protocol.Timestamp(d.Created),
		DeliveryStreamEncryptionConfiguration: &encryptionDescription{
			KeyARN: d.Encryption.KeyARN, KeyType: d.Encryption.KeyType, Status: d.Encryption.Status,
		},
		Destinations: []destinationDescription{{
			DestinationId: delivery.DestinationID,
			S3DestinationDescription: &s3Description{
				RoleARN: dest.RoleARN, BucketARN: dest.BucketARN, Prefix: dest.Prefix, ErrorOutputPrefix: dest.ErrorOutputPrefix,
				BufferingHints: dest.BufferingHints, CompressionFormat: dest.CompressionFormat,
				EncryptionConfiguration: dest.EncryptionConfiguration, CloudWatchLoggingOptions: dest.CloudWatchLoggingOptions,
			},
			ExtendedS3DestinationDescription: &dest,
		}},
	}
	if d.VersionID > 1 {
		t := protocol.Timestamp(d.Updated)
		out.LastUpdateTimestamp = &t
	}
	if d.Source != nil {
		out.Source = &sourceDescription{KinesisStreamSourceDescription: &kinesisSourceDescription{
			KinesisStreamARN: d.Source.KinesisStreamARN, RoleARN: d.Source.RoleARN,
			DeliveryStartTimestamp: protocol.Timestamp(d.Source.StartTime),
		}}
	}
	return out
}
