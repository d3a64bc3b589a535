package server

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/caudal/caudal/shardlog"
)

// Defaults for a Config's zero fields.
const (
	DefaultListen    = "127.0.0.1:4566"
	DefaultDataDir   = "./caudal-data"
	DefaultFsync     = "always"
	DefaultAccountID = "000000000000"

	// DefaultShutdownTimeout bounds how long a graceful shutdown waits for
	// in-flight requests before it closes their connections.
	DefaultShutdownTimeout = 10 * time.Second
)

// Environment variables that fill a Config (flags win over them).
const (
	EnvListen = "CAUDAL_LISTEN"
	EnvData   = "CAUDAL_DATA"
	EnvQuotas = "CAUDAL_QUOTAS"
	EnvFsync  = "CAUDAL_FSYNC"
)

// Config configures a server. The zero value means the defaults; flags,
// environment and tests all fill this one struct.
type Config struct {
	// Listen is the TCP address to serve on (default 127.0.0.1:4566). Port
	// 0 picks a free port; the banner and Run's ready callback report it.
	Listen string
	// DataDir holds everything caudal stores (default ./caudal-data).
	DataDir string
	// QuotasOff lifts the per-shard AWS throughput limits (--quotas off).
	QuotasOff bool
	// Fsync is when acknowledged writes reach the disk: "always" (fsync
	// before acknowledging, with group commit; the default), "interval"
	// (fsync on a short timer) or "never" (leave it to the OS).
	Fsync string
	// AccountID appears in ARNs (default 000000000000).
	AccountID string
	// Getenv reads the environment (default os.Getenv); the auth package
	// takes CAUDAL_ACCESS_KEY_ID / CAUDAL_SECRET_ACCESS_KEY through it.
	Getenv func(string) string
	// Log receives the start-up banner and lifecycle messages (default
	// os.Stdout).
	Log io.Writer
	// ShutdownTimeout bounds the drain of in-flight requests on shutdown
	// (default 10 s).
	ShutdownTimeout time.Duration

	// beforeOpen, when set (tests only), runs after the listener is up and
	// before the engines open, so tests can observe the starting state.
	beforeOpen func(addr string)
}

// ApplyEnv fills the fields that the CAUDAL_* environment variables set.
// Call it before applying flags so that flags win.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv(EnvListen); v != "" {
		c.Listen = v
	}
	if v := getenv(EnvData); v != "" {
		c.DataDir = v
	}
	if v := getenv(EnvFsync); v != "" {
		c.Fsync = v
	}
	if v := getenv(EnvQuotas); v != "" {
		off, err := ParseQuotas(v)
		if err != nil {
			return fmt.Errorf("%s: %w", EnvQuotas, err)
		}
		c.QuotasOff = off
	}
	return nil
}

// ParseQuotas reads an on/off switch and reports whether quotas are off.
func ParseQuotas(s string) (off bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1", "yes":
		return false, nil
	case "off", "false", "0", "no":
		return true, nil
	}
	return false, fmt.Errorf("quotas must be on or off, not %q", s)
}

// ParseFsync maps an fsync mode name to the shard log's SyncMode.
func ParseFsync(s string) (shardlog.SyncMode, error) {
	switch s {
	case "always", "":
		return shardlog.SyncAlways, nil
	case "interval":
		return shardlog.SyncInterval, nil
	case "never":
		return shardlog.SyncNever, nil
	}
	return 0, fmt.Errorf("fsync must be always, interval or never, not %q", s)
}

func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.Fsync == "" {
		c.Fsync = DefaultFsync
	}
	if c.AccountID == "" {
		c.AccountID = DefaultAccountID
	}
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if c.Log == nil {
		c.Log = os.Stdout
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	return c
}

func (c Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen address %q: %w (want host:port, e.g. 127.0.0.1:4566)", c.Listen, err)
	}
	if _, err := ParseFsync(c.Fsync); err != nil {
		return err
	}
	if len(c.AccountID) != 12 || strings.Trim(c.AccountID, "0123456789") != "" {
		return fmt.Errorf("account id %q: want 12 digits", c.AccountID)
	}
	return nil
}
