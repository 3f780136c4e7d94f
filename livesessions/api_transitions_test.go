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

// TestLiveSessionTransitions covers POST /api/live-sessions/{id}/start,
// /end and /cancel: only the owner moves the status machine, only from the
// right status, and each move's attendance and notices.
func TestLiveSessionTransitions(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "the owner starts a scheduled session: enrolled students hear it",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionScheduled, "start"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"live"`, `"startedAt":"20`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordCreate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionStarted, testkit.IdSessionScheduled, map[string]int{testkit.IdStudent: 1, testkit.IdOtherStudent: 0, testkit.IdDroppedStudent: 0})
			},
		},
		{
			Name:            "an enrolled student cannot start the session",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionScheduled, "start"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "another instructor cannot start a session they cannot see",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionScheduled, "start"),
			Headers:         testkit.AuthHeader(testkit.OtherInstructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "another instructor cannot start a public session either",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionPublic, "start"),
			Headers:         testkit.AuthHeader(testkit.OtherInstructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a live session cannot be started again",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionLive, "start"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a scheduled session cannot be ended",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionScheduled, "end"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a live session cannot be cancelled",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionLive, "cancel"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an ended session cannot be ended or restarted",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionEnded, "end"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a cancelled session cannot be started",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionCancelled, "start"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:    "the owner ends a live session: every attendance closes with its time",
			Method:  http.MethodPost,
			URL:     testkit.SessionURL(testkit.IdSessionLive, "end"),
			Headers: testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				testkit.SeedLiveSessions(t, app)
				testkit.SeatAttendee(t, app, "lsaseat00000001", testkit.IdSessionLive, testkit.IdStudent)
				backdateAttendance(t, app, "lsaseat00000001", 5*time.Minute)
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"ended"`, `"attendeeCount":0`, `"endedAt":"20`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 2, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				attendee, err := app.FindRecordById(collections.LiveSessionAttendees, "lsaseat00000001")
				if err != nil {
					t.Fatal(err)
				}
				if attendee.GetBool(collections.AttendeeActive) {
					t.Error("attendance still active")
				}
				if s := attendee.GetInt(collections.AttendeeAttendedSeconds); s < 299 || s > 302 {
					t.Errorf("attendedSeconds %d, want about 300", s)
				}
			},
		},
		{
			Name:    "the owner cancels a public session: its lobby empties, attendees and nobody else hear it",
			Method:  http.MethodPost,
			URL:     testkit.SessionURL(testkit.IdSessionPublic, "cancel"),
			Headers: testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				testkit.SeedLiveSessions(t, app)
				testkit.SeatAttendee(t, app, "lsaseat00000001", testkit.IdSessionPublic, testkit.IdOtherStudent)
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"cancelled"`, `"attendeeCount":0`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 2, "OnRecordCreate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionCancelled, testkit.IdSessionPublic, map[string]int{testkit.IdOtherStudent: 1, testkit.IdStudent: 0, testkit.IdInstructor: 0})
				if n := testkit.CountActiveAttendance(t, app, testkit.IdSessionPublic); n != 0 {
					t.Errorf("%d active attendees after cancel", n)
				}
			},
		},
		{
			Name:            "the owner cancels a course session: enrolled students hear it",
			Method:          http.MethodPost,
			URL:             testkit.SessionURL(testkit.IdSessionScheduled, "cancel"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"cancelled"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordCreate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionCancelled, testkit.IdSessionScheduled, map[string]int{testkit.IdStudent: 1, testkit.IdDroppedStudent: 0})
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}
