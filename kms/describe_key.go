package kms

// DescribeKey: a key's metadata by key id, key ARN, alias or alias ARN.
// Naming alias/aws/kinesis or alias/aws/s3 creates that AWS-managed key
// if it does not exist yet, as AWS does.

import (
	"context"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/protocol"
)

type describeKeyOutput struct {
	KeyMetadata keyMetadata `json:"KeyMetadata"`
}

func (s *service) describeKey(ctx context.Context, c *protocol.Call) (any, error) {
	var in keyIDInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	checkKeyID(&v, "keyId", in.KeyId, true)
	if err := validation(&v); err != nil {
		return nil, err
	}
	k, err := s.keyFor(ctx, c, *in.KeyId)
	if err != nil {
		return nil, err
	}
	return &describeKeyOutput{KeyMetadata: metadata(k)}, nil
}

func keystoreCreate(region, desc string) keystore.CreateOptions {
	return keystore.CreateOptions{Region: region, Description: desc}
}
