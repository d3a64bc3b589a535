package kms

// CreateAlias: "alias/<name>" (not alias/aws/…) for a key in the caller's
// region; an existing name is AlreadyExistsException.

import (
	"context"
	"net/http"
	"regexp"

	"github.com/caudal/caudal/protocol"
)

type createAliasInput struct {
	AliasName   *string `json:"AliasName,omitempty"`
	TargetKeyId *string `json:"TargetKeyId,omitempty"`
}

var aliasPattern = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]+$`)

func (s *service) createAlias(ctx context.Context, c *protocol.Call) (any, error) {
	var in createAliasInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	switch {
	case in.AliasName == nil:
		v.Fail("null", "aliasName", "Member must not be null")
	case len(*in.AliasName) < 1 || len(*in.AliasName) > 256:
		v.Fail(*in.AliasName, "aliasName", "Member must have length between 1 and 256")
	case !aliasPattern.MatchString(*in.AliasName):
		v.Fail(*in.AliasName, "aliasName", "Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$")
	}
	checkKeyID(&v, "targetKeyId", in.TargetKeyId, true)
	if err := validation(&v); err != nil {
		return nil, err
	}
	k, err := s.keyFor(ctx, c, *in.TargetKeyId)
	if err != nil {
		return nil, err
	}
	if len(*in.AliasName) >= 10 && (*in.AliasName)[:10] == "alias/aws/" {
		return nil, &protocol.Error{Code: "InvalidAliasNameException", Status: http.StatusBadRequest, Message: "Alias must not begin with 'alias/aws/'"}
	}
	if err := s.ks.CreateAlias(*in.AliasName, k.ID, k.Region); err != nil {
		return nil, wireError(err)
	}
	return empty{}, nil
}
