package lake

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// tempFile is a data file being written in tmp/. Its owner either places
// it (rename into its final path) or discards it.
type tempFile struct {
	f    *os.File
	path string
}

func (s *lakeState) createTemp(prefix string) (*tempFile, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, tmpDir), prefix+"-*")
	if err != nil {
		return nil, fmt.Errorf("lake: create temp file: %w", err)
	}
	return &tempFile{f: f, path: f.Name()}, nil
}

// discard closes and removes the temp file; safe after place (then the
// removal finds nothing) and to call twice.
func (t *tempFile) discard() {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
	if t.path != "" {
		os.Remove(t.path)
		t.path = ""
	}
}

// finish fsyncs (unless noSync) and closes the temp file.
func (t *tempFile) finish(noSync bool) error {
	if !noSync {
		if err := t.f.Sync(); err != nil {
			return fmt.Errorf("lake: fsync %s: %w", t.path, err)
		}
	}
	err := t.f.Close()
	t.f = nil
	if err != nil {
		return fmt.Errorf("lake: close %s: %w", t.path, err)
	}
	return nil
}

// writeBody streams body into a new temp file through the hashers of algs
// (MD5 always) with a pooled buffer, honouring ctx between reads, then
// fsyncs it and closes it. On error nothing is left behind. With seal set
// the file holds the body sealed (encryption.go); the digests are of the
// plaintext.
func (s *lakeState) writeBody(ctx context.Context, body io.Reader, algs []string, seal cipher.AEAD) (*tempFile, Digests, error) {
	hs, err := newHashSet(algs)
	if err != nil {
		return nil, Digests{}, err
	}
	t, err := s.createTemp("put")
	if err != nil {
		return nil, Digests{}, err
	}
	var w io.Writer = t.f
	var sw *sealWriter
	if seal != nil {
		sw = newSealWriter(t.f, seal)
		w = sw
	}
	// A body that fits one chunk is hashed inline; a longer one through a
	// hashPipe, so hashing overlaps reading and writing.
	var pipe *hashPipe
	bp := chunkPool.Get().(*[]byte) // held by this loop; nil once submitted
	defer func() {
		if pipe != nil {
			pipe.close(bp)
		} else {
			chunkPool.Put(bp)
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			t.discard()
			return nil, Digests{}, fmt.Errorf("lake: write aborted: %w", err)
		}
		n, rerr := fill(body, *bp)
		if n > 0 {
			if _, err := w.Write((*bp)[:n]); err != nil {
				t.discard()
				return nil, Digests{}, fmt.Errorf("lake: write %s: %w", t.path, err)
			}
		}
		if pipe == nil && rerr == io.EOF {
			hs.Write((*bp)[:n])
			break
		}
		if pipe == nil {
			pipe = newHashPipe(hs)
			pipe.owned = 1 // first
		}
		pipe.submit(bp, n)
		bp = nil
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			t.discard()
			return nil, Digests{}, fmt.Errorf("lake: read body: %w", rerr)
		}
		bp = pipe.buffer()
	}
	if pipe != nil {
		pipe.close(nil)
	}
	if sw != nil {
		if err := sw.Close(); err != nil {
			t.discard()
			return nil, Digests{}, fmt.Errorf("lake: write %s: %w", t.path, err)
		}
	}
	if err := t.finish(s.cfg.NoSync); err != nil {
		t.discard()
		return nil, Digests{}, err
	}
	return t, hs.digests(), nil
}

// fill reads into buf until it is full or r fails. Unlike io.ReadFull it
// passes r's error through unchanged: a body that ends early with
// io.ErrUnexpectedEOF (an HTTP body shorter than its Content-Length) must
// fail the write, not end it.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// place renames the finished temp file to rel (relative to Config.Dir),
// creating missing parent directories, and fsyncs every directory whose
// entries changed: the file's own directory and the parent of each one
// created. A concurrent removal of an emptied directory (DeleteObject
// prunes them) can race with the rename; then the directories are made
// again.
func (s *lakeState) place(t *tempFile, rel string) error {
	dst := s.abs(rel)
	dir := filepath.Dir(dst)
	var synced []string
	for attempt := 0; ; attempt++ {
		err := os.Rename(t.path, dst)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || attempt >= 8 {
			return fmt.Errorf("lake: place %s: %w", rel, err)
		}
		created, err := s.mkdirs(dir)
		if err != nil {
			return err
		}
		synced = append(synced, created...)
	}
	t.path = ""
	if s.cfg.NoSync {
		return nil
	}
	synced = append(synced, dir)
	done := make(map[string]bool, len(synced))
	for _, d := range synced {
		if done[d] {
			continue
		}
		done[d] = true
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// mkdirs creates dir and its missing parents inside s.dir, returning the
// directories whose entries changed (the parent of each created one).
func (s *lakeState) mkdirs(dir string) ([]string, error) {
	err := os.Mkdir(dir, 0o755)
	switch {
	case err == nil:
		return []string{filepath.Dir(dir)}, nil
	case errors.Is(err, fs.ErrExist):
		return nil, nil
	case errors.Is(err, fs.ErrNotExist) && len(dir) > len(s.dir):
		changed, err := s.mkdirs(filepath.Dir(dir))
		if err != nil {
			return nil, err
		}
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lake: mkdir: %w", err)
		}
		return append(changed, filepath.Dir(dir)), nil
	}
	return nil, fmt.Errorf("lake: mkdir: %w", err)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("lake: fsync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("lake: fsync dir %s: %w", dir, err)
	}
	return nil
}

// removeData removes a data file that the index no longer names, then
// the directories that leaves empty, up to (not including) stop. Errors
// are ignored: a file left behind is garbage Open removes.
func (s *lakeState) removeData(rel, stop string) {
	if rel == "" {
		return
	}
	p := s.abs(rel)
	if err := os.Remove(p); err != nil {
		return
	}
	stopAbs := s.abs(stop)
	for d := filepath.Dir(p); len(d) > len(stopAbs); d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			return
		}
	}
}

// copyRange copies n bytes of src from off into a new temp file (the
// kernel's copy_file_range when it can: io.Copy between *os.File), fsyncs
// it and closes it. When hs is not nil the bytes pass through it instead.
func (s *lakeState) copyRange(ctx context.Context, src *os.File, off, n int64, hs io.Writer) (*tempFile, error) {
	t, err := s.createTemp("copy")
	if err != nil {
		return nil, err
	}
	if err := appendRange(ctx, t.f, src, off, n, hs); err != nil {
		t.discard()
		return nil, err
	}
	if err := t.finish(s.cfg.NoSync); err != nil {
		t.discard()
		return nil, err
	}
	return t, nil
}

// copyPlain copies n plaintext bytes of src from off into a new temp file
// through hs (when not nil), sealing them when seal is set; it is the copy
// path when either side is encrypted.
func (s *lakeState) copyPlain(ctx context.Context, src io.ReaderAt, off, n int64, hs io.Writer, seal cipher.AEAD) (*tempFile, error) {
	t, err := s.createTemp("copy")
	if err != nil {
		return nil, err
	}
	var w io.Writer = t.f
	var sw *sealWriter
	if seal != nil {
		sw = newSealWriter(t.f, seal)
		w = sw
	}
	if hs != nil {
		w = io.MultiWriter(w, hs)
	}
	bp := bufPool.Get().(*[]byte)
	copied, err := io.CopyBuffer(w, ctxReader{ctx, io.NewSectionReader(src, off, n)}, *bp)
	bufPool.Put(bp)
	if err == nil && copied != n {
		err = fmt.Errorf("%d of %d bytes: %w", copied, n, io.ErrUnexpectedEOF)
	}
	if err == nil && sw != nil {
		err = sw.Close()
	}
	if err != nil {
		t.discard()
		return nil, fmt.Errorf("lake: copy: %w", err)
	}
	if err := t.finish(s.cfg.NoSync); err != nil {
		t.discard()
		return nil, err
	}
	return t, nil
}

// appendRange appends n bytes of src at off to dst. Without hashing it
// lets the kernel copy (copy_file_range); with hashing it streams through
// a pooled buffer.
func appendRange(ctx context.Context, dst, src *os.File, off, n int64, hs io.Writer) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("lake: copy aborted: %w", err)
	}
	r := io.NewSectionReader(src, off, n)
	var copied int64
	var err error
	if hs == nil {
		// *os.File.ReadFrom uses copy_file_range when the source is an
		// *os.File or a LimitedReader of one; a SectionReader is neither,
		// so seek and limit instead.
		if _, err = src.Seek(off, io.SeekStart); err == nil {
			copied, err = dst.ReadFrom(&io.LimitedReader{R: src, N: n})
		}
	} else {
		bp := bufPool.Get().(*[]byte)
		copied, err = io.CopyBuffer(io.MultiWriter(dst, hs), ctxReader{ctx, r}, *bp)
		bufPool.Put(bp)
	}
	if err != nil {
		return fmt.Errorf("lake: copy: %w", err)
	}
	if copied != n {
		return fmt.Errorf("lake: copy: %d of %d bytes: %w", copied, n, io.ErrUnexpectedEOF)
	}
	return nil
}

// ctxReader fails reads once ctx is done, so a long hashed copy stops
// when its request does.
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
