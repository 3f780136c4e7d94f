package presence_test

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/presence"
	"studyhall/testkit"
)

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

// TestPresenceInvisibleIsSilent: an invisible user's heartbeats, activity
// changes and tabs send others nothing for 10 s, and their row reads the
// same to others before and after, as one who went offline when they
// turned invisible. A user already offline turns invisible without an
// event. Coming back is coming online.
func TestPresenceInvisibleIsSilent(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	// the subscribers are online themselves and must stay so, not away
	cfg := fastPresence
	cfg.AwayAfter = time.Minute
	presence.SetConfig(app, cfg)
	srv := testkit.StartServer(t, app)

	// two signed-in subscribers, as the web app subscribes
	observers := []*testkit.RealtimeClient{testkit.ConnectRealtime(t, srv.URL), testkit.ConnectRealtime(t, srv.URL)}
	observers[0].Subscribe(t, testkit.Tokens[testkit.OtherStudent], "presence/*")
	observers[1].Subscribe(t, testkit.Tokens[testkit.Instructor], "presence/*")
	readers := []string{testkit.OtherStudent, testkit.Instructor}
	put := func(actor string, body map[string]any) {
		t.Helper()
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", testkit.Tokens[actor], body, nil); status != http.StatusOK {
			t.Fatalf("status %v as %s: %d", body, actor, status)
		}
	}
	beat := func(actor string, body map[string]any) {
		t.Helper()
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/presence/heartbeat", testkit.Tokens[actor], body, nil); status != http.StatusOK {
			t.Fatalf("heartbeat as %s: %d", actor, status)
		}
	}

	// already offline, then invisible: no event at all
	beat(testkit.OtherInstructor, map[string]any{"active": true})
	for _, o := range observers {
		waitPresence(t, o, testkit.IdOtherInstructor, presence.Online, 2*time.Second)
		waitPresence(t, o, testkit.IdOtherInstructor, presence.Offline, 2*time.Second)
	}
	for _, o := range observers {
		drainEvents(o, 200*time.Millisecond) // the subscribers' own presence
	}
	before := presenceRowAs(t, srv.URL, testkit.OtherStudent, testkit.IdOtherInstructor)
	put(testkit.OtherInstructor, map[string]any{"status": "invisible", "activity": "Hiding"})
	for _, o := range observers {
		o.ExpectNoEvent(t, 500*time.Millisecond)
	}
	if after := presenceRowAs(t, srv.URL, testkit.OtherStudent, testkit.IdOtherInstructor); !reflect.DeepEqual(before, after) {
		t.Errorf("an offline user turning invisible changed their row\nbefore %v\n after %v", before, after)
	}

	// online, then invisible: one offline event, like going offline
	tab := testkit.ConnectRealtime(t, srv.URL)
	tab.Subscribe(t, testkit.Tokens[testkit.Student], "presence/*")
	for _, o := range observers {
		waitPresence(t, o, testkit.IdStudent, presence.Online, 2*time.Second)
	}
	time.Sleep(time.Second) // so that the moment they hide is not the moment they came
	hid := time.Now()
	put(testkit.Student, map[string]any{"status": "invisible", "activity": "Secret plan"})
	for _, o := range observers {
		rec := waitPresence(t, o, testkit.IdStudent, presence.Offline, 2*time.Second)
		if _, leaked := rec["activity"]; leaked {
			t.Errorf("the offline event carries the activity: %v", rec)
		}
		if lastSeen, err := types.ParseDateTime(rec["lastSeen"]); err != nil || lastSeen.Time().Before(hid.Add(-50*time.Millisecond)) {
			t.Errorf("lastSeen %v, want the moment they turned invisible (%s)", rec["lastSeen"], hid.UTC())
		}
	}
	snapshot := map[string]map[string]any{}
	for _, r := range readers {
		snapshot[r] = presenceRowAs(t, srv.URL, r, testkit.IdStudent)
	}

	// 10 s of heartbeats, activity changes and a second tab
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		switch i % 4 {
		case 0:
			beat(testkit.Student, map[string]any{"active": true, "activity": fmt.Sprintf("Reading %d", i)})
		case 1:
			put(testkit.Student, map[string]any{"status": "invisible", "activity": fmt.Sprintf("Writing %d", i)})
		case 2:
			beat(testkit.Student, map[string]any{"active": false})
		case 3:
			second := testkit.ConnectRealtime(t, srv.URL)
			second.Subscribe(t, testkit.Tokens[testkit.Student], "presence/*")
			time.Sleep(100 * time.Millisecond)
			second.Close()
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, o := range observers {
		o.ExpectNoEvent(t, 2*cfg.OfflineAfter)
	}
	for _, r := range readers {
		if after := presenceRowAs(t, srv.URL, r, testkit.IdStudent); !reflect.DeepEqual(snapshot[r], after) {
			t.Errorf("the invisible user's row changed for %s\nbefore %v\n after %v", r, snapshot[r], after)
		}
	}
	var own map[string]any
	testkit.ApiRequest(t, srv.URL, http.MethodPut, "/api/presence/status", testkit.Tokens[testkit.Student], map[string]any{"status": "invisible"}, &own)
	if own["manualStatus"] != presence.ManualInvisible || own["activity"] == nil {
		t.Errorf("the user's own row: %v", own)
	}

	// back: online again, with a fresh lastSeen
	put(testkit.Student, map[string]any{"status": "online"})
	for i, o := range observers {
		rec := waitPresence(t, o, testkit.IdStudent, presence.Online, 2*time.Second)
		if rec["lastSeen"] == snapshot[readers[i]]["lastSeen"] {
			t.Errorf("back online with the lastSeen of the moment they hid: %v", rec["lastSeen"])
		}
	}
}
