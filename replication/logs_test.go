package replication_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestDebugLogsUnderWriteLoad replicates with PocketBase's logs at the
// debug level (an operator's choice in the dashboard) under a write load.
// Litestream logs while it holds a database's write lock, and PocketBase
// writes its logs into auxiliary.db: when Litestream's lines went to the
// app's logger, the log writer and Litestream waited for each other, every
// request froze and the server no longer stopped.
func TestDebugLogsUnderWriteLoad(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dataDir := filepath.Join(root, "pb_data")
	newDataDir(t, dataDir)
	srv := startServer(t, dataDir, "file://"+filepath.Join(root, "replica"))
	a := newAPI(srv.URL)
	su := signIn(t, a)
	a.must(t, http.MethodPatch, "/api/settings", su, map[string]any{"logs": map[string]any{"minLevel": -4}}, nil)

	instructor := createUsers(t, a, su, "logs-instructor", 1, true)[0]
	users := createUsers(t, a, su, "logs", 100, false)
	group := createGroup(t, a, su, instructor, 200)
	for _, u := range users {
		a.must(t, http.MethodPost, "/api/study-groups/"+group.Id+"/join", u.Token, map[string]any{}, nil)
	}
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for i := range 40 {
				if i >= 20 { // past the burst, within the per-user limit
					time.Sleep(250 * time.Millisecond)
				}
				if _, err := postMessage(a, u, group.ChatRoom, fmt.Sprintf("message %d, long enough to fill the WAL a little faster", i)); err != nil {
					t.Errorf("write %d of %s: %v", i, u.Id, err)
					return
				}
			}
		})
	}
	wg.Wait()
	waitInSync(t, a, su)
	srv.stop(t)
}
