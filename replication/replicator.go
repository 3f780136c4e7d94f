package replication

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
)

// Interval is how often Litestream copies new WAL frames of a database to
// its staging files and, at most as often, uploads them: a change reaches
// the replica within about two intervals (the README gives the measured
// window).
const Interval = time.Second

// ShutdownTimeout bounds the final upload when the server stops, so that an
// unreachable replica cannot hold up a restart for long; what it could not
// send waits in the data directory for the next start.
const ShutdownTimeout = 10 * time.Second

// maxOpenBackoff is the longest wait between two attempts to start
// replicating (an S3 endpoint that does not answer at boot).
const maxOpenBackoff = time.Minute

// Replicator runs Litestream for the databases of one data directory.
type Replicator struct {
	url     string
	dataDir string
	logger  *slog.Logger
	store   *litestream.Store
	dbs     []*replicatedDB

	mu     sync.Mutex
	opened bool
	cancel context.CancelFunc
	done   chan struct{}
}

// replicatedDB is one database with its replica client and the health of
// its local staging.
type replicatedDB struct {
	name   string
	db     *litestream.DB
	client *watchedClient

	// local staging (WAL → pb_data/.<name>-litestream) failures, watched by
	// watchLocal
	localFailingSince time.Time
	localErr          string
}

// New prepares replication of dataDir's databases to the replica URL raw;
// nothing runs until Start. logger (the app's) receives studyhall's lines:
// start, stop, one warning per outage and its end. Litestream's own lines
// go to litestreamLog at the debug level, or nowhere if it is nil.
//
// They must not go to the app's logger: PocketBase writes its logs into
// auxiliary.db, and Litestream logs while it holds a database's write lock
// (during a checkpoint), so with the logs level at debug the log writer
// waited for the lock held by the goroutine waiting for the log writer,
// and every request that logged froze behind them (measured: the server
// stopped answering within seconds of a write load).
func New(dataDir, raw string, logger *slog.Logger, litestreamLog io.Writer) (*Replicator, error) {
	if _, err := checkURL(raw); err != nil {
		return nil, err
	}
	r := &Replicator{url: raw, dataDir: dataDir, logger: logger}
	debugLogger := slog.New(slog.DiscardHandler)
	if litestreamLog != nil {
		debugLogger = slog.New(slog.NewTextHandler(litestreamLog, &slog.HandlerOptions{Level: slog.LevelDebug})).
			With("component", "litestream")
	}

	var dbs []*litestream.DB
	for _, name := range Databases {
		inner, err := newClient(raw, name)
		if err != nil {
			return nil, err
		}
		client := newWatchedClient(inner, name, Redact(raw), logger)
		db := litestream.NewDB(filepath.Join(dataDir, name))
		db.MonitorInterval = Interval
		replica := litestream.NewReplicaWithClient(db, client)
		replica.SyncInterval = Interval
		db.Replica = replica
		if fc, ok := inner.(*file.ReplicaClient); ok {
			fc.Replica = replica // the file client copies the database's file modes
		}
		dbs = append(dbs, db)
		r.dbs = append(r.dbs, &replicatedDB{name: name, db: db, client: client})
	}

	r.store = litestream.NewStore(dbs, slices.Clone(litestream.DefaultCompactionLevels))
	r.store.Logger = debugLogger
	r.store.ShutdownSyncTimeout = ShutdownTimeout
	for _, d := range r.dbs {
		// NewStore copied its defaults into each database already
		d.db.SetLogger(debugLogger.With("db", d.name))
		d.db.ShutdownSyncTimeout = ShutdownTimeout
	}
	return r, nil
}

// Start begins replicating in the background and returns at once: if the
// replica cannot be reached yet, it keeps trying without holding up the
// server.
func (r *Replicator) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.mu.Lock()
	r.cancel, r.done = cancel, make(chan struct{})
	r.mu.Unlock()
	go func() {
		defer close(r.done)
		if !r.open(ctx) {
			return
		}
		r.watchLocal(ctx)
	}()
}

// open opens the store, retrying with backoff until it works or ctx ends.
func (r *Replicator) open(ctx context.Context) bool {
	backoff := Interval
	for {
		err := r.store.Open(ctx)
		if err == nil {
			r.mu.Lock()
			r.opened = true
			r.mu.Unlock()
			r.logger.Info("Replication started.", "replica", Redact(r.url), "databases", Databases)
			return true
		}
		// the replica client's warning has said why, once
		r.logger.Debug("Replication could not start yet.", "error", err, "retryIn", backoff.String())
		select {
		case <-ctx.Done():
			return false
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxOpenBackoff)
	}
}

// watchLocal warns once when Litestream cannot stage a database's changes
// (disk full, permissions) and says when it can again.
func (r *Replicator) watchLocal(ctx context.Context) {
	ticker := time.NewTicker(Interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		for _, d := range r.dbs {
			diag := d.db.SyncDiagnostic()
			if diag.Active || diag.Operation == "" {
				continue
			}
			r.mu.Lock()
			started, ended := false, time.Duration(0)
			switch {
			case diag.Error != "" && d.localFailingSince.IsZero():
				d.localFailingSince, d.localErr, started = time.Now(), diag.Error, true
			case diag.Error == "" && !d.localFailingSince.IsZero():
				ended = max(time.Since(d.localFailingSince), time.Nanosecond)
				d.localFailingSince, d.localErr = time.Time{}, ""
			}
			r.mu.Unlock()
			// after the unlock: the app's log writer may wait for a
			// database lock
			if started {
				r.logger.Warn("Replication cannot read the database's changes; they stay in its WAL until it can.",
					"db", d.name, "error", diag.Error)
			} else if ended > 0 {
				r.logger.Info("Replication reads the database's changes again.",
					"db", d.name, "outage", ended.Round(time.Second).String())
			}
		}
	}
}

// Stop sends what is left (for at most ShutdownTimeout) and stops
// replicating. It must run before PocketBase closes its databases (an
// OnTerminate handler does): Litestream releases its read transaction and
// file handles here.
func (r *Replicator) Stop(ctx context.Context) error {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	<-done
	r.mu.Lock()
	opened := r.opened
	r.opened = false
	r.mu.Unlock()
	if !opened {
		return nil
	}
	if err := r.store.Close(ctx); err != nil {
		return fmt.Errorf("stop replication: %w", err)
	}
	r.logger.Info("Replication stopped.", "replica", Redact(r.url))
	return nil
}

// Status reports each database's replication as the running server sees it.
func (r *Replicator) Status() Status {
	status := Status{Enabled: true, Replica: Redact(r.url)}
	r.mu.Lock()
	status.Running = r.opened
	r.mu.Unlock()
	now := time.Now()
	for _, d := range r.dbs {
		s := DBStatus{Name: d.name}
		local, err := d.db.Pos()
		if err != nil {
			s.Error = err.Error()
		}
		failingSince, lastErr, uploaded := d.client.health()
		replica := max(d.db.Replica.Pos().TXID, uploaded)
		s.LocalTXID, s.ReplicaTXID = uint64(local.TXID), uint64(replica)
		if at := d.db.LastSuccessfulSyncAt(); !at.IsZero() {
			s.LastSyncAt = &at
		}
		r.mu.Lock()
		if !d.localFailingSince.IsZero() {
			failingSince, lastErr = d.localFailingSince, d.localErr
		}
		r.mu.Unlock()
		if !failingSince.IsZero() {
			s.FailingSince, s.Error = &failingSince, lastErr
		}
		s.fillLag(d.db.LTXLevelDir(0), now)
		status.Databases = append(status.Databases, s)
	}
	return status
}
