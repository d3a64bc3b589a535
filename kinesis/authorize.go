package kinesis

// Authorization: every operation asks auth.Check for kinesis:<Operation>
// (the Service Authorization Reference names each Kinesis action after its
// operation) on the resource AWS names for it, once the request is decoded
// and its names checked and before anything is read or changed:
//
//   - stream operations: arn:aws:kinesis:<region>:<account>:stream/<name>,
//     checked inside resolve (so every caller of resolve is authorized) and
//     for GetRecords on the stream its iterator reads;
//   - TagResource, UntagResource, ListTagsForResource and the resource
//     policy operations: the ResourceARN as given (stream or consumer);
//   - DescribeStreamConsumer, DeregisterStreamConsumer, SubscribeToShard:
//     the consumer ARN (<stream ARN>/consumer/<name>:<timestamp>; when the
//     consumer is named by StreamARN and ConsumerName, <stream
//     ARN>/consumer/<name>:*, since no timestamp is known);
//   - RegisterStreamConsumer, ListStreamConsumers: the stream;
//   - ListStreams, DescribeLimits, DescribeAccountSettings,
//     UpdateAccountSettings: "*".
//
// A refusal is AccessDeniedException (HTTP 400) with auth's wording.
//
// A stream encrypted under a customer-managed KMS key also needs the
// caller's KMS permission on that key, as in AWS: kms:GenerateDataKey for
// PutRecord(s), kms:Decrypt for GetRecords (authorizeKey). That refusal is
// KMSAccessDeniedException (400). The AWS-managed alias/aws/kinesis key
// needs none: its key policy lets the account use it through Kinesis.

import (
	"context"
	"errors"
	"net/http"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/protocol"
)

// authorize checks kinesis:<c.Operation> on resource.
func (s *service) authorize(ctx context.Context, c *protocol.Call, resource string) error {
	return accessDenied(auth.Check(ctx, "kinesis:"+c.Operation, resource, nil))
}

// authorizeKey checks action (kms:GenerateDataKey or kms:Decrypt) on the
// customer-managed key stream name is encrypted under, if any. Root may do
// everything, so its calls skip the key lookup.
func (s *service) authorizeKey(ctx context.Context, c *protocol.Call, region, name, action string) error {
	if sub, ok := auth.SubjectFrom(ctx); ok && sub.Principal.Root {
		return nil
	}
	arn, err := s.e.CustomerKey(region, name)
	if err != nil {
		return s.wireError(c, err)
	}
	if arn == "" {
		return nil
	}
	err = auth.Check(ctx, action, arn, nil)
	var d *auth.DeniedError
	if errors.As(err, &d) {
		return &protocol.Error{Code: "KMSAccessDeniedException", Status: http.StatusBadRequest, Message: d.Error()}
	}
	return err
}

// accessDenied maps auth's refusal to Kinesis's AccessDeniedException.
func accessDenied(err error) error {
	var d *auth.DeniedError
	if errors.As(err, &d) {
		return &protocol.Error{Code: codeAccessDenied, Status: http.StatusBadRequest, Message: d.Error()}
	}
	return err
}
