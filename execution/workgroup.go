package execution

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PrimaryWorkGroup always exists and cannot be deleted.
const PrimaryWorkGroup = "primary"

// Work group states.
const (
	WorkGroupEnabled  = "ENABLED"
	WorkGroupDisabled = "DISABLED"
)

// WorkGroup is a work group: where its queries' results go and how much
// one query may scan. Settings Athena has and caudal does not act on
// (CloudWatch metrics, requester pays, engine version) are kept so that
// they read back as written.
type WorkGroup struct {
	Name                 string            `json:"Name"`
	Description          string            `json:"Description,omitempty"`
	State                string            `json:"State"`
	Created              time.Time         `json:"Created"`
	OutputLocation       string            `json:"OutputLocation,omitempty"`
	EnforceConfiguration bool              `json:"EnforceConfiguration,omitempty"`
	BytesScannedCutoff   int64             `json:"BytesScannedCutoff,omitempty"` // 0: no limit
	PublishMetrics       bool              `json:"PublishMetrics,omitempty"`
	RequesterPays        bool              `json:"RequesterPays,omitempty"`
	EngineVersion        string            `json:"EngineVersion,omitempty"` // SelectedEngineVersion, "" = AUTO
	Tags                 map[string]string `json:"Tags,omitempty"`
}

// WorkGroupUpdate changes some settings of a work group; nil fields stay
// as they are.
type WorkGroupUpdate struct {
	Description          *string
	State                *string
	OutputLocation       *string // "" removes it
	EnforceConfiguration *bool
	BytesScannedCutoff   *int64 // 0 removes it
	PublishMetrics       *bool
	RequesterPays        *bool
	EngineVersion        *string
}

// CreateWorkGroup creates wg (Created is set here).
func (m *Manager) CreateWorkGroup(wg WorkGroup) error {
	if wg.OutputLocation != "" {
		if _, _, err := outputPath(wg.OutputLocation); err != nil {
			return err
		}
	}
	if wg.State == "" {
		wg.State = WorkGroupEnabled
	}
	wg.Created = m.cfg.Now().UTC()
	err := m.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketWorkGroups).Get([]byte(wg.Name)) != nil {
			return newError(ErrWorkGroupExists, "WorkGroup %s is already created", wg.Name)
		}
		return putWorkGroupTx(tx, &wg)
	})
	return m.wrapStore(err)
}

// GetWorkGroup returns the work group name.
func (m *Manager) GetWorkGroup(name string) (WorkGroup, error) {
	var wg WorkGroup
	err := m.db.View(func(tx *bolt.Tx) error {
		var err error
		wg, err = getWorkGroupTx(tx, name)
		return err
	})
	if err != nil {
		return WorkGroup{}, m.wrapStore(err)
	}
	return wg, nil
}

// ListWorkGroups returns every work group, by name.
func (m *Manager) ListWorkGroups() ([]WorkGroup, error) {
	var out []WorkGroup
	err := m.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketWorkGroups).ForEach(func(_, v []byte) error {
			var wg WorkGroup
			if err := json.Unmarshal(v, &wg); err != nil {
				return fmt.Errorf("decode work group: %w", err)
			}
			out = append(out, wg)
			return nil
		})
	})
	if err != nil {
		return nil, m.wrapStore(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// UpdateWorkGroup applies u to the work group name.
func (m *Manager) UpdateWorkGroup(name string, u WorkGroupUpdate) error {
	if u.OutputLocation != nil && *u.OutputLocation != "" {
		if _, _, err := outputPath(*u.OutputLocation); err != nil {
			return err
		}
	}
	err := m.db.Update(func(tx *bolt.Tx) error {
		wg, err := getWorkGroupTx(tx, name)
		if err != nil {
			return err
		}
		set(&wg.Description, u.Description)
		set(&wg.State, u.State)
		set(&wg.OutputLocation, u.OutputLocation)
		set(&wg.EnforceConfiguration, u.EnforceConfiguration)
		set(&wg.BytesScannedCutoff, u.BytesScannedCutoff)
		set(&wg.PublishMetrics, u.PublishMetrics)
		set(&wg.RequesterPays, u.RequesterPays)
		set(&wg.EngineVersion, u.EngineVersion)
		return putWorkGroupTx(tx, &wg)
	})
	return m.wrapStore(err)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeleteWorkGroup deletes the work group name; its executions stay in the
// history. The primary work group cannot be deleted.
func (m *Manager) DeleteWorkGroup(name string) error {
	if name == PrimaryWorkGroup {
		return newError(ErrPrimaryWorkGroup, "Cannot delete primary workgroup")
	}
	err := m.db.Update(func(tx *bolt.Tx) error {
		if _, err := getWorkGroupTx(tx, name); err != nil {
			return err
		}
		return tx.Bucket(bucketWorkGroups).Delete([]byte(name))
	})
	return m.wrapStore(err)
}

func getWorkGroupTx(tx *bolt.Tx, name string) (WorkGroup, error) {
	v := tx.Bucket(bucketWorkGroups).Get([]byte(name))
	if v == nil {
		return WorkGroup{}, workGroupNotFound(name)
	}
	var wg WorkGroup
	if err := json.Unmarshal(v, &wg); err != nil {
		return WorkGroup{}, fmt.Errorf("decode work group %s: %w", name, err)
	}
	return wg, nil
}

func putWorkGroupTx(tx *bolt.Tx, wg *WorkGroup) error {
	b, err := json.Marshal(wg)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketWorkGroups).Put([]byte(wg.Name), b)
}
