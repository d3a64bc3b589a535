package shardlog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"
)

// CrashFS is an in-memory FS for tests that can crash and fail. It is
// exported so that tests of packages built on shardlog (the stream engine)
// can simulate kill -9 and power loss too.
//
// Durability model, deliberately as unkind as POSIX allows:
//   - File contents become durable only by File.Sync; a file's existence
//     (creation, removal) only by SyncDir of its directory. Directories
//     themselves (MkdirAll) are durable at once.
//   - Crash forgets everything that was not made durable: unsynced bytes,
//     unsynced truncations, files whose creation was not dir-synced; removed
//     files whose removal was not dir-synced come back. CrashTorn does the
//     same but keeps a random prefix of each file's unsynced appended bytes,
//     as a power cut in the middle of writeback would.
//   - Crash returns a new CrashFS over the surviving state, for the
//     "rebooted" process to reopen its files with. The CrashFS it was called
//     on, and every File opened through it, fail with ErrCrashed from then
//     on: the crashed process can make nothing durable (not even a directory
//     sync) behind the new one's back.
//
// Faults: FailWrites, FailSyncs and FailReads make every later Write,
// Sync/SyncDir or ReadAt fail; SetCapacity makes writes beyond a total size fail with ENOSPC after
// writing what fits. They are properties of the disk, so they carry over
// to the CrashFS a Crash returns.
//
// A File without os.O_APPEND writes at its own position, starting at 0, as
// an *os.File would (there is no Seek).
type CrashFS struct {
	*crashDisk
	gen int // the disk's crash generation this view belongs to
}

// crashDisk is the state shared by a CrashFS and the ones its crashes return.
type crashDisk struct {
	mu       sync.Mutex
	dirs     map[string]*crashDir // by cleaned path
	gen      int                  // crash generation; views of older ones are dead
	writeErr error
	syncErr  error
	readErr  error
	capacity int64 // 0: unlimited
	used     int64 // sum of live file sizes
}

// ErrCrashed is returned by Files opened before a CrashFS crashed.
var ErrCrashed = errors.New("shardlog: file used after simulated crash")

type crashDir struct {
	live    map[string]*crashNode // what ReadDir sees now
	durable map[string]*crashNode // what survives a crash
}

type crashNode struct {
	data   []byte // current contents
	synced []byte // contents at the last Sync
	// prefix: synced is a prefix of data, so a Sync need only append.
	prefix bool
	mtime  time.Time
}

// NewCrashFS returns an empty CrashFS.
func NewCrashFS() *CrashFS {
	return &CrashFS{crashDisk: &crashDisk{dirs: map[string]*crashDir{}}}
}

// FailWrites makes every later Write fail with err (nil: stop failing).
func (c *CrashFS) FailWrites(err error) {
	c.mu.Lock()
	c.writeErr = err
	c.mu.Unlock()
}

// FailReads makes every later ReadAt fail with err (nil: stop failing).
func (c *CrashFS) FailReads(err error) {
	c.mu.Lock()
	c.readErr = err
	c.mu.Unlock()
}

// FailSyncs makes every later File.Sync and SyncDir fail with err (nil: stop
// failing). A failed Sync makes nothing durable.
func (c *CrashFS) FailSyncs(err error) {
	c.mu.Lock()
	c.syncErr = err
	c.mu.Unlock()
}

// SetCapacity limits the total size of all files to n bytes (0: no limit).
// A Write that does not fit writes what fits and fails with ENOSPC.
func (c *CrashFS) SetCapacity(n int64) {
	c.mu.Lock()
	c.capacity = n
	c.mu.Unlock()
}

// Crash simulates power loss: everything not made durable is lost. It
// returns the FS of the rebooted machine; c is dead from now on.
func (c *CrashFS) Crash() *CrashFS { return c.crash(nil) }

// CrashTorn simulates power loss during writeback: like Crash, but each
// file keeps a random prefix (chosen by r) of the bytes appended since its
// last Sync.
func (c *CrashFS) CrashTorn(r *rand.Rand) *CrashFS { return c.crash(r) }

func (c *CrashFS) crash(r *rand.Rand) *CrashFS {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.crashDisk.gen++
	c.used = 0
	for _, d := range c.dirs {
		d.live = make(map[string]*crashNode, len(d.durable))
		for name, n := range d.durable {
			keep := n.synced
			if r != nil && n.prefix && len(n.data) > len(n.synced) {
				keep = n.data[:len(n.synced)+r.IntN(len(n.data)-len(n.synced)+1)]
			}
			n.data = append([]byte(nil), keep...)
			n.synced = append([]byte(nil), keep...)
			n.prefix = true
			d.live[name] = n
			c.used += int64(len(n.data))
		}
	}
	return &CrashFS{crashDisk: c.crashDisk, gen: c.crashDisk.gen}
}

// aliveLocked fails once the disk crashed after this view was made.
func (c *CrashFS) aliveLocked(op, name string) error {
	if c.gen != c.crashDisk.gen {
		return &fs.PathError{Op: op, Path: name, Err: ErrCrashed}
	}
	return nil
}

func (c *CrashFS) dirOf(name string) (*crashDir, string, error) {
	name = filepath.Clean(name)
	d, ok := c.dirs[filepath.Dir(name)]
	if !ok {
		return nil, "", &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return d, filepath.Base(name), nil
}

// OpenFile implements FS.
func (c *CrashFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.aliveLocked("open", name); err != nil {
		return nil, err
	}
	d, base, err := c.dirOf(name)
	if err != nil {
		return nil, err
	}
	n, ok := d.live[base]
	switch {
	case ok && flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrExist}
	case !ok && flag&os.O_CREATE == 0:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case !ok:
		n = &crashNode{prefix: true, mtime: time.Now()}
		d.live[base] = n
	}
	if flag&os.O_TRUNC != 0 {
		c.truncateLocked(n, 0)
	}
	return &crashFile{fs: c, node: n, name: filepath.Clean(name), gen: c.gen, flag: flag}, nil
}

// Remove implements FS.
func (c *CrashFS) Remove(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.aliveLocked("remove", name); err != nil {
		return err
	}
	d, base, err := c.dirOf(name)
	if err != nil {
		return err
	}
	n, ok := d.live[base]
	if !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(d.live, base)
	c.used -= int64(len(n.data))
	return nil
}

// MkdirAll implements FS. Directories are durable at once.
func (c *CrashFS) MkdirAll(dir string, perm os.FileMode) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.aliveLocked("mkdir", dir); err != nil {
		return err
	}
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if _, ok := c.dirs[p]; !ok {
			c.dirs[p] = &crashDir{live: map[string]*crashNode{}, durable: map[string]*crashNode{}}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// ReadDir implements FS. It lists files only, sorted by name.
func (c *CrashFS) ReadDir(dir string) ([]os.DirEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.aliveLocked("readdir", dir); err != nil {
		return nil, err
	}
	d, ok := c.dirs[filepath.Clean(dir)]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist}
	}
	out := make([]os.DirEntry, 0, len(d.live))
	for name, n := range d.live {
		out = append(out, fs.FileInfoToDirEntry(crashInfo{name: name, size: int64(len(n.data)), mtime: n.mtime}))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// SyncDir implements FS: the directory's current entries become durable.
func (c *CrashFS) SyncDir(dir string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.aliveLocked("sync", dir); err != nil {
		return err
	}
	if c.syncErr != nil {
		return fmt.Errorf("sync directory %s: %w", dir, c.syncErr)
	}
	d, ok := c.dirs[filepath.Clean(dir)]
	if !ok {
		return &fs.PathError{Op: "sync", Path: dir, Err: fs.ErrNotExist}
	}
	d.durable = make(map[string]*crashNode, len(d.live))
	for name, n := range d.live {
		d.durable[name] = n
	}
	return nil
}

func (c *CrashFS) truncateLocked(n *crashNode, size int64) {
	if size < int64(len(n.synced)) {
		n.prefix = false
	}
	c.used += size - int64(len(n.data))
	if size <= int64(len(n.data)) {
		n.data = n.data[:size]
	} else {
		n.data = append(n.data, make([]byte, size-int64(len(n.data)))...)
	}
}

type crashFile struct {
	fs     *CrashFS
	node   *crashNode
	name   string
	gen    int
	flag   int
	pos    int64 // write position without O_APPEND
	closed bool
}

// check returns why f cannot be used, if it cannot. Must hold fs.mu.
func (f *crashFile) checkLocked(op string) error {
	switch {
	case f.closed:
		return &fs.PathError{Op: op, Path: f.name, Err: fs.ErrClosed}
	case f.gen != f.fs.crashDisk.gen:
		return &fs.PathError{Op: op, Path: f.name, Err: ErrCrashed}
	}
	return nil
}

func (f *crashFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.checkLocked("read"); err != nil {
		return 0, err
	}
	if f.fs.readErr != nil {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: f.fs.readErr}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrInvalid}
	}
	if off >= int64(len(f.node.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.node.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *crashFile) Write(p []byte) (int, error) {
	c := f.fs
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := f.checkLocked("write"); err != nil {
		return 0, err
	}
	if f.flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: fs.ErrPermission}
	}
	if c.writeErr != nil {
		return 0, &fs.PathError{Op: "write", Path: f.name, Err: c.writeErr}
	}
	n := f.node
	at := f.pos
	if f.flag&os.O_APPEND != 0 {
		at = int64(len(n.data))
	}
	end := at + int64(len(p))
	var err error
	if c.capacity > 0 {
		if grow := end - int64(len(n.data)); grow > 0 && c.used+grow > c.capacity {
			fit := max(0, int64(len(n.data))+c.capacity-c.used-at)
			p = p[:min(int64(len(p)), fit)]
			end = at + int64(len(p))
			err = &fs.PathError{Op: "write", Path: f.name, Err: syscall.ENOSPC}
		}
	}
	if end > int64(len(n.data)) {
		c.truncateLocked(n, end)
	}
	if at < int64(len(n.synced)) {
		n.prefix = false // an overwrite of synced bytes
	}
	copy(n.data[at:], p)
	n.mtime = time.Now()
	f.pos = end
	return len(p), err
}

func (f *crashFile) Sync() error {
	c := f.fs
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := f.checkLocked("sync"); err != nil {
		return err
	}
	if c.syncErr != nil {
		return &fs.PathError{Op: "sync", Path: f.name, Err: c.syncErr}
	}
	n := f.node
	if n.prefix {
		n.synced = append(n.synced, n.data[len(n.synced):]...)
	} else {
		n.synced = append([]byte(nil), n.data...)
		n.prefix = true
	}
	return nil
}

func (f *crashFile) Truncate(size int64) error {
	c := f.fs
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := f.checkLocked("truncate"); err != nil {
		return err
	}
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: f.name, Err: fs.ErrInvalid}
	}
	c.truncateLocked(f.node, size)
	return nil
}

func (f *crashFile) Stat() (os.FileInfo, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.checkLocked("stat"); err != nil {
		return nil, err
	}
	return crashInfo{name: filepath.Base(f.name), size: int64(len(f.node.data)), mtime: f.node.mtime}, nil
}

func (f *crashFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	f.closed = true
	return nil
}

type crashInfo struct {
	name  string
	size  int64
	mtime time.Time
}

func (i crashInfo) Name() string       { return i.name }
func (i crashInfo) Size() int64        { return i.size }
func (i crashInfo) Mode() fs.FileMode  { return 0o644 }
func (i crashInfo) ModTime() time.Time { return i.mtime }
func (i crashInfo) IsDir() bool        { return false }
func (i crashInfo) Sys() any           { return nil }

var _ FS = (*CrashFS)(nil)
