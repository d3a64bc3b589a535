package kinesis

// StopStreamEncryption: records that the stream is no longer encrypted
// (EncryptionType NONE, no KeyId). AWS asks for the type and key that were
// in use; caudal refuses a type other than KMS and otherwise accepts the
// call, also on a stream that was not encrypted.
//
// Deliberately not: no KMS is consulted (see start_stream_encryption.go).

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

func (s *service) stopStreamEncryption(ctx context.Context, c *protocol.Call) (any, error) {
	reg, name, in, err := s.encryptionCall(ctx, c)
	if err != nil {
		return nil, err
	}
	if *in.EncryptionType != "KMS" {
		return nil, invalidArgument("Encryption type %s is not supported by StopStreamEncryption; use KMS.", *in.EncryptionType)
	}
	if err := s.e.SetEncryption(reg, name, "NONE", ""); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
