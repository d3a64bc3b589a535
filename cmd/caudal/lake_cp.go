package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/spf13/cobra"
)

// cp moves files between the local disk and the lake (and within the
// lake) with the SDK's upload manager and downloader: objects larger than
// one part go as a multipart upload or as ranged GETs, several parts at
// once. (The manager package is deprecated in favour of
// feature/s3/transfermanager, which is not in go.mod yet; it is what most
// Go programs in the field still use, so exercising it is the point.)

type cpOptions struct {
	recursive   bool
	partSize    int64
	concurrency int
	quiet       bool
}

func newLakeCpCmd(e *env, g *globals) *cobra.Command {
	var o cpOptions
	var partSize string
	cmd := &cobra.Command{
		Use:   "cp SRC DST",
		Short: "Copy files to, from or within the lake (local ↔ s3://, s3:// → s3://)",
		Long: `Copy a file or, with --recursive, a directory between the local disk and the lake,
the way ` + "`aws s3 cp`" + ` does:

  caudal lake cp data.csv s3://lake/raw/           key raw/data.csv (a key ending in '/'
                                                   or no key gets the file's name)
  caudal lake cp data.csv s3://lake/raw/x.csv      key raw/x.csv
  caudal lake cp s3://lake/raw/x.csv .             ./x.csv
  caudal lake cp -r ./logs s3://lake/logs          every file under ./logs, keys logs/<path>
  caudal lake cp -r s3://lake/logs ./restored      every object under logs/ into ./restored
  caudal lake cp s3://lake/a.csv s3://lake/b.csv   server-side copy
  tar c dir | caudal lake cp - s3://lake/dir.tar   from stdin; "cp s3://… -" writes to stdout

Files larger than --part-size go in parts, --concurrency at a time; a recursive copy
also moves --concurrency files at once. Content-Type is guessed from the file name's
extension. Downloads go to a temporary file renamed into place when complete, with
the object's last-modified time. On a terminal a progress bar shows bytes done, rate
and time left; otherwise one line is printed per file. The last line sums up.`,
		Args: exactArgs(2, "SRC and DST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if o.partSize, err = parseSize(partSize); err != nil {
				return usageError{fmt.Errorf("--part-size: %w", err)}
			}
			if o.partSize < manager.MinUploadPartSize {
				return usageError{fmt.Errorf("--part-size must be at least 5 MiB (S3's smallest part)")}
			}
			if o.concurrency < 1 {
				return usageError{fmt.Errorf("--concurrency must be at least 1")}
			}
			plan, err := planCopy(args[0], args[1], o.recursive)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			c, err := newLakeClient(ctx, e, g)
			if err != nil {
				return err
			}
			return c.runCopy(ctx, e, plan, o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.recursive, "recursive", "r", false, "copy a directory or every object under a prefix")
	f.StringVar(&partSize, "part-size", "8MiB", "size of the parts of multipart uploads and ranged downloads (at least 5MiB)")
	f.IntVar(&o.concurrency, "concurrency", 4, "parts (and, with --recursive, files) transferred at once")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

// copyPlan is what cp was asked to do, checked before any request.
type copyPlan struct {
	kind      string // "upload", "download" or "copy"
	localSrc  string // upload: the file or directory; "-" for stdin
	localDst  string // download: the file or directory; "-" for stdout
	s3Src     s3Location
	s3Dst     s3Location
	recursive bool
}

// planCopy classifies SRC and DST, refusing what cannot work.
func planCopy(src, dst string, recursive bool) (copyPlan, error) {
	p := copyPlan{recursive: recursive}
	var err error
	switch {
	case !isS3URL(src) && !isS3URL(dst):
		return p, usageError{fmt.Errorf("neither %q nor %q is an s3:// URL: cp copies to, from or within the lake", src, dst)}
	case !isS3URL(src):
		p.kind, p.localSrc = "upload", src
		p.s3Dst, err = parseS3Arg(dst)
	case !isS3URL(dst):
		p.kind, p.localDst = "download", dst
		p.s3Src, err = parseS3Arg(src)
	default:
		p.kind = "copy"
		if p.s3Src, err = parseS3Arg(src); err == nil {
			p.s3Dst, err = parseS3Arg(dst)
		}
	}
	if err != nil {
		return p, err
	}
	if recursive && (p.localSrc == "-" || p.localDst == "-") {
		return p, usageError{fmt.Errorf("--recursive copies directories; it cannot read stdin or write stdout")}
	}
	if p.kind == "upload" && src == "" || p.kind == "download" && dst == "" {
		return p, usageError{fmt.Errorf("empty local path (use . for the current directory)")}
	}
	if !recursive && p.kind != "upload" && (p.s3Src.Key == "" || strings.HasSuffix(p.s3Src.Key, "/")) {
		return p, usageError{fmt.Errorf("%s names a prefix, not an object: add --recursive to copy everything under it", src)}
	}
	return p, nil
}

// copyJob is one file or object to transfer.
type copyJob struct {
	src, dst string // as shown to the user
	size     int64  // -1: unknown (stdin)
	run      func(ctx context.Context) error
}

// runCopy expands the plan into jobs, runs them and sums up.
func (c *lakeClient) runCopy(ctx context.Context, e *env, p copyPlan, o cpOptions) error {
	m := &meter{}
	ctx = withMeter(ctx, m)
	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize, u.Concurrency = o.partSize, o.concurrency })
	dl := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize, d.Concurrency = o.partSize, o.concurrency })

	var jobs []copyJob
	var err error
	toStdout := p.localDst == "-"
	warn := func(format string, args ...any) { fmt.Fprintf(e.stderr, "caudal: warning: "+format+"\n", args...) }
	switch p.kind {
	case "upload":
		jobs, err = c.uploadJobs(p, up, e.stdin, warn)
	case "download":
		jobs, err = c.downloadJobs(ctx, p, dl, e.stdout, warn)
	case "copy":
		jobs, err = c.copyJobs(ctx, p, m, o)
	}
	if err != nil {
		return err
	}

	d := newCopyDisplay(e.stdout, isTerminal(e.stdout), o.quiet || toStdout, m)
	var total int64
	for _, j := range jobs {
		if j.size < 0 {
			total = -1
			break
		}
		total += j.size
	}
	d.begin(total, len(jobs))
	parallel := 1
	if p.recursive {
		parallel = o.concurrency
	}
	copied, failed := runCopyJobs(ctx, jobs, parallel, func(j copyJob, err error) {
		if err == nil {
			d.fileDone(fmt.Sprintf("%s: %s to %s", p.kind, j.src, j.dst))
			return
		}
		if len(jobs) > 1 { // a single failure is the command's error
			d.fileFailed(e.stderr, fmt.Sprintf("caudal: %s failed: %s to %s: %v", p.kind, j.src, j.dst, err))
		}
	})
	d.end()
	elapsed := time.Since(d.start)
	var bytes int64
	for _, j := range copied {
		bytes += max(j.size, 0)
	}
	if total < 0 { // stdin: what went over the wire is the size
		bytes = m.n.Load()
	}
	if !o.quiet && !toStdout {
		fmt.Fprintln(e.stdout, copySummary(len(copied), bytes, elapsed))
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted after %d of %d files: %w", len(copied), len(jobs), ctx.Err())
	case len(failed) == 1 && len(jobs) == 1:
		return failed[0]
	case len(failed) > 0:
		return fmt.Errorf("%d of %d files failed to copy (see above)", len(failed), len(jobs))
	}
	return nil
}

// runCopyJobs runs jobs, parallel at a time, in order of the slice, and
// calls done (serialized) after each. It stops starting jobs when ctx is
// done.
func runCopyJobs(ctx context.Context, jobs []copyJob, parallel int, done func(copyJob, error)) (copied []copyJob, failed []error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for _, j := range jobs {
		select {
		case <-ctx.Done():
		case sem <- struct{}{}:
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := j.run(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, err)
			} else {
				copied = append(copied, j)
			}
			done(j, err)
		}()
	}
	wg.Wait()
	return copied, failed
}

// uploadKey is the key a file at rel (an OS path relative to the copied
// directory) gets under prefix: '/' separators whatever the OS.
func uploadKey(prefix, rel string) string {
	return dirPrefix(prefix) + filepath.ToSlash(rel)
}

// singleUploadKey is the key `cp FILE s3://b/KEY` writes: KEY, or when
// KEY is empty or ends in '/', KEY followed by the file's name.
func singleUploadKey(key, file string) string {
	if key == "" || strings.HasSuffix(key, "/") {
		return key + filepath.Base(file)
	}
	return key
}

func (c *lakeClient) uploadJobs(p copyPlan, up *manager.Uploader, stdin io.Reader, warn func(string, ...any)) ([]copyJob, error) {
	if p.localSrc == "-" {
		if p.s3Dst.Key == "" || strings.HasSuffix(p.s3Dst.Key, "/") {
			return nil, usageError{fmt.Errorf("copying stdin needs a full key (s3://%s/NAME), not a prefix", p.s3Dst.Bucket)}
		}
		dst := p.s3Dst
		return []copyJob{{src: "-", dst: dst.String(), size: -1, run: func(ctx context.Context) error {
			// Hide the *os.File's Seek and ReadAt: stdin is usually a
			// pipe, which the uploader must read as a stream.
			body := struct{ io.Reader }{stdin}
			_, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(dst.Bucket), Key: aws.String(dst.Key), Body: body})
			return c.explain(err, dst.Bucket)
		}}}, nil
	}
	st, err := os.Stat(p.localSrc)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", p.localSrc, err)
	}
	if !p.recursive {
		if st.IsDir() {
			return nil, usageError{fmt.Errorf("%s is a directory: add --recursive to copy it", p.localSrc)}
		}
		dst := s3Location{p.s3Dst.Bucket, singleUploadKey(p.s3Dst.Key, p.localSrc)}
		return []copyJob{c.uploadJob(up, p.localSrc, p.localSrc, st.Size(), dst)}, nil
	}
	if !st.IsDir() {
		return nil, usageError{fmt.Errorf("%s is not a directory: drop --recursive to copy one file", p.localSrc)}
	}
	// Walk the directory a symlinked root points at; inside, symlinks to
	// files are followed and symlinks to directories skipped (following
	// them could loop).
	root, err := filepath.EvalSymlinks(p.localSrc)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", p.localSrc, err)
	}
	var jobs []copyJob
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", path, err)
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		shown := filepath.Join(p.localSrc, rel)
		info, err := os.Stat(path) // follows a symlink
		switch {
		case err != nil:
			warn("skipping %s: %v", shown, err)
		case info.IsDir():
			warn("skipping %s: a symbolic link to a directory", shown)
		case !info.Mode().IsRegular():
			warn("skipping %s: not a regular file", shown)
		default:
			jobs = append(jobs, c.uploadJob(up, path, shown, info.Size(), s3Location{p.s3Dst.Bucket, uploadKey(p.s3Dst.Key, rel)}))
		}
		return nil
	})
	return jobs, err
}

func (c *lakeClient) uploadJob(up *manager.Uploader, file, shown string, size int64, dst s3Location) copyJob {
	return copyJob{src: shown, dst: dst.String(), size: size, run: func(ctx context.Context) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		// An *os.File is an io.ReaderAt: the uploader reads each part
		// straight from the file, holding no part in memory.
		in := &s3.PutObjectInput{Bucket: aws.String(dst.Bucket), Key: aws.String(dst.Key), Body: f}
		if ct := mime.TypeByExtension(filepath.Ext(file)); ct != "" {
			in.ContentType = aws.String(ct)
		}
		_, err = up.Upload(ctx, in)
		return c.explain(err, dst.Bucket)
	}}
}

// localTarget is the file `cp s3://b/KEY DST` writes: DST, or when DST is
// a directory (or ends in a separator), the key's last segment in it.
func localTarget(dst, key string) string {
	if strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, string(filepath.Separator)) {
		return filepath.Join(dst, path.Base(key))
	}
	if st, err := os.Stat(dst); err == nil && st.IsDir() {
		return filepath.Join(dst, path.Base(key))
	}
	return dst
}

// localPathFor maps the part of a key below the copied prefix to a path
// under dir, '/' being the separator. Empty and "." segments are dropped
// (S3 keys may hold "a//b"); a key with a ".." segment, or that names
// nothing, is refused: a key must never write outside dir.
func localPathFor(dir, rel string) (string, bool) {
	var segs []string
	for _, s := range strings.Split(rel, "/") {
		switch s {
		case "", ".":
			continue
		case "..":
			return "", false
		}
		segs = append(segs, s)
	}
	if len(segs) == 0 {
		return "", false
	}
	name := filepath.Join(segs...)
	if !filepath.IsLocal(name) {
		return "", false
	}
	return filepath.Join(dir, name), true
}

func (c *lakeClient) downloadJobs(ctx context.Context, p copyPlan, dl *manager.Downloader, stdout io.Writer, warn func(string, ...any)) ([]copyJob, error) {
	src := p.s3Src
	if !p.recursive {
		if p.localDst == "-" {
			return []copyJob{{src: src.String(), dst: "-", size: -1, run: func(ctx context.Context) error {
				return c.toWriter(ctx, src, stdout)
			}}}, nil
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key)})
		if err != nil {
			return nil, c.explainMissing(ctx, err, src)
		}
		target := localTarget(p.localDst, src.Key)
		return []copyJob{c.downloadJob(dl, src, aws.ToInt64(head.ContentLength), head.LastModified, target, p.localDst)}, nil
	}
	if st, err := os.Stat(p.localDst); err == nil && !st.IsDir() {
		return nil, usageError{fmt.Errorf("%s is a file: a recursive copy needs a directory to copy into", p.localDst)}
	}
	prefix := dirPrefix(src.Key)
	var jobs []copyJob
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(src.Bucket), Prefix: aws.String(prefix)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, c.explain(err, src.Bucket)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			rel := strings.TrimPrefix(key, prefix)
			target, ok := localPathFor(p.localDst, rel)
			obj := s3Location{src.Bucket, key}
			switch {
			case strings.HasSuffix(rel, "/") || rel == "":
				// A "folder" marker: an empty directory is all it can be.
				if ok {
					if err := os.MkdirAll(target, 0o777); err != nil {
						warn("cannot create %s for %s: %v", target, obj, err)
					}
				}
			case !ok:
				warn("skipping %s: its key would be written outside %s", obj, p.localDst)
			default:
				shown := filepath.Join(p.localDst, filepath.FromSlash(rel))
				jobs = append(jobs, c.downloadJob(dl, obj, aws.ToInt64(o.Size), o.LastModified, target, shown))
			}
		}
	}
	if len(jobs) == 0 {
		// Nothing to copy is not an error (as aws s3 cp), but a missing
		// directory would be a surprise after a successful copy.
		if err := os.MkdirAll(p.localDst, 0o777); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

func (c *lakeClient) downloadJob(dl *manager.Downloader, src s3Location, size int64, modified *time.Time, target, shown string) copyJob {
	if shown == "" || shown == "." || strings.HasSuffix(shown, "/") {
		shown = target
	}
	return copyJob{src: src.String(), dst: shown, size: size, run: func(ctx context.Context) error {
		return c.downloadFile(ctx, dl, src, size, modified, target)
	}}
}

// downloadFile writes the object to a temporary file next to target and
// renames it into place when it is complete, so that target is never
// half-written and an interrupted copy leaves the old file alone.
func (c *lakeClient) downloadFile(ctx context.Context, dl *manager.Downloader, src s3Location, size int64, modified *time.Time, target string) error {
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	if st, err := os.Stat(target); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", target)
	}
	tmp, err := createTemp(dir, "."+filepath.Base(target)+".caudal-")
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// An empty object needs no GET: a ranged GET of zero bytes is
	// unsatisfiable (416), which the downloader does not expect.
	if size > 0 {
		n, err := dl.Download(ctx, tmp, &s3.GetObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key)})
		if err != nil {
			if isCode(err, "NoSuchKey") {
				return fmt.Errorf("%s was deleted during the copy", src)
			}
			return c.explain(err, src.Bucket)
		}
		if n != size {
			return fmt.Errorf("%s: got %d bytes, the listing said %d (was it overwritten during the copy?)", src, n, size)
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if modified != nil {
		_ = os.Chtimes(tmp.Name(), *modified, *modified) // cosmetic; sync tools compare it
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	committed = true
	return nil
}

// createTemp is os.CreateTemp with the umask's permissions (0666 &^
// umask, as for any new file) instead of CreateTemp's 0600: the file
// becomes the user's download.
func createTemp(dir, prefix string) (*os.File, error) {
	for i := 0; ; i++ {
		name := filepath.Join(dir, fmt.Sprintf("%s%d-%d", prefix, os.Getpid(), time.Now().UnixNano()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil || !errors.Is(err, fs.ErrExist) || i > 100 {
			return f, err
		}
	}
}

// toWriter streams an object to w (cp s3://… -).
func (c *lakeClient) toWriter(ctx context.Context, src s3Location, w io.Writer) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key)})
	if err != nil {
		if isCode(err, "NoSuchKey") {
			dir := src.Key[:strings.LastIndex(src.Key, "/")+1]
			return fmt.Errorf("%s does not exist (see: caudal lake ls %s)", src, s3Location{src.Bucket, dir})
		}
		return c.explain(err, src.Bucket)
	}
	defer out.Body.Close()
	if _, err := io.Copy(w, out.Body); err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	return nil
}

func (c *lakeClient) copyJobs(ctx context.Context, p copyPlan, m *meter, opts cpOptions) ([]copyJob, error) {
	src, dst := p.s3Src, p.s3Dst
	if !p.recursive {
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key)})
		if err != nil {
			return nil, c.explainMissing(ctx, err, src)
		}
		if dst.Key == "" || strings.HasSuffix(dst.Key, "/") {
			dst.Key += path.Base(src.Key)
		}
		return []copyJob{c.copyJob(src, dst, aws.ToInt64(head.ContentLength), m, opts)}, nil
	}
	prefix := dirPrefix(src.Key)
	var jobs []copyJob
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(src.Bucket), Prefix: aws.String(prefix)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, c.explain(err, src.Bucket)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			to := s3Location{dst.Bucket, dirPrefix(dst.Key) + strings.TrimPrefix(key, prefix)}
			jobs = append(jobs, c.copyJob(s3Location{src.Bucket, key}, to, aws.ToInt64(o.Size), m, opts))
		}
	}
	return jobs, nil
}

// maxSingleCopy is the largest object one CopyObject may copy (S3's
// limit, 5 GiB); larger objects are copied in parts with UploadPartCopy.
// A variable so that tests can copy in parts without 5 GiB objects.
var maxSingleCopy int64 = 5 << 30

// copyJob copies within the lake: the bytes never leave the server, so
// progress advances by whole objects (or parts).
func (c *lakeClient) copyJob(src, dst s3Location, size int64, m *meter, o cpOptions) copyJob {
	return copyJob{src: src.String(), dst: dst.String(), size: size, run: func(ctx context.Context) error {
		var err error
		if size <= maxSingleCopy {
			_, err = c.CopyObject(ctx, &s3.CopyObjectInput{
				Bucket: aws.String(dst.Bucket), Key: aws.String(dst.Key),
				CopySource: aws.String(copySource(src)),
			})
			if err == nil {
				m.n.Add(size)
			}
		} else {
			err = c.copyInParts(ctx, src, dst, m, o)
		}
		if isCode(err, "NoSuchKey") {
			return fmt.Errorf("%s was deleted during the copy", src)
		}
		if isCode(err, "PreconditionFailed") {
			return fmt.Errorf("%s was overwritten during the copy", src)
		}
		return c.explain(err, dst.Bucket)
	}}
}

// copyInParts copies an object too large for CopyObject as a multipart
// upload of UploadPartCopy ranges, o.concurrency at a time. Each part is
// conditional on the source's ETag, so a source overwritten meanwhile
// fails the copy instead of mixing two versions. CreateMultipartUpload
// does not copy the source's headers, so they are carried over here.
func (c *lakeClient) copyInParts(ctx context.Context, src, dst s3Location, m *meter, o cpOptions) error {
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key)})
	if err != nil {
		return err
	}
	size := aws.ToInt64(head.ContentLength)
	partSize := max(o.partSize, (size+maxParts-1)/maxParts)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(dst.Bucket), Key: aws.String(dst.Key),
		ContentType: head.ContentType, ContentEncoding: head.ContentEncoding, ContentDisposition: head.ContentDisposition,
		ContentLanguage: head.ContentLanguage, CacheControl: head.CacheControl, Metadata: head.Metadata,
	})
	if err != nil {
		return err
	}
	abort := func(err error) error {
		// The copy's context may be what failed; the abort must still go.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = c.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(dst.Bucket), Key: aws.String(dst.Key), UploadId: up.UploadId})
		return err
	}
	n := int((size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, o.concurrency)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			start := int64(i) * partSize
			end := min(start+partSize, size) - 1
			out, err := c.UploadPartCopy(pctx, &s3.UploadPartCopyInput{
				Bucket: aws.String(dst.Bucket), Key: aws.String(dst.Key), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String(copySource(src)),
				CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", start, end)), CopySourceIfMatch: head.ETag,
			})
			if err == nil {
				parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.CopyPartResult.ETag}
				m.n.Add(end - start + 1)
			} else {
				cancel()
			}
			errs <- err
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return abort(first)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(dst.Bucket), Key: aws.String(dst.Key), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return abort(err)
	}
	return nil
}

// maxParts is the most parts one multipart upload may have.
const maxParts = 10000

// copySource is the x-amz-copy-source value for src: "bucket/key" with
// the key URL-encoded segment by segment (the SDK sends it as given).
func copySource(src s3Location) string {
	segs := strings.Split(src.Key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return src.Bucket + "/" + strings.Join(segs, "/")
}
