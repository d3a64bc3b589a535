package kinesis

// StartStreamEncryption: seals every record appended afterwards on disk
// (AES-256-GCM under a new data key made by caudal's key store under the
// KMS key named by KeyId: key id, key ARN, alias or alias ARN;
// alias/aws/kinesis is created on first use). DescribeStream(Summary)
// report EncryptionType KMS and the KeyId, and records written afterwards
// carry EncryptionType KMS in PutRecord(s) and GetRecords. EncryptionType
// NONE is refused: this call only starts encryption. An unknown key is
// KMSNotFoundException, a disabled one KMSDisabledException (400).
//
// Using a customer-managed key later needs the producer's kms:GenerateDataKey
// and the consumer's kms:Decrypt (KMSAccessDeniedException; authorize.go).
//
// Deliberately not: KMSAccessDeniedException here (key policies are not
// modelled), KMSOptInRequired, KMSThrottlingException.

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/caudal/caudal/protocol"
	"github.com/caudal/caudal/stream"
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
		return nil, kmsError(err, *in.KeyId, reg, s.wireError(c, err))
	}
	return empty{}, nil
}

// kmsError maps the stream engine's KMS failures to Kinesis's KMS*
// exceptions; other errors pass as wired.
func kmsError(err error, keyID, region string, wired error) error {
	var code string
	switch {
	case errors.Is(err, stream.ErrKMSNotFound):
		code = "KMSNotFoundException"
	case errors.Is(err, stream.ErrKMSDisabled):
		code = "KMSDisabledException"
	case errors.Is(err, stream.ErrKMSAccess):
		code = "KMSInvalidStateException"
	default:
		return wired
	}
	msg := err.Error()
	var se *stream.Error
	if errors.As(err, &se) {
		msg = se.Message
	}
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "keystore:") {
		msg = msg[i+2:]
	}
	return &protocol.Error{Code: code, Status: http.StatusBadRequest, Message: msg}
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
