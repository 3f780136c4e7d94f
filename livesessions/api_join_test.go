package livesessions_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/presence"
	"studyhall/testkit"
)

// TestLiveSessionJoin covers POST /api/live-sessions/{id}/join: who may
// join, in which status, and what a join leaves behind.
func TestLiveSessionJoin(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "a guest cannot join",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionScheduled, "join"),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an enrolled student joins: an active attendance, one seat taken, a chat participant",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionScheduled, "join"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"session":"` + testkit.IdSessionScheduled + `"`, `"user":"` + testkit.IdStudent + `"`, `"active":true`, `"attendedSeconds":0`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 1, "OnRecordUpdate": 2, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				session := testkit.FindLiveSession(t, app, testkit.IdSessionScheduled)
				if n := session.GetInt(collections.LiveSessionAttendeeCount); n != 1 {
					t.Errorf("attendeeCount %d, want 1", n)
				}
				room, err := app.FindRecordById(collections.ChatRooms, session.GetString(collections.LiveSessionChatRoom))
				if err != nil || !slices.Contains(room.GetStringSlice(collections.ChatRoomParticipants), testkit.IdStudent) {
					t.Errorf("the joiner is not in the session's room (%v)", err)
				}
			},
		},
		{
			Name:    "joining twice changes nothing",
			Method:  http.MethodPost,
			URL:     testkit.SessionURL(testkit.IdSessionScheduled, "join"),
			Headers: testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				testkit.SeedLiveSessions(t, app)
				testkit.SeatAttendee(t, app, "lsaseat00000001", testkit.IdSessionScheduled, testkit.IdStudent)
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"lsaseat00000001"`, `"active":true`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 0, "OnRecordUpdate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := testkit.FindLiveSession(t, app, testkit.IdSessionScheduled).GetInt(collections.LiveSessionAttendeeCount); n != 1 {
					t.Errorf("attendeeCount %d, want 1", n)
				}
			},
		},
		{
			Name:            "a student not enrolled in the course cannot join its session",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionScheduled, "join"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a dropped student cannot join",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionLive, "join"),
			Headers:         map[string]string{"Authorization": testkit.Tokens[testkit.IdDroppedStudent]},
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "any signed-in user joins a public session",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionPublic, "join"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"active":true`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 1, "OnRecordUpdate": 2, "OnRecordEnrich": 1},
		},
		{
			Name:            "a full session turns a joiner away with session_full",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionFull, "join"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"status":409`, `"data":{"code":"session_full"}`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "the seated attendee of a full session rejoins idempotently",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionFull, "join"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + testkit.IdFullAttendee + `"`},
			ExpectedEvents:  map[string]int{"OnRecordEnrich": 1, "OnRecordUpdate": 0},
		},
		{
			Name:            "an ended session cannot be joined",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionEnded, "join"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a cancelled session cannot be joined",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionCancelled, "join"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an unknown session is a 404",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL("lvsmissing00001", "join"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}

// TestLiveSessionConcurrentJoins sends 200 joins at once, from 200
// different users over real HTTP, at a 10-seat session: exactly 10 get in,
// every other one gets session_full, and the counts agree afterwards.
func TestLiveSessionConcurrentJoins(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	testkit.SeedLiveSessions(t, app)
	session := testkit.NewRushSession(t, app, "lvsrush00000001", 10)
	users := testkit.InsertUsers(t, app, "rush", 200)
	srv := testkit.StartServer(t, app)

	results := testkit.JoinRush(srv.URL, session.Id, users)

	counts := testkit.TallyRush(results)
	if counts["200"] != 10 || counts["409 session_full"] != 190 || len(counts) != 2 {
		t.Fatalf("answers %v, want 10 × 200 and 190 × 409 session_full", counts)
	}
	if n := testkit.CountActiveAttendance(t, app, session.Id); n != 10 {
		t.Errorf("%d active attendees in the database, want 10", n)
	}
	if n := testkit.FindLiveSession(t, app, session.Id).GetInt(collections.LiveSessionAttendeeCount); n != 10 {
		t.Errorf("attendeeCount %d, want 10", n)
	}
	room, err := app.FindRecordById(collections.ChatRooms, testkit.FindLiveSession(t, app, session.Id).GetString(collections.LiveSessionChatRoom))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(room.GetStringSlice(collections.ChatRoomParticipants)); n != 11 {
		t.Errorf("%d chat participants, want 10 attendees and the instructor", n)
	}
}

// TestLiveSessionLeavesDuringARush frees every seat of a full session while
// ten times as many join: whatever the interleaving, the seats never hold
// more than the capacity, attendeeCount is the active count, and every
// seat taken was answered 200.
func TestLiveSessionLeavesDuringARush(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	session := testkit.NewRushSession(t, app, "lvsleaverush001", 10)
	seated := testkit.InsertUsers(t, app, "leaverush", 10)
	joiners := testkit.InsertUsers(t, app, "joinrush", 100)
	srv := testkit.StartServer(t, app)
	if counts := testkit.TallyRush(testkit.JoinRush(srv.URL, session.Id, seated)); counts["200"] != 10 {
		t.Fatalf("seating the first 10: %v", counts)
	}
	// the session is full, and known to be: a refusal first
	if counts := testkit.TallyRush(testkit.JoinRush(srv.URL, session.Id, joiners[:1])); counts["409 session_full"] != 1 {
		t.Fatalf("a join at the full session: %v", counts)
	}

	var leaves, joins []testkit.RushResult
	var wg sync.WaitGroup
	wg.Go(func() {
		leaves = testkit.SendRush(http.MethodPost, srv.URL+testkit.SessionURL(session.Id, "leave"), seated)
	})
	wg.Go(func() { joins = testkit.JoinRush(srv.URL, session.Id, joiners) })
	wg.Wait()

	if counts := testkit.TallyRush(leaves); counts["200"] != 10 {
		t.Fatalf("leaves: %v, want 10 × 200", counts)
	}
	counts := testkit.TallyRush(joins)
	if counts["200"]+counts["409 session_full"] != len(joiners) {
		t.Fatalf("joins: %v, want only 200 and 409 session_full", counts)
	}
	active := testkit.CountActiveAttendance(t, app, session.Id)
	if active != counts["200"] || active > 10 {
		t.Fatalf("%d active attendees after %d admitted joins, capacity 10", active, counts["200"])
	}
	if n := testkit.FindLiveSession(t, app, session.Id).GetInt(collections.LiveSessionAttendeeCount); n != active {
		t.Fatalf("attendeeCount %d, %d active attendees", n, active)
	}
	// and the seats left free are free: the next joiners get them
	if free := 10 - active; free > 0 {
		late := testkit.InsertUsers(t, app, "laterush", free)
		if counts := testkit.TallyRush(testkit.JoinRush(srv.URL, session.Id, late)); counts["200"] != free {
			t.Fatalf("%d free seats after the rush, late joins: %v", free, counts)
		}
	}
}

// TestLiveSessionRealtimeAttendeeCount subscribes to a session over a
// real SSE connection: a join reaches the subscriber as an update with the
// new attendeeCount, and someone who cannot see the session hears nothing.
func TestLiveSessionRealtimeAttendeeCount(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)

	topic := collections.LiveSessions + "/" + testkit.IdSessionLive
	watcher := testkit.ConnectRealtime(t, srv.URL)
	watcher.Subscribe(t, testkit.Tokens[testkit.Instructor], topic)
	outsider := testkit.ConnectRealtime(t, srv.URL)
	outsider.Subscribe(t, testkit.Tokens[testkit.OtherStudent], topic)

	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionLive, "join"), testkit.Tokens[testkit.Student], nil, nil); status != 200 {
		t.Fatalf("join: status %d", status)
	}
	ev := watcher.ExpectEvent(t, topic, 2*time.Second)
	if ev.Action != "update" || ev.Record["attendeeCount"] != 1.0 {
		t.Fatalf("event %v, want an update with attendeeCount 1", ev)
	}

	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionLive, "leave"), testkit.Tokens[testkit.Student], nil, nil); status != 200 {
		t.Fatalf("leave: status %d", status)
	}
	ev = watcher.ExpectEvent(t, topic, 2*time.Second)
	if ev.Record["attendeeCount"] != 0.0 {
		t.Fatalf("event %v, want attendeeCount 0", ev)
	}
	outsider.ExpectNoEvent(t, 200*time.Millisecond)

	// the outsider is seated in the full public session: with a realtime
	// connection open, the attendee list shows them online
	var list struct {
		Items []struct {
			Id     string `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.SessionURL(testkit.IdSessionFull, "attendees"), testkit.Tokens[testkit.Student], nil, &list); status != 200 {
			t.Fatalf("attendees: status %d", status)
		}
		if len(list.Items) == 1 && list.Items[0].Id == testkit.IdOtherStudent && list.Items[0].Status == presence.Online {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("attendees %+v, want %s online", list.Items, testkit.IdOtherStudent)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLiveSessionPublicSessionFollowsItsRules narrows the view rule of
// live sessions to their instructors: a public session is then no more
// open to join, or to list who is in, than the records API shows it, full
// (and known full) or not.
func TestLiveSessionPublicSessionFollowsItsRules(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)
	call := func(method, id, action, actor string) int {
		return testkit.ApiRequest(t, srv.URL, method, testkit.SessionURL(id, action), testkit.Tokens[actor], nil, nil)
	}
	if status := call(http.MethodPost, testkit.IdSessionFull, "join", testkit.Student); status != http.StatusConflict {
		t.Fatalf("a student at the full public session: %d, want 409", status)
	}

	sessions, err := app.FindCollectionByNameOrId(collections.LiveSessions)
	if err != nil {
		t.Fatal(err)
	}
	sessions.ViewRule = types.Pointer("instructor = @request.auth.id")
	if err := app.Save(sessions); err != nil {
		t.Fatal(err)
	}
	for _, probe := range []struct {
		method, session, action, actor string
		want                           int
	}{
		{http.MethodPost, testkit.IdSessionFull, "join", testkit.Student, http.StatusNotFound},     // known full
		{http.MethodPost, testkit.IdSessionPublic, "join", testkit.Student, http.StatusNotFound},   // a free seat
		{http.MethodGet, testkit.IdSessionFull, "attendees", testkit.Student, http.StatusNotFound}, // who is in
		{http.MethodPost, testkit.IdSessionPublic, "join", testkit.Instructor, http.StatusOK},      // its instructor still may
		{http.MethodGet, testkit.IdSessionFull, "attendees", testkit.Instructor, http.StatusOK},    // and sees who is in
	} {
		if status := call(probe.method, probe.session, probe.action, probe.actor); status != probe.want {
			t.Errorf("%s %s of %s: %d, want %d", probe.actor, probe.action, probe.session, status, probe.want)
		}
	}
}
