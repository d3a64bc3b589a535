package kinesis

// DeleteStream: deletes a stream and its data, by StreamName or StreamARN.
//
// Deliberately not: EnforceConsumerDeletion is accepted and has nothing to
// do (caudal has no enhanced fan-out consumers yet); StreamId is ignored.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type deleteStreamInput struct {
	StreamName              *string `json:"StreamName,omitempty"`
	EnforceConsumerDeletion *bool   `json:"EnforceConsumerDeletion,omitempty"`
	StreamARN               *string `json:"StreamARN,omitempty"`
	StreamId                *string `json:"StreamId,omitempty"`
}

func (s *service) deleteStream(ctx context.Context, c *protocol.Call) (any, error) {
	var in deleteStreamInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.streamRef(in.StreamName, in.StreamARN, in.StreamId)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resolve(ctx, c, in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := s.e.DeleteStream(reg, name); err != nil {
		return nil, s.wireError(c, err)
	}
	s.mu.Lock()
	delete(s.warm, streamKey{reg, name})
	s.mu.Unlock()
	return empty{}, nil
}
