package kms

// GenerateDataKey: a random data key (KeySpec AES_256 or AES_128, or
// NumberOfBytes 1..1024) returned in the clear and sealed under the KMS
// key. Recipient (Nitro enclaves) is not supported.

import (
	"context"
	"net/http"
	"strconv"

	"github.com/caudal/caudal/protocol"
)

type generateDataKeyInput struct {
	KeyId             *string           `json:"KeyId,omitempty"`
	EncryptionContext map[string]string `json:"EncryptionContext,omitempty"`
	NumberOfBytes     *int              `json:"NumberOfBytes,omitempty"`
	KeySpec           *string           `json:"KeySpec,omitempty"`
	GrantTokens       []string          `json:"GrantTokens,omitempty"`
}

type generateDataKeyOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	Plaintext      []byte `json:"Plaintext,omitempty"`
	KeyId          string `json:"KeyId"`
}

func (s *service) generateDataKey(ctx context.Context, c *protocol.Call) (any, error) {
	return s.dataKey(ctx, c, true)
}

func (s *service) dataKey(ctx context.Context, c *protocol.Call, withPlaintext bool) (any, error) {
	var in generateDataKeyInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	checkKeyID(&v, "keyId", in.KeyId, true)
	n := 0
	if in.KeySpec != nil {
		switch *in.KeySpec {
		case "AES_256":
			n = 32
		case "AES_128":
			n = 16
		default:
			v.Fail(*in.KeySpec, "keySpec", "Member must satisfy enum value set: [AES_256, AES_128]")
		}
	}
	if in.NumberOfBytes != nil {
		switch {
		case *in.NumberOfBytes < 1:
			v.Fail(strconv.Itoa(*in.NumberOfBytes), "numberOfBytes", "Member must have value greater than or equal to 1")
		case *in.NumberOfBytes > 1024:
			v.Fail(strconv.Itoa(*in.NumberOfBytes), "numberOfBytes", "Member must have value less than or equal to 1024")
		}
	}
	checkContext(&v, in.EncryptionContext)
	if err := validation(&v); err != nil {
		return nil, err
	}
	switch {
	case (in.KeySpec != nil) == (in.NumberOfBytes != nil):
		return nil, &protocol.Error{Code: "ValidationException", Status: http.StatusBadRequest, Message: "Please specify either number of bytes or key spec."}
	case in.NumberOfBytes != nil:
		n = *in.NumberOfBytes
	}
	k, err := s.keyFor(ctx, c, *in.KeyId)
	if err != nil {
		return nil, err
	}
	plain, blob, k, err := s.ks.GenerateDataKey(k.ID, k.Region, n, in.EncryptionContext)
	if err != nil {
		return nil, wireError(err)
	}
	out := &generateDataKeyOutput{CiphertextBlob: blob, KeyId: k.ARN}
	if withPlaintext {
		out.Plaintext = plain
	}
	return out, nil
}
