package auth

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/caudal/caudal/policy"
)

// The identity store: IAM-style users, their access keys and their inline
// policies, and the lookups the request path makes (Secret, Principal).
//
// # On-disk format (version 1)
//
// One bbolt file, <Dir>/auth.db, mode 0600 in a directory created 0700.
// Every change is one bbolt transaction, fsynced before it returns (unless
// StoreConfig.NoSync), so an acknowledged change survives a crash and a
// failed one leaves nothing behind. Buckets:
//
//	meta      "format" -> "1" (decimal ASCII); Open refuses formats it does
//	          not know. "created" -> RFC 3339 time the file was made
//	          (answered as the root user's CreateDate; absent is allowed).
//	users     lower(UserName)               -> JSON of User
//	keys      AccessKeyId                   -> JSON of AccessKey (secret included)
//	policies  lower(UserName) 0x00 PolicyName -> the policy document as given
//
// User names are case-insensitive as in IAM (a second "BOB" beside "bob"
// is EntityAlreadyExists), so they are keyed lower-cased; the stored User
// keeps the name as created. IAM's name pattern [\w+=,.@-]+ excludes 0x00.
// Secrets are stored in the clear because SigV4 needs them to compute the
// HMAC; the file's mode is what protects them (as credentials.json's does
// for the root key). The root key is not in this file: it stays in
// credentials.json or the environment (LoadRoot). This layout must not
// change silently: a change bumps the format number, and Open must keep
// reading the previous one.
//
// # Concurrency
//
// Writers are serialised by mu; each write rebuilds, inside its bbolt
// transaction, an immutable snapshot of every active key and its
// principal, and publishes it after the commit. Secret and Principal read
// that snapshot through an atomic pointer: no lock, no allocation.

// StoreFileName is the identity store's file inside StoreConfig.Dir.
const StoreFileName = "auth.db"

const storeFormat = 1

// Limits IAM applies ("IAM and AWS STS quotas").
const (
	MaxAccessKeysPerUser = 2
	MaxUsers             = 5000
)

// Access key states.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

var (
	bucketMeta     = []byte("meta")
	bucketUsers    = []byte("users")
	bucketKeys     = []byte("keys")
	bucketPolicies = []byte("policies")
	keyFormat      = []byte("format")
	keyCreated     = []byte("created")
)

// StoreConfig configures OpenStore.
type StoreConfig struct {
	Dir     string // directory of auth.db; created 0700 if missing
	Account string // the 12-digit account id in ARNs
	Root    Key    // the root key; it authenticates as the account's root
	// NoSync skips the fsync of each commit (--fsync never): a crash may
	// lose acknowledged changes, never corrupt the file.
	NoSync bool
	Now    func() time.Time // default time.Now
}

// User is an IAM user.
type User struct {
	UserName   string
	UserID     string `json:"UserId"` // "AIDA…"
	Path       string // "/" or "/a/b/"
	ARN        string `json:"Arn"`
	CreateDate time.Time
}

// AccessKey is a user's access key. SecretAccessKey is only filled where
// the caller may see it (CreateAccessKey's answer).
type AccessKey struct {
	UserName        string
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Status          string // StatusActive or StatusInactive
	CreateDate      time.Time
}

// Store is an open identity store. It is safe for concurrent use.
type Store struct {
	db      *bolt.DB
	account string
	root    Key
	now     func() time.Time

	created time.Time // when the store was made: the root user's CreateDate

	mu   sync.Mutex               // serialises writes and the snapshots they publish
	snap atomic.Pointer[snapshot] // the active keys as of the last commit
	uses map[string]*useSlot      // guarded by mu: each existing key's last use (usage.go)
}

// snapshot is the lookup table of the request path. Immutable once
// published.
type snapshot struct {
	keys map[string]keyEntry // active keys only, root included
}

type keyEntry struct {
	secret    string
	principal *Principal
	use       *useSlot
}

// OpenStore opens (creating if needed) the identity store in cfg.Dir.
func OpenStore(cfg StoreConfig) (*Store, error) {
	if cfg.Dir == "" {
		return nil, errors.New("auth: StoreConfig.Dir is empty")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create directory: %w", err)
	}
	if err := os.Chmod(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: restrict directory: %w", err)
	}
	path := filepath.Join(cfg.Dir, StoreFileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: cfg.NoSync})
	if err != nil {
		return nil, fmt.Errorf("auth: open %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("auth: restrict %s: %w", path, err)
	}
	s := &Store{db: db, account: cfg.Account, root: cfg.Root, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := initLayout(tx); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyCreated); v != nil {
			s.created, _ = time.Parse(time.RFC3339, string(v))
		}
		if s.created.IsZero() {
			s.created = s.now().UTC().Truncate(time.Second)
			if err := meta.Put(keyCreated, []byte(s.created.Format(time.RFC3339))); err != nil {
				return err
			}
		}
		snap, err := s.buildSnapshot(tx)
		if err != nil {
			return err
		}
		s.snap.Store(snap)
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("auth: %s: %w", path, err)
	}
	return s, nil
}

func initLayout(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if v := meta.Get(keyFormat); v != nil {
		n, err := strconv.Atoi(string(v))
		if err != nil || n != storeFormat {
			return fmt.Errorf("unknown identity store format %q (this caudal reads format %d)", v, storeFormat)
		}
	} else if err := meta.Put(keyFormat, []byte(strconv.Itoa(storeFormat))); err != nil {
		return err
	}
	for _, b := range [][]byte{bucketUsers, bucketKeys, bucketPolicies} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("auth: close: %w", err)
	}
	return nil
}

// Account is the account id of the store's ARNs.
func (s *Store) Account() string { return s.account }

// Secret returns the secret of an active access key (the root key
// included); deleted, inactive and unknown ids are not found. It has the
// shape of sigv4.Verifier.Secret and takes no lock.
func (s *Store) Secret(id string) (string, bool) {
	e, ok := s.snap.Load().keys[id]
	return e.secret, ok
}

// Principal returns who an active access key belongs to. The *Principal is
// shared and must not be modified.
func (s *Store) Principal(id string) (*Principal, bool) {
	e, ok := s.snap.Load().keys[id]
	return e.principal, ok
}

// Created is when the store was made; IAM answers it as the root user's
// CreateDate.
func (s *Store) Created() time.Time { return s.created }

// RootARN is the root principal's ARN.
func (s *Store) RootARN() string { return "arn:aws:iam::" + s.account + ":root" }

// denyAll stands in for a stored policy this build cannot parse: failing
// closed, the user may do nothing until the policy is replaced.
var denyAll = func() *policy.Policy {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`))
	if err != nil {
		panic(err)
	}
	return p
}()

// buildSnapshot reads every user, policy and active key in tx.
func (s *Store) buildSnapshot(tx *bolt.Tx) (*snapshot, error) {
	snap := &snapshot{keys: make(map[string]keyEntry)}
	users := make(map[string]*Principal)
	err := tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
		var u User
		if err := json.Unmarshal(v, &u); err != nil {
			return fmt.Errorf("decode user %q: %w", k, err)
		}
		users[string(k)] = &Principal{Account: s.account, UserName: u.UserName, UserID: u.UserID, Path: u.Path, ARN: u.ARN}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = tx.Bucket(bucketPolicies).ForEach(func(k, v []byte) error {
		user, _, _ := strings.Cut(string(k), "\x00")
		p := users[user]
		if p == nil {
			return nil // an orphan cannot grant anything
		}
		parsed, err := policy.ParseWith(v, policy.Options{MaxSize: policy.MaxDocumentBytes})
		if err != nil {
			parsed = denyAll
		}
		p.Policies = append(p.Policies, parsed)
		return nil
	})
	if err != nil {
		return nil, err
	}
	live := make(map[string]bool)
	err = tx.Bucket(bucketKeys).ForEach(func(k, v []byte) error {
		var ak AccessKey
		if err := json.Unmarshal(v, &ak); err != nil {
			return fmt.Errorf("decode access key %q: %w", k, err)
		}
		live[ak.AccessKeyID] = true
		p := users[strings.ToLower(ak.UserName)]
		if p == nil || ak.Status != StatusActive {
			return nil
		}
		pk := *p
		pk.AccessKeyID = ak.AccessKeyID
		snap.keys[ak.AccessKeyID] = keyEntry{secret: ak.SecretAccessKey, principal: &pk, use: s.useSlotLocked(ak.AccessKeyID)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.root.AccessKeyID != "" {
		live[s.root.AccessKeyID] = true
		snap.keys[s.root.AccessKeyID] = keyEntry{secret: s.root.SecretAccessKey, use: s.useSlotLocked(s.root.AccessKeyID), principal: &Principal{
			Account: s.account, Root: true, UserID: s.account, Path: "/", ARN: s.RootARN(), AccessKeyID: s.root.AccessKeyID,
		}}
	}
	for id := range s.uses {
		if !live[id] {
			delete(s.uses, id) // a deleted key's history goes with it
		}
	}
	return snap, nil
}

// update runs fn in a write transaction and publishes the new snapshot
// after it commits.
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next *snapshot
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		var err error
		next, err = s.buildSnapshot(tx)
		return err
	})
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return err
		}
		return fmt.Errorf("auth: %w", err)
	}
	s.snap.Store(next)
	return nil
}

func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	err := s.db.View(fn)
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return err
		}
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// Names and paths as IAM's model constrains them.
var (
	namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathPattern = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
)

func checkName(what, name string, max int) error {
	if name == "" || len(name) > max || !namePattern.MatchString(name) {
		return &Error{Kind: ErrInvalidInput, Message: fmt.Sprintf("Invalid %s %q.", what, name)}
	}
	return nil
}

func userKey(name string) []byte { return []byte(strings.ToLower(name)) }

func getUser(tx *bolt.Tx, name string) (User, error) {
	v := tx.Bucket(bucketUsers).Get(userKey(name))
	if v == nil {
		return User{}, errNoSuchUser(name)
	}
	var u User
	if err := json.Unmarshal(v, &u); err != nil {
		return User{}, fmt.Errorf("decode user %q: %w", name, err)
	}
	return u, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return b.Put(key, data)
}

// CreateUser creates a user under path ("" means "/").
func (s *Store) CreateUser(name, path string) (User, error) {
	if path == "" {
		path = "/"
	}
	if err := checkName("user name", name, 64); err != nil {
		return User{}, err
	}
	if len(path) > 512 || !pathPattern.MatchString(path) {
		return User{}, &Error{Kind: ErrInvalidInput, Message: fmt.Sprintf("Invalid path %q.", path)}
	}
	var u User
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if b.Get(userKey(name)) != nil {
			return &Error{Kind: ErrEntityExists, Message: fmt.Sprintf("User with name %s already exists.", name)}
		}
		if b.Stats().KeyN >= MaxUsers {
			return &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf("Cannot exceed quota for UsersPerAccount: %d", MaxUsers)}
		}
		id, err := newID("AIDA", 17)
		if err != nil {
			return err
		}
		u = User{
			UserName: name, UserID: id, Path: path,
			ARN:        "arn:aws:iam::" + s.account + ":user" + path + name,
			CreateDate: s.now().UTC().Truncate(time.Second),
		}
		return putJSON(b, userKey(name), u)
	})
	return u, err
}

// GetUser returns a user.
func (s *Store) GetUser(name string) (User, error) {
	var u User
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		u, err = getUser(tx, name)
		return err
	})
	return u, err
}

// DeleteUser deletes a user that has no access keys and no policies left
// (IAM's DeleteConflict otherwise).
func (s *Store) DeleteUser(name string) error {
	return s.update(func(tx *bolt.Tx) error {
		u, err := getUser(tx, name)
		if err != nil {
			return err
		}
		keys, err := userKeys(tx, u.UserName)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return &Error{Kind: ErrDeleteConflict, Message: "Cannot delete entity, must delete access keys first."}
		}
		if k, _ := tx.Bucket(bucketPolicies).Cursor().Seek(policyPrefix(u.UserName)); k != nil && hasPrefix(k, policyPrefix(u.UserName)) {
			return &Error{Kind: ErrDeleteConflict, Message: "Cannot delete entity, must delete policies first."}
		}
		return tx.Bucket(bucketUsers).Delete(userKey(u.UserName))
	})
}

// ListUsers returns the users whose path starts with pathPrefix ("" for
// all), ordered by lower-cased name.
func (s *Store) ListUsers(pathPrefix string) ([]User, error) {
	var out []User
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var u User
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("decode user %q: %w", k, err)
			}
			if strings.HasPrefix(u.Path, pathPrefix) {
				out = append(out, u)
			}
			return nil
		})
	})
	return out, err
}

// userKeys returns the access keys of a user (secrets included), oldest
// first.
func userKeys(tx *bolt.Tx, user string) ([]AccessKey, error) {
	var out []AccessKey
	err := tx.Bucket(bucketKeys).ForEach(func(k, v []byte) error {
		var ak AccessKey
		if err := json.Unmarshal(v, &ak); err != nil {
			return fmt.Errorf("decode access key %q: %w", k, err)
		}
		if strings.EqualFold(ak.UserName, user) {
			out = append(out, ak)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b AccessKey) int {
		if c := a.CreateDate.Compare(b.CreateDate); c != 0 {
			return c
		}
		return strings.Compare(a.AccessKeyID, b.AccessKeyID)
	})
	return out, err
}

// CreateAccessKey gives user a fresh active key, at most
// MaxAccessKeysPerUser of them. The answer is the only place the secret is
// ever shown.
func (s *Store) CreateAccessKey(user string) (AccessKey, error) {
	var ak AccessKey
	err := s.update(func(tx *bolt.Tx) error {
		u, err := getUser(tx, user)
		if err != nil {
			return err
		}
		keys, err := userKeys(tx, u.UserName)
		if err != nil {
			return err
		}
		if len(keys) >= MaxAccessKeysPerUser {
			return &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf("Cannot exceed quota for AccessKeysPerUser: %d", MaxAccessKeysPerUser)}
		}
		b := tx.Bucket(bucketKeys)
		for {
			k, err := NewKey()
			if err != nil {
				return err
			}
			if k.AccessKeyID == s.root.AccessKeyID || b.Get([]byte(k.AccessKeyID)) != nil {
				continue // 2^80 ids; a collision is a curiosity, not a failure
			}
			ak = AccessKey{
				UserName: u.UserName, AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey,
				Status: StatusActive, CreateDate: s.now().UTC().Truncate(time.Second),
			}
			return putJSON(b, []byte(ak.AccessKeyID), ak)
		}
	})
	return ak, err
}

// ListAccessKeys returns a user's keys, oldest first, without secrets.
func (s *Store) ListAccessKeys(user string) ([]AccessKey, error) {
	var out []AccessKey
	err := s.view(func(tx *bolt.Tx) error {
		u, err := getUser(tx, user)
		if err != nil {
			return err
		}
		out, err = userKeys(tx, u.UserName)
		return err
	})
	for i := range out {
		out[i].SecretAccessKey = ""
	}
	return out, err
}

// getKey returns the key id of user (NoSuchEntity for a key of another user,
// as IAM answers).
func getKey(tx *bolt.Tx, user, id string) (User, AccessKey, error) {
	u, err := getUser(tx, user)
	if err != nil {
		return User{}, AccessKey{}, err
	}
	v := tx.Bucket(bucketKeys).Get([]byte(id))
	if v == nil {
		return u, AccessKey{}, errNoSuchKey(id)
	}
	var ak AccessKey
	if err := json.Unmarshal(v, &ak); err != nil {
		return u, AccessKey{}, fmt.Errorf("decode access key %q: %w", id, err)
	}
	if !strings.EqualFold(ak.UserName, u.UserName) {
		return u, AccessKey{}, errNoSuchKey(id)
	}
	return u, ak, nil
}

// UpdateAccessKey sets a key's status (StatusActive or StatusInactive).
// An inactive key no longer authenticates, from the moment this returns.
func (s *Store) UpdateAccessKey(user, id, status string) error {
	if status != StatusActive && status != StatusInactive {
		return &Error{Kind: ErrInvalidInput, Message: fmt.Sprintf("Invalid status %q: use Active or Inactive.", status)}
	}
	return s.update(func(tx *bolt.Tx) error {
		_, ak, err := getKey(tx, user, id)
		if err != nil {
			return err
		}
		if ak.Status == status {
			return nil
		}
		ak.Status = status
		return putJSON(tx.Bucket(bucketKeys), []byte(id), ak)
	})
}

// DeleteAccessKey deletes a key for good.
func (s *Store) DeleteAccessKey(user, id string) error {
	return s.update(func(tx *bolt.Tx) error {
		if _, _, err := getKey(tx, user, id); err != nil {
			return err
		}
		return tx.Bucket(bucketKeys).Delete([]byte(id))
	})
}

// AccessKeyOwner returns the user an access key (active or not) belongs to.
func (s *Store) AccessKeyOwner(id string) (string, error) {
	var user string
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketKeys).Get([]byte(id))
		if v == nil {
			return errNoSuchKey(id)
		}
		var ak AccessKey
		if err := json.Unmarshal(v, &ak); err != nil {
			return fmt.Errorf("decode access key %q: %w", id, err)
		}
		user = ak.UserName
		return nil
	})
	return user, err
}

func policyPrefix(user string) []byte { return append(userKey(user), 0) }

func policyKey(user, name string) []byte { return append(policyPrefix(user), name...) }

func hasPrefix(k, prefix []byte) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix)
}

// PutUserPolicy sets (creating or replacing) an inline policy of a user.
// The document must parse (ErrMalformedPolicy, with IAM's message) and
// all of the user's inline policies together must stay within IAM's
// 2,048 non-whitespace characters (ErrLimitExceeded).
func (s *Store) PutUserPolicy(user, name, doc string) error {
	if err := checkName("policy name", name, 128); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		u, err := getUser(tx, user)
		if err != nil {
			return err
		}
		total := policy.Size([]byte(doc))
		prefix := policyPrefix(u.UserName)
		c := tx.Bucket(bucketPolicies).Cursor()
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			if string(k[len(prefix):]) != name {
				total += policy.Size(v)
			}
		}
		if total > policy.MaxUserInlineSize {
			return &Error{Kind: ErrLimitExceeded, Message: fmt.Sprintf("Maximum policy size of %d bytes exceeded for user %s", policy.MaxUserInlineSize, u.UserName)}
		}
		if _, err := policy.Parse([]byte(doc)); err != nil {
			var me *policy.MalformedError
			if errors.As(err, &me) {
				return &Error{Kind: ErrMalformedPolicy, Message: me.Message, Err: err}
			}
			var se *policy.SizeError
			if errors.As(err, &se) {
				return &Error{Kind: ErrLimitExceeded, Message: se.Error(), Err: err}
			}
			return &Error{Kind: ErrMalformedPolicy, Message: "Syntax errors in policy.", Err: err}
		}
		return tx.Bucket(bucketPolicies).Put(policyKey(u.UserName, name), []byte(doc))
	})
}

// GetUserPolicy returns an inline policy's document as it was put, and the
// user's name as stored.
func (s *Store) GetUserPolicy(user, name string) (userName, doc string, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		u, err := getUser(tx, user)
		if err != nil {
			return err
		}
		v := tx.Bucket(bucketPolicies).Get(policyKey(u.UserName, name))
		if v == nil {
			return errNoSuchPolicy(name)
		}
		userName, doc = u.UserName, string(v)
		return nil
	})
	return userName, doc, err
}

// DeleteUserPolicy deletes an inline policy.
func (s *Store) DeleteUserPolicy(user, name string) error {
	return s.update(func(tx *bolt.Tx) error {
		u, err := getUser(tx, user)
		if err != nil {
			return err
		}
		k := policyKey(u.UserName, name)
		if tx.Bucket(bucketPolicies).Get(k) == nil {
			return errNoSuchPolicy(name)
		}
		return tx.Bucket(bucketPolicies).Delete(k)
	})
}

// ListUserPolicies returns the names of a user's inline policies, sorted.
func (s *Store) ListUserPolicies(user string) ([]string, error) {
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		u, err := getUser(tx, user)
		if err != nil {
			return err
		}
		prefix := policyPrefix(u.UserName)
		c := tx.Bucket(bucketPolicies).Cursor()
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}

// newID returns prefix and n random characters of the base32 alphabet, the
// shape of IAM's unique ids ("AIDA" + 17 for users).
func newID(prefix string, n int) (string, error) {
	raw := make([]byte, n)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate id: %w", err)
	}
	id := make([]byte, 0, len(prefix)+n)
	id = append(id, prefix...)
	for _, b := range raw {
		id = append(id, idAlphabet[b&31])
	}
	return string(id), nil
}
