package kms

// Encrypt: up to 4,096 bytes under a key, with an optional
// EncryptionContext that Decrypt must repeat. EncryptionAlgorithm must be
// SYMMETRIC_DEFAULT when given.

import (
	"context"
	"strconv"

	"github.com/caudal/caudal/protocol"
)

type encryptInput struct {
	KeyId               *string           `json:"KeyId,omitempty"`
	Plaintext           []byte            `json:"Plaintext,omitempty"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	EncryptionAlgorithm *string           `json:"EncryptionAlgorithm,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
}

type encryptOutput struct {
	CiphertextBlob      []byte `json:"CiphertextBlob"`
	KeyId               string `json:"KeyId"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
}

func (s *service) encrypt(ctx context.Context, c *protocol.Call) (any, error) {
	var in encryptInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	checkKeyID(&v, "keyId", in.KeyId, true)
	switch {
	case in.Plaintext == nil:
		v.Fail("null", "plaintext", "Member must not be null")
	case len(in.Plaintext) > 4096:
		v.Fail("["+strconv.Itoa(len(in.Plaintext))+" bytes]", "plaintext", "Member must have length less than or equal to 4096")
	case len(in.Plaintext) < 1:
		v.Fail("", "plaintext", "Member must have length greater than or equal to 1")
	}
	checkAlgorithm(&v, in.EncryptionAlgorithm)
	checkContext(&v, in.EncryptionContext)
	if err := validation(&v); err != nil {
		return nil, err
	}
	k, err := s.keyFor(ctx, c, *in.KeyId)
	if err != nil {
		return nil, err
	}
	blob, k, err := s.ks.Encrypt(k.ID, k.Region, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, wireError(err)
	}
	return &encryptOutput{CiphertextBlob: blob, KeyId: k.ARN, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"}, nil
}

func checkAlgorithm(v *protocol.Violations, alg *string) {
	if alg != nil && *alg != "SYMMETRIC_DEFAULT" && *alg != "RSAES_OAEP_SHA_1" && *alg != "RSAES_OAEP_SHA_256" && *alg != "SM2PKE" {
		v.Fail(*alg, "encryptionAlgorithm", "Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]")
	}
}
