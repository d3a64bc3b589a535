package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EEncryptionCLI: `aws s3 cp --sse` (a 12 MiB file, so the CLI
// uploads it in parts) and `aws s3api put-bucket-encryption` with CLI v1
// and v2; the objects read back whole and their bytes are not on disk.
func TestE2EEncryptionCLI(t *testing.T) {
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			s := startServer(t, withArgs("--master-key-file", writeMasterKey(t, 0o600)))
			dir := t.TempDir()
			big := bytes.Repeat([]byte("SECRET-CLI-MULTIPART-0123456789\n"), (12<<20)/32)
			small := bytes.Repeat([]byte("SECRET-CLI-DEFAULT\n"), 100)
			bigFile, smallFile := filepath.Join(dir, "big.txt"), filepath.Join(dir, "small.txt")
			os.WriteFile(bigFile, big, 0o600)
			os.WriteFile(smallFile, small, 0o600)

			cliRun(t, g, s, "s3", "mb", "s3://cli-enc")
			cliRun(t, g, s, "s3", "cp", bigFile, "s3://cli-enc/big.txt", "--sse", "aws:kms", "--sse-kms-key-id", "alias/aws/s3")
			h := g.ok(t, s, "s3api", "head-object", "--bucket", "cli-enc", "--key", "big.txt")
			if h["ServerSideEncryption"] != "aws:kms" || !strings.Contains(toJSON(h["SSEKMSKeyId"]), ":key/") {
				t.Errorf("head-object after cp --sse aws:kms: %v", h)
			}
			g.ok(t, s, "s3api", "put-bucket-encryption", "--bucket", "cli-enc", "--server-side-encryption-configuration",
				`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}`)
			cfg := g.ok(t, s, "s3api", "get-bucket-encryption", "--bucket", "cli-enc")
			if !strings.Contains(toJSON(cfg), `"SSEAlgorithm":"AES256"`) {
				t.Errorf("get-bucket-encryption: %v", cfg)
			}
			cliRun(t, g, s, "s3", "cp", smallFile, "s3://cli-enc/small.txt")
			if h := g.ok(t, s, "s3api", "head-object", "--bucket", "cli-enc", "--key", "small.txt"); h["ServerSideEncryption"] != "AES256" {
				t.Errorf("head-object under the bucket default: %v", h)
			}
			for name, want := range map[string][]byte{"big.txt": big, "small.txt": small} {
				out := filepath.Join(dir, "got-"+name)
				cliRun(t, g, s, "s3", "cp", "s3://cli-enc/"+name, out)
				if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
					t.Errorf("%s read back differs (%d bytes, want %d)", name, len(got), len(want))
				}
			}
			cliRun(t, g, s, "s3", "cp", smallFile, "s3://cli-enc/plain-control.txt", "--sse", "AES256")
			for m, p := range scanDataDir(t, s.Dir, []string{"SECRET-CLI-MULTIPART", "SECRET-CLI-DEFAULT"}) {
				t.Errorf("%s found on disk in %s", m, p)
			}
			g.ok(t, s, "s3api", "delete-bucket-encryption", "--bucket", "cli-enc")
			g.fails(t, s, "ServerSideEncryptionConfigurationNotFoundError", "s3api", "get-bucket-encryption", "--bucket", "cli-enc")
			// Unencrypted now: the control is found, so the scan sees files.
			os.WriteFile(smallFile, []byte("CTRL-CLI-PLAIN"), 0o600)
			cliRun(t, g, s, "s3", "cp", smallFile, "s3://cli-enc/plain.txt")
			if f := scanDataDir(t, s.Dir, []string{"CTRL-CLI-PLAIN"}); len(f) != 1 {
				t.Error("plaintext control not found on disk")
			}
		})
	}
}

// cliRun runs an `aws s3` command (whose output is text) and requires
// exit 0.
func cliRun(t *testing.T, g cliGen, s *Server, args ...string) {
	t.Helper()
	out, errOut, code := g.run(t, s, args...)
	if code != 0 {
		t.Fatalf("aws %s: exit %d\nstderr: %s\nstdout: %s", strings.Join(args, " "), code, errOut, out)
	}
}
