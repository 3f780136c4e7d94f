package replication

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"
)

// watchedClient is a Litestream replica client that notices outages: the
// first failed call after a success logs one warning, the first success
// after failures one info line. Litestream itself retries with backoff and
// logs every 30 s, to the console in --dev only (see New), so an operator
// sees one warning per outage.
type watchedClient struct {
	litestream.ReplicaClient

	db      string
	replica string
	logger  *slog.Logger
	now     func() time.Time

	mu           sync.Mutex
	failingSince time.Time
	lastErr      string
	uploadedTXID ltx.TXID // newest level-0 transaction written by this process
}

func newWatchedClient(inner litestream.ReplicaClient, db, replica string, logger *slog.Logger) *watchedClient {
	return &watchedClient{ReplicaClient: inner, db: db, replica: replica, logger: logger, now: time.Now}
}

// observe records the outcome of one call to the replica. It logs after
// releasing c.mu: the app's log writer may wait for a database lock.
func (c *watchedClient) observe(ctx context.Context, err error) {
	// a shutdown is no outage, and a missing file is an answer
	if err != nil && (ctx.Err() != nil || errors.Is(err, os.ErrNotExist)) {
		return
	}
	c.mu.Lock()
	started, ended := false, time.Duration(0)
	if err != nil {
		c.lastErr = err.Error()
		if c.failingSince.IsZero() {
			c.failingSince, started = c.now(), true
		}
	} else if !c.failingSince.IsZero() {
		ended = max(c.now().Sub(c.failingSince), time.Nanosecond)
		c.failingSince, c.lastErr = time.Time{}, ""
	}
	c.mu.Unlock()

	switch {
	case started:
		c.logger.Warn("Replica unreachable: requests go on, changes wait in the data directory and are sent when it is back.",
			"db", c.db, "replica", c.replica, "error", err)
	case ended > 0:
		c.logger.Info("Replica reachable again: replication is catching up.",
			"db", c.db, "replica", c.replica, "outage", ended.Round(time.Second).String())
	}
}

// health is the current outage, if any.
func (c *watchedClient) health() (failingSince time.Time, lastErr string, uploaded ltx.TXID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failingSince, c.lastErr, c.uploadedTXID
}

// Init initializes the inner client.
func (c *watchedClient) Init(ctx context.Context) error {
	err := c.ReplicaClient.Init(ctx)
	c.observe(ctx, err)
	return err
}

// LTXFiles lists a level of the replica.
func (c *watchedClient) LTXFiles(ctx context.Context, level int, seek ltx.TXID, useMetadata bool) (ltx.FileIterator, error) {
	itr, err := c.ReplicaClient.LTXFiles(ctx, level, seek, useMetadata)
	if err != nil {
		c.observe(ctx, err)
		return nil, err
	}
	return &watchedIterator{FileIterator: itr, ctx: ctx, client: c}, nil
}

// OpenLTXFile reads a file of the replica.
func (c *watchedClient) OpenLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, offset, size int64) (io.ReadCloser, error) {
	rc, err := c.ReplicaClient.OpenLTXFile(ctx, level, minTXID, maxTXID, offset, size)
	c.observe(ctx, err)
	return rc, err
}

// WriteLTXFile writes a file to the replica.
func (c *watchedClient) WriteLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, r io.Reader) (*ltx.FileInfo, error) {
	info, err := c.ReplicaClient.WriteLTXFile(ctx, level, minTXID, maxTXID, r)
	c.observe(ctx, err)
	if err == nil && level == 0 {
		c.mu.Lock()
		c.uploadedTXID = max(c.uploadedTXID, maxTXID)
		c.mu.Unlock()
	}
	return info, err
}

// DeleteLTXFiles deletes files of the replica (retention).
func (c *watchedClient) DeleteLTXFiles(ctx context.Context, a []*ltx.FileInfo) error {
	err := c.ReplicaClient.DeleteLTXFiles(ctx, a)
	c.observe(ctx, err)
	return err
}

// watchedIterator reports an error met while listing (S3 lists page by
// page).
type watchedIterator struct {
	ltx.FileIterator
	ctx    context.Context
	client *watchedClient
	once   sync.Once
}

// Close closes the listing and records how it went.
func (it *watchedIterator) Close() error {
	err := it.FileIterator.Close()
	it.once.Do(func() {
		iterErr := it.FileIterator.Err()
		if iterErr == nil {
			iterErr = err
		}
		it.client.observe(it.ctx, iterErr)
	})
	return err
}
