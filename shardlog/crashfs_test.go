package shardlog

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
)

func readAllFS(t *testing.T, c *CrashFS, name string) []byte {
	t.Helper()
	f, err := c.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	b := make([]byte, fi.Size())
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return b
}

func TestCrashFSSemantics(t *testing.T) {
	c := NewCrashFS()
	if err := c.MkdirAll("/a/b", 0o755); err != nil {
		t.Fatal(err)
	}
	mk := func(c *CrashFS, name, data string, sync, syncDir bool) File {
		f, err := c.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(data))
		if sync {
			f.Sync()
		}
		if syncDir {
			c.SyncDir("/a/b")
		}
		return f
	}
	mk(c, "/a/b/durable", "hello", true, true)
	f := mk(c, "/a/b/tail", "synced", true, true)
	f.Write([]byte("-unsynced"))
	mk(c, "/a/b/nodirsync", "x", true, false) // file synced, entry not
	old := c
	c = c.Crash()

	if got := string(readAllFS(t, c, "/a/b/durable")); got != "hello" {
		t.Fatalf("durable file = %q", got)
	}
	if got := string(readAllFS(t, c, "/a/b/tail")); got != "synced" {
		t.Fatalf("unsynced tail survived: %q", got)
	}
	if _, err := c.OpenFile("/a/b/nodirsync", os.O_RDONLY, 0); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file without a synced directory entry survived: %v", err)
	}
	// The crashed process can do nothing any more.
	if _, err := f.Write([]byte("late")); !errors.Is(err, ErrCrashed) {
		t.Fatalf("write through a pre-crash file = %v", err)
	}
	if err := old.SyncDir("/a/b"); !errors.Is(err, ErrCrashed) {
		t.Fatalf("SyncDir through the crashed FS = %v", err)
	}

	// Removal is durable only with a directory sync.
	if err := c.Remove("/a/b/durable"); err != nil {
		t.Fatal(err)
	}
	c = c.Crash()
	if got := string(readAllFS(t, c, "/a/b/durable")); got != "hello" {
		t.Fatalf("un-synced removal was durable: %q", got)
	}
	c.Remove("/a/b/durable")
	c.SyncDir("/a/b")
	c = c.Crash()
	if _, err := c.OpenFile("/a/b/durable", os.O_RDONLY, 0); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("synced removal undone: %v", err)
	}

	// A torn crash keeps a prefix of the unsynced bytes.
	f = mk(c, "/a/b/torn", "base", true, true)
	f.Write([]byte("0123456789"))
	c = c.CrashTorn(rand.New(rand.NewPCG(1, 2)))
	got := string(readAllFS(t, c, "/a/b/torn"))
	if len(got) < 4 || got != "base0123456789"[:len(got)] {
		t.Fatalf("torn crash left %q", got)
	}

	// Faults.
	f = mk(c, "/a/b/f", "", true, true)
	boom := errors.New("boom")
	c.FailWrites(boom)
	if _, err := f.Write([]byte("x")); !errors.Is(err, boom) {
		t.Fatalf("FailWrites: %v", err)
	}
	c.FailWrites(nil)
	c.FailSyncs(boom)
	if err := f.Sync(); !errors.Is(err, boom) {
		t.Fatalf("FailSyncs: %v", err)
	}
	if err := c.SyncDir("/a/b"); !errors.Is(err, boom) {
		t.Fatalf("FailSyncs on SyncDir: %v", err)
	}
	c.FailSyncs(nil)
	c.SetCapacity(c.used + 3)
	n, err := f.Write([]byte("12345"))
	if n != 3 || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write on a full disk = %d, %v; want 3, ENOSPC", n, err)
	}
}
