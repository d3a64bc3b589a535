package kms

// Decrypt: opens a blob made by Encrypt or GenerateDataKey. KeyId is
// optional (the blob names its key); when given it must be that key
// (IncorrectKeyException). A damaged blob or a different
// EncryptionContext is InvalidCiphertextException.

import (
	"context"
	"net/http"
	"strconv"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/protocol"
)

type decryptInput struct {
	CiphertextBlob      []byte            `json:"CiphertextBlob,omitempty"`
	KeyId               *string           `json:"KeyId,omitempty"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	EncryptionAlgorithm *string           `json:"EncryptionAlgorithm,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
}

type decryptOutput struct {
	KeyId               string `json:"KeyId"`
	Plaintext           []byte `json:"Plaintext"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
}

func (s *service) decrypt(ctx context.Context, c *protocol.Call) (any, error) {
	var in decryptInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	switch {
	case in.CiphertextBlob == nil:
		v.Fail("null", "ciphertextBlob", "Member must not be null")
	case len(in.CiphertextBlob) > 6144:
		v.Fail("["+strconv.Itoa(len(in.CiphertextBlob))+" bytes]", "ciphertextBlob", "Member must have length less than or equal to 6144")
	case len(in.CiphertextBlob) < 1:
		v.Fail("", "ciphertextBlob", "Member must have length greater than or equal to 1")
	}
	checkKeyID(&v, "keyId", in.KeyId, false)
	checkAlgorithm(&v, in.EncryptionAlgorithm)
	checkContext(&v, in.EncryptionContext)
	if err := validation(&v); err != nil {
		return nil, err
	}
	id, err := keystore.BlobKeyID(in.CiphertextBlob)
	if err != nil {
		if aerr := authorize(ctx, c, "*"); aerr != nil {
			return nil, aerr
		}
		return nil, &protocol.Error{Code: "InvalidCiphertextException", Status: http.StatusBadRequest, Message: ""}
	}
	k, err := s.ks.DescribeKey(id, region(c))
	if err != nil {
		if aerr := authorize(ctx, c, "*"); aerr != nil {
			return nil, aerr
		}
		return nil, &protocol.Error{Code: "InvalidCiphertextException", Status: http.StatusBadRequest, Message: ""}
	}
	if err := authorize(ctx, c, k.ARN); err != nil {
		return nil, err
	}
	keyID := ""
	if in.KeyId != nil {
		keyID = *in.KeyId
	}
	pt, k, err := s.ks.Decrypt(in.CiphertextBlob, keyID, region(c), in.EncryptionContext)
	if err != nil {
		return nil, wireError(err)
	}
	return &decryptOutput{KeyId: k.ARN, Plaintext: pt, EncryptionAlgorithm: "SYMMETRIC_DEFAULT"}, nil
}
