package replication_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"studyhall/collections"
	"studyhall/replication"
)

// lossBound is the longest an acknowledged write may wait before it is on
// the replica: Litestream stages new WAL frames every Interval and uploads
// them at most once per Interval, plus a second for the upload itself and a
// shared, loaded machine. A write acknowledged longer than this before a
// crash must survive it.
const lossBound = 2*replication.Interval + time.Second

// knownCollections are the collections whose every row, written before
// the stream of the last seconds, must come back from the replica.
var knownCollections = []string{
	collections.Users, collections.LiveSessions, collections.LiveSessionAttendees,
	collections.OfficeHours, collections.OfficeHoursQueue,
	collections.StudyGroups, collections.StudyGroupMembers,
	collections.ChatRooms, collections.ChatMessages,
	collections.Notifications, collections.EmailOutbox,
}

// TestReplicateLoseRestore runs `serve --replicate file://…`, writes a known
// set of rows through the API, loses the replica for a while (requests go
// on, one warning, catch-up), streams writes until `kill -9`, deletes the
// data directory, restores it with `studyhall restore` and counts every
// row on a server started on the restored directory. It also restores a
// point in time, refuses a non-empty directory and reads `replication
// status`.
func TestReplicateLoseRestore(t *testing.T) {
	root := t.TempDir()
	dataDir := filepath.Join(root, "pb_data")
	replicaDir := filepath.Join(root, "replica")
	replicaURL := "file://" + replicaDir
	newDataDir(t, dataDir)
	srv := startServer(t, dataDir, replicaURL)
	a := newAPI(srv.URL)
	su := signIn(t, a)

	// --- a known set of rows: users, joins, queue entries, messages, and
	// test notifications whose emails go to the outbox
	instructor := createUsers(t, a, su, "instructor", 1, true)[0]
	students := createUsers(t, a, su, "student", 12, false)
	emailImmediately(t, a, su, students)
	session := createSession(t, a, su, instructor, 50)
	slot := createOpenSlot(t, a, su, instructor)
	group := createGroup(t, a, su, instructor, 20)
	for i, s := range students {
		a.must(t, http.MethodPost, "/api/live-sessions/"+session.Id+"/join", s.Token, map[string]any{}, nil)
		a.must(t, http.MethodPost, "/api/office-hours/"+slot+"/queue", s.Token, map[string]any{"question": fmt.Sprintf("question %d", i)}, nil)
		a.must(t, http.MethodPost, "/api/study-groups/"+group.Id+"/join", s.Token, map[string]any{}, nil)
		for _, chat := range []string{session.ChatRoom, group.ChatRoom} {
			if _, err := postMessage(a, s, chat, fmt.Sprintf("known message %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		if id, err := testNotification(a, s); err != nil || id == "" {
			t.Fatalf("test notification: %q, %v", id, err)
		}
	}
	// the outbox worker (a 5 s tick) queues the immediate emails
	waitFor(t, 30*time.Second, "every immediate notification has its outbox row", func() bool {
		return count(t, a, su, collections.Notifications,
			collections.NotificationEmailMode+"='"+collections.EmailModeImmediate+"' && "+collections.NotificationEmailedAt+"=''") == 0
	})
	if n := count(t, a, su, collections.EmailOutbox, ""); n < len(students) {
		t.Fatalf("%d outbox rows, want at least %d", n, len(students))
	}
	known := map[string][]string{}
	for _, c := range knownCollections {
		known[c] = idsWhere(t, a, su, c, "")
	}
	waitInSync(t, a, su)

	// a moment between the known set and what follows, for a
	// point-in-time restore
	time.Sleep(1500 * time.Millisecond)
	pointInTime := time.Now()
	time.Sleep(1500 * time.Millisecond)

	// --- the replica goes away: requests go on, one warning per
	// database, and replication catches up when it is back
	if err := os.Rename(replicaDir, replicaDir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(replicaDir, []byte("not a directory: the replica is unreachable"), 0o644); err != nil {
		t.Fatal(err)
	}
	var outageMessages []string
	for i := range 6 {
		id, err := postMessage(a, students[i], session.ChatRoom, fmt.Sprintf("during the outage %d", i))
		if err != nil {
			t.Fatalf("a write during the outage: %v", err)
		}
		outageMessages = append(outageMessages, id)
		time.Sleep(time.Second)
	}
	status := replicationStatus(t, a, su)
	if db := status.Databases[0]; db.FailingSince == nil || db.Error == "" || db.InSync || db.Pending == 0 || db.LagSeconds <= 0 {
		t.Fatalf("data.db during the outage: %+v", db)
	}
	if err := os.Remove(replicaDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(replicaDir+".away", replicaDir); err != nil {
		t.Fatal(err)
	}
	waitInSync(t, a, su)
	waitFor(t, 20*time.Second, "the recovery is logged", func() bool {
		return len(logLines(t, a, su, "Replica reachable again")) >= 2
	})
	warnings := logLines(t, a, su, "Replica unreachable")
	for _, db := range replication.Databases {
		if n := countDB(warnings, db); n != 1 {
			t.Errorf("%d warnings for %s's outage, want 1: %v", n, db, warnings)
		}
	}

	// --- a stream of writes, then kill -9 in the middle of it
	type ack struct {
		id string
		at time.Time
	}
	var stream []ack
	for i := 0; i < 120; i++ {
		id, err := postMessage(a, students[i%len(students)], group.ChatRoom, fmt.Sprintf("stream %d", i))
		if err != nil {
			t.Fatal(err)
		}
		stream = append(stream, ack{id, time.Now()})
		time.Sleep(20 * time.Millisecond)
	}
	killedAt := time.Now()
	srv.kill()

	// --- lose the data directory, restore it from the replica
	if err := os.RemoveAll(dataDir); err != nil {
		t.Fatal(err)
	}
	out, err := studyhall(t, "restore", "--from", replicaURL, "--dir", dataDir)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	t.Logf("restore:\n%s", out)

	srv = startServer(t, dataDir, replicaURL)
	a = newAPI(srv.URL)
	su = superuserToken(t, a)
	for _, c := range knownCollections {
		have := idsWhere(t, a, su, c, "")
		for _, id := range known[c] {
			if !slices.Contains(have, id) {
				t.Errorf("%s %s, written before the outage, is missing after the restore", c, id)
			}
		}
		t.Logf("%s: %d known rows, %d restored", c, len(known[c]), len(have))
	}
	messages := idsWhere(t, a, su, collections.ChatMessages, "")
	for _, id := range outageMessages {
		if !slices.Contains(messages, id) {
			t.Errorf("message %s, written while the replica was away, is missing", id)
		}
	}
	lost, window := 0, time.Duration(0)
	for _, w := range stream {
		if slices.Contains(messages, w.id) {
			continue
		}
		lost++
		window = max(window, killedAt.Sub(w.at))
	}
	t.Logf("stream: %d acknowledged writes, %d lost; the oldest lost was acknowledged %s before kill -9 (bound %s)",
		len(stream), lost, window.Round(time.Millisecond), lossBound)
	if window > lossBound {
		t.Errorf("a write acknowledged %s before the kill is missing; the bound is %s", window, lossBound)
	}
	// the old tokens still work: the users' token keys came back too
	if _, err := postMessage(a, students[0], group.ChatRoom, "after the restore"); err != nil {
		t.Errorf("a student's token after the restore: %v", err)
	}

	// --- a point in time: the known set, nothing written after it
	pitrDir := filepath.Join(root, "pb_data.pitr")
	out, err = studyhall(t, "restore", "--from", replicaURL, "--timestamp", pointInTime.UTC().Format(time.RFC3339Nano), "--dir", pitrDir)
	if err != nil {
		t.Fatalf("restore --timestamp: %v\n%s", err, out)
	}
	pitrMessages := queryIds(t, filepath.Join(pitrDir, "data.db"), collections.ChatMessages)
	slices.Sort(pitrMessages)
	want := slices.Clone(known[collections.ChatMessages])
	slices.Sort(want)
	if !slices.Equal(pitrMessages, want) {
		t.Errorf("restored at %s: %d messages, want the %d known ones", pointInTime.Format(time.RFC3339Nano), len(pitrMessages), len(want))
	}

	// --- a non-empty directory is refused, and left as it was
	before, _ := os.ReadDir(dataDir)
	out, err = studyhall(t, "restore", "--from", replicaURL, "--dir", dataDir)
	if err == nil || !strings.Contains(out, "not empty") || !strings.Contains(out, "--force") {
		t.Errorf("restore into a non-empty directory: %v\n%s", err, out)
	}
	after, _ := os.ReadDir(dataDir)
	if len(before) != len(after) {
		t.Errorf("the refused restore changed the directory: %d entries, then %d", len(before), len(after))
	}

	// --- the operator's view, from the replica itself
	waitInSync(t, a, su)
	srv.stop(t)
	out, err = studyhall(t, "replication", "status", "--dir", dataDir, "--replicate", replicaURL, "--max-lag", "1m")
	if err != nil || !strings.Contains(out, "data.db") || !strings.Contains(out, "auxiliary.db") {
		t.Errorf("replication status: %v\n%s", err, out)
	}
	t.Logf("replication status:\n%s", out)
}

// TestRestoreRefusesWithoutReplica checks the restore's errors: a replica
// without a copy, a bad time and a bad URL each exit non-zero with a
// sentence saying why, and leave no directory behind.
func TestRestoreRefusesWithoutReplica(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "file://" + filepath.Join(root, "empty")}, "holds no copy"},
		{[]string{"--from", "file://" + root, "--timestamp", "yesterday"}, "RFC 3339"},
		{[]string{"--from", "ftp://example.com/x"}, "file:///path or s3://bucket/path"},
		{[]string{}, "--from"},
	} {
		dir := filepath.Join(root, "pb_data")
		out, err := studyhall(t, append(append([]string{"restore"}, tc.args...), "--dir", dir)...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("restore %v: %v, want an error with %q:\n%s", tc.args, err, tc.want, out)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("restore %v left %d files in %s", tc.args, len(entries), dir)
		}
	}
}

// ---

// waitFor polls cond every 200 ms until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func replicationStatus(t testing.TB, a *api, su string) replication.Status {
	t.Helper()
	var s replication.Status
	a.must(t, http.MethodGet, replication.StatusPath, su, nil, &s)
	if !s.Enabled || len(s.Databases) != len(replication.Databases) {
		t.Fatalf("replication status %+v", s)
	}
	return s
}

// waitInSync waits until the server reports both databases on the replica.
func waitInSync(t testing.TB, a *api, su string) {
	t.Helper()
	var last replication.Status
	deadline := time.Now().Add(time.Minute)
	for {
		last = replicationStatus(t, a, su)
		synced := true
		for _, db := range last.Databases {
			synced = synced && db.InSync && db.FailingSince == nil && db.LocalTXID > 0
		}
		if synced {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the databases are not in sync with the replica after a minute: %+v", last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// logLines are the messages and db attributes of the server's log lines
// whose message contains text (PocketBase keeps them in auxiliary.db).
func logLines(t testing.TB, a *api, su, text string) []string {
	t.Helper()
	var res struct {
		Items []struct {
			Message string         `json:"message"`
			Data    map[string]any `json:"data"`
		} `json:"items"`
	}
	q := url.Values{"perPage": {"100"}, "filter": {fmt.Sprintf("message ~ '%s'", text)}}
	a.must(t, http.MethodGet, "/api/logs?"+q.Encode(), su, nil, &res)
	var lines []string
	for _, it := range res.Items {
		lines = append(lines, fmt.Sprintf("%v: %s", it.Data["db"], it.Message))
	}
	return lines
}

func countDB(lines []string, db string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, db+":") {
			n++
		}
	}
	return n
}

// queryIds reads the ids of a table straight from a database file.
func queryIds(t testing.TB, path, table string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}
