// Package auth owns caudal's principals and their keys: the root access key
// (created on first start or taken from the environment, stored in the data
// directory readable by its owner only), and the identity store (store.go)
// of IAM-style users, their access keys and inline policies, which the SigV4
// verifiers look keys up in and the IAM wire skin manages. subject.go is the
// contract authorization shares with every wire skin: the Subject of a
// request and Check.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables that set the root key.
const (
	EnvAccessKeyID     = "CAUDAL_ACCESS_KEY_ID"
	EnvSecretAccessKey = "CAUDAL_SECRET_ACCESS_KEY"
)

// FileName is the root key's file inside the data directory.
const FileName = "credentials.json"

// Path returns the root key file of dataDir.
func Path(dataDir string) string { return filepath.Join(dataDir, FileName) }

// Key is an access key pair.
type Key struct {
	AccessKeyID     string
	SecretAccessKey string
}

// Secret returns the secret of access key id; ok is false for any other id.
// It has the shape of sigv4.Verifier.Secret.
func (k Key) Secret(id string) (string, bool) {
	if k.AccessKeyID == "" || subtle.ConstantTimeCompare([]byte(id), []byte(k.AccessKeyID)) != 1 {
		return "", false
	}
	return k.SecretAccessKey, true
}

// fileFormat is the on-disk layout of credentials.json. Version 1; a change
// of fields must bump Version and keep reading version 1.
//
//	{"Version":1,"AccessKeyId":"AKIA…","SecretAccessKey":"…"}
type fileFormat struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

const fileVersion = 1

// LoadRoot returns the root key of the data directory dataDir.
//
// If CAUDAL_ACCESS_KEY_ID and CAUDAL_SECRET_ACCESS_KEY are both set (read
// through getenv) they are the key, and they are stored in the file so that
// clients reading the data directory (the caudal CLI) find the same key.
// Setting only one of them is an error. Otherwise the key is read from
// <dataDir>/credentials.json, which is created with a fresh random key on
// first start; created reports that.
//
// The file is mode 0600 in a directory created 0700, written atomically
// (temp file, fsync, link or rename, directory fsync). A file found with
// wider permissions is tightened to 0600 rather than refused: refusing would
// not un-leak the secret, and caudal has no rotation yet to offer instead.
func LoadRoot(dataDir string, getenv func(string) string) (key Key, created bool, err error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	id, secret := getenv(EnvAccessKeyID), getenv(EnvSecretAccessKey)
	if id != "" || secret != "" {
		if id == "" || secret == "" {
			return Key{}, false, fmt.Errorf("set both %s and %s, or neither (to use the key stored in %s)",
				EnvAccessKeyID, EnvSecretAccessKey, Path(dataDir))
		}
		key = Key{AccessKeyID: id, SecretAccessKey: secret}
		if err := key.validate(); err != nil {
			return Key{}, false, fmt.Errorf("key from %s/%s: %w", EnvAccessKeyID, EnvSecretAccessKey, err)
		}
		if err := store(dataDir, key, true); err != nil {
			return Key{}, false, err
		}
		return key, false, nil
	}

	key, err = read(Path(dataDir))
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Key{}, false, err
	}
	fresh, err := NewKey()
	if err != nil {
		return Key{}, false, err
	}
	if err := store(dataDir, fresh, false); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created the key between our read and our
			// link: theirs wins so both use the same key.
			key, err = read(Path(dataDir))
			return key, false, err
		}
		return Key{}, false, err
	}
	return fresh, true, nil
}

// validate checks a key can be used in a SigV4 credential scope: the id
// goes between slashes and commas of the Authorization header.
func (k Key) validate() error {
	if k.AccessKeyID == "" || k.SecretAccessKey == "" {
		return errors.New("access key id and secret must not be empty")
	}
	if strings.ContainsAny(k.AccessKeyID, "/,= \t\r\n") {
		return fmt.Errorf("access key id %q must not contain '/', ',', '=' or spaces", k.AccessKeyID)
	}
	if strings.ContainsAny(k.SecretAccessKey, "\r\n") {
		return errors.New("secret access key must not contain line breaks")
	}
	return nil
}

// Key alphabets: AWS access key ids are "AKIA" and 16 characters of the
// RFC 4648 base32 alphabet; secrets are 40 characters of standard base64.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewKey returns a fresh random key shaped like an AWS long-term key.
func NewKey() (Key, error) {
	var raw [16 + 30]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Key{}, fmt.Errorf("generate key: %w", err)
	}
	id := make([]byte, 0, 20)
	id = append(id, "AKIA"...)
	for _, b := range raw[:16] {
		id = append(id, idAlphabet[b&31])
	}
	// 30 bytes are exactly 40 base64 characters, no padding.
	secret := base64.StdEncoding.EncodeToString(raw[16:])
	return Key{AccessKeyID: string(id), SecretAccessKey: secret}, nil
}

// read loads and checks the key file, tightening its mode if needed.
func read(path string) (Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return Key{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Key{}, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return Key{}, fmt.Errorf("%s is readable by others (mode %v) and could not be restricted to 0600: %w",
				path, st.Mode().Perm(), err)
		}
	}
	var ff fileFormat
	dec := json.NewDecoder(f)
	if err := dec.Decode(&ff); err != nil {
		return Key{}, fmt.Errorf("read %s: %w", path, err)
	}
	if ff.Version != fileVersion {
		return Key{}, fmt.Errorf("read %s: unsupported version %d (this caudal reads version %d)", path, ff.Version, fileVersion)
	}
	key := Key{AccessKeyID: ff.AccessKeyID, SecretAccessKey: ff.SecretAccessKey}
	if err := key.validate(); err != nil {
		return Key{}, fmt.Errorf("read %s: %w", path, err)
	}
	return key, nil
}

// store writes key to dataDir's key file atomically. With replace false it
// never overwrites an existing file (fs.ErrExist instead), so two processes
// starting at once agree on one key.
func store(dataDir string, key Key, replace bool) error {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	path := Path(dataDir)
	if replace {
		if cur, err := read(path); err == nil && cur == key {
			return nil // nothing to change; keep the file as is
		}
	}
	data, err := json.MarshalIndent(fileFormat{Version: fileVersion, AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode key: %w", err)
	}
	data = append(data, '\n')

	tmp, err := os.CreateTemp(dataDir, ".credentials-*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("create temporary key file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after link or rename it is gone or a second name
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod temporary key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write temporary key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync temporary key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close temporary key file: %w", err)
	}
	if replace {
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("install key file: %w", err)
		}
	} else if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("install key file %s: %w", path, fs.ErrExist)
		}
		return fmt.Errorf("install key file: %w", err)
	}
	return syncDir(dataDir)
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open data directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync data directory: %w", err)
	}
	return nil
}
