package athena

// ListWorkGroups: every work group by name, MaxResults (1..50, default 50)
// per page with an opaque NextToken.

import (
	"context"

	"github.com/caudal/caudal/protocol"
)

type listWorkGroupsInput struct {
	NextToken  *string `json:"NextToken,omitempty"`
	MaxResults *int64  `json:"MaxResults,omitempty"`
}

type listWorkGroupsOutput struct {
	WorkGroups []workGroupSummary `json:"WorkGroups"`
	NextToken  string             `json:"NextToken,omitempty"`
}

const tokenListWorkGroups = "LW"

func (s *service) listWorkGroups(ctx context.Context, c *protocol.Call) (any, error) {
	var in listWorkGroupsInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.str("nextToken", in.NextToken, specNextToken)
	v.intRange("maxResults", in.MaxResults, 1, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "*"); err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != nil {
		f, err := decodeToken(*in.NextToken, tokenListWorkGroups, 1)
		if err != nil {
			return nil, err
		}
		after = f[0]
	}
	limit := 50
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	all, err := s.m.ListWorkGroups()
	if err != nil {
		return nil, s.wireError(c, err)
	}
	out := &listWorkGroupsOutput{WorkGroups: []workGroupSummary{}}
	for i := range all {
		wg := &all[i]
		if wg.Name <= after {
			continue
		}
		if len(out.WorkGroups) == limit {
			out.NextToken = encodeToken(tokenListWorkGroups, out.WorkGroups[limit-1].Name)
			break
		}
		out.WorkGroups = append(out.WorkGroups, workGroupSummary{
			Name: wg.Name, State: wg.State, Description: wg.Description,
			CreationTime: ts(wg.Created), EngineVersion: engineOf(wg),
		})
	}
	return out, nil
}
