package auth

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var (
	idShape     = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
	secretShape = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestLoadRootCreatesAndReloads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	key, created, err := LoadRoot(dir, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Error("first start did not report created")
	}
	if !idShape.MatchString(key.AccessKeyID) || !secretShape.MatchString(key.SecretAccessKey) {
		t.Errorf("key not AWS-shaped: %q %q", key.AccessKeyID, key.SecretAccessKey)
	}
	if m := mode(t, Path(dir)); m != 0o600 {
		t.Errorf("file mode %v, want 0600", m)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("dir mode %v, want 0700", m)
	}
	again, created, err := LoadRoot(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if created || again != key {
		t.Errorf("reload gave %+v (created %v), want %+v", again, created, key)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s (temp files left?)", len(entries), FileName)
	}

	other, _, err := LoadRoot(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if other == key {
		t.Error("two data directories got the same key")
	}
}

func TestLoadRootEnvOverride(t *testing.T) {
	dir := t.TempDir()
	first, _, err := LoadRoot(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Key{AccessKeyID: "AKIAENVENVENVENVENV2", SecretAccessKey: "env/secret+value"}
	got, created, err := LoadRoot(dir, env(map[string]string{EnvAccessKeyID: want.AccessKeyID, EnvSecretAccessKey: want.SecretAccessKey}))
	if err != nil {
		t.Fatal(err)
	}
	if got != want || created {
		t.Fatalf("env key %+v created %v, want %+v", got, created, want)
	}
	// Stored, so a client reading the data directory finds the same key.
	stored, _, err := LoadRoot(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stored != want || stored == first {
		t.Errorf("stored key %+v, want %+v", stored, want)
	}
	if m := mode(t, Path(dir)); m != 0o600 {
		t.Errorf("file mode %v after env store, want 0600", m)
	}
}

func TestLoadRootPartialEnv(t *testing.T) {
	for _, e := range []map[string]string{
		{EnvAccessKeyID: "AKIAONLYTHEIDXXXXXXX"},
		{EnvSecretAccessKey: "only-the-secret"},
	} {
		dir := t.TempDir()
		_, _, err := LoadRoot(dir, env(e))
		if err == nil || !strings.Contains(err.Error(), EnvAccessKeyID) || !strings.Contains(err.Error(), EnvSecretAccessKey) {
			t.Errorf("env %v: err %v, want one naming both variables", e, err)
		}
		if _, err := os.Stat(Path(dir)); !os.IsNotExist(err) {
			t.Errorf("env %v: a key file was written despite the error", e)
		}
	}
}

func TestLoadRootRejectsUnusableEnvKey(t *testing.T) {
	_, _, err := LoadRoot(t.TempDir(), env(map[string]string{EnvAccessKeyID: "AK/IA", EnvSecretAccessKey: "s"}))
	if err == nil {
		t.Fatal("an access key id with '/' was accepted; it cannot appear in a credential scope")
	}
}

func TestLoadRootTightensMode(t *testing.T) {
	dir := t.TempDir()
	key, _, err := LoadRoot(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(Path(dir), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _, err := LoadRoot(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != key {
		t.Errorf("key changed: %+v", got)
	}
	if m := mode(t, Path(dir)); m != 0o600 {
		t.Errorf("mode %v not tightened to 0600", m)
	}
}

func TestLoadRootCorruptFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(Path(dir), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadRoot(dir, nil); err == nil {
		t.Fatal("a corrupt key file was accepted (or silently replaced)")
	}
	b, _ := os.ReadFile(Path(dir))
	if string(b) != "{not json" {
		t.Error("the corrupt file was overwritten")
	}
}

// TestLoadRootConcurrentFirstStart: processes starting together on an empty
// directory agree on one key.
func TestLoadRootConcurrentFirstStart(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	keys := make([]Key, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], _, errs[i] = LoadRoot(dir, nil)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if keys[i] != keys[0] {
			t.Fatalf("starter %d got %+v, starter 0 got %+v", i, keys[i], keys[0])
		}
	}
}

func TestKeySecret(t *testing.T) {
	k := Key{AccessKeyID: "AKIAAAAAAAAAAAAAAAAA", SecretAccessKey: "s"}
	if s, ok := k.Secret("AKIAAAAAAAAAAAAAAAAA"); !ok || s != "s" {
		t.Errorf("own id: %q %v", s, ok)
	}
	for _, id := range []string{"", "AKIAAAAAAAAAAAAAAAAB", "akiaaaaaaaaaaaaaaaaa"} {
		if _, ok := k.Secret(id); ok {
			t.Errorf("id %q accepted", id)
		}
	}
	if _, ok := (Key{}).Secret(""); ok {
		t.Error("the zero key accepted the empty id")
	}
}
