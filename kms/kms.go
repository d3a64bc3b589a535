// Package kms is the AWS Key Management Service wire skin: a subset of
// KMS 2014-11-01 (botocore's kms/service-2.json), AWS JSON 1.1 with
// X-Amz-Target "TrentService.<Operation>" and SigV4 signing name "kms".
// It checks requests against the model's constraints, authorizes each
// operation (kms:<Operation> on the key's ARN, or "*" for CreateKey,
// ListKeys and ListAliases) and translates to package keystore, which
// owns the keys.
//
// Served: CreateKey (symmetric ENCRYPT_DECRYPT keys only), DescribeKey,
// ListKeys, EnableKey, DisableKey, Encrypt, Decrypt, GenerateDataKey,
// GenerateDataKeyWithoutPlaintext, CreateAlias and ListAliases. KeyId may
// be a key id, key ARN, alias name or alias ARN; the AWS-managed aliases
// alias/aws/kinesis and alias/aws/s3 come into being on first use, as in
// AWS. Every other KMS operation answers UnknownOperationException.
//
// Deliberately not: key policies and grants (Policy, GrantTokens are
// accepted and ignored), asymmetric and HMAC keys, multi-Region keys,
// custom key stores, imported key material, key rotation, scheduled
// deletion, tags, DryRun.
//
// One file per action; errors.go maps keystore errors to KMS codes.
package kms

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/protocol"
)

// TargetPrefix is the X-Amz-Target prefix of AWS KMS.
const TargetPrefix = "TrentService"

// SigningName is KMS's SigV4 service name.
const SigningName = "kms"

// maxBodyBytes bounds a request: the largest member is a 6 KiB
// ciphertext (8 KiB in base64) plus an encryption context.
const maxBodyBytes = 1 << 20

type service struct {
	ks *keystore.Store
}

// New returns the KMS service over key store ks.
func New(ks *keystore.Store) *protocol.Service {
	s := &service{ks: ks}
	return &protocol.Service{
		TargetPrefix: TargetPrefix,
		MaxBodyBytes: maxBodyBytes,
		Ops: map[string]protocol.Handler{
			"CreateAlias":                     s.createAlias,
			"CreateKey":                       s.createKey,
			"Decrypt":                         s.decrypt,
			"DescribeKey":                     s.describeKey,
			"DisableKey":                      s.disableKey,
			"EnableKey":                       s.enableKey,
			"Encrypt":                         s.encrypt,
			"GenerateDataKey":                 s.generateDataKey,
			"GenerateDataKeyWithoutPlaintext": s.generateDataKeyWithoutPlaintext,
			"ListAliases":                     s.listAliases,
			"ListKeys":                        s.listKeys,
		},
	}
}

func region(c *protocol.Call) string {
	if c.Caller.Region != "" {
		return c.Caller.Region
	}
	return "us-east-1"
}

// authorize checks kms:<Operation> on resource, answering
// AccessDeniedException (400) on refusal.
func authorize(ctx context.Context, c *protocol.Call, resource string) error {
	err := auth.Check(ctx, "kms:"+c.Operation, resource, nil)
	var d *auth.DeniedError
	if errors.As(err, &d) {
		return &protocol.Error{Code: "AccessDeniedException", Status: http.StatusBadRequest, Message: d.Error()}
	}
	return err
}

// keyFor resolves keyID and authorizes the call on the key's ARN.
func (s *service) keyFor(ctx context.Context, c *protocol.Call, keyID string) (keystore.Key, error) {
	k, err := s.ks.DescribeKey(keyID, region(c))
	if err != nil {
		// Authorize on what was named, so a denied caller learns nothing
		// about which keys exist.
		if aerr := authorize(ctx, c, "*"); aerr != nil {
			return keystore.Key{}, aerr
		}
		return keystore.Key{}, wireError(err)
	}
	if err := authorize(ctx, c, k.ARN); err != nil {
		return keystore.Key{}, err
	}
	return k, nil
}

// validation is KMS's ValidationException with AWS's wording.
func validation(v *protocol.Violations) error {
	if msg := v.Message(); msg != "" {
		return &protocol.Error{Code: "ValidationException", Status: http.StatusBadRequest, Message: msg}
	}
	return nil
}

func checkKeyID(v *protocol.Violations, path string, id *string, required bool) {
	switch {
	case id == nil && required:
		v.Fail("null", path, "Member must not be null")
	case id == nil:
	case len(*id) < 1:
		v.Fail(*id, path, "Member must have length greater than or equal to 1")
	case len(*id) > 2048:
		v.Fail(*id, path, "Member must have length less than or equal to 2048")
	}
}

func checkContext(v *protocol.Violations, ctx map[string]string) {
	for k := range ctx {
		if k == "" {
			v.Fail("", "encryptionContext", "Map keys must have length greater than or equal to 1")
		}
	}
}

// wireError maps keystore errors to KMS codes (all HTTP 400 but
// KMSInternalException, 500).
func wireError(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	codes := []struct {
		kind error
		code string
	}{
		{keystore.ErrNotFound, "NotFoundException"},
		{keystore.ErrDisabled, "DisabledException"},
		{keystore.ErrInvalidCiphertext, "InvalidCiphertextException"},
		{keystore.ErrIncorrectKey, "IncorrectKeyException"},
		{keystore.ErrAlreadyExists, "AlreadyExistsException"},
		{keystore.ErrInvalidArgument, "ValidationException"},
	}
	for _, m := range codes {
		if errors.Is(err, m.kind) {
			return &protocol.Error{Code: m.code, Status: http.StatusBadRequest, Message: trimPrefix(err.Error())}
		}
	}
	return fmt.Errorf("kms: key store: %w", err)
}

// trimPrefix drops the "keystore: <kind>: " lead of a wrapped error.
func trimPrefix(msg string) string {
	for _, p := range []string{"keystore: key not found: ", "keystore: key disabled: ", "keystore: invalid ciphertext: ",
		"keystore: ciphertext was made with another key: ", "keystore: alias already exists: ", "keystore: invalid argument: "} {
		if len(msg) > len(p) && msg[:len(p)] == p {
			return msg[len(p):]
		}
	}
	return msg
}

// keyMetadata is the model's KeyMetadata.
type keyMetadata struct {
	AWSAccountId          string             `json:"AWSAccountId"`
	KeyId                 string             `json:"KeyId"`
	Arn                   string             `json:"Arn"`
	CreationDate          protocol.Timestamp `json:"CreationDate"`
	Enabled               bool               `json:"Enabled"`
	Description           string             `json:"Description"`
	KeyUsage              string             `json:"KeyUsage"`
	KeyState              string             `json:"KeyState"`
	Origin                string             `json:"Origin"`
	KeyManager            string             `json:"KeyManager"`
	CustomerMasterKeySpec string             `json:"CustomerMasterKeySpec"`
	KeySpec               string             `json:"KeySpec"`
	EncryptionAlgorithms  []string           `json:"EncryptionAlgorithms"`
	MultiRegion           bool               `json:"MultiRegion"`
}

func metadata(k keystore.Key) keyMetadata {
	return keyMetadata{
		AWSAccountId: k.Account, KeyId: k.ID, Arn: k.ARN, CreationDate: protocol.NewTimestamp(k.Created),
		Enabled: k.State == keystore.StateEnabled, Description: k.Description, KeyUsage: k.Usage, KeyState: k.State,
		Origin: "AWS_KMS", KeyManager: k.Manager, CustomerMasterKeySpec: k.Spec, KeySpec: k.Spec,
		EncryptionAlgorithms: []string{"SYMMETRIC_DEFAULT"},
	}
}

type keyIDInput struct {
	KeyId *string `json:"KeyId,omitempty"`
}

type empty struct{}
