package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/caudal/caudal/server"
)

func newServerCmd(e *env, g *globals) *cobra.Command {
	var listen, quotas, fsync, tlsCert, tlsKey, masterKeyFile string
	var tlsSelfSigned, showSecret bool
	var maxConns int
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the caudal server",
		Long: `Run the caudal server: the Kinesis Data Streams API on one HTTP/1.1 + h2c port,
with data under --data. On first start it creates a root access key (or takes
CAUDAL_ACCESS_KEY_ID / CAUDAL_SECRET_ACCESS_KEY) and prints it with ready-to-paste
AWS CLI and boto3 examples. SIGINT/SIGTERM drain in-flight requests and flush.

With --tls-cert/--tls-key, or --tls-self-signed (a certificate generated once into
<data>/tls/), the port serves HTTPS only, with HTTP/2; the banner shows how to make
clients trust the certificate.

Environment: CAUDAL_LISTEN, CAUDAL_DATA, CAUDAL_QUOTAS, CAUDAL_FSYNC, CAUDAL_TLS_CERT,
CAUDAL_TLS_KEY, CAUDAL_TLS_SELF_SIGNED, CAUDAL_MAX_CONNECTIONS, CAUDAL_MASTER_KEY (flags win).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := server.Config{Getenv: e.getenv, Log: e.stdout}
			if err := cfg.ApplyEnv(e.getenv); err != nil {
				return usageError{err}
			}
			cfg.DataDir = g.dataDir // already env-or-flag
			flags := cmd.Flags()
			if flags.Changed("listen") {
				cfg.Listen = listen
			}
			if flags.Changed("fsync") {
				cfg.Fsync = fsync
			}
			if flags.Changed("quotas") {
				off, err := server.ParseQuotas(quotas)
				if err != nil {
					return usageError{err}
				}
				cfg.QuotasOff = off
			}
			if flags.Changed("tls-cert") {
				cfg.TLSCert = tlsCert
			}
			if flags.Changed("tls-key") {
				cfg.TLSKey = tlsKey
			}
			if flags.Changed("tls-self-signed") {
				cfg.TLSSelfSigned = tlsSelfSigned
			}
			if flags.Changed("max-connections") {
				if maxConns <= 0 {
					return usageError{fmt.Errorf("--max-connections %d: want a positive number", maxConns)}
				}
				cfg.MaxConnections = maxConns
			}
			cfg.ShowSecret = showSecret
			if flags.Changed("master-key-file") {
				cfg.MasterKeyFile = masterKeyFile
			}
			if cfg.TLSSelfSigned && (cfg.TLSCert != "" || cfg.TLSKey != "") {
				return usageError{errors.New("choose --tls-self-signed or --tls-cert/--tls-key, not both")}
			}
			if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
				return usageError{errors.New("--tls-cert and --tls-key go together (or use --tls-self-signed)")}
			}
			if _, err := server.ParseFsync(cfg.Fsync); err != nil {
				return usageError{err}
			}
			return server.Run(cmd.Context(), cfg, nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", server.DefaultListen, "address to listen on (env CAUDAL_LISTEN); port 0 picks a free port")
	f.StringVar(&quotas, "quotas", "on", "enforce AWS per-shard throughput limits: on|off (env CAUDAL_QUOTAS)")
	f.StringVar(&fsync, "fsync", server.DefaultFsync, "when writes reach disk before acknowledging: always|interval|never (env CAUDAL_FSYNC)")
	f.StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key (env CAUDAL_TLS_CERT)")
	f.StringVar(&tlsKey, "tls-key", "", "PEM private key of --tls-cert (env CAUDAL_TLS_KEY)")
	f.BoolVar(&tlsSelfSigned, "tls-self-signed", false, "serve HTTPS with a self-signed certificate generated once into <data>/tls/ (env CAUDAL_TLS_SELF_SIGNED=on)")
	f.IntVar(&maxConns, "max-connections", server.DefaultMaxConnections, "most client connections open at once; more wait to be accepted (env CAUDAL_MAX_CONNECTIONS)")
	f.StringVar(&masterKeyFile, "master-key-file", "", "file with the 32-byte master key that seals encryption keys (mode 0600; env CAUDAL_MASTER_KEY=<base64>); default: generated on first use under ~/.config/caudal/, outside the data directory")
	f.BoolVar(&showSecret, "show-secret", false, "print the root secret key in the banner even when it was not just generated")
	return cmd
}
