package auth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/caudal/caudal/policy"
)

const testAccount = "000000000000"

var testRoot = Key{AccessKeyID: "AKIAROOTROOTROOTROOT", SecretAccessKey: "root-secret"}

func openTestStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := OpenStore(StoreConfig{Dir: dir, Account: testAccount, Root: testRoot})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const allowKinesis = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`

func TestStoreDurableAcrossReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "auth")
	s := openTestStore(t, dir)
	u, err := s.CreateUser("alice", "/team/")
	if err != nil {
		t.Fatal(err)
	}
	if u.ARN != "arn:aws:iam::000000000000:user/team/alice" || !strings.HasPrefix(u.UserID, "AIDA") || len(u.UserID) != 21 {
		t.Errorf("user %+v", u)
	}
	k1, err := s.CreateAccessKey("alice")
	if err != nil {
		t.Fatal(err)
	}
	k2, err := s.CreateAccessKey("ALICE") // names are case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateAccessKey("alice", k1.AccessKeyID, StatusInactive); err != nil {
		t.Fatal(err)
	}
	if err := s.PutUserPolicy("alice", "streams", allowKinesis); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, filepath.Join(dir, StoreFileName)} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v: readable by others", p, st.Mode().Perm())
		}
	}

	created := u.CreateDate
	s = openTestStore(t, dir)
	defer s.Close()
	if c := s.Created(); c.IsZero() || c.After(created) {
		t.Errorf("store creation time %v changed on reopen (user created %v)", c, created)
	}
	if _, ok := s.Secret(k1.AccessKeyID); ok {
		t.Error("inactive key authenticates after reopen")
	}
	sec, ok := s.Secret(k2.AccessKeyID)
	if !ok || sec != k2.SecretAccessKey {
		t.Fatalf("active key lost after reopen: %q %v", sec, ok)
	}
	p, ok := s.Principal(k2.AccessKeyID)
	if !ok || p.Root || p.UserName != "alice" || p.ARN != u.ARN || p.AccessKeyID != k2.AccessKeyID || len(p.Policies) != 1 {
		t.Fatalf("principal %+v", p)
	}
	if p.Policies[0].Statement[0].Action[0] != "kinesis:*" {
		t.Errorf("policy %v", p.Policies[0])
	}
	keys, err := s.ListAccessKeys("alice")
	if err != nil || len(keys) != 2 || keys[0].SecretAccessKey != "" {
		t.Fatalf("keys %+v %v", keys, err)
	}
	_, doc, err := s.GetUserPolicy("alice", "streams")
	if err != nil || doc != allowKinesis {
		t.Errorf("policy %q %v", doc, err)
	}
}

func TestStoreRoot(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()
	sec, ok := s.Secret(testRoot.AccessKeyID)
	if !ok || sec != testRoot.SecretAccessKey {
		t.Fatal("root key does not authenticate")
	}
	p, ok := s.Principal(testRoot.AccessKeyID)
	if !ok || !p.Root || p.ARN != "arn:aws:iam::000000000000:root" || p.UserID != testAccount {
		t.Errorf("root principal %+v", p)
	}
	if _, ok := s.Secret("AKIANOTAKEYNOTAKEYXX"); ok {
		t.Error("an unknown key authenticates")
	}
}

func kindOf(err error) error {
	for _, k := range []error{ErrNoSuchEntity, ErrEntityExists, ErrLimitExceeded, ErrDeleteConflict, ErrMalformedPolicy, ErrInvalidInput} {
		if errors.Is(err, k) {
			return k
		}
	}
	return err
}

func TestStoreLimitsAndConflicts(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()
	if _, err := s.CreateUser("bob", ""); err != nil {
		t.Fatal(err)
	}
	check := func(name string, err, want error, msg string) {
		t.Helper()
		if kindOf(err) != want {
			t.Errorf("%s: err %v, want %v", name, err, want)
		} else if msg != "" && (err == nil || err.Error() != msg) {
			t.Errorf("%s: message %q, want %q", name, err, msg)
		}
	}
	_, err := s.CreateUser("BOB", "/")
	check("duplicate", err, ErrEntityExists, "User with name BOB already exists.")
	_, err = s.CreateUser("bad/name", "/")
	check("bad name", err, ErrInvalidInput, "")
	_, err = s.CreateUser("x", "nopath")
	check("bad path", err, ErrInvalidInput, "")
	_, err = s.GetUser("nobody")
	check("get missing", err, ErrNoSuchEntity, "The user with name nobody cannot be found.")

	k1, _ := s.CreateAccessKey("bob")
	if _, err := s.CreateAccessKey("bob"); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateAccessKey("bob")
	check("third key", err, ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2")
	check("bad status", s.UpdateAccessKey("bob", k1.AccessKeyID, "Expired"), ErrInvalidInput, "")
	check("delete with keys", s.DeleteUser("bob"), ErrDeleteConflict, "Cannot delete entity, must delete access keys first.")

	if _, err := s.CreateUser("carol", ""); err != nil {
		t.Fatal(err)
	}
	check("other user's key", s.DeleteAccessKey("carol", k1.AccessKeyID), ErrNoSuchEntity,
		"The Access Key with id "+k1.AccessKeyID+" cannot be found.")

	check("malformed", s.PutUserPolicy("carol", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`),
		ErrMalformedPolicy, "")
	var pe *policy.MalformedError
	if err := s.PutUserPolicy("carol", "p", `{"Statement":`); !errors.As(err, &pe) || err.Error() != pe.Message {
		t.Errorf("malformed error %v does not carry the parser's message", err)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 1200) + `"}]}`
	if err := s.PutUserPolicy("carol", "p1", big); err != nil {
		t.Fatal(err)
	}
	check("aggregate size", s.PutUserPolicy("carol", "p2", big), ErrLimitExceeded, "Maximum policy size of 2048 bytes exceeded for user carol")
	if err := s.PutUserPolicy("carol", "p1", big); err != nil { // replacing is not adding
		t.Errorf("replacing a policy counted its old size: %v", err)
	}
	check("delete with policies", s.DeleteUser("carol"), ErrDeleteConflict, "Cannot delete entity, must delete policies first.")
	check("get missing policy", func() error { _, _, err := s.GetUserPolicy("carol", "nope"); return err }(), ErrNoSuchEntity,
		"The user policy with name nope cannot be found.")
	if err := s.DeleteUserPolicy("carol", "p1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser("carol"); err != nil {
		t.Fatal(err)
	}
	if names, _ := s.ListUserPolicies("bob"); len(names) != 0 {
		t.Errorf("bob has policies %v", names)
	}
}

func TestStoreKeyLifecycle(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()
	s.CreateUser("dave", "/")
	old, _ := s.CreateAccessKey("dave")
	cur, _ := s.CreateAccessKey("dave")
	for _, id := range []string{old.AccessKeyID, cur.AccessKeyID} {
		if _, ok := s.Secret(id); !ok {
			t.Fatalf("fresh key %s does not authenticate", id)
		}
	}
	s.UpdateAccessKey("dave", old.AccessKeyID, StatusInactive)
	if _, ok := s.Principal(old.AccessKeyID); ok {
		t.Error("inactive key has a principal")
	}
	s.UpdateAccessKey("dave", old.AccessKeyID, StatusActive)
	if _, ok := s.Secret(old.AccessKeyID); !ok {
		t.Error("re-enabled key does not authenticate")
	}
	if err := s.DeleteAccessKey("dave", old.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Secret(old.AccessKeyID); ok {
		t.Error("deleted key authenticates")
	}
	if _, ok := s.Secret(cur.AccessKeyID); !ok {
		t.Error("the other key stopped authenticating")
	}
	if u, err := s.AccessKeyOwner(cur.AccessKeyID); err != nil || u != "dave" {
		t.Errorf("owner %q %v", u, err)
	}
	// A policy change reaches the key's principal at once.
	s.PutUserPolicy("dave", "p", allowKinesis)
	if p, _ := s.Principal(cur.AccessKeyID); len(p.Policies) != 1 {
		t.Errorf("policies %d after put", len(p.Policies))
	}
	s.DeleteUserPolicy("dave", "p")
	if p, _ := s.Principal(cur.AccessKeyID); len(p.Policies) != 0 {
		t.Errorf("policies %d after delete", len(p.Policies))
	}
}

func TestStoreListUsers(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()
	s.CreateUser("b", "/x/")
	s.CreateUser("A", "/")
	s.CreateUser("c", "/x/y/")
	all, _ := s.ListUsers("")
	var names []string
	for _, u := range all {
		names = append(names, u.UserName)
	}
	if strings.Join(names, ",") != "A,b,c" {
		t.Errorf("ListUsers = %v", names)
	}
	x, _ := s.ListUsers("/x/")
	if len(x) != 2 {
		t.Errorf("prefix /x/: %v", x)
	}
}

func TestStoreRefusesUnknownFormat(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir)
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, []byte("99")) })
	s.Close()
	if _, err := OpenStore(StoreConfig{Dir: dir, Account: testAccount}); err == nil || !strings.Contains(err.Error(), "format") {
		t.Fatalf("format 99 opened: %v", err)
	}
}

// Lookups run while keys are created, disabled and deleted: the race
// detector sees the snapshot handoff, and every lookup sees either the
// key with its secret or nothing.
func TestStoreConcurrentLookups(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()
	s.CreateUser("eve", "/")
	stable, _ := s.CreateAccessKey("eve")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if sec, ok := s.Secret(stable.AccessKeyID); !ok || sec != stable.SecretAccessKey {
					t.Error("stable key lost during churn")
					return
				}
				if p, ok := s.Principal(testRoot.AccessKeyID); !ok || !p.Root {
					t.Error("root lost during churn")
					return
				}
			}
		}()
	}
	for i := range 20 {
		k, err := s.CreateAccessKey("eve")
		if err != nil {
			t.Fatal(err)
		}
		s.UpdateAccessKey("eve", k.AccessKeyID, StatusInactive)
		if _, ok := s.Secret(k.AccessKeyID); ok {
			t.Errorf("round %d: disabled key authenticates", i)
		}
		s.PutUserPolicy("eve", fmt.Sprint("p", i%3), allowKinesis)
		if err := s.DeleteAccessKey("eve", k.AccessKeyID); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

func BenchmarkStoreLookup(b *testing.B) {
	s, err := OpenStore(StoreConfig{Dir: b.TempDir(), Account: testAccount, Root: testRoot, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.CreateUser("bench", "/")
	k, _ := s.CreateAccessKey("bench")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, ok := s.Secret(k.AccessKeyID); !ok {
			b.Fatal("lost")
		}
		if _, ok := s.Principal(k.AccessKeyID); !ok {
			b.Fatal("lost")
		}
	}
}

func TestStoreKeyUse(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	defer s.Close()
	s.CreateUser("u", "/")
	k, _ := s.CreateAccessKey("u")
	if _, ok := s.LastUsed(k.AccessKeyID); ok {
		t.Error("a fresh key has a last use")
	}
	at := time.Date(2026, 11, 26, 4, 30, 45, 0, time.UTC)
	s.NoteUse(k.AccessKeyID, "kinesis", "eu-west-1", at)
	u, ok := s.LastUsed(k.AccessKeyID)
	if !ok || u.Service != "kinesis" || u.Region != "eu-west-1" || !u.Time.Equal(at.Truncate(time.Minute)) {
		t.Fatalf("last use %+v %v", u, ok)
	}
	// Disabled keys are not noted, but keep their history; so does any
	// other change to the store.
	s.UpdateAccessKey("u", k.AccessKeyID, StatusInactive)
	s.NoteUse(k.AccessKeyID, "s3", "us-east-1", at.Add(time.Hour))
	s.PutUserPolicy("u", "p", allowKinesis)
	if u, _ := s.LastUsed(k.AccessKeyID); u.Service != "kinesis" {
		t.Errorf("after disable: %+v", u)
	}
	s.UpdateAccessKey("u", k.AccessKeyID, StatusActive)
	s.NoteUse(k.AccessKeyID, "s3", "us-east-1", at.Add(time.Hour))
	if u, _ := s.LastUsed(k.AccessKeyID); u.Service != "s3" {
		t.Errorf("after enable: %+v", u)
	}
	s.NoteUse(testRoot.AccessKeyID, "iam", "us-east-1", at)
	if u, ok := s.LastUsed(testRoot.AccessKeyID); !ok || u.Service != "iam" {
		t.Errorf("root: %+v %v", u, ok)
	}
	s.DeleteAccessKey("u", k.AccessKeyID)
	if _, ok := s.LastUsed(k.AccessKeyID); ok {
		t.Error("a deleted key keeps a last use")
	}
	s.NoteUse("AKIAUNKNOWNUNKNOWNXX", "s3", "us-east-1", at) // ignored
}

func BenchmarkStoreNoteUse(b *testing.B) {
	s, err := OpenStore(StoreConfig{Dir: b.TempDir(), Account: testAccount, Root: testRoot, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		s.NoteUse(testRoot.AccessKeyID, "kinesis", "us-east-1", now)
	}
}
