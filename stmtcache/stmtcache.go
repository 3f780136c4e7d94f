// Package stmtcache opens PocketBase's SQLite databases through a driver
// that keeps each connection's prepared statements for reuse.
//
// database/sql hands a driver the SQL text of every query, and the pure-Go
// SQLite driver compiles it anew each time: under a burst of small requests
// a third of the server's CPU went to parsing the same few statements
// (bench/README.md, capacity). PocketBase and dbx build their SQL with bound
// parameters, so the texts repeat and a compiled statement can serve again
// once it is reset. Each connection keeps up to Size of them, least
// recently used first out.
//
// SQLite recompiles a kept statement by itself when the schema changes
// (sqlite3_prepare_v2), so a migration or a collection edit in the
// dashboard never runs stale code.
package stmtcache

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"runtime"

	"github.com/pocketbase/dbx"
	"modernc.org/sqlite"
)

// DriverName is the database/sql name of the caching driver.
const DriverName = "sqlite_stmtcache"

// Size is how many prepared statements each connection keeps.
const Size = 128

// MaxConns is how many read connections the server keeps open, all of them
// idle when not in use: a few per core, at least 16, at most PocketBase's
// 120.
//
// PocketBase opens up to 120 and keeps 15 idle. Under a burst (a class
// joining a session at once) that meant opening a hundred connections,
// and a new SQLite connection parses the whole schema: on two cores that
// cost more than the queries it was opened for, and their statements had to
// be compiled again on each. More connections than cores run no more
// queries at once; the requests beyond them wait for one, which costs
// nothing.
var MaxConns = min(max(16, 4*runtime.GOMAXPROCS(0)), 120)

// pragmas are PocketBase's own connection settings (core.DefaultDBConnect).
// busy_timeout comes first: the connection must wait on a lock before it
// sets WAL mode, in case another connection is setting it.
//
// _txlock=immediate is studyhall's: a transaction (PocketBase runs its
// writes in RunInTransaction, on its one write connection) takes the write
// lock when it begins instead of at its first write. A deferred
// transaction reads first, and if another connection commits before it
// writes, SQLite refuses the write with SQLITE_BUSY_SNAPSHOT (517), which
// no wait or retry inside that transaction can cure: PocketBase retried
// for 7.5 s and answered 400 "Failed to create record". Litestream
// (serve --replicate) is such a connection: it commits one row after each
// of its checkpoints; so is a CLI command run beside the server. Measured:
// 1,500 sign-ups through the API, 32 at a time, under replication failed
// 3 to 4 requests a run with deferred transactions, none with immediate
// ones (replication/writes_test.go). Transactions were already one at a
// time (one write connection), so nothing waits that did not wait before.
const pragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_txlock=immediate"

func init() {
	sql.Register(DriverName, &Driver{})
}

// Connect opens the database at dbPath with PocketBase's settings through
// the caching driver; it is a core.DBConnectFunc.
func Connect(dbPath string) (*dbx.DB, error) {
	db, err := sql.Open(DriverName, dbPath+pragmas)
	if err != nil {
		return nil, err
	}
	// the SQL dialect is SQLite's, whatever the driver is called
	return dbx.NewFromDB(db, "sqlite"), nil
}

// Driver is modernc.org/sqlite's driver with a statement cache on each
// connection.
type Driver struct {
	sqlite.Driver
}

// Open opens a connection as modernc.org/sqlite does.
func (d *Driver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return newConn(c)
}

// inner is what the caching connection needs of modernc.org/sqlite's.
type inner interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// conn is one SQLite connection and the statements it keeps. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type conn struct {
	inner
	stmts map[string]*list.Element // of *entry
	lru   list.List                // most recently used at the front
}

// entry is one kept statement.
type entry struct {
	query string
	stmt  interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	// busy is true while rows read from the statement are open: a second
	// use of the same text before they close (a nested query in a
	// transaction) prepares its own statement instead.
	busy bool
	// evicted is set when the entry left the cache while busy; its rows
	// close the statement.
	evicted bool
}

var errNotCaching = errors.New("stmtcache: modernc.org/sqlite's connection lacks an expected interface")

func newConn(c driver.Conn) (*conn, error) {
	in, ok := c.(inner)
	if !ok {
		c.Close()
		return nil, errNotCaching
	}
	return &conn{inner: in, stmts: map[string]*list.Element{}}, nil
}

// statement is the kept statement of query, prepared on first use; nil
// when the kept one is busy.
func (c *conn) statement(ctx context.Context, query string) (*entry, error) {
	if el, ok := c.stmts[query]; ok {
		e := el.Value.(*entry)
		if e.busy {
			return nil, nil
		}
		c.lru.MoveToFront(el)
		return e, nil
	}
	s, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	stmt, ok := s.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		s.Close()
		return nil, errNotCaching
	}
	e := &entry{query: query, stmt: stmt}
	c.stmts[query] = c.lru.PushFront(e)
	for c.lru.Len() > Size {
		c.evict(c.lru.Back())
	}
	return e, nil
}

// evict drops an entry from the cache, closing its statement unless rows
// still read from it.
func (c *conn) evict(el *list.Element) {
	e := c.lru.Remove(el).(*entry)
	delete(c.stmts, e.query)
	if e.busy {
		e.evicted = true
		return
	}
	e.stmt.Close()
}

// ExecContext runs query on its kept statement.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.inner.ExecContext(ctx, query, args)
	}
	return e.stmt.ExecContext(ctx, args)
}

// QueryContext runs query on its kept statement; the statement is busy
// until the rows close.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	e, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.inner.QueryContext(ctx, query, args)
	}
	r, err := e.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	dr, ok := r.(driverRows)
	if !ok {
		r.Close()
		return nil, errNotCaching
	}
	e.busy = true
	return &rows{driverRows: dr, entry: e}, nil
}

// Close closes every kept statement, then the connection: SQLite keeps a
// connection with unfinalized statements open.
func (c *conn) Close() error {
	for el := c.lru.Front(); el != nil; el = el.Next() {
		el.Value.(*entry).stmt.Close()
	}
	clear(c.stmts)
	c.lru.Init()
	return c.inner.Close()
}

// driverRows is what modernc.org/sqlite's rows offer beyond driver.Rows;
// database/sql looks for the column type methods.
type driverRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// rows reads from a kept statement and frees it on Close.
type rows struct {
	driverRows
	entry *entry
}

func (r *rows) Close() error {
	err := r.driverRows.Close() // resets the statement for its next use
	if r.entry != nil {
		r.entry.busy = false
		if r.entry.evicted {
			r.entry.stmt.Close()
		}
		r.entry = nil
	}
	return err
}
