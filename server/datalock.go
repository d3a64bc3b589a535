package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// dataLock is an exclusive lock on a data directory, held for the life of
// the server. Two processes appending to the same shard logs would hand out
// the same sequence numbers and overwrite each other's acknowledged
// records, so a second server on a directory in use must refuse to start.
//
// The lock is flock(2) on <data>/LOCK: the kernel drops it when the
// process dies, so a server killed with SIGKILL never leaves a stale lock.
type dataLock struct{ f *os.File }

func lockDataDir(dir string) (*dataLock, error) {
	path := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data directory %s is in use by another caudal server (stop it, or pick another directory with --data)", dir)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &dataLock{f: f}, nil
}

// release drops the lock; the engines must be closed first.
func (l *dataLock) release() error {
	if l == nil {
		return nil
	}
	return l.f.Close() // closing the descriptor releases the flock
}
