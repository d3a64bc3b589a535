package kinesis

import (
	"context"
	"strings"

	"github.com/caudal/caudal/protocol"
)

// A stream is addressed by StreamName, by StreamARN, or by both (AWS's
// documentation: "you must use either the StreamARN or the StreamName
// parameter, or both"). The ARN's region and account must be the caller's:
// caudal has one account per server and streams are scoped per region.

// streamRef checks the model constraints of the members that address a
// stream; StreamId is accepted and ignored (caudal streams have none).
func (v *checker) streamRef(name, arn, id *string) {
	v.str("streamName", name, specStreamName)
	v.str("streamARN", arn, specStreamARN)
	v.str("streamId", id, specStreamID)
}

// resolve returns the region and name of the stream a call addresses,
// once the caller is authorized for kinesis:<Operation> on it.
func (s *service) resolve(ctx context.Context, c *protocol.Call, name, arn *string) (string, string, error) {
	reg, n, err := s.resolveName(c, name, arn)
	if err != nil {
		return "", "", err
	}
	if err := s.authorize(ctx, c, s.streamARN(reg, n)); err != nil {
		return "", "", err
	}
	return reg, n, nil
}

// resolveName is resolve without authorization.
func (s *service) resolveName(c *protocol.Call, name, arn *string) (string, string, error) {
	reg := region(c)
	switch {
	case name == nil && arn == nil:
		return "", "", invalidArgument("Either StreamName or StreamARN should be provided.")
	case arn == nil:
		return reg, *name, nil
	}
	n, err := s.streamFromARN(c, *arn)
	if err != nil {
		return "", "", err
	}
	if name != nil && *name != n {
		return "", "", invalidArgument("StreamARN %s and StreamName %s do not refer to the same stream.", *arn, *name)
	}
	return reg, n, nil
}

// parsedARN is arn:<partition>:kinesis:<region>:<account>:<resource>.
type parsedARN struct {
	region, account, resource string
}

func parseARN(arn string) (parsedARN, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" {
		return parsedARN{}, false
	}
	return parsedARN{region: parts[3], account: parts[4], resource: parts[5]}, true
}

// streamFromARN checks that a stream ARN names a stream of this account
// in the caller's region and returns the stream's name.
func (s *service) streamFromARN(c *protocol.Call, arn string) (string, error) {
	p, ok := parseARN(arn)
	name, isStream := strings.CutPrefix(p.resource, "stream/")
	if !ok || !isStream || !isNameChars(name) || len(name) > 128 {
		return "", invalidArgument("StreamARN %s is not a valid stream ARN.", arn)
	}
	if err := s.sameAccount(c, p, arn); err != nil {
		return "", err
	}
	if p.region != region(c) {
		// The stream lives (if anywhere) in another region's endpoint.
		return "", s.streamNotFound(name)
	}
	return name, nil
}

// sameAccount refuses ARNs of other accounts as AWS refuses cross-account
// access without a resource policy.
func (s *service) sameAccount(c *protocol.Call, p parsedARN, arn string) error {
	if p.account == s.accountID {
		return nil
	}
	return newError(codeAccessDenied,
		"User: arn:aws:iam::%s:root is not authorized to perform: kinesis:%s on resource: %s because no resource-based policy allows the kinesis:%s action",
		s.accountID, c.Operation, arn, c.Operation)
}

// resourceStream resolves a ResourceARN (TagResource, resource policies)
// once the caller is authorized for kinesis:<Operation> on it: a stream
// ARN gives the stream; a consumer ARN names an enhanced fan-out consumer,
// which caudal does not have yet, so it is not found.
func (s *service) resourceStream(ctx context.Context, c *protocol.Call, arn string) (string, string, error) {
	p, ok := parseARN(arn)
	if !ok {
		return "", "", invalidArgument("ResourceARN %s is not a valid Kinesis resource ARN.", arn)
	}
	if err := s.sameAccount(c, p, arn); err != nil {
		return "", "", err
	}
	if err := s.authorize(ctx, c, arn); err != nil {
		return "", "", err
	}
	if i := strings.Index(p.resource, "/consumer/"); i >= 0 {
		return "", "", s.consumerNotFound(arn)
	}
	name, isStream := strings.CutPrefix(p.resource, "stream/")
	if !isStream || !isNameChars(name) || len(name) > 128 {
		return "", "", invalidArgument("ResourceARN %s is not a valid Kinesis resource ARN.", arn)
	}
	if p.region != region(c) {
		return "", "", s.streamNotFound(name)
	}
	return region(c), name, nil
}

// streamARN is the ARN of a stream of this account.
func (s *service) streamARN(region, name string) string {
	return "arn:aws:kinesis:" + region + ":" + s.accountID + ":stream/" + name
}
