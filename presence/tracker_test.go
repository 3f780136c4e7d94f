package presence_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"studyhall/collections"
	"studyhall/presence"
	"studyhall/testkit"
)

// fastPresence shortens presence's limits so that a test sees offline and
// away in well under a second.
var fastPresence = presence.Config{
	OfflineAfter: 400 * time.Millisecond,
	AwayAfter:    1200 * time.Millisecond,
	SweepEvery:   50 * time.Millisecond,
}

// waitPresence reads c's events until one says userId's presence is
// status, and fails the test if none does within timeout. It returns the
// record as the subscriber saw it.
func waitPresence(t *testing.T, c *testkit.RealtimeClient, userId, status string, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var seen []string
	for time.Now().Before(deadline) {
		ev, ok := c.NextEvent(time.Until(deadline))
		if !ok {
			break
		}
		var data testkit.RecordEvent
		if json.Unmarshal(ev.Data, &data) != nil || data.Record["user"] != userId {
			continue
		}
		seen = append(seen, data.Record["status"].(string))
		if data.Record["status"] == status {
			return data.Record
		}
	}
	t.Fatalf("presence of %s never became %q within %s (saw %v)", userId, status, timeout, seen)
	return nil
}

// expectNoPresenceChange fails if, within d, c sees userId's presence
// become anything but status.
func expectNoPresenceChange(t *testing.T, c *testkit.RealtimeClient, userId, status string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		ev, ok := c.NextEvent(time.Until(deadline))
		if !ok {
			return
		}
		var data testkit.RecordEvent
		if json.Unmarshal(ev.Data, &data) == nil && data.Record["user"] == userId && data.Record["status"] != status {
			t.Fatalf("presence of %s flashed %q", userId, data.Record["status"])
		}
	}
}

// TestPresenceTabsAndOffline: online while any tab is open, tabs count
// once, no offline flash when one tab closes or on a reload, offline once
// the last connection has been gone for OfflineAfter.
func TestPresenceTabsAndOffline(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	noAway := fastPresence
	noAway.AwayAfter = time.Minute // this test is about connections only
	presence.SetConfig(app, noAway)
	srv := testkit.StartServer(t, app)

	observer := testkit.ConnectRealtime(t, srv.URL)
	observer.Subscribe(t, testkit.Tokens[testkit.OtherStudent], "presence/*")

	tabA := testkit.ConnectRealtime(t, srv.URL)
	tabA.Subscribe(t, testkit.Tokens[testkit.Student], "presence/*")
	waitPresence(t, observer, testkit.IdStudent, presence.Online, 3*time.Second)

	tabB := testkit.ConnectRealtime(t, srv.URL)
	tabB.Subscribe(t, testkit.Tokens[testkit.Student], "presence/*")
	tabA.Close()
	// tab B keeps the student online, well past OfflineAfter
	expectNoPresenceChange(t, observer, testkit.IdStudent, presence.Online, 3*fastPresence.OfflineAfter)

	// a reload: the last tab closes and a new one opens at once
	tabB.Close()
	time.Sleep(fastPresence.OfflineAfter / 4)
	tabC := testkit.ConnectRealtime(t, srv.URL)
	tabC.Subscribe(t, testkit.Tokens[testkit.Student], "presence/*")
	expectNoPresenceChange(t, observer, testkit.IdStudent, presence.Online, 2*fastPresence.OfflineAfter)

	tabC.Close()
	start := time.Now()
	rec := waitPresence(t, observer, testkit.IdStudent, presence.Offline, 3*time.Second)
	if waited := time.Since(start); waited < fastPresence.OfflineAfter/2 {
		t.Errorf("offline after %s, before the grace period of %s", waited, fastPresence.OfflineAfter)
	}
	if rec["lastSeen"] == "" {
		t.Error("an offline user has no lastSeen")
	}

	stored, err := app.FindFirstRecordByData(collections.Presence, "user", testkit.IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	if got := stored.GetString("status"); got != presence.Offline {
		t.Errorf("stored status %q, want offline", got)
	}
}

// TestPresenceManualAndAway: busy and invisible persist and show as SPEC
// says; a connected user without activity goes away and comes back with a
// heartbeat.
func TestPresenceManualAndAway(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	presence.SetConfig(app, fastPresence)
	srv := testkit.StartServer(t, app)

	observer := testkit.ConnectRealtime(t, srv.URL)
	observer.Subscribe(t, testkit.Tokens[testkit.OtherStudent], "presence/*")
	tab := testkit.ConnectRealtime(t, srv.URL)
	tab.Subscribe(t, testkit.Tokens[testkit.Student], "presence/*")
	waitPresence(t, observer, testkit.IdStudent, presence.Online, 3*time.Second)

	var own map[string]any
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", testkit.Tokens[testkit.Student], map[string]any{"status": "busy", "activity": "In session: Algebra"}, &own); status != 200 {
		t.Fatalf("set busy: %d", status)
	}
	if own["status"] != presence.Busy || own["manualStatus"] != presence.ManualBusy {
		t.Fatalf("own row after busy: %v", own)
	}
	rec := waitPresence(t, observer, testkit.IdStudent, presence.Busy, 2*time.Second)
	if rec["activity"] != "In session: Algebra" {
		t.Errorf("activity = %v", rec["activity"])
	}
	if _, leaked := rec["manualStatus"]; leaked {
		t.Error("manualStatus reached another user")
	}

	// busy does not go away with time
	expectNoPresenceChange(t, observer, testkit.IdStudent, presence.Busy, fastPresence.AwayAfter+300*time.Millisecond)

	// invisible shows as offline, and tells nothing else
	testkit.ApiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", testkit.Tokens[testkit.Student], map[string]any{"status": "invisible"}, nil)
	rec = waitPresence(t, observer, testkit.IdStudent, presence.Offline, 2*time.Second)
	if _, leaked := rec["manualStatus"]; leaked {
		t.Error("an invisible user's manual status reached another user")
	}
	if _, leaked := rec["activity"]; leaked {
		t.Error("an invisible user's activity reached another user")
	}
	var online struct {
		Items []map[string]any `json:"items"`
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/presence/online", testkit.Tokens[testkit.OtherStudent], nil, &online)
	for _, u := range online.Items {
		if u["id"] == testkit.IdStudent {
			t.Error("an invisible user is listed online")
		}
	}

	// back to automatic: online now, away after AwayAfter without
	// activity, online again with an active heartbeat
	testkit.ApiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", testkit.Tokens[testkit.Student], map[string]any{"status": "online"}, nil)
	waitPresence(t, observer, testkit.IdStudent, presence.Online, 2*time.Second)
	waitPresence(t, observer, testkit.IdStudent, presence.Away, fastPresence.AwayAfter+2*time.Second)
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/presence/heartbeat", testkit.Tokens[testkit.Student], map[string]any{"active": true, "activity": "Reading"}, nil); status != 200 {
		t.Fatalf("heartbeat: %d", status)
	}
	waitPresence(t, observer, testkit.IdStudent, presence.Online, 2*time.Second)
}

// TestPresenceRoutes: the online list by course, bad input and the
// heartbeat limit.
func TestPresenceRoutes(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	presence.SetConfig(app, fastPresence)
	srv := testkit.StartServer(t, app)

	for _, actor := range []string{testkit.Student, testkit.OtherStudent, testkit.Instructor} {
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/presence/heartbeat", testkit.Tokens[actor], map[string]any{}, nil); status != 200 {
			t.Fatalf("heartbeat as %s: %d", actor, status)
		}
	}

	var all, course struct {
		Items []map[string]any `json:"items"`
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/presence/online", testkit.Tokens[testkit.Student], nil, &all)
	testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/presence/online?course="+testkit.IdCourse, testkit.Tokens[testkit.Student], nil, &course)
	ids := func(items []map[string]any) string {
		var out []string
		for _, i := range items {
			out = append(out, i["id"].(string))
			if _, leaked := i["email"]; leaked {
				t.Error("the online list carries an email")
			}
		}
		return strings.Join(out, ",")
	}
	if got := ids(all.Items); !strings.Contains(got, testkit.IdStudent) || !strings.Contains(got, testkit.IdOtherStudent) || !strings.Contains(got, testkit.IdInstructor) {
		t.Errorf("online = %s", got)
	}
	if got := ids(course.Items); !strings.Contains(got, testkit.IdStudent) || !strings.Contains(got, testkit.IdInstructor) || strings.Contains(got, testkit.IdOtherStudent) {
		t.Errorf("online in the course = %s, want its instructor and students only", got)
	}

	checks := []struct {
		name, method, path, token string
		body                      any
		status                    int
		want                      string
	}{
		{"a guest", http.MethodPost, "/api/presence/heartbeat", "", map[string]any{}, 401, ""},
		{"offline is not a manual status", http.MethodPut, "/api/presence/status", testkit.Tokens[testkit.Student], map[string]any{"status": "offline"}, 400, "validation_invalid_status"},
		{"a missing status", http.MethodPut, "/api/presence/status", testkit.Tokens[testkit.Student], map[string]any{}, 400, "validation_required"},
		{"an oversize activity", http.MethodPost, "/api/presence/heartbeat", testkit.Tokens[testkit.OtherStudent], map[string]any{"activity": strings.Repeat("a", 101)}, 400, "validation_max_text_constraint"},
		{"an activity of the wrong type", http.MethodPost, "/api/presence/heartbeat", testkit.Tokens[testkit.OtherStudent], map[string]any{"activity": 12}, 400, ""},
		{"an unknown course", http.MethodGet, "/api/presence/online?course=nosuchcourse00", testkit.Tokens[testkit.Student], nil, 404, ""},
		{"a draft course of someone else", http.MethodGet, "/api/presence/online?course=" + testkit.IdDraftCourse, testkit.Tokens[testkit.Student], nil, 404, ""},
	}
	for _, c := range checks {
		var body map[string]any
		status := testkit.ApiRequest(t, srv.URL, c.method, c.path, c.token, c.body, &body)
		raw, _ := json.Marshal(body)
		if status != c.status || !strings.Contains(string(raw), c.want) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, status, raw, c.status, c.want)
		}
	}

	limited := 0
	for range 15 {
		if testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/presence/heartbeat", testkit.Tokens[testkit.Instructor], map[string]any{}, nil) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("15 heartbeats at once were all accepted")
	}
}
