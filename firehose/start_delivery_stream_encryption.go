package firehose

// StartDeliveryStreamEncryption: records the key and reports ENABLED at
// once (caudal's log is not encrypted by it; KeyARN is kept for
// DescribeDeliveryStream). Only DirectPut delivery streams, as in AWS.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type startDeliveryStreamEncryptionInput struct {
	DeliveryStreamName                         *string          `json:"DeliveryStreamName,omitempty"`
	DeliveryStreamEncryptionConfigurationInput *encryptionInput `json:"DeliveryStreamEncryptionConfigurationInput,omitempty"`
}

func (s *service) startDeliveryStreamEncryption(ctx context.Context, c *protocol.Call) (any, error) {
	var in startDeliveryStreamEncryptionInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("deliveryStreamName", in.DeliveryStreamName, specName)
	keyType, keyARN := "AWS_OWNED_CMK", ""
	if e := in.DeliveryStreamEncryptionConfigurationInput; e != nil {
		v.str("deliveryStreamEncryptionConfigurationInput.keyARN", e.KeyARN, specKMSARN)
		if v.required("deliveryStreamEncryptionConfigurationInput.keyType", e.KeyType != nil) {
			v.enum("deliveryStreamEncryptionConfigurationInput.keyType", e.KeyType, "AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK")
			keyType = *e.KeyType
		}
		if e.KeyARN != nil {
			keyARN = *e.KeyARN
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, err := s.resolve(ctx, c, *in.DeliveryStreamName)
	if err != nil {
		return nil, err
	}
	if err := checkKey(keyType, keyARN); err != nil {
		return nil, err
	}
	if err := s.e.SetEncryption(reg, *in.DeliveryStreamName, keyType, keyARN); err != nil {
		return nil, wireError(c, err)
	}
	return empty{}, nil
}
