package execution

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// formatVersion is the on-disk format this code writes (see the package
// doc). Bump it, and keep reading the old one, when the layout changes.
const formatVersion = 1

var (
	bucketMeta       = []byte("meta")
	bucketExecutions = []byte("executions")
	bucketIDs        = []byte("ids")
	bucketTokens     = []byte("tokens")
	bucketPending    = []byte("pending")
	bucketByGroup    = []byte("byworkgroup")
	bucketWorkGroups = []byte("workgroups")
	keyFormat        = []byte("format")
)

// initLayout creates the buckets of a new file, checks the format of an
// existing one, creates the primary work group and records FAILED every
// execution a crash left pending.
func (m *Manager) initLayout(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if v := meta.Get(keyFormat); v != nil {
		n, err := strconv.Atoi(string(v))
		if err != nil || n != formatVersion {
			return fmt.Errorf("unknown executions format %q (this caudal reads format %d)", v, formatVersion)
		}
	} else if err := meta.Put(keyFormat, []byte(strconv.Itoa(formatVersion))); err != nil {
		return err
	}
	for _, b := range [][]byte{bucketExecutions, bucketIDs, bucketTokens, bucketPending, bucketByGroup, bucketWorkGroups} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	if tx.Bucket(bucketWorkGroups).Get([]byte(PrimaryWorkGroup)) == nil {
		wg := WorkGroup{Name: PrimaryWorkGroup, State: WorkGroupEnabled, Created: m.cfg.Now().UTC()}
		if err := putWorkGroupTx(tx, &wg); err != nil {
			return err
		}
	}
	var pending []string
	tx.Bucket(bucketPending).ForEach(func(k, _ []byte) error { //nolint:errcheck // the callback never fails
		pending = append(pending, string(k))
		return nil
	})
	now := m.cfg.Now()
	for _, id := range pending {
		e, err := getExecTx(tx, id)
		if err != nil {
			return err
		}
		e.State, e.StateChangeReason, e.Completed = Failed, reasonRestarted, now
		e.Error = &AthenaError{Category: 1, Type: 100, Retryable: true, Message: reasonRestarted}
		e.Stats.TotalExecutionMillis = now.Sub(e.Submitted).Milliseconds()
		if err := putExecTx(tx, &e, false); err != nil {
			return err
		}
	}
	return nil
}

// groupKey is the byworkgroup key of execution seq of work group wg.
func groupKey(wg string, seq uint64) []byte {
	k := append([]byte(wg), 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func seqOf(k []byte) uint64 {
	if len(k) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}

// putExecTx stores e: a new execution gets the next sequence number and a
// pending mark; a final state clears the mark.
func putExecTx(tx *bolt.Tx, e *Execution, isNew bool) error {
	execs, ids := tx.Bucket(bucketExecutions), tx.Bucket(bucketIDs)
	var key []byte
	if isNew {
		seq, err := execs.NextSequence()
		if err != nil {
			return err
		}
		key = seqKey(seq)
		if err := ids.Put([]byte(e.ID), key); err != nil {
			return err
		}
		if err := tx.Bucket(bucketByGroup).Put(groupKey(e.WorkGroup, seq), []byte(e.ID)); err != nil {
			return err
		}
	} else {
		key = ids.Get([]byte(e.ID))
		if key == nil {
			return fmt.Errorf("execution %s has no sequence number", e.ID)
		}
		key = append([]byte(nil), key...)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := execs.Put(key, b); err != nil {
		return err
	}
	if e.State.Done() {
		return tx.Bucket(bucketPending).Delete([]byte(e.ID))
	}
	return tx.Bucket(bucketPending).Put([]byte(e.ID), nil)
}

func getExecTx(tx *bolt.Tx, id string) (Execution, error) {
	key := tx.Bucket(bucketIDs).Get([]byte(id))
	if key == nil {
		return Execution{}, notFound(id)
	}
	v := tx.Bucket(bucketExecutions).Get(key)
	if v == nil {
		return Execution{}, fmt.Errorf("execution %s: record missing", id)
	}
	var e Execution
	if err := decodeExec(v, &e); err != nil {
		return Execution{}, err
	}
	return e, nil
}

func decodeExec(v []byte, e *Execution) error {
	if err := json.Unmarshal(v, e); err != nil {
		return fmt.Errorf("decode execution record: %w", err)
	}
	return nil
}
