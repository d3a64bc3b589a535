package stream

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// streamMeta is the persisted metadata of one stream incarnation
// (meta.json). Field names are part of the on-disk format.
type streamMeta struct {
	Version           int               `json:"version"`
	ID                string            `json:"id"`     // incarnation id, 32 hex digits
	SeqTag            uint64            `json:"seqTag"` // see sequence.go
	Region            string            `json:"region"`
	Name              string            `json:"name"`
	Status            Status            `json:"status"`
	Mode              Mode              `json:"mode"`
	CreatedAt         time.Time         `json:"createdAt"`
	RetentionHours    int               `json:"retentionHours"`
	EncryptionType    string            `json:"encryptionType"`
	KeyID             string            `json:"keyId,omitempty"`
	ShardLevelMetrics []string          `json:"shardLevelMetrics"`
	MaxRecordSizeKiB  int               `json:"maxRecordSizeKiB"`
	Tags              map[string]string `json:"tags"`
	Policy            string            `json:"policy,omitempty"`
	NextShardIndex    int               `json:"nextShardIndex"`
	ShardCountUpdates []time.Time       `json:"shardCountUpdates,omitempty"`
	Shards            []shardMeta       `json:"shards"` // creation order
	// DataKeys are the wrapped data keys of encryption.go; ActiveDataKey
	// is the one new records are sealed with (0: none).
	DataKeys      []dataKeyMeta `json:"dataKeys,omitempty"`
	ActiveDataKey uint32        `json:"activeDataKey,omitempty"`
}

// shardMeta is one shard in meta.json.
type shardMeta struct {
	Index          int       `json:"index"`
	Parent         string    `json:"parent,omitempty"`
	AdjacentParent string    `json:"adjacentParent,omitempty"`
	HashStart      string    `json:"hashStart"` // decimal
	HashEnd        string    `json:"hashEnd"`
	StartOffset    uint64    `json:"startOffset"` // first shardlog offset
	Closed         bool      `json:"closed"`
	EndOffset      uint64    `json:"endOffset"` // next offset when closed (exclusive)
	CreatedAt      time.Time `json:"createdAt"`
	ClosedAt       time.Time `json:"closedAt"`
}

func (m *streamMeta) clone() streamMeta {
	c := *m
	c.ShardLevelMetrics = append([]string(nil), m.ShardLevelMetrics...)
	c.Tags = make(map[string]string, len(m.Tags))
	for k, v := range m.Tags {
		c.Tags[k] = v
	}
	c.ShardCountUpdates = append([]time.Time(nil), m.ShardCountUpdates...)
	c.Shards = append([]shardMeta(nil), m.Shards...)
	c.DataKeys = append([]dataKeyMeta(nil), m.DataKeys...)
	return c
}

func (m *streamMeta) shardIndex(id string) int {
	idx, ok := ParseShardID(id)
	if !ok {
		return -1
	}
	for i := range m.Shards {
		if m.Shards[i].Index == idx {
			return i
		}
	}
	return -1
}

var plainRegion = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// regionDirName maps a region to a safe directory name (see layout.go).
func regionDirName(region string) string {
	if plainRegion.MatchString(region) {
		return region
	}
	return "x-" + hex.EncodeToString([]byte(region))
}

// writeFileAtomic replaces path with data durably: temp file, fsync,
// rename, directory fsync.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, perm)
	if err != nil {
		return fmt.Errorf("stream: create %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("stream: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("stream: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("stream: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("stream: rename %s: %w", tmp, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("stream: open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("stream: sync dir %s: %w", dir, err)
	}
	return nil
}

func writeMeta(dir string, m *streamMeta) error {
	m.Version = metaVersion
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("stream: encode metadata of %s: %w", m.Name, err)
	}
	return writeFileAtomic(filepath.Join(dir, metaFile), data, 0o644)
}

func readMeta(dir string) (streamMeta, error) {
	var m streamMeta
	data, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return m, fmt.Errorf("stream: read metadata: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("stream: decode %s: %w", filepath.Join(dir, metaFile), err)
	}
	if m.Version < 1 || m.Version > metaVersion {
		return m, fmt.Errorf("stream: %s has unknown metadata version %d", dir, m.Version)
	}
	return m, nil
}
