package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/caudal/caudal/server"
)

// newEnvCmd prints shell exports for the server's root key, so that
// `eval "$(caudal env)"` prepares a shell for the AWS CLI and boto3.
func newEnvCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "env",
		Short: "Print shell exports of the server's credentials (eval \"$(caudal env)\")",
		Long: `Print export lines for the root key stored in the data directory (or taken from
CAUDAL_ACCESS_KEY_ID / CAUDAL_SECRET_ACCESS_KEY), the region and the endpoint:

  eval "$(caudal env)"
  aws --endpoint-url "$AWS_ENDPOINT_URL" kinesis list-streams

AWS_ENDPOINT_URL is honoured directly by boto3 >= 1.28 and AWS CLI >= 2.13; older
clients need --endpoint-url / endpoint_url.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, secret := e.getenv(server.EnvAccessKeyID), e.getenv(server.EnvSecretAccessKey)
			if id == "" || secret == "" {
				key, _, err := readRootKey(g.dataDir)
				if err != nil {
					return err
				}
				id, secret = key.AccessKeyID, key.SecretAccessKey
			}
			fmt.Fprintf(e.stdout, "export AWS_ACCESS_KEY_ID=%s\n", shellQuote(id))
			fmt.Fprintf(e.stdout, "export AWS_SECRET_ACCESS_KEY=%s\n", shellQuote(secret))
			fmt.Fprintf(e.stdout, "export AWS_DEFAULT_REGION=%s\n", shellQuote(g.region))
			fmt.Fprintf(e.stdout, "export AWS_REGION=%s\n", shellQuote(g.region))
			fmt.Fprintf(e.stdout, "export AWS_ENDPOINT_URL=%s\n", shellQuote(g.endpoint))
			return nil
		},
	}
}

// shellQuote quotes s for POSIX shells when it holds anything but the
// characters keys and URLs are made of.
func shellQuote(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '+' || r == '=') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
