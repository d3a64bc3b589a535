package delivery

import (
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// formatVersion is the on-disk format this code writes (package doc).
const formatVersion = 1

var (
	bucketMeta        = []byte("meta")
	bucketStreams     = []byte("streams")
	bucketCheckpoints = []byte("checkpoints")
	keyFormat         = []byte("format")
)

// checkpoint is how far a delivery stream's source is delivered. It is
// written only after every object of a batch is durably in the lake.
type checkpoint struct {
	// Offset is the first log offset not yet delivered (DirectPut).
	Offset uint64 `json:"Offset"`
	// Shards maps a shard id to the sequence number of its last delivered
	// record (stream source).
	Shards map[string]string `json:"Shards,omitempty"`
	// Done lists the shards read to their end and delivered; their
	// children may be read.
	Done []string `json:"Done,omitempty"`
}

func streamKey(region, name string) []byte {
	return []byte(region + "\x00" + name)
}

func initLayout(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if v := meta.Get(keyFormat); v != nil {
		n, err := strconv.Atoi(string(v))
		if err != nil || n != formatVersion {
			return fmt.Errorf("unknown delivery format %q (this caudal reads format %d)", v, formatVersion)
		}
	} else if err := meta.Put(keyFormat, []byte(strconv.Itoa(formatVersion))); err != nil {
		return err
	}
	for _, b := range [][]byte{bucketStreams, bucketCheckpoints} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return b.Put(key, data)
}

// saveStream writes a delivery stream's metadata.
func (e *Engine) saveStream(d *DeliveryStream) error {
	err := e.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketStreams), streamKey(d.Region, d.Name), d)
	})
	if err != nil {
		return internal(err, "save delivery stream %s", d.Name)
	}
	return nil
}

// saveCheckpoint writes a delivery stream's checkpoint.
func (e *Engine) saveCheckpoint(id string, c *checkpoint) error {
	err := e.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketCheckpoints), []byte(id), c)
	})
	if err != nil {
		return fmt.Errorf("delivery: save checkpoint of %s: %w", id, err)
	}
	return nil
}

func (e *Engine) loadCheckpoint(id string) (checkpoint, error) {
	var c checkpoint
	err := e.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCheckpoints).Get([]byte(id))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &c)
	})
	if err != nil {
		return c, fmt.Errorf("delivery: load checkpoint of %s: %w", id, err)
	}
	return c, nil
}

// deleteStream removes a delivery stream's metadata and checkpoint in one
// transaction.
func (e *Engine) deleteStream(d *DeliveryStream) error {
	err := e.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketStreams).Delete(streamKey(d.Region, d.Name)); err != nil {
			return err
		}
		return tx.Bucket(bucketCheckpoints).Delete([]byte(d.ID))
	})
	if err != nil {
		return internal(err, "delete delivery stream %s", d.Name)
	}
	return nil
}

// loadStreams returns every stored delivery stream.
func (e *Engine) loadStreams() ([]DeliveryStream, error) {
	var out []DeliveryStream
	err := e.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStreams).ForEach(func(k, v []byte) error {
			var d DeliveryStream
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decode delivery stream %q: %w", k, err)
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}
