package kinesis

// StopStreamEncryption: records appended afterwards are stored in the
// clear again (EncryptionType NONE, no KeyId); records sealed while
// encryption was on stay sealed on disk and readable. AWS asks for the
// type and key that were in use; caudal refuses a type other than KMS and
// otherwise accepts the call, also on a stream that was not encrypted.
//
// Deliberately not: no KMS is consulted to stop (the data keys stay in the
// stream's metadata so earlier records can be read).

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
