package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeMasterKey writes a fresh master key file with mode perm.
func writeMasterKey(t *testing.T, perm os.FileMode) string {
	t.Helper()
	k := make([]byte, 32)
	rand.Read(k)
	p := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(p, []byte(base64.StdEncoding.EncodeToString(k)+"\n"), perm); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, perm)
	return p
}

// scanDataDir reads every file under dir byte by byte and reports which of
// markers occur anywhere in them, with the first file each was found in.
func scanDataDir(t *testing.T, dir string, markers []string) map[string]string {
	t.Helper()
	found := map[string]string{}
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for _, m := range markers {
			if _, ok := found[m]; !ok && bytes.Contains(b, []byte(m)) {
				found[m] = p
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", dir, err)
	}
	t.Logf("scanned %d files under %s", files, dir)
	return found
}

// TestE2EEncryptionAtRest writes known plaintext through an encrypted
// stream and SSE-S3, SSE-KMS, bucket-default and multipart objects with
// boto3, then reads every file of the data directory: no secret marker
// may appear, while the plaintext controls written beside them must (so
// the scan can fail). Everything reads back intact through the API, also
// after kill -9 and a restart; a wrong or badly protected master key stops
// the start.
func TestE2EEncryptionAtRest(t *testing.T) {
	py := clients(t).PythonNew
	keyFile := writeMasterKey(t, 0o600)
	s := startServer(t, withArgs("--master-key-file", keyFile))
	args := []string{"enc-stream", "enc-sse", "enc-default", "enc-plain"}
	runScript(t, py, s, "encryption_at_rest.py", append([]string{"write"}, args...)...)
	runScript(t, py, s, "encryption_at_rest.py", append([]string{"read"}, args...)...)
	if !strings.Contains(s.Stdout(), "master key:    "+keyFile) {
		t.Errorf("banner does not name the master key file:\n%s", s.Stdout())
	}

	secrets := []string{"SECRET-STREAM-", "SECRET-PK-", "SECRET-S3-SSES3", "SECRET-S3-SSEKMS", "SECRET-S3-CUSTOMKEY",
		"SECRET-S3-DEFAULT", "SECRET-S3-MULTIPART", "SECRET-S3-COPIED"}
	controls := []string{"CTRL-STREAM-PLAIN-0", "CTRL-S3-PLAIN"}
	check := func(when string) {
		t.Helper()
		found := scanDataDir(t, s.Dir, append(append([]string(nil), secrets...), controls...))
		for _, m := range secrets {
			if p, ok := found[m]; ok {
				t.Errorf("%s: secret marker %q found in %s", when, m, p)
			}
		}
		for _, m := range controls {
			if _, ok := found[m]; !ok {
				t.Errorf("%s: plaintext control %q not found on disk: the scan cannot see what it looks for", when, m)
			}
		}
	}
	check("after writing")
	// The master key is not in the data directory.
	key, _ := os.ReadFile(keyFile)
	if f := scanDataDir(t, s.Dir, []string{strings.TrimSpace(string(key))}); len(f) > 0 {
		t.Errorf("the master key is inside the data directory: %v", f)
	}

	// kill -9, then start again: acknowledged sealed records and objects
	// are durable and open with the same key.
	s.Kill()
	s.Restart()
	runScript(t, py, s, "encryption_at_rest.py", append([]string{"read"}, args...)...)
	check("after kill -9 and restart")
	if code := s.Stop(); code != 0 {
		t.Fatalf("stop: exit %d", code)
	}

	// A wrong master key: the server refuses to start, saying why.
	refuse := func(what string, extra []string, env []string, want string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, caudalBinary, append([]string{"server", "--listen", "127.0.0.1:0", "--data", s.Dir}, extra...)...)
		cmd.Env = append(filteredEnviron("CAUDAL_", "AWS_"), env...)
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("%s: the server started (killed after 60 s) instead of refusing:\n%s", what, out)
		}
		if err == nil || !strings.Contains(string(out), want) {
			t.Errorf("%s: exit %v, output lacks %q:\n%s", what, err, want, out)
		}
		if bytes.Contains(out, bytes.TrimSpace(key)) {
			t.Errorf("%s: the output shows the master key", what)
		}
	}
	refuse("wrong key file", []string{"--master-key-file", writeMasterKey(t, 0o600)}, nil, "wrong master key")
	other := make([]byte, 32)
	rand.Read(other)
	refuse("wrong key in the environment", nil, []string{"CAUDAL_MASTER_KEY=" + base64.StdEncoding.EncodeToString(other)}, "wrong master key")
	refuse("key file readable by others", []string{"--master-key-file", writeMasterKey(t, 0o644)}, nil, "chmod 600")

	// The right key still opens everything.
	s.Restart()
	runScript(t, py, s, "encryption_at_rest.py", append([]string{"read"}, args...)...)
}
