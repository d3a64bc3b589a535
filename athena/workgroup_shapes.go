package athena

import (
	"github.com/caudal/caudal/protocol"
	"strconv"

	"github.com/caudal/caudal/execution"
)

// Work group shapes shared by the work group actions.

type workGroupConfiguration struct {
	ResultConfiguration             *resultConfiguration `json:"ResultConfiguration,omitempty"`
	EnforceWorkGroupConfiguration   *bool                `json:"EnforceWorkGroupConfiguration,omitempty"`
	PublishCloudWatchMetricsEnabled *bool                `json:"PublishCloudWatchMetricsEnabled,omitempty"`
	BytesScannedCutoffPerQuery      *int64               `json:"BytesScannedCutoffPerQuery,omitempty"`
	RequesterPaysEnabled            *bool                `json:"RequesterPaysEnabled,omitempty"`
	EngineVersion                   *engineVersion       `json:"EngineVersion,omitempty"`
}

type tag struct {
	Key   *string `json:"Key,omitempty"`
	Value *string `json:"Value,omitempty"`
}

type workGroupOut struct {
	Name          string                 `json:"Name"`
	State         string                 `json:"State"`
	Configuration workGroupConfiguration `json:"Configuration"`
	Description   string                 `json:"Description,omitempty"`
	CreationTime  *protocol.Timestamp    `json:"CreationTime,omitempty"`
}

type workGroupSummary struct {
	Name          string              `json:"Name"`
	State         string              `json:"State"`
	Description   string              `json:"Description,omitempty"`
	CreationTime  *protocol.Timestamp `json:"CreationTime,omitempty"`
	EngineVersion engineVersion       `json:"EngineVersion"`
}

// minBytesScannedCutoff is the model's minimum BytesScannedCutoffValue
// (10 MB).
const minBytesScannedCutoff = 10000000

func (v *checker) workGroupConfig(path string, cfg *workGroupConfiguration) {
	if cfg == nil {
		return
	}
	v.intRange(path+".bytesScannedCutoffPerQuery", cfg.BytesScannedCutoffPerQuery, minBytesScannedCutoff, -1)
	if ev := cfg.EngineVersion; ev != nil {
		sel := ev.SelectedEngineVersion
		if sel != "" {
			v.str(path+".engineVersion.selectedEngineVersion", &sel, specEngineVersion)
		}
	}
}

// checkEngineVersion refuses engine versions caudal does not speak: only
// AUTO and version 3 (Trino's dialect).
func checkEngineVersion(ev *engineVersion) error {
	if ev == nil || ev.SelectedEngineVersion == "" || ev.SelectedEngineVersion == selectedEngineVersion ||
		ev.SelectedEngineVersion == effectiveEngineVersion {
		return nil
	}
	return invalidRequest("Invalid engine version: %s", ev.SelectedEngineVersion)
}

func engineOf(wg *execution.WorkGroup) engineVersion {
	sel := wg.EngineVersion
	if sel == "" {
		sel = selectedEngineVersion
	}
	return engineVersion{SelectedEngineVersion: sel, EffectiveEngineVersion: effectiveEngineVersion}
}

func toWorkGroup(wg *execution.WorkGroup) workGroupOut {
	ev := engineOf(wg)
	enforce, publish, pays := wg.EnforceConfiguration, wg.PublishMetrics, wg.RequesterPays
	out := workGroupOut{
		Name:  wg.Name,
		State: wg.State,
		Configuration: workGroupConfiguration{
			ResultConfiguration:             &resultConfiguration{OutputLocation: strPtr(wg.OutputLocation)},
			EnforceWorkGroupConfiguration:   &enforce,
			PublishCloudWatchMetricsEnabled: &publish,
			RequesterPaysEnabled:            &pays,
			EngineVersion:                   &ev,
		},
		Description:  wg.Description,
		CreationTime: ts(wg.Created),
	}
	if wg.BytesScannedCutoff > 0 {
		n := wg.BytesScannedCutoff
		out.Configuration.BytesScannedCutoffPerQuery = &n
	}
	return out
}

func tagList(tags []tag) (map[string]string, []string) {
	if len(tags) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	var errs []string
	for i, t := range tags {
		if t.Key == nil {
			errs = append(errs, "tags."+strconv.Itoa(i+1)+".member.key")
			continue
		}
		m[*t.Key] = deref(t.Value)
	}
	return m, errs
}
