// Package keystore owns caudal's encryption keys: KMS-style keys (a UUID
// key id, an ARN, aliases), the master key that protects them, and the
// data keys other engines encrypt records and objects with. It knows
// nothing of HTTP; the kms package is its wire skin, and the stream engine
// and the lake call it for data keys.
//
// # Master key
//
// The master key is 32 random bytes that never live in the data directory
// it protects. It comes, in order, from Config.MasterKey (the server fills
// it from CAUDAL_MASTER_KEY, base64), from Config.MasterKeyFile
// (--master-key-file), or from the default file
// <config dir>/caudal/master-<store id>.key, where the config dir is
// $XDG_CONFIG_HOME or ~/.config. A key file must be exactly 32 bytes or
// their base64 text, and must not be readable by group or others (mode
// 0600 or stricter); a wider mode is refused. The default file is created
// (0600, directory 0700) the first time a key is needed, so a server that
// never encrypts anything never writes one.
//
// Trade-off of the default: stealing the data directory alone (a backup,
// a disk image of a data volume) does not give the data away, but anyone
// who can read the user's home directory can read both. Operators who
// want the key elsewhere (a secrets mount, a KMS-fed environment variable)
// set --master-key-file or CAUDAL_MASTER_KEY. Losing the master key loses
// every encrypted record and object: back it up apart from the data.
//
// # On-disk format (keys.json, format version 1)
//
// THIS LAYOUT MUST NOT CHANGE SILENTLY: bump "version" and keep version 1
// readable. keys.json is JSON, replaced atomically (temp file, fsync,
// rename, directory fsync):
//
//	{"version":1, "storeId":"<32 hex>", "check":"<b64 sealed check>",
//	 "keys":[{"id":"<uuid>","region":"us-east-1","account":"000000000000",
//	          "description":"","usage":"ENCRYPT_DECRYPT","spec":"SYMMETRIC_DEFAULT",
//	          "manager":"CUSTOMER"|"AWS","state":"Enabled"|"Disabled",
//	          "created":"<RFC 3339>","material":"<b64 sealed 32 bytes>","hidden":false}],
//	 "aliases":[{"name":"alias/x","keyId":"<uuid>","region":"us-east-1","created":"…"}]}
//
// "sealed" is AES-256-GCM under the master key: 12-byte random nonce then
// ciphertext and tag, with additional data "caudal-keystore-v1:" plus the
// store id and, for key material, ":key:" plus the key id — so material
// cannot be moved between keys or stores. "check" seals a fixed text; a
// master key that does not open it is the wrong key (ErrWrongMasterKey),
// detected at Open before anything is served.
//
// # Ciphertext blobs (format version 1)
//
// Encrypt and GenerateDataKey return blobs that name their key, so Decrypt
// needs no KeyId, as with AWS KMS:
//
//	off size field
//	  0    1 version   1
//	  1    1 idLen     length of the key id (36 for a UUID)
//	  2    k keyId     the key's id, ASCII
//	2+k   12 nonce     random
//	14+k   n ciphertext and 16-byte GCM tag
//
// The additional data is bytes [0, 2+k) followed by the encryption context
// in canonical form (pairs sorted by key, each key and value prefixed by
// its length as a uvarint), so a blob decrypts only with the context it
// was made with.
package keystore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Sentinel errors; returned errors wrap them (errors.Is).
var (
	ErrNotFound          = errors.New("keystore: key not found")
	ErrDisabled          = errors.New("keystore: key disabled")
	ErrInvalidCiphertext = errors.New("keystore: invalid ciphertext")
	ErrIncorrectKey      = errors.New("keystore: ciphertext was made with another key")
	ErrWrongMasterKey    = errors.New("keystore: wrong master key")
	ErrMasterKey         = errors.New("keystore: master key unavailable")
	ErrAlreadyExists     = errors.New("keystore: alias already exists")
	ErrInvalidArgument   = errors.New("keystore: invalid argument")
)

// Key states as KMS names them.
const (
	StateEnabled  = "Enabled"
	StateDisabled = "Disabled"
)

// AWS-managed aliases, created (with their key) on first use.
const (
	AliasKinesis = "alias/aws/kinesis"
	AliasS3      = "alias/aws/s3"
)

const formatVersion = 1

// EnvMasterKey is the environment variable holding a base64 master key.
const EnvMasterKey = "CAUDAL_MASTER_KEY"

// Config configures a Store.
type Config struct {
	// Dir is the keystore's directory inside the data directory (required).
	Dir string
	// MasterKey, when set, is the master key (32 bytes).
	MasterKey []byte
	// MasterKeyFile, when set, names the file holding the master key.
	MasterKeyFile string
	// ConfigDir overrides the directory that holds caudal/master-<id>.key
	// (default $XDG_CONFIG_HOME, else ~/.config).
	ConfigDir string
	// Region and AccountID fill ARNs of keys created without a region
	// (defaults us-east-1 and 000000000000).
	Region, AccountID string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Key describes one KMS key.
type Key struct {
	ID          string
	ARN         string
	Region      string
	Account     string
	Description string
	Usage       string // ENCRYPT_DECRYPT
	Spec        string // SYMMETRIC_DEFAULT
	Manager     string // CUSTOMER or AWS
	State       string // Enabled or Disabled
	Created     time.Time
}

// Alias is one alias.
type Alias struct {
	Name    string // "alias/…"
	ARN     string
	KeyID   string // "" for none
	Created time.Time
}

type keyRec struct {
	ID          string    `json:"id"`
	Region      string    `json:"region"`
	Account     string    `json:"account"`
	Description string    `json:"description"`
	Usage       string    `json:"usage"`
	Spec        string    `json:"spec"`
	Manager     string    `json:"manager"`
	State       string    `json:"state"`
	Created     time.Time `json:"created"`
	Material    string    `json:"material"`
	Hidden      bool      `json:"hidden,omitempty"`
}

type aliasRec struct {
	Name    string    `json:"name"`
	KeyID   string    `json:"keyId"`
	Region  string    `json:"region"`
	Created time.Time `json:"created"`
}

type fileRec struct {
	Version int        `json:"version"`
	StoreID string     `json:"storeId"`
	Check   string     `json:"check"`
	Keys    []keyRec   `json:"keys"`
	Aliases []aliasRec `json:"aliases"`
}

const checkText = "caudal keystore master key check"

// Store is an open keystore. It is safe for concurrent use.
//
// Locking: mu guards every field below it. Key material is unsealed once
// and kept (as a ready cipher.AEAD) in aeads.
type Store struct {
	cfg Config

	mu       sync.Mutex
	file     fileRec
	master   cipher.AEAD // nil until a master key is resolved
	keyPath  string      // where the master key came from (a path, or the env var name)
	aeads    map[string]cipher.AEAD
	internal string // id of the hidden key SSE-S3 wraps with ("" until first use)
}

// Open opens (creating if needed) the keystore in cfg.Dir. When keys.json
// exists the master key must be available and right, or Open fails with
// ErrMasterKey or ErrWrongMasterKey. When it does not, the master key is
// resolved lazily, on the first key the store creates.
func Open(cfg Config) (*Store, error) {
	if cfg.Dir == "" {
		return nil, errors.New("keystore: Config.Dir is required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MasterKey != nil && len(cfg.MasterKey) != 32 {
		return nil, fmt.Errorf("%w: master key is %d bytes, want 32", ErrMasterKey, len(cfg.MasterKey))
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("keystore: %w", err)
	}
	s := &Store{cfg: cfg, aeads: map[string]cipher.AEAD{}}
	data, err := os.ReadFile(s.filePath())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		id := make([]byte, 16)
		rand.Read(id)
		s.file = fileRec{Version: formatVersion, StoreID: hex.EncodeToString(id)}
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("keystore: %w", err)
	}
	if err := json.Unmarshal(data, &s.file); err != nil {
		return nil, fmt.Errorf("keystore: %s: %w", s.filePath(), err)
	}
	if s.file.Version != formatVersion {
		return nil, fmt.Errorf("keystore: %s has format version %d (this build reads %d)", s.filePath(), s.file.Version, formatVersion)
	}
	if err := s.resolveMasterLocked(false); err != nil {
		return nil, err
	}
	chk, err := base64.StdEncoding.DecodeString(s.file.Check)
	if err != nil {
		return nil, fmt.Errorf("keystore: %s: check field: %w", s.filePath(), err)
	}
	if pt, err := s.unseal(chk, "check"); err != nil || string(pt) != checkText {
		return nil, fmt.Errorf("%w: the master key from %s does not open %s (a different key was used when the keys were created; set the original with --master-key-file or %s)",
			ErrWrongMasterKey, s.keyPath, s.filePath(), EnvMasterKey)
	}
	for _, k := range s.file.Keys {
		if k.Hidden {
			s.internal = k.ID
		}
	}
	return s, nil
}

func (s *Store) filePath() string { return filepath.Join(s.cfg.Dir, "keys.json") }

// MasterKeyPath says where the master key comes from (a file path or the
// environment variable's name), or where it will be created; for the banner.
func (s *Store) MasterKeyPath() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keyPath != "" {
		return s.keyPath
	}
	switch {
	case s.cfg.MasterKey != nil:
		return EnvMasterKey
	case s.cfg.MasterKeyFile != "":
		return s.cfg.MasterKeyFile
	}
	p, err := s.defaultKeyPath()
	if err != nil {
		return "(no config directory: " + err.Error() + ")"
	}
	return p + " (created on first use)"
}

func (s *Store) defaultKeyPath() (string, error) {
	dir := s.cfg.ConfigDir
	if dir == "" {
		var err error
		if dir, err = os.UserConfigDir(); err != nil {
			return "", fmt.Errorf("%w: no config directory for the default master key file (%v); use --master-key-file or %s", ErrMasterKey, err, EnvMasterKey)
		}
	}
	return filepath.Join(dir, "caudal", "master-"+s.file.StoreID+".key"), nil
}

// resolveMasterLocked finds the master key; create allows generating the
// default file when no source is configured and it does not exist yet.
func (s *Store) resolveMasterLocked(create bool) error {
	if s.master != nil {
		return nil
	}
	var key []byte
	switch {
	case s.cfg.MasterKey != nil:
		key, s.keyPath = s.cfg.MasterKey, EnvMasterKey
	case s.cfg.MasterKeyFile != "":
		k, err := ReadKeyFile(s.cfg.MasterKeyFile)
		if err != nil {
			return err
		}
		key, s.keyPath = k, s.cfg.MasterKeyFile
	default:
		p, err := s.defaultKeyPath()
		if err != nil {
			return err
		}
		k, err := ReadKeyFile(p)
		if errors.Is(err, fs.ErrNotExist) && create {
			k, err = createKeyFile(p)
		} else if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s holds keys but the master key file %s is missing (restore it, or name it with --master-key-file or %s)", ErrMasterKey, s.filePath(), p, EnvMasterKey)
		}
		if err != nil {
			return err
		}
		key, s.keyPath = k, p
	}
	a, err := newAEAD(key)
	if err != nil {
		return err
	}
	s.master = a
	return nil
}

// ReadKeyFile reads a master key file: 32 raw bytes or their base64 text.
// A file readable or writable by group or others is refused.
func ReadKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMasterKey, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: master key file %s has mode %#o; it must not be accessible to group or others (chmod 600 %s)", ErrMasterKey, path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMasterKey, err)
	}
	return ParseMasterKey(b, path)
}

// ParseMasterKey accepts 32 raw bytes or their (standard) base64 text;
// from names the source in errors. The key itself never appears in one.
func ParseMasterKey(b []byte, from string) ([]byte, error) {
	if len(b) == 32 {
		return b, nil
	}
	t := strings.TrimSpace(string(b))
	k, err := base64.StdEncoding.DecodeString(t)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("%w: %s must hold 32 bytes or their base64 (44 characters)", ErrMasterKey, from)
	}
	return k, nil
}

func createKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMasterKey, err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMasterKey, err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("%w: write %s: %w", ErrMasterKey, path, err)
	}
	return k, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keystore: %w", err)
	}
	return cipher.NewGCM(b)
}

func (s *Store) aad(purpose string) []byte {
	return []byte("caudal-keystore-v1:" + s.file.StoreID + ":" + purpose)
}

func (s *Store) seal(pt []byte, purpose string) []byte {
	nonce := make([]byte, 12, 12+len(pt)+16)
	rand.Read(nonce)
	return s.master.Seal(nonce, nonce, pt, s.aad(purpose))
}

func (s *Store) unseal(b []byte, purpose string) ([]byte, error) {
	if len(b) < 12+16 {
		return nil, errors.New("sealed value too short")
	}
	return s.master.Open(nil, b[:12], b[12:], s.aad(purpose))
}

// saveLocked writes keys.json atomically.
func (s *Store) saveLocked() error {
	data, err := json.MarshalIndent(&s.file, "", " ")
	if err != nil {
		return fmt.Errorf("keystore: %w", err)
	}
	tmp := s.filePath() + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("keystore: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.filePath())
	}
	if err == nil {
		err = syncDir(s.cfg.Dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("keystore: save %s: %w", s.filePath(), err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ensureReadyLocked resolves the master key (creating the default file if
// needed) and the check value, before the first key is written.
func (s *Store) ensureReadyLocked() error {
	if err := s.resolveMasterLocked(true); err != nil {
		return err
	}
	if s.file.Check == "" {
		s.file.Check = base64.StdEncoding.EncodeToString(s.seal([]byte(checkText), "check"))
	}
	return nil
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (s *Store) keyARN(k *keyRec) string {
	return "arn:aws:kms:" + k.Region + ":" + k.Account + ":key/" + k.ID
}

func (s *Store) aliasARN(a *aliasRec) string {
	return "arn:aws:kms:" + a.Region + ":" + s.cfg.AccountID + ":" + a.Name
}

func (s *Store) public(k *keyRec) Key {
	return Key{ID: k.ID, ARN: s.keyARN(k), Region: k.Region, Account: k.Account, Description: k.Description,
		Usage: k.Usage, Spec: k.Spec, Manager: k.Manager, State: k.State, Created: k.Created}
}

// CreateOptions are CreateKey's parameters.
type CreateOptions struct {
	Region      string
	Description string
}

// CreateKey makes a new customer-managed symmetric key.
func (s *Store) CreateKey(opts CreateOptions) (Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.createKeyLocked(opts.Region, opts.Description, "CUSTOMER", false)
	if err != nil {
		return Key{}, err
	}
	return s.public(k), nil
}

func (s *Store) createKeyLocked(region, desc, manager string, hidden bool) (*keyRec, error) {
	if err := s.ensureReadyLocked(); err != nil {
		return nil, err
	}
	if region == "" {
		region = s.cfg.Region
	}
	material := make([]byte, 32)
	rand.Read(material)
	id := newUUID()
	rec := keyRec{ID: id, Region: region, Account: s.cfg.AccountID, Description: desc, Usage: "ENCRYPT_DECRYPT",
		Spec: "SYMMETRIC_DEFAULT", Manager: manager, State: StateEnabled, Created: s.cfg.Now().UTC().Truncate(time.Millisecond),
		Material: base64.StdEncoding.EncodeToString(s.seal(material, "key:"+id)), Hidden: hidden}
	s.file.Keys = append(s.file.Keys, rec)
	if err := s.saveLocked(); err != nil {
		s.file.Keys = s.file.Keys[:len(s.file.Keys)-1]
		return nil, err
	}
	a, err := newAEAD(material)
	if err != nil {
		return nil, err
	}
	s.aeads[id] = a
	return &s.file.Keys[len(s.file.Keys)-1], nil
}

// resolveLocked finds the key a KeyId names: a key id, key ARN, alias name
// or alias ARN. AWS-managed aliases are created on first use.
func (s *Store) resolveLocked(keyID, region string) (*keyRec, error) {
	if region == "" {
		region = s.cfg.Region
	}
	id := keyID
	if strings.HasPrefix(id, "arn:") {
		parts := strings.SplitN(id, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" {
			return nil, fmt.Errorf("%w: Invalid keyId '%s'", ErrNotFound, keyID)
		}
		region = parts[3]
		res := parts[5]
		switch {
		case strings.HasPrefix(res, "key/"):
			id = strings.TrimPrefix(res, "key/")
		case strings.HasPrefix(res, "alias/"):
			id = res
		default:
			return nil, fmt.Errorf("%w: Invalid keyId '%s'", ErrNotFound, keyID)
		}
	}
	if strings.HasPrefix(id, "alias/") {
		for i := range s.file.Aliases {
			a := &s.file.Aliases[i]
			if a.Name == id && a.Region == region {
				id = a.KeyID
				goto byID
			}
		}
		if id == AliasKinesis || id == AliasS3 {
			k, err := s.createKeyLocked(region, "Default key that protects my "+map[bool]string{true: "Kinesis", false: "S3"}[id == AliasKinesis]+" data when no other key is defined", "AWS", false)
			if err != nil {
				return nil, err
			}
			s.file.Aliases = append(s.file.Aliases, aliasRec{Name: id, KeyID: k.ID, Region: region, Created: k.Created})
			if err := s.saveLocked(); err != nil {
				s.file.Aliases = s.file.Aliases[:len(s.file.Aliases)-1]
				return nil, err
			}
			return k, nil
		}
		return nil, fmt.Errorf("%w: Alias %s is not found.", ErrNotFound, s.aliasARN(&aliasRec{Name: id, Region: region}))
	}
byID:
	for i := range s.file.Keys {
		if k := &s.file.Keys[i]; k.ID == id && !k.Hidden {
			return k, nil
		}
	}
	if strings.HasPrefix(keyID, "arn:") {
		return nil, fmt.Errorf("%w: Key '%s' does not exist", ErrNotFound, keyID)
	}
	return nil, fmt.Errorf("%w: Key 'arn:aws:kms:%s:%s:key/%s' does not exist", ErrNotFound, region, s.cfg.AccountID, id)
}

// DescribeKey returns the key keyID names (id, ARN, alias or alias ARN).
func (s *Store) DescribeKey(keyID, region string) (Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolveLocked(keyID, region)
	if err != nil {
		return Key{}, err
	}
	return s.public(k), nil
}

// CustomerKeyARN returns the ARN of the key keyID names when it is
// customer-managed, and "" for an AWS-managed one (alias/aws/s3,
// alias/aws/kinesis), whose key policy lets every principal of the account
// use it through its service. Services that seal data under a key check
// the caller's own KMS permission only on a returned ARN.
func (s *Store) CustomerKeyARN(keyID, region string) (string, error) {
	k, err := s.DescribeKey(keyID, region)
	if err != nil || k.Manager != "CUSTOMER" {
		return "", err
	}
	return k.ARN, nil
}

// ListKeys lists the keys of a region in creation order.
func (s *Store) ListKeys(region string) []Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	if region == "" {
		region = s.cfg.Region
	}
	var out []Key
	for i := range s.file.Keys {
		if k := &s.file.Keys[i]; !k.Hidden && k.Region == region {
			out = append(out, s.public(k))
		}
	}
	return out
}

// SetEnabled enables or disables a key (EnableKey, DisableKey).
func (s *Store) SetEnabled(keyID, region string, enabled bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolveLocked(keyID, region)
	if err != nil {
		return err
	}
	old := k.State
	k.State = map[bool]string{true: StateEnabled, false: StateDisabled}[enabled]
	if err := s.saveLocked(); err != nil {
		k.State = old
		return err
	}
	return nil
}

// CreateAlias points a new alias at a key.
func (s *Store) CreateAlias(name, keyID, region string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if region == "" {
		region = s.cfg.Region
	}
	if !strings.HasPrefix(name, "alias/") || strings.HasPrefix(name, "alias/aws/") {
		return fmt.Errorf("%w: alias must begin with 'alias/' and must not begin with 'alias/aws/'", ErrInvalidArgument)
	}
	for _, a := range s.file.Aliases {
		if a.Name == name && a.Region == region {
			return fmt.Errorf("%w: An alias with the name %s already exists", ErrAlreadyExists, s.aliasARN(&a))
		}
	}
	k, err := s.resolveLocked(keyID, region)
	if err != nil {
		return err
	}
	s.file.Aliases = append(s.file.Aliases, aliasRec{Name: name, KeyID: k.ID, Region: region, Created: s.cfg.Now().UTC().Truncate(time.Millisecond)})
	if err := s.saveLocked(); err != nil {
		s.file.Aliases = s.file.Aliases[:len(s.file.Aliases)-1]
		return err
	}
	return nil
}

// ListAliases lists a region's aliases (optionally only those of a key),
// including the AWS-managed ones that have been used.
func (s *Store) ListAliases(region, keyID string) ([]Alias, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if region == "" {
		region = s.cfg.Region
	}
	want := ""
	if keyID != "" {
		k, err := s.resolveLocked(keyID, region)
		if err != nil {
			return nil, err
		}
		want = k.ID
	}
	var out []Alias
	for i := range s.file.Aliases {
		a := &s.file.Aliases[i]
		if a.Region != region || (want != "" && a.KeyID != want) {
			continue
		}
		out = append(out, Alias{Name: a.Name, ARN: s.aliasARN(a), KeyID: a.KeyID, Created: a.Created})
	}
	slices.SortFunc(out, func(a, b Alias) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// aeadLocked returns the ready cipher of key k, unsealing its material once.
func (s *Store) aeadLocked(k *keyRec) (cipher.AEAD, error) {
	if a := s.aeads[k.ID]; a != nil {
		return a, nil
	}
	if err := s.resolveMasterLocked(false); err != nil {
		return nil, err
	}
	sealed, err := base64.StdEncoding.DecodeString(k.Material)
	if err != nil {
		return nil, fmt.Errorf("keystore: key %s material: %w", k.ID, err)
	}
	m, err := s.unseal(sealed, "key:"+k.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: key %s material does not open: %w", ErrWrongMasterKey, k.ID, err)
	}
	a, err := newAEAD(m)
	if err != nil {
		return nil, err
	}
	s.aeads[k.ID] = a
	return a, nil
}

// canonicalContext encodes an encryption context for use as additional data.
func canonicalContext(b []byte, ctx map[string]string) []byte {
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(ctx[k])))
		b = append(b, ctx[k]...)
	}
	return b
}

const blobVersion = 1

// Encrypt encrypts plaintext under the key keyID names, binding the
// encryption context; it returns the blob and the key's ARN.
func (s *Store) Encrypt(keyID, region string, plaintext []byte, ctx map[string]string) ([]byte, Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.resolveLocked(keyID, region)
	if err != nil {
		return nil, Key{}, err
	}
	if k.State != StateEnabled {
		return nil, Key{}, fmt.Errorf("%w: %s is disabled.", ErrDisabled, s.keyARN(k))
	}
	blob, err := s.encryptLocked(k, plaintext, ctx)
	return blob, s.public(k), err
}

func (s *Store) encryptLocked(k *keyRec, plaintext []byte, ctx map[string]string) ([]byte, error) {
	a, err := s.aeadLocked(k)
	if err != nil {
		return nil, err
	}
	hdr := make([]byte, 0, 2+len(k.ID)+12+len(plaintext)+16)
	hdr = append(hdr, blobVersion, byte(len(k.ID)))
	hdr = append(hdr, k.ID...)
	ad := canonicalContext(slices.Clone(hdr), ctx)
	nonce := make([]byte, 12)
	rand.Read(nonce)
	out := append(hdr, nonce...)
	return a.Seal(out, nonce, plaintext, ad), nil
}

// BlobKeyID returns the key id a ciphertext blob names.
func BlobKeyID(blob []byte) (string, error) {
	if len(blob) < 2 || blob[0] != blobVersion || len(blob) < 2+int(blob[1])+12+16 {
		return "", fmt.Errorf("%w: not a caudal ciphertext blob", ErrInvalidCiphertext)
	}
	return string(blob[2 : 2+int(blob[1])]), nil
}

// Decrypt opens a blob made by Encrypt or GenerateDataKey. keyID, when
// given, must name the key the blob was made with (ErrIncorrectKey).
func (s *Store) Decrypt(blob []byte, keyID, region string, ctx map[string]string) ([]byte, Key, error) {
	id, err := BlobKeyID(blob)
	if err != nil {
		return nil, Key{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var k *keyRec
	for i := range s.file.Keys {
		if s.file.Keys[i].ID == id {
			k = &s.file.Keys[i]
		}
	}
	if k == nil {
		return nil, Key{}, fmt.Errorf("%w: the key the ciphertext names does not exist", ErrInvalidCiphertext)
	}
	if keyID != "" {
		want, err := s.resolveLocked(keyID, region)
		if err != nil {
			return nil, Key{}, err
		}
		if want.ID != k.ID {
			return nil, Key{}, fmt.Errorf("%w: The key ID in the request does not identify a CMK that can perform this operation.", ErrIncorrectKey)
		}
	}
	if k.State != StateEnabled {
		return nil, Key{}, fmt.Errorf("%w: %s is disabled.", ErrDisabled, s.keyARN(k))
	}
	pt, err := s.decryptLocked(k, blob, ctx)
	return pt, s.public(k), err
}

func (s *Store) decryptLocked(k *keyRec, blob []byte, ctx map[string]string) ([]byte, error) {
	a, err := s.aeadLocked(k)
	if err != nil {
		return nil, err
	}
	n := 2 + int(blob[1])
	ad := canonicalContext(slices.Clone(blob[:n]), ctx)
	pt, err := a.Open(nil, blob[n:n+12], blob[n+12:], ad)
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (wrong encryption context or damaged ciphertext)", ErrInvalidCiphertext)
	}
	return pt, nil
}

// GenerateDataKey makes n random bytes and returns them with their blob
// under keyID.
func (s *Store) GenerateDataKey(keyID, region string, n int, ctx map[string]string) (plain, blob []byte, k Key, err error) {
	if n < 1 || n > 1024 {
		return nil, nil, Key{}, fmt.Errorf("%w: NumberOfBytes %d out of range [1, 1024]", ErrInvalidArgument, n)
	}
	plain = make([]byte, n)
	rand.Read(plain)
	blob, k, err = s.Encrypt(keyID, region, plain, ctx)
	if err != nil {
		return nil, nil, Key{}, err
	}
	return plain, blob, k, nil
}

// WrapInternal seals a data key under caudal's own hidden key (SSE-S3:
// the key belongs to the service, not to the account, and is not listed).
func (s *Store) WrapInternal(plain []byte, ctx map[string]string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.internalLocked()
	if err != nil {
		return nil, err
	}
	return s.encryptLocked(k, plain, ctx)
}

// UnwrapInternal opens a blob made by WrapInternal, or by Encrypt under a
// key that is still enabled: the lake and the stream engine use it to open
// the data keys they stored, whichever kind.
func (s *Store) UnwrapInternal(blob []byte, ctx map[string]string) ([]byte, error) {
	id, err := BlobKeyID(blob)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.file.Keys {
		if k := &s.file.Keys[i]; k.ID == id {
			if !k.Hidden && k.State != StateEnabled {
				return nil, fmt.Errorf("%w: %s is disabled.", ErrDisabled, s.keyARN(k))
			}
			return s.decryptLocked(k, blob, ctx)
		}
	}
	return nil, fmt.Errorf("%w: the key the ciphertext names does not exist", ErrInvalidCiphertext)
}

func (s *Store) internalLocked() (*keyRec, error) {
	if s.internal != "" {
		for i := range s.file.Keys {
			if s.file.Keys[i].ID == s.internal {
				return &s.file.Keys[i], nil
			}
		}
	}
	k, err := s.createKeyLocked("", "caudal SSE-S3 service key", "AWS", true)
	if err != nil {
		return nil, err
	}
	s.internal = k.ID
	return k, nil
}
