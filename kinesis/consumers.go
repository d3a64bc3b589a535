package kinesis

// Shared by the enhanced fan-out operations (register_stream_consumer.go
// and its siblings). Enhanced fan-out is a later issue: until then these
// operations check their input as AWS does, check that the stream exists,
// and answer with the most honest error the model lists for each — a
// consumer cannot be registered (InvalidArgumentException) and so none is
// ever found (ResourceNotFoundException) — or, for ListStreamConsumers, the
// true answer: no consumers.

import (
	"context"
	"strings"

	"github.com/caudal/caudal/protocol"
)

const fanOutUnsupported = "Enhanced fan-out consumers are not supported by caudal yet; read with GetShardIterator and GetRecords."

func (s *service) consumerNotFound(consumer string) error {
	return resourceNotFound("Consumer %s not found. %s", consumer, fanOutUnsupported)
}

// streamExists resolves a stream ARN and checks the stream is there; it
// does not authorize (its callers do, on the stream or the consumer).
func (s *service) streamExists(c *protocol.Call, arn string) (string, string, error) {
	reg, name, err := s.resolveName(c, nil, &arn)
	if err != nil {
		return "", "", err
	}
	if _, err := s.e.Describe(reg, name); err != nil {
		return "", "", s.wireError(c, err)
	}
	return reg, name, nil
}

// consumerStream returns the ARN of the stream a consumer ARN belongs to
// (arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer>:<ts>).
func consumerStream(consumerARN string) (string, bool) {
	i := strings.Index(consumerARN, "/consumer/")
	if i < 0 {
		return "", false
	}
	return consumerARN[:i], true
}

// consumerCall checks the members that name a consumer (a ConsumerARN, or
// a StreamARN with a ConsumerName) and that its stream exists, and answers
// that the consumer is not found.
func (s *service) consumerCall(ctx context.Context, c *protocol.Call, v *checker, streamARN, consumerName, consumerARN, streamID *string) error {
	v.str("streamARN", streamARN, specStreamARN)
	v.str("consumerName", consumerName, specConsumerName)
	v.str("consumerARN", consumerARN, specConsumerARN)
	v.str("streamId", streamID, specStreamID)
	if err := v.err(); err != nil {
		return err
	}
	switch {
	case consumerARN != nil:
		sarn, ok := consumerStream(*consumerARN)
		if !ok {
			return invalidArgument("ConsumerARN %s is not a valid consumer ARN.", *consumerARN)
		}
		if err := s.authorize(ctx, c, *consumerARN); err != nil {
			return err
		}
		if _, _, err := s.streamExists(c, sarn); err != nil {
			return err
		}
		return s.consumerNotFound(*consumerARN)
	case streamARN != nil && consumerName != nil:
		if err := s.authorize(ctx, c, *streamARN+"/consumer/"+*consumerName+":*"); err != nil {
			return err
		}
		if _, _, err := s.streamExists(c, *streamARN); err != nil {
			return err
		}
		return s.consumerNotFound(*streamARN + "/consumer/" + *consumerName)
	}
	return invalidArgument("Either ConsumerARN or both StreamARN and ConsumerName must be provided.")
}
