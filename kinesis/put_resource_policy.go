package kinesis

// PutResourcePolicy: stores a resource policy on a stream (by stream ARN).
// The policy must be a JSON object; it is kept verbatim and returned by
// GetResourcePolicy.
//
// Deliberately not: the policy is not evaluated yet (caudal has one account
// and its own keys); policies on consumer ARNs are not found, as consumers
// are not served yet.

import (
	"context"
	"encoding/json"

	"github.com/caudal/caudal/protocol"
)

type putResourcePolicyInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	StreamId    *string `json:"StreamId,omitempty"`
	Policy      *string `json:"Policy,omitempty"`
}

func (s *service) putResourcePolicy(ctx context.Context, c *protocol.Call) (any, error) {
	var in putResourcePolicyInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("resourceARN", in.ResourceARN, specResourceARN)
	v.str("streamId", in.StreamId, specStreamID)
	v.required("policy", in.Policy != nil)
	if err := v.err(); err != nil {
		return nil, err
	}
	reg, name, err := s.resourceStream(ctx, c, *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(*in.Policy), &doc); err != nil {
		return nil, invalidArgument("Policy is not a valid JSON policy document.")
	}
	if err := s.e.PutPolicy(reg, name, *in.Policy); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}

type resourcePolicyInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	StreamId    *string `json:"StreamId,omitempty"`
}

// policyCall decodes and checks the input Get and DeleteResourcePolicy
// share.
func (s *service) policyCall(ctx context.Context, c *protocol.Call) (string, string, error) {
	var in resourcePolicyInput
	if err := c.Decode(&in); err != nil {
		return "", "", err
	}
	var v checker
	v.strReq("resourceARN", in.ResourceARN, specResourceARN)
	v.str("streamId", in.StreamId, specStreamID)
	if err := v.err(); err != nil {
		return "", "", err
	}
	return s.resourceStream(ctx, c, *in.ResourceARN)
}
