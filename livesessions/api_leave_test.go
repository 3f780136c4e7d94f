package livesessions_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestLiveSessionLeave covers POST /api/live-sessions/{id}/leave: who may
// leave, and the seat and time a leave leaves behind.
func TestLiveSessionLeave(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "leaving without having joined is a conflict",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionLive, "leave"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"not_joined"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "leaving a session one cannot see is a 404",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionLive, "leave"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:    "a student dropped from the course while seated may still leave",
			Method:  http.MethodPost,
			URL:     testkit.SessionURL(testkit.IdSessionLive, "leave"),
			Headers: map[string]string{"Authorization": testkit.Tokens[testkit.IdDroppedStudent]},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				testkit.SeedLiveSessions(t, app)
				testkit.SeatAttendee(t, app, "lsaseat00000001", testkit.IdSessionLive, testkit.IdDroppedStudent)
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"lsaseat00000001"`, `"active":false`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 2, "OnRecordEnrich": 1},
		},
		{
			Name:            "an attendee leaves: the seat frees, the time is counted",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionFull, "leave"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + testkit.IdFullAttendee + `"`, `"active":false`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 2, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := testkit.FindLiveSession(t, app, testkit.IdSessionFull).GetInt(collections.LiveSessionAttendeeCount); n != 0 {
					t.Errorf("attendeeCount %d, want 0", n)
				}
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}

// TestLiveSessionRejoinAccumulates leaves and rejoins: one attendance row
// whose attendedSeconds adds up both stays, not just the last.
func TestLiveSessionRejoinAccumulates(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)
	token := testkit.Tokens[testkit.Student]

	var attendee map[string]any
	stay := func(d time.Duration) {
		t.Helper()
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionLive, "join"), token, nil, &attendee); status != 200 {
			t.Fatalf("join: status %d", status)
		}
		backdateAttendance(t, app, attendee["id"].(string), d)
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionLive, "leave"), token, nil, &attendee); status != 200 {
			t.Fatalf("leave: status %d", status)
		}
	}

	stay(120 * time.Second)
	if s := attendee["attendedSeconds"].(float64); s < 119 || s > 122 {
		t.Fatalf("after the first stay attendedSeconds %v, want about 120", s)
	}
	stay(60 * time.Second)
	if s := attendee["attendedSeconds"].(float64); s < 179 || s > 183 {
		t.Fatalf("after the second stay attendedSeconds %v, want about 180", s)
	}
	if n := testkit.CountRecords(t, app, collections.LiveSessionAttendees, "session = '"+testkit.IdSessionLive+"' && user = '"+testkit.IdStudent+"'"); n != 1 {
		t.Errorf("%d attendance rows, want 1", n)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionLive, "leave"), token, nil, nil); status != http.StatusConflict {
		t.Errorf("a second leave: status %d, want 409", status)
	}
}

// TestLiveSessionLobbyTimeIsNotAttendance joins a scheduled session before
// it starts: the wait before the start is not counted.
func TestLiveSessionLobbyTimeIsNotAttendance(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)

	var attendee map[string]any
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "join"), testkit.Tokens[testkit.Student], nil, &attendee); status != 200 {
		t.Fatalf("join: status %d", status)
	}
	backdateAttendance(t, app, attendee["id"].(string), 10*time.Minute)
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "start"), testkit.Tokens[testkit.Instructor], nil, nil); status != 200 {
		t.Fatalf("start: status %d", status)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "leave"), testkit.Tokens[testkit.Student], nil, &attendee); status != 200 {
		t.Fatalf("leave: status %d", status)
	}
	if s := attendee["attendedSeconds"].(float64); s > 2 {
		t.Errorf("attendedSeconds %v: the lobby wait was counted", s)
	}
}
