package athena

// CreateWorkGroup: Name, Description, Configuration (ResultConfiguration
// .OutputLocation, EnforceWorkGroupConfiguration,
// BytesScannedCutoffPerQuery, PublishCloudWatchMetricsEnabled,
// RequesterPaysEnabled, EngineVersion AUTO or "Athena engine version 3")
// and Tags (kept, not served: there is no ListTagsForResource).
//
// Deliberately not: encryption, ACL, expected bucket owner, managed
// results, execution role, monitoring and Identity Center settings:
// accepted and ignored.

import (
	"context"

	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
)

type createWorkGroupInput struct {
	Name          *string                 `json:"Name,omitempty"`
	Configuration *workGroupConfiguration `json:"Configuration,omitempty"`
	Description   *string                 `json:"Description,omitempty"`
	Tags          []tag                   `json:"Tags,omitempty"`
}

func (s *service) createWorkGroup(ctx context.Context, c *protocol.Call) (any, error) {
	var in createWorkGroupInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("name", in.Name, specWorkGroup)
	v.workGroupConfig("configuration", in.Configuration)
	v.str("description", in.Description, specDescription)
	tags, missing := tagList(in.Tags)
	for _, p := range missing {
		v.required(p, false)
	}
	for _, t := range in.Tags {
		v.str("tags.member.key", t.Key, specTagKey)
		v.str("tags.member.value", t.Value, specTagValue)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.workGroupARN(c, *in.Name)); err != nil {
		return nil, err
	}
	wg := execution.WorkGroup{Name: *in.Name, Description: deref(in.Description), Tags: tags}
	if cfg := in.Configuration; cfg != nil {
		if err := checkEngineVersion(cfg.EngineVersion); err != nil {
			return nil, err
		}
		if cfg.ResultConfiguration != nil {
			wg.OutputLocation = deref(cfg.ResultConfiguration.OutputLocation)
		}
		wg.EnforceConfiguration = deref(cfg.EnforceWorkGroupConfiguration)
		wg.PublishMetrics = deref(cfg.PublishCloudWatchMetricsEnabled)
		wg.RequesterPays = deref(cfg.RequesterPaysEnabled)
		wg.BytesScannedCutoff = deref(cfg.BytesScannedCutoffPerQuery)
		if cfg.EngineVersion != nil {
			wg.EngineVersion = cfg.EngineVersion.SelectedEngineVersion
		}
	}
	if err := s.m.CreateWorkGroup(wg); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
