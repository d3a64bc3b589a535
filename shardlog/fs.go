package shardlog

import (
	"io"
	"os"
)

// FS is the filesystem a log writes through. The OS implementation is the
// default; tests use one that can crash (drop unsynced writes) and fail.
type FS interface {
	OpenFile(name string, flag int, perm os.FileMode) (File, error)
	Remove(name string) error
	MkdirAll(dir string, perm os.FileMode) error
	ReadDir(dir string) ([]os.DirEntry, error)
	// SyncDir makes directory entries (created or removed files) durable.
	SyncDir(dir string) error
}

// File is an open segment file.
type File interface {
	io.ReaderAt
	io.Writer
	Sync() error
	Truncate(size int64) error
	Stat() (os.FileInfo, error)
	Close() error
}
