package replication_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"studyhall/collections"
)

// TestWriteTransactionsBesideLitestream signs up 1,500 users through the
// API, 32 at a time, while Litestream replicates. PocketBase runs each in a
// transaction that reads (the unique email) before it writes; Litestream
// commits a row of its own after each checkpoint. With deferred
// transactions a commit between the read and the write made SQLite refuse
// the write (SQLITE_BUSY_SNAPSHOT), and PocketBase answered 400 after 7.5 s
// of retries; stmtcache's transactions begin IMMEDIATE, so none fails.
func TestWriteTransactionsBesideLitestream(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dataDir := filepath.Join(root, "pb_data")
	newDataDir(t, dataDir)
	srv := startServer(t, dataDir, "file://"+filepath.Join(root, "replica"))
	a := newAPI(srv.URL)
	su := signIn(t, a)

	const n = 1500
	var failed atomic.Int64
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			err := a.do(http.MethodPost, recordsPath(collections.Users), su, map[string]any{
				collections.UserEmail: fmt.Sprintf("signup-%04d@studyhall.test", i),
				collections.UserName:  fmt.Sprintf("Sign-up %d", i),
				"password":            userPassword, "passwordConfirm": userPassword,
			}, nil)
			if err != nil && failed.Add(1) <= 3 {
				t.Errorf("sign-up %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		t.Errorf("%d of %d sign-ups failed", f, n)
	}
	if got := count(t, a, su, collections.Users, ""); got != n {
		t.Errorf("%d users, want %d", got, n)
	}
	waitInSync(t, a, su)
}
