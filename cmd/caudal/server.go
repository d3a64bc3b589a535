package main

import (
	"github.com/spf13/cobra"

	"github.com/caudal/caudal/server"
)

func newServerCmd(e *env, g *globals) *cobra.Command {
	var listen, quotas, fsync string
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the caudal server",
		Long: `Run the caudal server: the Kinesis Data Streams API on one HTTP/1.1 + h2c port,
with data under --data. On first start it creates a root access key (or takes
CAUDAL_ACCESS_KEY_ID / CAUDAL_SECRET_ACCESS_KEY) and prints it with ready-to-paste
AWS CLI and boto3 examples. SIGINT/SIGTERM drain in-flight requests and flush.

Environment: CAUDAL_LISTEN, CAUDAL_DATA, CAUDAL_QUOTAS, CAUDAL_FSYNC (flags win).`,
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
	return cmd
}
