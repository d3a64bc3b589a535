package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EKMSCLI drives `aws kms` (CLI v1 and v2): create-key, an
// encrypt/decrypt round trip through files, encryption context,
// generate-data-key, aliases, listing and the errors the CLIs print.
func TestE2EKMSCLI(t *testing.T) {
	for _, g := range cliGens(t) {
		t.Run(g.name, func(t *testing.T) {
			s := startServer(t, withArgs("--master-key-file", writeMasterKey(t, 0o600)))
			dir := t.TempDir()
			md := g.ok(t, s, "kms", "create-key", "--description", "cli key")
			id, _ := jsonPath(t, md, "KeyMetadata", "KeyId").(string)
			arn, _ := jsonPath(t, md, "KeyMetadata", "Arn").(string)
			if len(id) != 36 || !strings.HasSuffix(arn, ":key/"+id) || jsonPath(t, md, "KeyMetadata", "KeyState") != "Enabled" {
				t.Fatalf("create-key: %v", md)
			}
			secret := []byte("cli plaintext \x00\xff bytes")
			pt := filepath.Join(dir, "pt.bin")
			os.WriteFile(pt, secret, 0o600)
			enc := g.ok(t, s, "kms", "encrypt", "--key-id", id, "--plaintext", "fileb://"+pt, "--encryption-context", "app=e2e")
			if jsonPath(t, enc, "KeyId") != arn {
				t.Errorf("encrypt KeyId %v, want %s", enc["KeyId"], arn)
			}
			blob, err := base64.StdEncoding.DecodeString(enc["CiphertextBlob"].(string))
			if err != nil || bytes.Contains(blob, secret) {
				t.Fatalf("ciphertext blob: %v", err)
			}
			bf := filepath.Join(dir, "blob.bin")
			os.WriteFile(bf, blob, 0o600)
			dec := g.ok(t, s, "kms", "decrypt", "--ciphertext-blob", "fileb://"+bf, "--encryption-context", "app=e2e")
			if got, _ := base64.StdEncoding.DecodeString(dec["Plaintext"].(string)); !bytes.Equal(got, secret) || dec["KeyId"] != arn {
				t.Fatalf("decrypt: %q %v", got, dec["KeyId"])
			}
			g.fails(t, s, "InvalidCiphertextException", "kms", "decrypt", "--ciphertext-blob", "fileb://"+bf)
			g.fails(t, s, "InvalidCiphertextException", "kms", "decrypt", "--ciphertext-blob", "fileb://"+bf, "--encryption-context", "app=other")

			dk := g.ok(t, s, "kms", "generate-data-key", "--key-id", arn, "--key-spec", "AES_256")
			plain, _ := base64.StdEncoding.DecodeString(dk["Plaintext"].(string))
			wrapped, _ := base64.StdEncoding.DecodeString(dk["CiphertextBlob"].(string))
			if len(plain) != 32 {
				t.Fatalf("data key of %d bytes", len(plain))
			}
			os.WriteFile(bf, wrapped, 0o600)
			back := g.ok(t, s, "kms", "decrypt", "--ciphertext-blob", "fileb://"+bf)
			if got, _ := base64.StdEncoding.DecodeString(back["Plaintext"].(string)); !bytes.Equal(got, plain) {
				t.Fatal("the data key's blob does not decrypt to the data key")
			}

			g.ok(t, s, "kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", id)
			if d := g.ok(t, s, "kms", "describe-key", "--key-id", "alias/cli"); jsonPath(t, d, "KeyMetadata", "KeyId") != id {
				t.Errorf("describe-key alias/cli: %v", d)
			}
			aliases := g.ok(t, s, "kms", "list-aliases")
			if !strings.Contains(toJSON(aliases), `"AliasName":"alias/cli"`) {
				t.Errorf("list-aliases: %v", aliases)
			}
			keys := g.ok(t, s, "kms", "list-keys")
			if !strings.Contains(toJSON(keys), id) {
				t.Errorf("list-keys: %v", keys)
			}
			g.fails(t, s, "NotFoundException", "kms", "describe-key", "--key-id", "alias/none")
			g.fails(t, s, "AlreadyExistsException", "kms", "create-alias", "--alias-name", "alias/cli", "--target-key-id", id)
			g.ok(t, s, "kms", "disable-key", "--key-id", id)
			g.fails(t, s, "DisabledException", "kms", "encrypt", "--key-id", id, "--plaintext", "fileb://"+pt)
			g.ok(t, s, "kms", "enable-key", "--key-id", id)
			g.ok(t, s, "kms", "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+pt)
		})
	}
}

// toJSON encodes v compactly (for substring checks on CLI output).
func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
