package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/server"
)

// client is a Kinesis client bound to one caudal endpoint, with what it
// needs to explain failures in the user's terms.
type client struct {
	*kinesis.Client
	g       *globals
	credSrc string // where the credentials came from, for error messages
}

// newClient builds a Kinesis client for the endpoint in g. Credentials
// come from, in order: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
// CAUDAL_ACCESS_KEY_ID/CAUDAL_SECRET_ACCESS_KEY, an explicit AWS_PROFILE,
// and finally the server's own <data>/credentials.json. A default AWS
// profile is deliberately not consulted before the data directory: it
// usually holds real AWS keys, which caudal would reject.
func newClient(ctx context.Context, e *env, g *globals) (*client, error) {
	creds, src, err := resolveCredentials(ctx, e, g)
	if err != nil {
		return nil, err
	}
	kc := kinesis.New(kinesis.Options{
		Region:       g.region,
		BaseEndpoint: aws.String(g.endpoint),
		Credentials:  creds,
	})
	return &client{Client: kc, g: g, credSrc: src}, nil
}

func resolveCredentials(ctx context.Context, e *env, g *globals) (aws.CredentialsProvider, string, error) {
	if id, secret := e.getenv("AWS_ACCESS_KEY_ID"), e.getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return credentials.NewStaticCredentialsProvider(id, secret, e.getenv("AWS_SESSION_TOKEN")), "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", nil
	}
	if id, secret := e.getenv(server.EnvAccessKeyID), e.getenv(server.EnvSecretAccessKey); id != "" && secret != "" {
		return credentials.NewStaticCredentialsProvider(id, secret, ""), server.EnvAccessKeyID + "/" + server.EnvSecretAccessKey, nil
	}
	if profile := e.getenv("AWS_PROFILE"); profile != "" {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile))
		if err != nil {
			return nil, "", fmt.Errorf("load AWS profile %q: %w", profile, err)
		}
		return cfg.Credentials, "AWS profile " + profile, nil
	}
	key, path, err := readRootKey(g.dataDir)
	if err != nil {
		return nil, "", err
	}
	return credentials.NewStaticCredentialsProvider(key.AccessKeyID, key.SecretAccessKey, ""), path, nil
}

// readRootKey reads the key the server stored in dataDir, without ever
// creating one: a client inventing a key the server does not know would
// only produce confusing signature errors.
func readRootKey(dataDir string) (auth.Key, string, error) {
	path := server.CredentialsFile(dataDir)
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if _, err := os.Stat(path); err != nil {
		return auth.Key{}, "", fmt.Errorf("no credentials: %s does not exist — start `caudal server` (it creates the key there), "+
			"point --data at the server's data directory, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", path)
	}
	noEnv := func(string) string { return "" }
	key, _, err := auth.LoadRoot(dataDir, noEnv)
	if err != nil {
		return auth.Key{}, "", fmt.Errorf("read credentials from %s: %w", path, err)
	}
	return key, path, nil
}

// explain turns an SDK error into one that says what to do.
func (c *client) explain(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || (errors.As(err, &ne) && !errors.As(err, new(smithy.APIError))) {
		return fmt.Errorf("cannot reach caudal at %s — is `caudal server` running? (set --endpoint or CAUDAL_ENDPOINT if it listens elsewhere): %w", c.g.endpoint, err)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException", "MissingAuthenticationTokenException":
			return fmt.Errorf("caudal at %s rejected the credentials from %s: %s — use the key the server printed at start-up (or --data pointing at its data directory)",
				c.g.endpoint, c.credSrc, api.ErrorMessage())
		}
		return fmt.Errorf("%s: %s", api.ErrorCode(), api.ErrorMessage())
	}
	return err
}

// isCode reports whether err is an AWS API error with the given code.
func isCode(err error, code string) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == code
}
