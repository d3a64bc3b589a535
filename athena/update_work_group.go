package athena

// UpdateWorkGroup: Description, State (ENABLED, DISABLED) and
// ConfigurationUpdates (EnforceWorkGroupConfiguration,
// ResultConfigurationUpdates.OutputLocation / RemoveOutputLocation,
// BytesScannedCutoffPerQuery / RemoveBytesScannedCutoffPerQuery,
// PublishCloudWatchMetricsEnabled, RequesterPaysEnabled, EngineVersion).
// The other configuration updates are accepted and ignored.

import (
	"context"

	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/protocol"
)

type resultConfigurationUpdates struct {
	OutputLocation       *string `json:"OutputLocation,omitempty"`
	RemoveOutputLocation *bool   `json:"RemoveOutputLocation,omitempty"`
}

type workGroupConfigurationUpdates struct {
	EnforceWorkGroupConfiguration    *bool                       `json:"EnforceWorkGroupConfiguration,omitempty"`
	ResultConfigurationUpdates       *resultConfigurationUpdates `json:"ResultConfigurationUpdates,omitempty"`
	PublishCloudWatchMetricsEnabled  *bool                       `json:"PublishCloudWatchMetricsEnabled,omitempty"`
	BytesScannedCutoffPerQuery       *int64                      `json:"BytesScannedCutoffPerQuery,omitempty"`
	RemoveBytesScannedCutoffPerQuery *bool                       `json:"RemoveBytesScannedCutoffPerQuery,omitempty"`
	RequesterPaysEnabled             *bool                       `json:"RequesterPaysEnabled,omitempty"`
	EngineVersion                    *engineVersion              `json:"EngineVersion,omitempty"`
}

type updateWorkGroupInput struct {
	WorkGroup            *string                        `json:"WorkGroup,omitempty"`
	Description          *string                        `json:"Description,omitempty"`
	ConfigurationUpdates *workGroupConfigurationUpdates `json:"ConfigurationUpdates,omitempty"`
	State                *string                        `json:"State,omitempty"`
}

func (s *service) updateWorkGroup(ctx context.Context, c *protocol.Call) (any, error) {
	var in updateWorkGroupInput
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var v checker
	v.strReq("workGroup", in.WorkGroup, specWorkGroup)
	v.str("description", in.Description, specDescription)
	v.enum("state", in.State, execution.WorkGroupEnabled, execution.WorkGroupDisabled)
	if u := in.ConfigurationUpdates; u != nil {
		v.intRange("configurationUpdates.bytesScannedCutoffPerQuery", u.BytesScannedCutoffPerQuery, minBytesScannedCutoff, -1)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, s.workGroupARN(c, *in.WorkGroup)); err != nil {
		return nil, err
	}
	upd := execution.WorkGroupUpdate{Description: in.Description, State: in.State}
	if u := in.ConfigurationUpdates; u != nil {
		if err := checkEngineVersion(u.EngineVersion); err != nil {
			return nil, err
		}
		upd.EnforceConfiguration = u.EnforceWorkGroupConfiguration
		upd.PublishMetrics = u.PublishCloudWatchMetricsEnabled
		upd.RequesterPays = u.RequesterPaysEnabled
		upd.BytesScannedCutoff = u.BytesScannedCutoffPerQuery
		if deref(u.RemoveBytesScannedCutoffPerQuery) {
			var zero int64
			upd.BytesScannedCutoff = &zero
		}
		if r := u.ResultConfigurationUpdates; r != nil {
			upd.OutputLocation = r.OutputLocation
			if deref(r.RemoveOutputLocation) {
				none := ""
				upd.OutputLocation = &none
			}
		}
		if u.EngineVersion != nil {
			sel := u.EngineVersion.SelectedEngineVersion
			upd.EngineVersion = &sel
		}
	}
	if err := s.m.UpdateWorkGroup(*in.WorkGroup, upd); err != nil {
		return nil, s.wireError(c, err)
	}
	return empty{}, nil
}
