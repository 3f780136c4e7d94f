package stmtcache

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
)

// open is a database of one table t(id, name) with rows 1..n, through the
// caching driver, on one connection so that every query meets the same
// cache.
func open(t testing.TB, n int) *dbx.DB {
	t.Helper()
	db, err := Connect(filepath.Join(t.TempDir(), "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	db.DB().SetMaxOpenConns(1)
	mustExec(t, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
	for i := 1; i <= n; i++ {
		mustExec(t, db, "INSERT INTO t (id, name) VALUES ({:id}, {:name})", dbx.Params{"id": i, "name": fmt.Sprint("row ", i)})
	}
	return db
}

func mustExec(t testing.TB, db dbx.Builder, query string, params ...dbx.Params) {
	t.Helper()
	q := db.NewQuery(query)
	for _, p := range params {
		q.Bind(p)
	}
	if _, err := q.Execute(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// kept is how many statements the database's one connection keeps.
func kept(t *testing.T, db *dbx.DB) int {
	t.Helper()
	c, err := db.DB().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := -1
	if err := c.Raw(func(dc any) error {
		n = dc.(*conn).lru.Len()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func nameOf(t *testing.T, db dbx.Builder, id int) string {
	t.Helper()
	var name string
	if err := db.NewQuery("SELECT name FROM t WHERE id = {:id}").Bind(dbx.Params{"id": id}).Row(&name); err != nil {
		t.Fatalf("name of %d: %v", id, err)
	}
	return name
}

func TestReusedStatementBindsEachCallsArguments(t *testing.T) {
	db := open(t, 50)
	before := kept(t, db)
	for i := 1; i <= 50; i++ {
		if got, want := nameOf(t, db, i), fmt.Sprint("row ", i); got != want {
			t.Fatalf("id %d: name %q, want %q", i, got, want)
		}
	}
	// a missing row after found ones: no value left bound from before
	var name string
	err := db.NewQuery("SELECT name FROM t WHERE id = {:id}").Bind(dbx.Params{"id": 999}).Row(&name)
	if err != sql.ErrNoRows {
		t.Fatalf("missing row: %v (%q), want sql.ErrNoRows", err, name)
	}
	if got := kept(t, db); got != before+1 {
		t.Fatalf("%d statements kept after 51 runs of one query, want %d (one more than before)", got, before+1)
	}
}

func TestNestedUseOfABusyStatementGetsItsOwn(t *testing.T) {
	db := open(t, 3)
	err := db.Transactional(func(tx *dbx.Tx) error {
		rows, err := tx.NewQuery("SELECT id FROM t ORDER BY id").Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		var outer, inner []int
		for rows.Next() {
			var id int
			if err := rows.Scan(&id); err != nil {
				return err
			}
			outer = append(outer, id)
			// the same text while the outer rows are open
			var ids []int
			if err := tx.NewQuery("SELECT id FROM t ORDER BY id").Column(&ids); err != nil {
				return err
			}
			inner = append(inner, len(ids))
		}
		if fmt.Sprint(outer) != "[1 2 3]" || fmt.Sprint(inner) != "[3 3 3]" {
			return fmt.Errorf("outer %v, inner counts %v; want [1 2 3] and [3 3 3]", outer, inner)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCacheKeepsAtMostSizeAndClosesABusyEvicteeWithItsRows(t *testing.T) {
	db := open(t, 5)
	// rows left open on the connection while more distinct texts than the
	// cache holds run on it
	c, err := db.DB().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	busy, err := c.QueryContext(context.Background(), "SELECT id FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for i := range Size + 20 {
		var n int
		if err := c.QueryRowContext(context.Background(), fmt.Sprintf("SELECT COUNT(*) + %d FROM t", i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 5+i {
			t.Fatalf("query %d: %d, want %d", i, n, 5+i)
		}
	}
	// the busy statement was evicted meanwhile and still reads its rows
	var ids []int
	for busy.Next() {
		var id int
		if err := busy.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := busy.Close(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[1 2 3 4 5]" {
		t.Fatalf("busy evictee read %v", ids)
	}
	var n int
	c.Raw(func(dc any) error {
		n = dc.(*conn).lru.Len()
		return nil
	})
	if n != Size {
		t.Fatalf("%d statements kept, want the limit %d", n, Size)
	}
}

func TestKeptStatementSeesSchemaChanges(t *testing.T) {
	db := open(t, 1)
	db.DB().SetMaxOpenConns(2)
	selectAll := func() []string {
		rows, err := db.NewQuery("SELECT * FROM t").Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return cols
	}
	if got := strings.Join(selectAll(), ","); got != "id,name" {
		t.Fatalf("columns %s", got)
	}
	mustExec(t, db, "ALTER TABLE t ADD COLUMN score INTEGER DEFAULT 7")
	if got := strings.Join(selectAll(), ","); got != "id,name,score" {
		t.Fatalf("columns after ALTER TABLE: %s, want id,name,score", got)
	}
	mustExec(t, db, "DROP TABLE t")
	if _, err := db.NewQuery("SELECT * FROM t").Rows(); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("query of a dropped table: %v, want no such table", err)
	}
}

func TestFailedExecLeavesTheStatementUsable(t *testing.T) {
	db := open(t, 1)
	insert := "INSERT INTO t (id, name) VALUES ({:id}, {:name})"
	_, err := db.NewQuery(insert).Bind(dbx.Params{"id": 2, "name": "row 1"}).Execute()
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("duplicate name: %v, want a UNIQUE constraint error", err)
	}
	mustExec(t, db, insert, dbx.Params{"id": 2, "name": "row 2"})
	if got := nameOf(t, db, 2); got != "row 2" {
		t.Fatalf("name of 2: %q", got)
	}
}

func TestTransactionsCommitAndRollBackThroughKeptStatements(t *testing.T) {
	db := open(t, 0)
	db.DB().SetMaxOpenConns(4)
	insert := "INSERT INTO t (id, name) VALUES ({:id}, {:name})"
	// a rolled back transaction leaves nothing, a committed one its row,
	// with the same statement text in both
	_ = db.Transactional(func(tx *dbx.Tx) error {
		mustExec(t, tx, insert, dbx.Params{"id": 1, "name": "rolled back"})
		return fmt.Errorf("roll back")
	})
	if err := db.Transactional(func(tx *dbx.Tx) error {
		_, err := tx.NewQuery(insert).Bind(dbx.Params{"id": 1, "name": "kept"}).Execute()
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// concurrent writers and readers on four connections: every row once
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := 2; i <= 101; i++ {
		wg.Go(func() {
			_, err := db.NewQuery(insert).Bind(dbx.Params{"id": i, "name": fmt.Sprint("row ", i)}).Execute()
			errs <- err
		})
		wg.Go(func() {
			var n int
			errs <- db.NewQuery("SELECT COUNT(*) FROM t").Row(&n)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var count int
	var first string
	if err := db.NewQuery("SELECT COUNT(*) FROM t").Row(&count); err != nil {
		t.Fatal(err)
	}
	if err := db.NewQuery("SELECT name FROM t WHERE id = 1").Row(&first); err != nil {
		t.Fatal(err)
	}
	if count != 101 || first != "kept" {
		t.Fatalf("%d rows, first %q; want 101 and \"kept\"", count, first)
	}
}

// BenchmarkQuery compares one indexed read through the caching driver with
// the same read through modernc.org/sqlite as PocketBase opens it:
//
//	go test ./stmtcache -bench Query -benchmem
func BenchmarkQuery(b *testing.B) {
	for _, driverName := range []string{DriverName, "sqlite"} {
		b.Run(driverName, func(b *testing.B) {
			db, err := dbx.Open(driverName, filepath.Join(b.TempDir(), "data.db")+pragmas)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			mustExec(b, db, "CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, created TEXT)")
			for i := range 1000 {
				mustExec(b, db, "INSERT INTO t (id, name, email, created) VALUES ({:id}, 'n', 'e', 'c')", dbx.Params{"id": fmt.Sprint(i)})
			}
			b.ResetTimer()
			for i := range b.N {
				var row struct {
					Id, Name, Email, Created string
				}
				if err := db.Select("id", "name", "email", "created").From("t").
					Where(dbx.HashExp{"id": fmt.Sprint(i % 1000)}).Limit(1).One(&row); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
