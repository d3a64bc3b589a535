package e2e

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The `caudal lake` tests run the binary's S3 client as a user does, as a
// process against a server process, and check what it did through the Go
// SDK and the bytes of the files it wrote. The README's S3 examples (AWS
// CLI, boto3, caudal lake) run here as written.

// lakeCLITimeout bounds one `caudal lake` run.
const lakeCLITimeout = 60 * time.Second

// lakeCLI runs `caudal lake …` in dir against s.
type lakeCLI struct {
	t   *testing.T
	s   *Server
	dir string
	env []string
}

func newLakeCLI(t *testing.T, s *Server) *lakeCLI {
	return &lakeCLI{t: t, s: s, dir: t.TempDir(), env: s.Env()}
}

// run runs `caudal --endpoint E lake args…` with stdin and returns its
// output and exit code.
func (l *lakeCLI) run(stdin string, args ...string) (stdout, stderr string, code int) {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lakeCLITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, caudalBinary, append([]string{"--endpoint", l.s.Endpoint(), "lake"}, args...)...)
	cmd.Dir, cmd.Env = l.dir, l.env
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		l.t.Fatalf("caudal lake %s: timed out after %v\nstderr: %s", strings.Join(args, " "), lakeCLITimeout, e.String())
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		l.t.Fatalf("caudal lake %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// ok runs a command that must succeed and returns its stdout.
func (l *lakeCLI) ok(args ...string) string {
	l.t.Helper()
	out, errOut, code := l.run("", args...)
	if code != 0 {
		l.t.Fatalf("caudal lake %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// fails runs a command that must exit with code and print want on stderr.
func (l *lakeCLI) fails(code int, want string, args ...string) {
	l.t.Helper()
	out, errOut, got := l.run("", args...)
	if got != code || !strings.Contains(errOut, want) {
		l.t.Errorf("caudal lake %s: exit %d, stderr %q; want exit %d and %q\nstdout: %s", strings.Join(args, " "), got, errOut, code, want, out)
	}
}

// writeTree writes files (slash-separated relative path → content) under
// dir.
func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree reads every regular file under dir (slash-separated relative
// path → content).
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return files
}

// sameTree fails unless got has exactly want's files with the same bytes.
func sameTree(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	for name, b := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: %s is missing", what, name)
		case !bytes.Equal(g, b):
			t.Errorf("%s: %s has %d bytes that differ from the %d written", what, name, len(g), len(b))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: unexpected file %s", what, name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestE2ELakeCLI drives every lake command against one server: buckets,
// single and recursive copies both ways (one file large enough for a
// multipart upload and ranged downloads), listings, lake-to-lake copies,
// stdin and stdout, deletes. Files are compared byte for byte.
func TestE2ELakeCLI(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	l := newLakeCLI(t, s)

	if out := l.ok("ls"); !strings.Contains(out, "no buckets") {
		t.Errorf("ls with no buckets = %q", out)
	}
	if out := l.ok("mb", "s3://cli"); out != "made bucket s3://cli\n" {
		t.Errorf("mb = %q", out)
	}
	if out := l.ok("ls"); !strings.HasPrefix(out, "NAME") || !strings.Contains(out, "\ncli ") {
		t.Errorf("ls of buckets = %q, want a table with cli", out)
	}

	big := randomBytes(7, 11<<20+12345) // 3 parts of 5 MiB
	tree := map[string][]byte{
		"a.txt":                []byte("hello, lake\n"),
		"empty.bin":            {},
		"sub/b.json":           []byte(`{"k": 1}`),
		"sub/deeper/c.csv":     []byte("id,n\n1,2\n"),
		"ünïcode ñame & co.md": []byte("# ü\n"),
		"blobs/big.bin":        big,
	}
	src := filepath.Join(l.dir, "src")
	writeTree(t, src, tree)

	// One file; a key ending in '/' gets the file's name.
	out := l.ok("cp", "src/a.txt", "s3://cli/")
	if !strings.Contains(out, "upload: src/a.txt to s3://cli/a.txt\n") || !strings.Contains(out, "copied 1 file, 12 B in ") {
		t.Errorf("cp of one file printed %q", out)
	}
	// Multipart: 11 MiB in 5 MiB parts, 2 at a time.
	l.ok("cp", "--part-size", "5MiB", "--concurrency", "2", "src/blobs/big.bin", "s3://cli/blobs/big.bin")
	head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("cli"), Key: aws.String("blobs/big.bin")})
	if err != nil {
		t.Fatalf("HeadObject of the uploaded big file: %v", err)
	}
	if got, want := aws.ToString(head.ETag), multipartETag(big, 5<<20); got != want {
		t.Errorf("big file ETag = %s, want the multipart ETag %s (3 parts)", got, want)
	}

	// A directory, recursively; the sibling key must survive rm -r tree.
	mustPut(t, c, "cli", "tree-sibling.txt", []byte("keep me"))
	out = l.ok("cp", "-r", "src", "s3://cli/tree")
	if !strings.Contains(out, "copied 6 files, 11.0 MiB in ") || strings.Count(out, "upload: ") != 6 {
		t.Errorf("cp -r up printed %q", out)
	}
	keys := listAllKeys(t, c, "cli", "tree/")
	var wantKeys []string
	for name, b := range tree {
		wantKeys = append(wantKeys, "tree/"+name)
		if keys["tree/"+name] != int64(len(b)) {
			t.Errorf("tree/%s: size %d in the lake, want %d", name, keys["tree/"+name], len(b))
		}
	}
	sort.Strings(wantKeys)
	if got := sortedKeys(keys); strings.Join(got, "|") != strings.Join(wantKeys, "|") {
		t.Errorf("keys after cp -r = %q, want %q", got, wantKeys)
	}
	ct, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("cli"), Key: aws.String("tree/sub/b.json")})
	if err != nil || aws.ToString(ct.ContentType) != "application/json" {
		t.Errorf("Content-Type of a .json upload = %q, %v; want application/json", aws.ToString(ct.ContentType), err)
	}

	// Listings in aws s3 ls columns.
	out = l.ok("ls", "s3://cli/")
	for _, want := range []string{"                           PRE blobs/\n", "                           PRE tree/\n", "         12 a.txt\n", "          7 tree-sibling.txt\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("ls s3://cli/ lacks %q:\n%s", want, out)
		}
	}
	out = l.ok("ls", "s3://cli/tree/sub/")
	if !strings.Contains(out, "PRE deeper/\n") || !strings.Contains(out, "          8 b.json\n") || strings.Contains(out, "c.csv") {
		t.Errorf("ls s3://cli/tree/sub/ =\n%s", out)
	}
	// Without the slash, "tree" is a plain prefix, as in aws s3 ls.
	if out = l.ok("ls", "s3://cli/tree"); !strings.HasPrefix(out, "                           PRE tree/\n") ||
		!strings.HasSuffix(out, "          7 tree-sibling.txt\n") || strings.Count(out, "\n") != 2 {
		t.Errorf("ls s3://cli/tree (no slash) = %q, want PRE tree/ and tree-sibling.txt", out)
	}
	out = l.ok("ls", "-r", "--human", "s3://cli/tree/")
	if strings.Count(out, "\n") != 6 || !strings.Contains(out, "   11.0 MiB tree/blobs/big.bin\n") || !strings.Contains(out, "        0 B tree/empty.bin\n") {
		t.Errorf("ls -r --human =\n%s", out)
	}

	out = l.ok("ls", "-r", "--summarize", "s3://cli/tree/sub")
	if !strings.HasSuffix(out, "\nTotal Objects: 2\n   Total Size: 17\n") {
		t.Errorf("ls -r --summarize =\n%s", out)
	}

	// Down again: one file into a directory, a prefix recursively.
	l.ok("cp", "s3://cli/blobs/big.bin", "down/")
	if got, err := os.ReadFile(filepath.Join(l.dir, "down", "big.bin")); err != nil || !bytes.Equal(got, big) {
		t.Errorf("downloaded big.bin: %d bytes, %v; want the %d uploaded", len(got), err, len(big))
	}
	out = l.ok("cp", "-r", "--part-size", "5MiB", "s3://cli/tree", "restored")
	if !strings.Contains(out, "copied 6 files, 11.0 MiB in ") {
		t.Errorf("cp -r down printed %q", out)
	}
	sameTree(t, "cp -r s3://cli/tree restored", readTree(t, filepath.Join(l.dir, "restored")), tree)
	if st, err := os.Stat(filepath.Join(l.dir, "restored", "a.txt")); err != nil || st.ModTime().Before(time.Now().Add(-time.Hour)) || st.Mode().Perm()&0o044 == 0 {
		t.Errorf("restored file: %v, %v; want the object's recent time and a readable mode", st, err)
	}

	// stdin and stdout.
	if _, errOut, code := l.run("from stdin\n", "cp", "-", "s3://cli/piped.txt"); code != 0 {
		t.Fatalf("cp - s3://cli/piped.txt: exit %d: %s", code, errOut)
	}
	if out = l.ok("cp", "s3://cli/piped.txt", "-"); out != "from stdin\n" {
		t.Errorf("cp s3://cli/piped.txt - = %q", out)
	}

	// Within the lake.
	l.ok("cp", "s3://cli/a.txt", "s3://cli/copies/")
	l.ok("cp", "-r", "s3://cli/tree/sub", "s3://cli/copies/sub")
	if got := sortedKeys(listAllKeys(t, c, "cli", "copies/")); strings.Join(got, " ") != "copies/a.txt copies/sub/b.json copies/sub/deeper/c.csv" {
		t.Errorf("keys after lake-to-lake copies = %q", got)
	}
	if b, _, err := getBytes(ctxT(t), c, "cli", "copies/sub/deeper/c.csv"); err != nil || !bytes.Equal(b, tree["sub/deeper/c.csv"]) {
		t.Errorf("copied object = %q, %v", b, err)
	}

	// Deletes.
	if out = l.ok("rm", "s3://cli/a.txt"); out != "deleted s3://cli/a.txt\n" {
		t.Errorf("rm = %q", out)
	}
	if _, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("cli"), Key: aws.String("a.txt")}); err == nil {
		t.Errorf("a.txt still exists after rm")
	}
	if out = l.ok("rm", "-r", "s3://cli/tree"); out != "deleted 6 objects under s3://cli/tree/\n" {
		t.Errorf("rm -r = %q", out)
	}
	if got := listAllKeys(t, c, "cli", "tree"); len(got) != 1 || got["tree-sibling.txt"] != 7 {
		t.Errorf("after rm -r s3://cli/tree: %v, want only tree-sibling.txt (rm -r takes the prefix as a directory)", got)
	}
	l.fails(1, "bucket cli is not empty (delete it with everything in it: caudal lake rb --force s3://cli)", "rb", "s3://cli")
	if out = l.ok("rb", "--force", "s3://cli"); !strings.HasSuffix(out, "removed bucket s3://cli\n") {
		t.Errorf("rb --force = %q", out)
	}
	if out := l.ok("ls"); !strings.Contains(out, "no buckets") {
		t.Errorf("ls after rb = %q", out)
	}
}

// TestE2ELakeCLIManyFilesAndHostileKeys copies more files than a listing
// page holds (1,000) both ways and through rm -r's batches, and checks
// that keys naming a parent directory are never written outside the
// target.
func TestE2ELakeCLIManyFilesAndHostileKeys(t *testing.T) {
	s := startServer(t)
	c := s.S3Client(t)
	l := newLakeCLI(t, s)
	l.ok("mb", "s3://many")
	files := map[string][]byte{}
	for i := range 1010 {
		files[filepath.ToSlash(filepath.Join("d"+string(rune('a'+i%7)), "f"+strings.Repeat("x", i%3)+"-"+strconv.Itoa(i)))] = []byte(strconv.Itoa(i * i))
	}
	writeTree(t, filepath.Join(l.dir, "many"), files)
	out := l.ok("cp", "-r", "--concurrency", "8", "many", "s3://many/m/")
	if !strings.Contains(out, "copied 1010 files") {
		t.Fatalf("cp -r of 1010 files: %s", tail(out, 500))
	}
	out = l.ok("cp", "-r", "--concurrency", "8", "s3://many/m", "back")
	if !strings.Contains(out, "copied 1010 files") {
		t.Fatalf("cp -r down of 1010 objects: %s", tail(out, 500))
	}
	sameTree(t, "1010 files round trip", readTree(t, filepath.Join(l.dir, "back")), files)

	// Keys with ".." segments: the good one lands, the bad ones are
	// skipped with a warning and nothing appears outside the target.
	for _, k := range []string{"evil/ok.txt", "evil/../../escape.txt", "evil/a/../../../up.txt", "evil/..", "evil/x//y.txt"} {
		mustPut(t, c, "many", k, []byte(k))
	}
	target := filepath.Join(l.dir, "nest", "out")
	_, errOut, code := l.run("", "cp", "-r", "s3://many/evil", "nest/out")
	if code != 0 {
		t.Fatalf("cp -r of hostile keys: exit %d: %s", code, errOut)
	}
	if strings.Count(errOut, "skipping s3://many/evil/") != 3 {
		t.Errorf("want three skipped keys, stderr:\n%s", errOut)
	}
	sameTree(t, "hostile keys", readTree(t, filepath.Join(l.dir, "nest")), map[string][]byte{
		"out/ok.txt": []byte("evil/ok.txt"), "out/x/y.txt": []byte("evil/x//y.txt"),
	})
	for _, p := range []string{filepath.Join(l.dir, "escape.txt"), filepath.Join(l.dir, "up.txt"), filepath.Join(target, "..", "escape.txt")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written outside the target", p)
		}
	}

	if out = l.ok("rm", "-r", "s3://many/m/"); out != "deleted 1010 objects under s3://many/m/\n" {
		t.Errorf("rm -r of 1010 objects = %q", out)
	}
	if got := listAllKeys(t, c, "many", "m/"); len(got) != 0 {
		t.Errorf("%d objects left after rm -r", len(got))
	}
}

// TestE2ELakeCLIErrors checks that failures say what to do, with exit
// status 1 for failures and 2 for a wrong call.
func TestE2ELakeCLIErrors(t *testing.T) {
	s := startServer(t)
	l := newLakeCLI(t, s)
	writeTree(t, l.dir, map[string][]byte{"f.txt": []byte("x"), "d/g.txt": []byte("y")})

	missing := "bucket nope does not exist (create it with: caudal lake mb s3://nope)"
	l.fails(1, missing, "ls", "s3://nope")
	l.fails(1, missing, "cp", "f.txt", "s3://nope/f.txt")
	l.fails(1, missing, "cp", "s3://nope/f.txt", "f2.txt")
	l.fails(1, missing, "rm", "s3://nope/f.txt")
	l.fails(1, missing, "rb", "s3://nope")

	l.ok("mb", "s3://errs")
	l.ok("cp", "-r", "d", "s3://errs/d")
	l.fails(1, "s3://errs/missing.txt does not exist (see: caudal lake ls s3://errs/)", "cp", "s3://errs/missing.txt", "x.txt")
	l.fails(1, "s3://errs/d/missing does not exist (see: caudal lake ls s3://errs/d/)", "rm", "s3://errs/d/missing")
	l.fails(1, "s3://errs/d/nope.txt does not exist", "cp", "s3://errs/d/nope.txt", "-")
	l.fails(2, "s3://errs/d is a prefix, not an object: add --recursive", "rm", "s3://errs/d")
	l.fails(2, "names a prefix, not an object: add --recursive", "cp", "s3://errs/d/", ".")
	l.fails(2, "d is a directory: add --recursive", "cp", "d", "s3://errs/")
	l.fails(1, "cannot read missing.txt", "cp", "missing.txt", "s3://errs/")
	l.fails(1, "not a valid bucket name", "mb", "s3://Bad_Name")

	// Calls that cannot be right exit 2 with a usage message.
	l.fails(2, `"bucket/key" is not an s3:// URL`, "ls", "bucket/key")
	l.fails(2, "names no bucket", "ls", "s3:///key")
	l.fails(2, "neither", "cp", "a", "b")
	l.fails(2, "want SRC and DST", "cp", "f.txt")
	l.fails(2, "--part-size must be at least 5 MiB", "cp", "--part-size", "1MiB", "f.txt", "s3://errs/")
	l.fails(2, "unknown flag", "ls", "--bogus")

	// Nobody listening; wrong credentials.
	down := newLakeCLI(t, s)
	port := freeAddr(t)
	cmdOut, errOut, code := down.runAt("http://"+port, "ls")
	if code != 1 || !strings.Contains(errOut, "cannot reach caudal at http://"+port+" — is `caudal server` running?") {
		t.Errorf("ls with no server: exit %d, stdout %q, stderr %q", code, cmdOut, errOut)
	}
	bad := newLakeCLI(t, s)
	for i, kv := range bad.env {
		if strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") {
			bad.env[i] = "AWS_SECRET_ACCESS_KEY=wrong"
		}
	}
	bad.fails(1, "rejected the credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: SignatureDoesNotMatch", "ls")
}

// runAt is run against another endpoint.
func (l *lakeCLI) runAt(endpoint string, args ...string) (stdout, stderr string, code int) {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lakeCLITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, caudalBinary, append([]string{"--endpoint", endpoint, "lake"}, args...)...)
	cmd.Dir, cmd.Env = l.dir, l.env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		l.t.Fatalf("caudal lake %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// TestE2ELakeCLIProgressOnTerminal runs cp under a pseudo-terminal
// (script(1)) and checks the progress line is drawn there, and that a
// pipe gets plain lines only.
func TestE2ELakeCLIProgressOnTerminal(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script(1) not found (Debian package bsdutils): %v", err)
	}
	s := startServer(t)
	l := newLakeCLI(t, s)
	l.ok("mb", "s3://tty")
	writeTree(t, l.dir, map[string][]byte{"f.bin": randomBytes(3, 6<<20)})
	ctx, cancel := context.WithTimeout(context.Background(), lakeCLITimeout)
	defer cancel()
	line := shellQuote(caudalBinary) + " --endpoint " + s.Endpoint() + " lake cp f.bin s3://tty/f.bin"
	cmd := exec.CommandContext(ctx, script, "-qec", line, "/dev/null")
	cmd.Dir, cmd.Env = l.dir, l.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cp under script(1): %v\n%q", err, out)
	}
	o := string(out)
	if !strings.Contains(o, "\r[========================] 100%  6.0 MiB / 6.0 MiB") || !strings.Contains(o, "ETA 0s") || !strings.Contains(o, "\r\033[K") {
		t.Errorf("no progress line on the terminal:\n%q", o)
	}
	if !strings.Contains(o, "upload: f.bin to s3://tty/f.bin") || !strings.Contains(o, "copied 1 file, 6.0 MiB in ") {
		t.Errorf("terminal output lacks the file and summary lines:\n%q", o)
	}
	piped := l.ok("cp", "f.bin", "s3://tty/g.bin")
	if strings.ContainsAny(piped, "\r\033") {
		t.Errorf("output to a pipe has terminal control characters: %q", piped)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// readmeS3Examples returns the README's S3 examples: the shell block of
// `aws … s3` commands, the boto3 S3 program and the `caudal lake` block.
// The Kinesis README tests take the Kinesis ones (cli_test.go,
// python_test.go); these are told apart by what they call.
func readmeS3Examples(t *testing.T) (awsBlock, boto3Block, caudalBlock string) {
	t.Helper()
	for _, b := range readmeBlocks(t, "bash", "sh", "shell", "console", "") {
		switch {
		case strings.Contains(b, "./caudal lake ") && !strings.Contains(b, "./caudal query"):
			caudalBlock = b
		case strings.Contains(b, " s3 ") && strings.Contains(b, "aws ") && !strings.Contains(b, " kinesis "):
			awsBlock = b
		}
	}
	for _, b := range readmeBlocks(t, "python", "py", "python3") {
		if strings.Contains(b, `boto3.client("s3"`) && !strings.Contains(b, `boto3.client("athena"`) && !strings.Contains(b, `boto3.client("firehose"`) {
			boto3Block = b
		}
	}
	if awsBlock == "" || boto3Block == "" || caudalBlock == "" {
		t.Fatalf("README.md lacks an S3 example: aws s3 block %t, boto3 s3 block %t, caudal lake block %t",
			awsBlock != "", boto3Block != "", caudalBlock != "")
	}
	return awsBlock, boto3Block, caudalBlock
}

// runReadmeScript runs script with bash -eo pipefail in dir after loading
// the credentials the README's way, and returns its output; a failure
// fails the test with the script as run.
func runReadmeScript(t *testing.T, dir string, env []string, load, script string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-eo", "pipefail", "-c", load+"\n"+script)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README example failed (%v):\n%s\n--- as run ---\n%s", err, out, script)
	}
	return string(out)
}

// withOnPath returns env with a directory holding name → target first on
// PATH.
func withOnPath(t *testing.T, env []string, name, target string) []string {
	t.Helper()
	bin := t.TempDir()
	if err := os.Symlink(target, filepath.Join(bin, name)); err != nil {
		t.Fatalf("symlink %s: %v", name, err)
	}
	out := append([]string(nil), env...)
	for i, kv := range out {
		if strings.HasPrefix(kv, "PATH=") {
			out[i] = "PATH=" + bin + string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
		}
	}
	return out
}

// TestE2ELakeReadmeExamples runs the README's S3 examples as written, each
// on a fresh server from a fresh directory: the AWS CLI block with both CLI
// generations as `aws`, the boto3 program with both boto3 generations,
// and the `caudal lake` block with the built binary as ./caudal.
func TestE2ELakeReadmeExamples(t *testing.T) {
	awsBlock, boto3Block, caudalBlock := readmeS3Examples(t)
	for _, g := range cliGens(t) {
		t.Run("aws-"+g.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			dir, env, load := readmeShell(t, s)
			env = append(withOnPath(t, env, "aws", g.aws), "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard")
			out := runReadmeScript(t, dir, env, load, localizeExample(awsBlock, s))
			for _, want := range []string{"make_bucket: lake", "upload: site/css/main.css to s3://lake/site/css/main.css", " raw/2026/events.csv\n",
				" site/css/main.css\n", "remove_bucket: lake"} {
				if !strings.Contains(out, want) {
					t.Errorf("README AWS CLI example output lacks %q:\n%s", want, out)
				}
			}
			if b, err := os.ReadFile(filepath.Join(dir, "events-copy.csv")); err != nil || string(b) != "id,kind\n1,click\n" {
				t.Errorf("README AWS CLI example downloaded %q, %v", b, err)
			}
		})
	}
	for _, g := range pythonGens(t) {
		t.Run("boto3-"+g.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			dir, env, load := readmeShell(t, s)
			code := localizeExample(boto3Block, s)
			if code == boto3Block {
				t.Fatalf("README boto3 S3 example does not use the default endpoint http://127.0.0.1:4566")
			}
			if err := os.WriteFile(filepath.Join(dir, "example.py"), []byte(code), 0o644); err != nil {
				t.Fatal(err)
			}
			out := runReadmeScript(t, dir, env, load, g.python+" example.py")
			if !strings.Contains(out, "downloaded the same bytes") || !strings.Contains(out, "2026/holiday.jpg 10240003 ") {
				t.Errorf("README boto3 S3 example output:\n%s", out)
			}
			// Above the multipart threshold (8 MB): the ETag has a part count.
			if !regexp.MustCompile(`"[0-9a-f]{32}-2"`).MatchString(out) {
				t.Errorf("README boto3 S3 example did not upload in parts:\n%s", out)
			}
		})
	}
	t.Run("caudal", func(t *testing.T) {
		t.Parallel()
		s := startServer(t)
		dir, env, load := readmeShell(t, s)
		if err := os.Symlink(caudalBinary, filepath.Join(dir, "caudal")); err != nil {
			t.Fatal(err)
		}
		out := runReadmeScript(t, dir, env, load, localizeExample(caudalBlock, s))
		for _, want := range []string{"made bucket s3://demo", "upload: numbers.txt to s3://demo/raw/numbers.txt",
			"PRE reports/", "copied 2 files", "q1\n", "deleted 2 objects under s3://demo/reports/", "removed bucket s3://demo"} {
			if !strings.Contains(out, want) {
				t.Errorf("README caudal lake example output lacks %q:\n%s", want, out)
			}
		}
		orig, err1 := os.ReadFile(filepath.Join(dir, "numbers.txt"))
		back, err2 := os.ReadFile(filepath.Join(dir, "numbers-copy.txt"))
		if err1 != nil || err2 != nil || len(orig) == 0 || !bytes.Equal(orig, back) {
			t.Errorf("README caudal lake example: numbers-copy.txt differs from numbers.txt (%v, %v)", err1, err2)
		}
		sameTree(t, "README restored/", readTree(t, filepath.Join(dir, "restored")),
			map[string][]byte{"2026/q1.txt": []byte("q1\n"), "2026/q2.txt": []byte("q2\n")})
	})
}
