package kms

// CreateKey: a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT,
// KeyUsage ENCRYPT_DECRYPT), its material made and sealed by the key
// store. Policy, Tags and BypassPolicyLockoutSafetyCheck are accepted and
// ignored; other key specs, usages and origins are
// UnsupportedOperationException.

import (
	"context"
	"net/http"

	"github.com/caudal/caudal/protocol"
)

type createKeyInput struct {
	Description           *string `json:"Description,omitempty"`
	KeyUsage              *string `json:"KeyUsage,omitempty"`
	KeySpec               *string `json:"KeySpec,omitempty"`
	CustomerMasterKeySpec *string `json:"CustomerMasterKeySpec,omitempty"`
	Origin                *string `json:"Origin,omitempty"`
	MultiRegion           *bool   `json:"MultiRegion,omitempty"`
	Policy                *string `json:"Policy,omitempty"`
}

type createKeyOutput struct {
	KeyMetadata keyMetadata `json:"KeyMetadata"`
}

func (s *service) createKey(ctx context.Context, c *protocol.Call) (any, error) {
	var in createKeyInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	if in.Description != nil && len(*in.Description) > 8192 {
		v.Fail(*in.Description, "description", "Member must have length less than or equal to 8192")
	}
	if err := validation(&v); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	unsupported := func(what string) error {
		return &protocol.Error{Code: "UnsupportedOperationException", Status: http.StatusBadRequest, Message: what + " is not supported by caudal's KMS; only symmetric ENCRYPT_DECRYPT keys are."}
	}
	for _, spec := range []*string{in.KeySpec, in.CustomerMasterKeySpec} {
		if spec != nil && *spec != "SYMMETRIC_DEFAULT" {
			return nil, unsupported("KeySpec " + *spec)
		}
	}
	if in.KeyUsage != nil && *in.KeyUsage != "ENCRYPT_DECRYPT" {
		return nil, unsupported("KeyUsage " + *in.KeyUsage)
	}
	if in.Origin != nil && *in.Origin != "AWS_KMS" {
		return nil, unsupported("Origin " + *in.Origin)
	}
	if in.MultiRegion != nil && *in.MultiRegion {
		return nil, unsupported("MultiRegion")
	}
	desc := ""
	if in.Description != nil {
		desc = *in.Description
	}
	k, err := s.ks.CreateKey(keystoreCreate(region(c), desc))
	if err != nil {
		return nil, wireError(err)
	}
	return &createKeyOutput{KeyMetadata: metadata(k)}, nil
}
