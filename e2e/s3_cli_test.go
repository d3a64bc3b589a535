package e2e

// Both AWS CLI major versions against caudal's S3 API: the high-level
// `aws s3` commands (mb, cp up and down, small and multipart, recursive,
// sync twice, ls, rm, rb) and `aws s3api` calls, with every file compared
// byte for byte and the server's state cross-checked with the Go SDK.

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// cliTree is the local directory the recursive commands copy: nested
// directories and names that need escaping.
var cliTree = map[string][]byte{
	"a.txt":               []byte("top level\n"),
	"sub/b.txt":           []byte("one level down\n"),
	"sub/deep/c.bin":      randomBytes(60, 70<<10),
	"sub/with space.txt":  []byte("a space in the name\n"),
	"ünï/日本.txt":          []byte("unicode names\n"),
	"plus+and&amp;.txt":   []byte("reserved characters\n"),
	"year=2026/part.json": []byte(`{"hive":"style"}` + "\n"),
}

func s3WriteTree(t *testing.T, dir string, files map[string][]byte) {
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

// readTree reads every regular file under dir, by slash-separated path.
func s3ReadTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return out
}

func s3SameTree(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: %q missing", what, name)
		} else if !bytes.Equal(g, w) {
			t.Errorf("%s: %q has %d bytes that differ from the %d expected", what, name, len(g), len(w))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: unexpected %q", what, name)
		}
	}
}

func s3SameFile(t *testing.T, what, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: %v", what, err)
	} else if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes that differ from the %d expected", what, len(got), len(want))
	}
}

// ok3 runs a command that must succeed and returns its stdout (the `aws
// s3` commands print text, not JSON).
func (g cliGen) ok3(t *testing.T, s *Server, args ...string) string {
	t.Helper()
	out, errOut, code := g.run(t, s, args...)
	if code != 0 {
		t.Fatalf("aws %s: exit %d\nstderr: %s\nstdout: %s", strings.Join(args, " "), code, errOut, out)
	}
	return out
}

// pipe runs a command with stdin as its input and returns its stdout; it
// must succeed.
func (g cliGen) pipe(t *testing.T, s *Server, stdin []byte, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.aws, append([]string{"--endpoint-url", s.Endpoint()}, args...)...)
	cmd.Env = cliEnv(s)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.Bytes()
}

// transferLines counts the "upload:"/"download:" lines a transfer printed.
func transferLines(out, verb string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\r") {
		for _, l := range strings.Split(l, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), verb+":") {
				lines = append(lines, strings.TrimSpace(l))
			}
		}
	}
	return lines
}

func TestE2ES3CLI(t *testing.T) {
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			// Each CLI run is a Python (v1) or bundled (v2) start-up, mostly
			// waiting: the two generations overlap well.
			t.Parallel()
			s := startServer(t)
			c := s.S3Client(t)
			dir := t.TempDir()
			const bucket = "cli-bucket"
			u := "s3://" + bucket

			if out := g.ok3(t, s, "s3", "mb", u); !strings.Contains(out, "make_bucket: "+bucket) {
				t.Errorf("s3 mb printed %q", out)
			}

			// cp of a small file and of one above the CLI's 8 MiB multipart
			// threshold, up and down.
			small, big := randomBytes(61, 1000), randomBytes(62, 9<<20+5)
			s3WriteTree(t, filepath.Join(dir, "src"), map[string][]byte{"small.txt": small, "big.bin": big})
			g.ok3(t, s, "s3", "cp", filepath.Join(dir, "src", "small.txt"), u+"/one/small.txt")
			g.ok3(t, s, "s3", "cp", filepath.Join(dir, "src", "big.bin"), u+"/one/big.bin")
			head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("one/big.bin")})
			if err != nil {
				t.Fatalf("HeadObject one/big.bin: %v", err)
			}
			if want := multipartETag(big, 8<<20); aws.ToString(head.ETag) != want {
				t.Errorf("s3 cp of 9 MiB: ETag %s, want the 2-part multipart ETag %s", aws.ToString(head.ETag), want)
			}
			g.ok3(t, s, "s3", "cp", u+"/one/big.bin", filepath.Join(dir, "down", "big.bin"))
			g.ok3(t, s, "s3", "cp", u+"/one/small.txt", filepath.Join(dir, "down", "small.txt"))
			s3SameFile(t, "s3 cp down of the 9 MiB object", filepath.Join(dir, "down", "big.bin"), big)
			s3SameFile(t, "s3 cp down of the small object", filepath.Join(dir, "down", "small.txt"), small)

			// cp from stdin (size unknown: a multipart upload of 8 MiB chunks)
			// and to stdout.
			piped := randomBytes(64, 9<<20+77)
			g.pipe(t, s, piped, "s3", "cp", "-", u+"/one/piped.bin")
			if out := g.pipe(t, s, nil, "s3", "cp", u+"/one/piped.bin", "-"); !bytes.Equal(out, piped) {
				t.Errorf("s3 cp - (stdin) then s3 cp … - (stdout): %d bytes that differ from the %d piped in", len(out), len(piped))
			}

			// cp --recursive up and down.
			tree := filepath.Join(dir, "tree")
			s3WriteTree(t, tree, cliTree)
			out := g.ok3(t, s, "s3", "cp", "--recursive", tree, u+"/tree/")
			if n := len(transferLines(out, "upload")); n != len(cliTree) {
				t.Errorf("s3 cp --recursive printed %d uploads, want %d:\n%s", n, len(cliTree), out)
			}
			keys := listAllKeys(t, c, bucket, "tree/")
			for name, b := range cliTree {
				if n, ok := keys["tree/"+name]; !ok || n != int64(len(b)) {
					t.Errorf("after s3 cp --recursive: key tree/%s has size %d (listed %v), want %d", name, n, ok, len(b))
				}
			}
			g.ok3(t, s, "s3", "cp", "--recursive", u+"/tree/", filepath.Join(dir, "tree-down"))
			s3SameTree(t, "s3 cp --recursive down", s3ReadTree(t, filepath.Join(dir, "tree-down")), cliTree)

			// sync: a second run copies nothing; a changed file alone goes.
			out = g.ok3(t, s, "s3", "sync", tree, u+"/sync/")
			if n := len(transferLines(out, "upload")); n != len(cliTree) {
				t.Errorf("first s3 sync uploaded %d files, want %d:\n%s", n, len(cliTree), out)
			}
			if out := g.ok3(t, s, "s3", "sync", tree, u+"/sync/"); strings.TrimSpace(out) != "" {
				t.Errorf("second s3 sync of an unchanged tree copied something:\n%s", out)
			}
			changed := map[string][]byte{"sub/b.txt": []byte("changed, and longer than before\n")}
			s3WriteTree(t, tree, changed)
			out = g.ok3(t, s, "s3", "sync", tree, u+"/sync/")
			if lines := transferLines(out, "upload"); len(lines) != 1 || !strings.Contains(lines[0], "sub/b.txt") {
				t.Errorf("s3 sync after changing sub/b.txt uploaded %v, want only it", lines)
			}
			want := map[string][]byte{}
			for k, v := range cliTree {
				want[k] = v
			}
			want["sub/b.txt"] = changed["sub/b.txt"]
			down := filepath.Join(dir, "sync-down")
			g.ok3(t, s, "s3", "sync", u+"/sync/", down)
			s3SameTree(t, "s3 sync down", s3ReadTree(t, down), want)

			// Server-side copy: the small object with CopyObject, the 9 MiB
			// one with a multipart upload of UploadPartCopy ranges.
			g.ok3(t, s, "s3", "cp", "--recursive", u+"/one/", u+"/copied/")
			for key, want := range map[string][]byte{"copied/small.txt": small, "copied/big.bin": big} {
				if got, _, err := getBytes(ctxT(t), c, bucket, key); err != nil || !bytes.Equal(got, want) {
					t.Errorf("after s3 cp --recursive s3→s3: %s is %d bytes (%v), want the %d of the source", key, len(got), err, len(want))
				}
			}
			if head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("copied/big.bin")}); err != nil {
				t.Errorf("HeadObject copied/big.bin: %v", err)
			} else if !strings.HasSuffix(aws.ToString(head.ETag), `-2"`) {
				t.Errorf("s3 cp s3→s3 of 9 MiB: ETag %s, want a 2-part multipart ETag (UploadPartCopy)", aws.ToString(head.ETag))
			}

			// ls: buckets, prefixes, one directory, recursive.
			if out := g.ok3(t, s, "s3", "ls"); !strings.Contains(out, " "+bucket) {
				t.Errorf("s3 ls does not list %s: %q", bucket, out)
			}
			out = g.ok3(t, s, "s3", "ls", u+"/")
			for _, p := range []string{"PRE one/", "PRE tree/", "PRE sync/"} {
				if !strings.Contains(out, p) {
					t.Errorf("s3 ls %s/ lacks %q:\n%s", u, p, out)
				}
			}
			out = g.ok3(t, s, "s3", "ls", u+"/one/")
			if !strings.Contains(out, " 1000 small.txt") || !strings.Contains(out, " 9437189 big.bin") {
				t.Errorf("s3 ls %s/one/ lacks the two files with their sizes:\n%s", u, out)
			}
			out = g.ok3(t, s, "s3", "ls", "--recursive", u+"/")
			all := listAllKeys(t, c, bucket, "")
			var lines int
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if strings.TrimSpace(l) != "" {
					lines++
				}
			}
			if lines != len(all) {
				t.Errorf("s3 ls --recursive printed %d lines, the bucket has %d keys:\n%s", lines, len(all), out)
			}
			for k := range all {
				if !strings.Contains(out, " "+k+"\n") && !strings.HasSuffix(out, " "+k) {
					t.Errorf("s3 ls --recursive lacks %q", k)
				}
			}

			testS3APICLI(t, g, s, c, bucket, dir)

			// rb refuses a non-empty bucket; rm --recursive empties it.
			if _, errOut, code := g.run(t, s, "s3", "rb", u); code == 0 || !strings.Contains(errOut, "BucketNotEmpty") {
				t.Errorf("s3 rb of a non-empty bucket: exit %d, stderr %q; want a BucketNotEmpty failure", code, errOut)
			}
			before := listAllKeys(t, c, bucket, "")
			out = g.ok3(t, s, "s3", "rm", "--recursive", u+"/")
			if n, want := len(transferLines(out, "delete")), len(before); n != want {
				t.Errorf("s3 rm --recursive printed %d deletes, want %d", n, want)
			}
			if left := listAllKeys(t, c, bucket, ""); len(left) != 0 {
				t.Errorf("after s3 rm --recursive %d keys are left: %v", len(left), left)
			}
			if out := g.ok3(t, s, "s3", "rb", u); !strings.Contains(out, "remove_bucket: "+bucket) {
				t.Errorf("s3 rb printed %q", out)
			}
			if out := g.ok3(t, s, "s3", "ls"); strings.Contains(out, bucket) {
				t.Errorf("s3 ls still lists %s after rb: %q", bucket, out)
			}
		})
	}
}

// testS3APICLI drives `aws s3api` calls on bucket.
func testS3APICLI(t *testing.T, g cliGen, s *Server, c *s3.Client, bucket, dir string) {
	body := filepath.Join(dir, "api-body.txt")
	content := []byte("0123456789abcdefghij s3api body\n")
	if err := os.WriteFile(body, content, 0o644); err != nil {
		t.Fatal(err)
	}
	put := g.ok(t, s, "s3api", "put-object", "--bucket", bucket, "--key", "api/obj.txt", "--body", body,
		"--content-type", "text/plain", "--metadata", "origin=cli,stage=raw")
	if put["ETag"] != md5ETag(content) {
		t.Errorf("s3api put-object ETag %v, want %s", put["ETag"], md5ETag(content))
	}
	head := g.ok(t, s, "s3api", "head-object", "--bucket", bucket, "--key", "api/obj.txt")
	meta, _ := head["Metadata"].(map[string]any)
	if head["ContentLength"] != float64(len(content)) || head["ContentType"] != "text/plain" || meta["origin"] != "cli" || meta["stage"] != "raw" {
		t.Errorf("s3api head-object = %v", head)
	}
	rangeOut := filepath.Join(dir, "api-range.out")
	got := g.ok(t, s, "s3api", "get-object", "--bucket", bucket, "--key", "api/obj.txt", "--range", "bytes=10-19", rangeOut)
	s3SameFile(t, "s3api get-object --range bytes=10-19", rangeOut, content[10:20])
	if got["ContentRange"] != "bytes 10-19/32" || got["ContentLength"] != float64(10) {
		t.Errorf("s3api get-object --range: ContentRange %v ContentLength %v, want bytes 10-19/32, 10", got["ContentRange"], got["ContentLength"])
	}
	g.fails(t, s, "404", "s3api", "head-object", "--bucket", bucket, "--key", "api/missing")
	g.fails(t, s, "NoSuchKey", "s3api", "get-object", "--bucket", bucket, "--key", "api/missing", filepath.Join(dir, "never"))

	// list-objects-v2 with --max-items pages through NextToken (the CLI's
	// own token over S3's continuation token).
	var listed []string
	page := g.ok(t, s, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "tree/", "--max-items", "3")
	for i := 0; ; i++ {
		for _, o := range page["Contents"].([]any) {
			listed = append(listed, o.(map[string]any)["Key"].(string))
		}
		tok, _ := page["NextToken"].(string)
		if tok == "" {
			break
		}
		if i > len(cliTree) {
			t.Fatalf("list-objects-v2 --max-items 3 does not end")
		}
		page = g.ok(t, s, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "tree/", "--max-items", "3", "--starting-token", tok)
	}
	var want []string
	for name := range cliTree {
		want = append(want, "tree/"+name)
	}
	sort.Strings(want)
	if strings.Join(listed, "\n") != strings.Join(want, "\n") {
		t.Errorf("list-objects-v2 --max-items 3 pages gave %v, want %v", listed, want)
	}

	// Multipart upload by hand.
	cm := g.ok(t, s, "s3api", "create-multipart-upload", "--bucket", bucket, "--key", "api/multi.bin")
	id, _ := cm["UploadId"].(string)
	if id == "" {
		t.Fatalf("create-multipart-upload gave no UploadId: %v", cm)
	}
	parts := [][]byte{randomBytes(63, 5<<20), []byte("the short last part")}
	var completed []map[string]any
	for i, p := range parts {
		f := filepath.Join(dir, "part")
		if err := os.WriteFile(f, p, 0o644); err != nil {
			t.Fatal(err)
		}
		n := []string{"1", "2"}[i]
		up := g.ok(t, s, "s3api", "upload-part", "--bucket", bucket, "--key", "api/multi.bin", "--upload-id", id, "--part-number", n, "--body", f)
		if up["ETag"] != md5ETag(p) {
			t.Errorf("upload-part %s ETag %v, want %s", n, up["ETag"], md5ETag(p))
		}
		completed = append(completed, map[string]any{"PartNumber": i + 1, "ETag": up["ETag"]})
	}
	lp := g.ok(t, s, "s3api", "list-parts", "--bucket", bucket, "--key", "api/multi.bin", "--upload-id", id)
	if n := jsonLen(t, lp, "Parts"); n != 2 {
		t.Errorf("list-parts: %d parts, want 2", n)
	}
	spec, _ := json.Marshal(map[string]any{"Parts": completed})
	specFile := filepath.Join(dir, "parts.json")
	if err := os.WriteFile(specFile, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	whole := append(append([]byte{}, parts[0]...), parts[1]...)
	done := g.ok(t, s, "s3api", "complete-multipart-upload", "--bucket", bucket, "--key", "api/multi.bin", "--upload-id", id, "--multipart-upload", "file://"+specFile)
	if done["ETag"] != multipartETag(whole, 5<<20) {
		t.Errorf("complete-multipart-upload ETag %v, want %s", done["ETag"], multipartETag(whole, 5<<20))
	}
	out := filepath.Join(dir, "multi.out")
	g.ok(t, s, "s3api", "get-object", "--bucket", bucket, "--key", "api/multi.bin", out)
	s3SameFile(t, "get-object of the multipart upload", out, whole)

	// Tagging.
	g.ok(t, s, "s3api", "put-object-tagging", "--bucket", bucket, "--key", "api/obj.txt", "--tagging", `{"TagSet":[{"Key":"team","Value":"data"},{"Key":"tier","Value":"raw"}]}`)
	tags := g.ok(t, s, "s3api", "get-object-tagging", "--bucket", bucket, "--key", "api/obj.txt")
	got2 := map[string]string{}
	for _, tg := range tags["TagSet"].([]any) {
		m := tg.(map[string]any)
		got2[m["Key"].(string)] = m["Value"].(string)
	}
	if len(got2) != 2 || got2["team"] != "data" || got2["tier"] != "raw" {
		t.Errorf("get-object-tagging = %v, want team=data tier=raw", got2)
	}
	// The Go SDK sees the same object the CLI wrote.
	if b, _, err := getBytes(ctxT(t), c, bucket, "api/multi.bin"); err != nil || !bytes.Equal(b, whole) {
		t.Errorf("Go SDK GetObject of the CLI's multipart object: %d bytes, %v", len(b), err)
	}
}
