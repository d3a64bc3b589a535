package server

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/caudal/caudal/auth"
	"github.com/caudal/caudal/catalog"
	"github.com/caudal/caudal/delivery"
	"github.com/caudal/caudal/execution"
	"github.com/caudal/caudal/keystore"
	"github.com/caudal/caudal/lake"
	"github.com/caudal/caudal/query"
	"github.com/caudal/caudal/shardlog"
	"github.com/caudal/caudal/stream"
)

// Where each engine keeps its state inside a data directory.

// StreamsDir is where the stream engine keeps its state inside a data dir.
func StreamsDir(dataDir string) string { return filepath.Join(dataDir, "streams") }

// LakeDir is where the lake keeps buckets and objects inside a data dir.
func LakeDir(dataDir string) string { return filepath.Join(dataDir, "lake") }

// CatalogDir is where the catalog (Glue databases, tables, partitions)
// lives inside a data dir.
func CatalogDir(dataDir string) string { return filepath.Join(dataDir, "catalog") }

// IdentityDir is where the identity store (users, access keys, policies)
// lives inside a data dir.
func IdentityDir(dataDir string) string { return filepath.Join(dataDir, "auth") }

// KeysDir is where the key store keeps its (master-key-sealed) keys
// inside a data dir. The master key itself is never there.
func KeysDir(dataDir string) string { return filepath.Join(dataDir, "keys") }

// DeliveryDir is where Firehose delivery streams (metadata, DirectPut
// logs, checkpoints) live inside a data dir.
func DeliveryDir(dataDir string) string { return filepath.Join(dataDir, "delivery") }

// ExecutionsDir is where Athena's query history lives inside a data dir.
func ExecutionsDir(dataDir string) string { return filepath.Join(dataDir, "athena") }

// openEngines opens every engine in dependency order, setting each field
// as it opens. On error the caller closes what was opened with
// closeEngines.
func (s *Server) openEngines(syncMode shardlog.SyncMode) error {
	cfg := s.cfg
	// The lake, catalog and history have no interval mode: "interval"
	// keeps them durable; only "never" trades durability for speed.
	noSync := cfg.Fsync == "never"
	var err error
	if s.ids, err = auth.OpenStore(auth.StoreConfig{
		Dir: IdentityDir(cfg.DataDir), Account: cfg.AccountID, Root: s.key, NoSync: noSync,
	}); err != nil {
		return fmt.Errorf("open identity store: %w", err)
	}
	// The key store opens before the stream engine: it unwraps the data
	// keys of encrypted streams as it recovers, and a wrong master key
	// must stop the start before anything is served.
	if s.keys, err = keystore.Open(keystore.Config{
		Dir: KeysDir(cfg.DataDir), MasterKey: cfg.MasterKey, MasterKeyFile: cfg.MasterKeyFile, AccountID: cfg.AccountID,
	}); err != nil {
		return fmt.Errorf("open key store: %w", err)
	}
	if s.engine, err = stream.Open(stream.Config{
		Keys:      s.keys,
		Dir:       StreamsDir(cfg.DataDir),
		AccountID: cfg.AccountID,
		Quotas:    !cfg.QuotasOff,
		Sync:      syncMode,
	}); err != nil {
		return fmt.Errorf("open stream engine: %w", err)
	}
	if s.lake, err = lake.Open(lake.Config{Dir: LakeDir(cfg.DataDir), NoSync: noSync, Keys: s.keys}); err != nil {
		return fmt.Errorf("open lake: %w", err)
	}
	if s.cat, err = catalog.Open(catalog.Config{Dir: CatalogDir(cfg.DataDir), NoSync: noSync}); err != nil {
		return fmt.Errorf("open catalog: %w", err)
	}
	if s.deliv, err = delivery.Open(delivery.Config{
		Dir: DeliveryDir(cfg.DataDir), Lake: s.lake, Catalog: s.cat, Streams: s.engine,
		AccountID: cfg.AccountID, NoSync: noSync, Sync: syncMode,
	}); err != nil {
		return fmt.Errorf("open delivery engine: %w", err)
	}
	// Athena always has a "default" database; without it the query
	// engine answers SCHEMA_NOT_FOUND for unqualified names.
	if err := s.cat.CreateDatabase(catalog.Database{Name: query.DefaultDatabase}); err != nil && !errors.Is(err, catalog.ErrAlreadyExists) {
		return fmt.Errorf("create default database: %w", err)
	}
	if s.sql, err = query.Open(query.Config{
		Lake: s.lake, Catalog: s.cat, LakeDir: LakeDir(cfg.DataDir),
		TempDir: filepath.Join(cfg.DataDir, "tmp", "duckdb"),
	}); err != nil {
		return fmt.Errorf("open query engine: %w", err)
	}
	if s.execs, err = execution.Open(execution.Config{
		Dir: ExecutionsDir(cfg.DataDir), Runner: s.sql, Lake: s.lake, NoSync: noSync,
	}); err != nil {
		return fmt.Errorf("open query executions: %w", err)
	}
	if err := s.openAudit(noSync); err != nil { // audit.go
		return err
	}
	return nil
}

// closeEngines closes every open engine: the stream engine (flushing its
// logs), then query executions (they cancel and record running queries),
// the SQL engine they run on, and the lake and catalog it reads.
func (s *Server) closeEngines() []error {
	var errs []error
	closeOne := func(open bool, name string, close func() error) {
		if !open {
			return
		}
		if err := close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", name, err))
		}
	}
	closeOne(s.trail.Load() != nil, "audit trail", s.closeAudit)                         // before the lake it writes to
	closeOne(s.deliv != nil, "delivery engine", func() error { return s.deliv.Close() }) // before the stream engine and lake it reads and writes
	closeOne(s.engine != nil, "stream engine", func() error { return s.engine.Close() })
	closeOne(s.execs != nil, "query executions", func() error { return s.execs.Close() })
	closeOne(s.sql != nil, "query engine", func() error { return s.sql.Close() })
	closeOne(s.lake != nil, "lake", func() error { return s.lake.Close() })
	closeOne(s.cat != nil, "catalog", func() error { return s.cat.Close() })
	closeOne(s.ids != nil, "identity store", func() error { return s.ids.Close() })
	return errs
}
