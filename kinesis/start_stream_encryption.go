package kinesis

// StartStreamEncryption: records server-side encryption with a KMS key id
// (any key id, alias or key ARN is accepted); DescribeStream(Summary)
// report EncryptionType KMS and the KeyId, and records written afterwards
// carry EncryptionType KMS. EncryptionType NONE is refused: this call only
// starts encryption.
//
// Deliberately not: no KMS is consulted and data is not yet encrypted at
// rest (that comes with the security issue), so none of the KMS*
// exceptions occur.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type encryptionInput struct {
	StreamName     *string `json:"StreamName,omitempty"`
	EncryptionType *string `json:"EncryptionType,omitempty"`
	KeyId          *string `json:"KeyId,omitempty"`
	StreamARN      *string `json:"StreamARN,omitempty"`
	StreamId       *string `json:"StreamId,omitempty"`
}

func (s *service) startStreamEncryption(ctx context.Context, c *protocol.Call) (any, error) {
	reg, name, in, err := s.encryptionCall(ctx, c)
	if err != nil {
		return nil, err
	}
	if *in.EncryptionType != "KMS" {
		return nil, invalidArgument("Encryption type %s is not supported by StartStreamEncryption; use KMS.", *in.EncryptionType)
	}
	if err := s.e.SetEncryption(reg, name, "KMS", *in.KeyId); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}

func (s *service) encryptionCall(ctx context.Context, c *protocol.Call) (string, string, *encryptionInput, error) {
	var in encryptionInput
	if err := c.Decode(&in); err != nil {
		return "", "", nil, err
	}
	var v checker
	v.str("streamName", in.StreamName, specStreamName)
	v.enumReq("encryptionType", in.EncryptionType, enumEncryptionType)
	v.strReq("keyId", in.KeyId, specKeyID)
	v.str("streamARN", in.StreamARN, specStreamARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return "", "", nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return "", "", nil, err
	}
	return reg, name, &in, nil
}
