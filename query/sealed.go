package query

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/caudal/caudal/lake"
)

// Objects stored with server-side encryption are sealed on disk, and DuckDB
// reads lake files in place, so it must never be handed a sealed file. A
// query that reads sealed objects gets decrypted copies instead, made for
// that query alone and removed when it ends (Run's scratch).
//
// The copies live in memory-backed storage (/dev/shm) when the machine has
// it, so plaintext never reaches a disk; otherwise under the engine's
// TempDir, which is only as private as that directory. A query may copy at
// most Config.SealedBudget bytes (default 1 GiB); past that it fails with
// HIVE_CANNOT_OPEN_SPLIT rather than fill memory.

// defaultSealedBudget bounds the decrypted bytes one query may hold.
const defaultSealedBudget = 1 << 30

// sealedDirPrefix names the per-engine directories under /dev/shm; the
// process id lets a later start remove those a killed process left.
const sealedDirPrefix = "caudal-sealed-"

// openSealedDir makes this engine's directory for decrypted copies and
// removes those of processes that no longer run.
func openSealedDir(configured, tempDir string) (string, error) {
	if configured != "" {
		if err := os.MkdirAll(configured, 0o700); err != nil {
			return "", fmt.Errorf("query: sealed-object directory: %w", err)
		}
		return os.MkdirTemp(configured, sealedDirPrefix+strconv.Itoa(os.Getpid())+"-")
	}
	base := tempDir
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() && syscall.Access("/dev/shm", 2 /* W_OK */) == nil {
		base = "/dev/shm"
	}
	sweepSealedDirs(base)
	dir, err := os.MkdirTemp(base, sealedDirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", fmt.Errorf("query: sealed-object directory: %w", err)
	}
	return dir, nil
}

// sweepSealedDirs removes directories of dead processes (kill -9 skips
// Close). A pid reused by another process keeps its directory: harmless.
func sweepSealedDirs(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), sealedDirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
}

// scratch holds one Run's decrypted copies.
type scratch struct {
	dir    string
	budget int64

	mu    sync.Mutex
	used  int64    // guarded by mu
	paths []string // guarded by mu
}

type scratchKey struct{}

func withScratch(ctx context.Context, s *scratch) context.Context {
	return context.WithValue(ctx, scratchKey{}, s)
}

func scratchFrom(ctx context.Context) *scratch {
	s, _ := ctx.Value(scratchKey{}).(*scratch)
	return s
}

// decrypt writes the plaintext of bucket/key to a new file of the scratch
// and returns its path. The file keeps the object's base name (after a
// random part) so DuckDB sees the same extension (.gz, .parquet, …).
func (s *scratch) decrypt(ctx context.Context, lk *lake.Lake, bucket, key string, size int64) (string, error) {
	s.mu.Lock()
	if s.used+size > s.budget {
		s.mu.Unlock()
		return "", fmt.Errorf("the query's server-side-encrypted objects exceed %d bytes, the most it decrypts at once", s.budget)
	}
	s.used += size
	s.mu.Unlock()

	obj, err := lk.GetObject(bucket, key)
	if err != nil {
		return "", err
	}
	defer obj.Close()
	base := strings.NewReplacer("/", "_", "*", "_").Replace(path.Base(key))
	f, err := os.CreateTemp(s.dir, "*#"+base)
	if err != nil {
		return "", fmt.Errorf("decrypt s3://%s/%s: %w", bucket, key, err)
	}
	s.mu.Lock()
	s.paths = append(s.paths, f.Name())
	s.mu.Unlock()
	_, err = io.Copy(f, ctxReader{ctx, obj.Body})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("decrypt s3://%s/%s: %w", bucket, key, err)
	}
	return f.Name(), nil
}

// cleanup removes the scratch's copies.
func (s *scratch) cleanup() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.paths {
		os.Remove(p)
	}
	s.paths = nil
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
