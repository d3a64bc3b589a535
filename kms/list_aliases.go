package kms

// ListAliases: the region's aliases (those of one key with KeyId), by
// name, paginated like ListKeys. AWS-managed aliases appear once used.

import (
	"context"
	"strconv"

	"github.com/caudal/caudal/protocol"
)

type listAliasesInput struct {
	KeyId  *string `json:"KeyId,omitempty"`
	Limit  *int    `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

type aliasListEntry struct {
	AliasName    string             `json:"AliasName"`
	AliasArn     string             `json:"AliasArn"`
	TargetKeyId  string             `json:"TargetKeyId,omitempty"`
	CreationDate protocol.Timestamp `json:"CreationDate"`
}

type listAliasesOutput struct {
	Aliases    []aliasListEntry `json:"Aliases"`
	NextMarker string           `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

func (s *service) listAliases(ctx context.Context, c *protocol.Call) (any, error) {
	var in listAliasesInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v protocol.Violations
	checkKeyID(&v, "keyId", in.KeyId, false)
	limit := checkPage(&v, in.Limit, in.Marker)
	if err := validation(&v); err != nil {
		return nil, err
	}
	if err := authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	keyID := ""
	if in.KeyId != nil {
		keyID = *in.KeyId
	}
	all, err := s.ks.ListAliases(region(c), keyID)
	if err != nil {
		return nil, wireError(err)
	}
	start, err := markerStart(in.Marker, len(all))
	if err != nil {
		return nil, err
	}
	out := &listAliasesOutput{Aliases: []aliasListEntry{}}
	for i := start; i < len(all); i++ {
		if len(out.Aliases) == limit {
			out.Truncated, out.NextMarker = true, strconv.Itoa(i)
			break
		}
		a := all[i]
		out.Aliases = append(out.Aliases, aliasListEntry{AliasName: a.Name, AliasArn: a.ARN, TargetKeyId: a.KeyID, CreationDate: protocol.NewTimestamp(a.Created)})
	}
	return out, nil
}
