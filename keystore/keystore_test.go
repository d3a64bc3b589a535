package keystore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openTest(t *testing.T, dir string, cfg Config) *Store {
	t.Helper()
	cfg.Dir = dir
	s, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestEncryptDecryptRoundTripAndContext(t *testing.T) {
	s := openTest(t, t.TempDir(), Config{MasterKey: bytes.Repeat([]byte{1}, 32)})
	k, err := s.CreateKey(CreateOptions{Description: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.ARN, "arn:aws:kms:us-east-1:000000000000:key/") || len(k.ID) != 36 {
		t.Fatalf("key %+v", k)
	}
	ctx := map[string]string{"purpose": "test"}
	blob, _, err := s.Encrypt(k.ARN, "", []byte("secret marker"), ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte("secret marker")) {
		t.Fatal("blob holds the plaintext")
	}
	pt, got, err := s.Decrypt(blob, "", "", ctx)
	if err != nil || string(pt) != "secret marker" || got.ID != k.ID {
		t.Fatalf("Decrypt = %q, %v, %v", pt, got.ID, err)
	}
	if _, _, err := s.Decrypt(blob, "", "", map[string]string{"purpose": "other"}); !errors.Is(err, ErrInvalidCiphertext) {
		t.Fatalf("other context: %v", err)
	}
	if _, _, err := s.Decrypt(blob, "", "", nil); !errors.Is(err, ErrInvalidCiphertext) {
		t.Fatalf("no context: %v", err)
	}
	for i := range blob {
		bad := bytes.Clone(blob)
		bad[i] ^= 0x40
		if _, _, err := s.Decrypt(bad, "", "", ctx); err == nil {
			t.Fatalf("tampered byte %d decrypted", i)
		}
	}
	if _, _, err := s.Decrypt(blob[:len(blob)-1], "", "", ctx); err == nil {
		t.Fatal("truncated blob decrypted")
	}
	k2, _ := s.CreateKey(CreateOptions{})
	if _, _, err := s.Decrypt(blob, k2.ID, "", ctx); !errors.Is(err, ErrIncorrectKey) {
		t.Fatalf("wrong KeyId: %v", err)
	}
	if err := s.SetEnabled(k.ID, "", false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Decrypt(blob, "", "", ctx); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled: %v", err)
	}
	if _, _, err := s.Encrypt(k.ID, "", []byte("x"), nil); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled encrypt: %v", err)
	}
	if _, err := s.DescribeKey("alias/nope", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown alias: %v", err)
	}
	if _, err := s.DescribeKey("11111111-2222-3333-4444-555555555555", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
}

func TestManagedAliasAndReopen(t *testing.T) {
	dir, cfgDir := t.TempDir(), t.TempDir()
	s := openTest(t, dir, Config{ConfigDir: cfgDir})
	if p := s.MasterKeyPath(); !strings.Contains(p, "created on first use") {
		t.Fatalf("before first key: %q", p)
	}
	plain, blob, k, err := s.GenerateDataKey(AliasKinesis, "", 32, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.Manager != "AWS" {
		t.Fatalf("alias/aws/kinesis key %+v", k)
	}
	keyFile := s.MasterKeyPath()
	fi, err := os.Stat(keyFile)
	if err != nil || fi.Mode().Perm() != 0o600 || !strings.HasPrefix(keyFile, cfgDir) {
		t.Fatalf("master key file %s: %v %v", keyFile, fi, err)
	}
	// The master key is not inside the data directory, and keys.json does
	// not hold key material in the clear.
	raw, _ := os.ReadFile(filepath.Join(dir, "keys.json"))
	if bytes.Contains(raw, plain) {
		t.Fatal("keys.json holds a data key")
	}
	s2 := openTest(t, dir, Config{ConfigDir: cfgDir})
	got, _, err := s2.Decrypt(blob, AliasKinesis, "", nil)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("after reopen: %v", err)
	}
	aliases, _ := s2.ListAliases("", "")
	if len(aliases) != 1 || aliases[0].Name != AliasKinesis || aliases[0].KeyID != k.ID {
		t.Fatalf("aliases %+v", aliases)
	}

	// A wrong master key is refused at Open with a clear error.
	_, err = Open(Config{Dir: dir, MasterKey: bytes.Repeat([]byte{9}, 32)})
	if !errors.Is(err, ErrWrongMasterKey) || !strings.Contains(err.Error(), "does not open") {
		t.Fatalf("wrong master key: %v", err)
	}
	// A missing default key file is refused, naming the file.
	_, err = Open(Config{Dir: dir, ConfigDir: t.TempDir()})
	if !errors.Is(err, ErrMasterKey) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing key file: %v", err)
	}
	// The error never carries the key.
	key, _ := ReadKeyFile(keyFile)
	if strings.Contains(err.Error(), string(key)) {
		t.Fatal("error shows the key")
	}
}

func TestKeyFileMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "k")
	os.WriteFile(p, bytes.Repeat([]byte{3}, 32), 0o644)
	os.Chmod(p, 0o644)
	if _, err := ReadKeyFile(p); !errors.Is(err, ErrMasterKey) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("0644 key file: %v", err)
	}
	os.Chmod(p, 0o600)
	if k, err := ReadKeyFile(p); err != nil || len(k) != 32 {
		t.Fatalf("0600 key file: %v", err)
	}
	os.WriteFile(p, []byte("short"), 0o600)
	if _, err := ReadKeyFile(p); !errors.Is(err, ErrMasterKey) {
		t.Fatalf("short key: %v", err)
	}
	// The file source works end to end.
	os.WriteFile(p, bytes.Repeat([]byte{3}, 32), 0o600)
	s := openTest(t, t.TempDir(), Config{MasterKeyFile: p})
	if _, err := s.CreateKey(CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if s.MasterKeyPath() != p {
		t.Fatalf("path %q", s.MasterKeyPath())
	}
}

func TestInternalWrap(t *testing.T) {
	s := openTest(t, t.TempDir(), Config{MasterKey: bytes.Repeat([]byte{1}, 32)})
	blob, err := s.WrapInternal([]byte("0123456789abcdef0123456789abcdef"), map[string]string{"o": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.ListKeys("")) != 0 {
		t.Fatal("the SSE-S3 key is listed")
	}
	pt, err := s.UnwrapInternal(blob, map[string]string{"o": "1"})
	if err != nil || string(pt) != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("unwrap: %v", err)
	}
	if _, err := s.UnwrapInternal(blob, map[string]string{"o": "2"}); !errors.Is(err, ErrInvalidCiphertext) {
		t.Fatalf("other context: %v", err)
	}
}

func FuzzBlob(f *testing.F) {
	s, err := Open(Config{Dir: f.TempDir(), MasterKey: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		f.Fatal(err)
	}
	k, _ := s.CreateKey(CreateOptions{})
	blob, _, _ := s.Encrypt(k.ID, "", []byte("hello"), nil)
	f.Add(blob)
	f.Add([]byte{1, 36})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, _, err := s.Decrypt(b, "", "", nil)
		if err == nil && !bytes.Equal(b, blob) && string(pt) == "hello" && len(b) != len(blob) {
			t.Fatalf("forged blob of %d bytes decrypted", len(b))
		}
	})
}
