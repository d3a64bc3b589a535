package stream

// Encryption at rest (StartStreamEncryption).
//
// When a stream is encrypted, every record appended from then on is
// stored sealed: AES-256-GCM under a data key of the stream's. The data
// key is made by the keystore under the KMS key the caller named
// (GenerateDataKey, encryption context {"aws:kinesis:arn": stream ARN})
// and kept wrapped in meta.json ("dataKeys"); each StartStreamEncryption
// makes a new one, and keys are never removed while the stream exists, so
// records sealed under any earlier key stay readable after
// StopStreamEncryption or a change of KMS key.
//
// Stored layout of a sealed record (envelope version 1). THIS LAYOUT MUST
// NOT CHANGE SILENTLY: a new layout takes a new version byte and this one
// stays readable. The shardlog record's partition key is empty — a flag no
// plaintext record can carry, because PutRecords refuses empty partition
// keys (Kinesis requires 1..256 characters) — and its data is:
//
//	off size field
//	  0    1 version  1
//	  1    4 keyIndex data key number in meta.json's dataKeys (uint32 LE, from 1)
//	  5   12 nonce    random
//	 17    n sealed   GCM(uvarint(len(partitionKey)) | partitionKey | data) and its 16-byte tag
//
// The additional data is bytes [0, 5) then the stream incarnation id, so a
// sealed record cannot be replayed into another stream. The partition key
// is sealed with the data. Arrival time and offsets stay in the clear (the
// log needs them for retention and seeks).
//
// Nonces are random (96 bits): each data key should seal fewer than 2^32
// records; a new StartStreamEncryption starts a new key.
//
// Records written before encryption was started stay plaintext and are
// served as they are, with no EncryptionType; sealed ones report KMS.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/shardlog"
)

// KMS failures of StartStreamEncryption, mapped by the kinesis skin to
// KMSNotFoundException, KMSDisabledException and KMSInvalidStateException.
var (
	ErrKMSNotFound = errors.New("kms key not found")
	ErrKMSDisabled = errors.New("kms key disabled")
	ErrKMSAccess   = errors.New("kms unavailable")
)

const (
	envelopeVersion = 1
	envelopeHeader  = 1 + 4 + 12
	gcmTag          = 16
)

// dataKeyMeta is one data key in meta.json.
type dataKeyMeta struct {
	Index   uint32 `json:"index"`
	KMSKey  string `json:"kmsKey"`  // the key ARN it was wrapped under
	Wrapped []byte `json:"wrapped"` // keystore ciphertext blob (base64 in JSON)
}

func (e *Engine) keyContext(s *streamState) map[string]string {
	return map[string]string{"aws:kinesis:arn": e.ARN(s.region, s.name)}
}

// openDataKeysLocked unwraps every data key of s into s.keys. A key that
// cannot be opened (its KMS key disabled) does not stop the engine: the
// records sealed under it fail to read, with the reason, until it can.
// A wrong master key never gets here (keystore.Open refuses it).
func (e *Engine) openDataKeysLocked(s *streamState) error {
	if len(s.meta.DataKeys) == 0 {
		return nil
	}
	if e.cfg.Keys == nil {
		return fmt.Errorf("stream: %s has encrypted records but the engine has no keystore", s.name)
	}
	s.keys = make(map[uint32]cipher.AEAD, len(s.meta.DataKeys))
	s.keyAD = make(map[uint32][]byte, len(s.meta.DataKeys))
	for _, dk := range s.meta.DataKeys {
		plain, err := e.cfg.Keys.UnwrapInternal(dk.Wrapped, e.keyContext(s))
		if errors.Is(err, keystore.ErrDisabled) {
			if s.keyErrs == nil {
				s.keyErrs = map[uint32]error{}
			}
			s.keyErrs[dk.Index] = err
			continue
		}
		if err != nil {
			return fmt.Errorf("stream: open data key %d of %s: %w", dk.Index, s.name, err)
		}
		a, err := newGCM(plain)
		if err != nil {
			return err
		}
		s.keys[dk.Index] = a
		s.keyAD[dk.Index] = recordAD(dk.Index, s.id)
	}
	return nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("stream: data key: %w", err)
	}
	return cipher.NewGCM(b)
}

// startEncryptionLocked makes a new data key under kmsKey and makes it
// the one new records are sealed with.
func (e *Engine) startEncryptionLocked(s *streamState, kmsKey string) error {
	if e.cfg.Keys == nil {
		return &Error{Kind: ErrKMSAccess, Message: "Encryption at rest is not available: the server has no key store."}
	}
	plain, blob, k, err := e.cfg.Keys.GenerateDataKey(kmsKey, s.region, 32, e.keyContext(s))
	switch {
	case errors.Is(err, keystore.ErrNotFound):
		return &Error{Kind: ErrKMSNotFound, Message: err.Error(), Err: err}
	case errors.Is(err, keystore.ErrDisabled):
		return &Error{Kind: ErrKMSDisabled, Message: err.Error(), Err: err}
	case err != nil:
		return internalErr(err, "stream: data key for %s", s.name)
	}
	a, err := newGCM(plain)
	if err != nil {
		return internalErr(err, "stream: data key for %s", s.name)
	}
	idx := uint32(len(s.meta.DataKeys) + 1)
	if err := e.updateLocked(s, func(m *streamMeta) error {
		m.DataKeys = append(m.DataKeys, dataKeyMeta{Index: idx, KMSKey: k.ARN, Wrapped: blob})
		m.ActiveDataKey = idx
		m.EncryptionType, m.KeyID = "KMS", kmsKey
		return nil
	}); err != nil {
		return err
	}
	if s.keys == nil {
		s.keys, s.keyAD = map[uint32]cipher.AEAD{}, map[uint32][]byte{}
	}
	s.keys[idx], s.keyAD[idx] = a, recordAD(idx, s.id)
	return nil
}

// sealEntries replaces entries' keys and data by sealed envelopes under
// the active key. It allocates one buffer for the whole group.
func (s *streamState) sealEntries(entries []shardlog.Entry) error {
	idx := s.meta.ActiveDataKey
	a := s.keys[idx]
	if a == nil {
		return fmt.Errorf("stream: %s: active data key %d is not open: %w", s.name, idx, s.keyErrs[idx])
	}
	n := 0
	for i := range entries {
		n += envelopeHeader + binary.MaxVarintLen64 + len(entries[i].PartitionKey) + len(entries[i].Data) + gcmTag
	}
	// One buffer holds every envelope (its capacity is exact, so the
	// nonces written into it stay put while Seal appends after them).
	buf := make([]byte, 0, n)
	plain := make([]byte, 0, 1024)
	ad := recordAD(idx, s.id)
	for i := range entries {
		en := &entries[i]
		start := len(buf)
		buf = append(buf, ad[:5]...)
		buf = append(buf, make([]byte, 12)...)
		nonce := buf[start+5 : start+envelopeHeader]
		if _, err := rand.Read(nonce); err != nil {
			return fmt.Errorf("stream: nonce: %w", err)
		}
		plain = binary.AppendUvarint(plain[:0], uint64(len(en.PartitionKey)))
		plain = append(plain, en.PartitionKey...)
		plain = append(plain, en.Data...)
		buf = a.Seal(buf, nonce, plain, ad)
		en.PartitionKey, en.Data = "", buf[start:len(buf):len(buf)]
	}
	return nil
}

// recordAD is the additional data of records sealed under data key idx
// of stream incarnation id: the envelope's first five bytes, then id.
func recordAD(idx uint32, id string) []byte {
	ad := make([]byte, 0, 5+len(id))
	ad = append(ad, envelopeVersion)
	ad = binary.LittleEndian.AppendUint32(ad, idx)
	return append(ad, id...)
}

// openRecordLocked returns the partition key and data of a sealed record
// (one whose stored partition key is empty). The data is opened into
// arena, which is returned grown (data aliases it).
func (s *streamState) openRecordLocked(data, arena []byte) (string, []byte, []byte, error) {
	if len(data) < envelopeHeader+gcmTag || data[0] != envelopeVersion {
		return "", nil, arena, fmt.Errorf("stream: %s: sealed record with unknown envelope (version %d, %d bytes)", s.name, firstByte(data), len(data))
	}
	idx := binary.LittleEndian.Uint32(data[1:5])
	a := s.keys[idx]
	if a == nil {
		if kerr := s.keyErrs[idx]; kerr != nil {
			return "", nil, arena, fmt.Errorf("stream: %s: data key %d cannot be opened: %w", s.name, idx, kerr)
		}
		return "", nil, arena, fmt.Errorf("stream: %s: sealed record names unknown data key %d", s.name, idx)
	}
	ad := s.keyAD[idx] // == recordAD(idx, s.id): data[0] is checked above
	start := len(arena)
	arena, err := a.Open(arena, data[5:envelopeHeader], data[envelopeHeader:], ad)
	if err != nil {
		return "", nil, arena[:start], fmt.Errorf("stream: %s: sealed record fails authentication: %w", s.name, err)
	}
	plain := arena[start:len(arena):len(arena)]
	kl, n := binary.Uvarint(plain)
	if n <= 0 || kl > uint64(len(plain)-n) {
		return "", nil, arena[:start], fmt.Errorf("stream: %s: sealed record has a bad key length", s.name)
	}
	return string(plain[n : n+int(kl)]), plain[n+int(kl):], arena, nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

// CustomerKey returns the ARN of the customer-managed KMS key stream name
// seals new records under, or "" when it is not encrypted or uses the
// AWS-managed alias/aws/kinesis key (whose key policy lets every principal
// of the account use it through Kinesis). The wire skin checks the
// caller's kms:GenerateDataKey (producers) or kms:Decrypt (consumers) on a
// returned key, as Kinesis does.
func (e *Engine) CustomerKey(region, name string) (string, error) {
	s, err := e.lookup(region, name)
	if err != nil {
		return "", err
	}
	s.mu.RLock()
	typ, id := s.meta.EncryptionType, s.meta.KeyID
	gone := s.gone
	s.mu.RUnlock()
	if gone {
		return "", e.notFound(name)
	}
	if typ != "KMS" || id == "" || e.cfg.Keys == nil {
		return "", nil
	}
	arn, err := e.cfg.Keys.CustomerKeyARN(id, region)
	switch {
	case errors.Is(err, keystore.ErrNotFound):
		return "", &Error{Kind: ErrKMSNotFound, Message: err.Error(), Err: err}
	case err != nil:
		return "", internalErr(err, "stream: key of %s", name)
	}
	return arn, nil
}
