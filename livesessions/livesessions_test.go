package livesessions_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/livesessions"
	"studyhall/presence"
	"studyhall/testkit"
)

// withLiveSessions is a BeforeTestFunc that adds the live session fixtures.
func withLiveSessions(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	testkit.SeedLiveSessions(t, app)
}

// sessionNoticesOf counts the user's notifications (delivered or held) of a type
// about one session.
func sessionNoticesOf(t testing.TB, app core.App, userId, notificationType, sessionId string) int {
	t.Helper()
	filter := "user = '" + userId + "' && type = '" + notificationType + "' && relatedId = '" + sessionId + "'"
	return testkit.CountRecords(t, app, collections.Notifications, filter) +
		testkit.CountRecords(t, app, collections.NotificationHolds, filter)
}

// expectSessionNotices asserts how many notices of a type about the session each
// user has.
func expectSessionNotices(t testing.TB, app core.App, notificationType, sessionId string, want map[string]int) {
	t.Helper()
	for userId, n := range want {
		if got := sessionNoticesOf(t, app, userId, notificationType, sessionId); got != n {
			t.Errorf("%s: %d %s notices, want %d", userId, got, notificationType, n)
		}
	}
}

// TestLiveSessionRecords covers the records API of live_sessions and
// live_session_attendees: who creates, edits, deletes and sees what, the
// field errors of bad input, and the notices of create, update and delete.
func TestLiveSessionRecords(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:   "an instructor schedules a course session: defaults, a chat room, a notice to enrolled students",
			Method: http.MethodPost,
			URL:    testkit.RecordsURL(collections.LiveSessions),
			Body: strings.NewReader(`{"instructor":"` + testkit.IdInstructor + `","course":"` + testkit.IdCourse +
				`","title":"Office Q&A","scheduledStart":"` + testkit.SessionStartLater() + `"}`),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 200,
			ExpectedContent: []string{`"status":"scheduled"`, `"capacity":100`, `"durationMinutes":60`,
				`"visibility":"course"`, `"attendeeCount":0`},
			NotExpectedContent: []string{`"chatRoom":""`, `reminderSentFor`},
			ExpectedEvents:     map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 2}, // the session and its room; notify inserts rows directly
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				session, err := app.FindFirstRecordByFilter(collections.LiveSessions, "title = 'Office Q&A'")
				if err != nil {
					t.Fatal(err)
				}
				room, err := app.FindRecordById(collections.ChatRooms, session.GetString(collections.LiveSessionChatRoom))
				if err != nil {
					t.Fatal("no chat room:", err)
				}
				if room.GetString(collections.ChatRoomType) != collections.ChatRoomTypeSession ||
					!slices.Equal(room.GetStringSlice(collections.ChatRoomParticipants), []string{testkit.IdInstructor}) {
					t.Errorf("room %v", room.PublicExport())
				}
				expectSessionNotices(t, app, collections.TypeLiveSessionCreated, session.Id, map[string]int{
					testkit.IdStudent: 1, testkit.IdOtherStudent: 0, testkit.IdDroppedStudent: 0, testkit.IdInstructor: 0,
				})
			},
		},
		{
			Name:            "an instructor schedules a public session without a course",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + testkit.IdInstructor + `","title":"Open lecture","capacity":5,"durationMinutes":90,"scheduledStart":"` + testkit.SessionStartLater() + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"visibility":"public"`, `"capacity":5`, `"durationMinutes":90`, `"course":""`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 2},
		},
		{
			Name:            "a student cannot schedule a session",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + testkit.IdStudent + `","title":"Mine","scheduledStart":"` + testkit.SessionStartLater() + `"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an instructor cannot schedule a session for another instructor's course",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + testkit.IdInstructor + `","course":"` + testkit.IdOtherCourse + `","title":"Chem","scheduledStart":"` + testkit.SessionStartLater() + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:   "capacity and duration below 1 and a past start are field errors",
			Method: http.MethodPost,
			URL:    testkit.RecordsURL(collections.LiveSessions),
			Body: strings.NewReader(`{"instructor":"` + testkit.IdInstructor + `","title":"Bad","capacity":0,"durationMinutes":0,` +
				`"scheduledStart":"2020-01-01 10:00:00.000Z"}`),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"capacity":{"code":"validation_min_greater_equal_than_required"`,
				`"durationMinutes":{"code":"validation_min_greater_equal_than_required"`,
				`"scheduledStart":{"code":"validation_in_the_past"`},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:   "server fields are field errors",
			Method: http.MethodPost,
			URL:    testkit.RecordsURL(collections.LiveSessions),
			Body: strings.NewReader(`{"instructor":"` + testkit.IdInstructor + `","title":"Bad",` +
				`"scheduledStart":"` + testkit.SessionStartLater() + `","status":"live","attendeeCount":3,"startedAt":"2020-01-01 10:00:00.000Z"}`),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"status":{"code":"validation_server_field"`, `"attendeeCount":{"code":"validation_server_field"`,
				`"startedAt":{"code":"validation_server_field"`},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:            "a negative capacity is a field error",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + testkit.IdInstructor + `","title":"Bad","capacity":-5,"scheduledStart":"` + testkit.SessionStartLater() + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"capacity":{"code":`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:            "a course session needs a course",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + testkit.IdInstructor + `","title":"Nowhere","visibility":"course","scheduledStart":"` + testkit.SessionStartLater() + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"visibility":{"code":"validation_course_required"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a title over 200 characters is a field error",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + testkit.IdInstructor + `","title":"` + strings.Repeat("x", 201) + `","scheduledStart":"` + testkit.SessionStartLater() + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"title":{"code":`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "the owner reschedules and renames: attendees and enrolled students hear it, the room follows",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Body:            strings.NewReader(`{"title":"Renamed","scheduledStart":"` + testkit.SessionStartLater() + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"title":"Renamed"`, `"status":"scheduled"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 2, "OnRecordCreate": 0},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionUpdated, testkit.IdSessionScheduled, map[string]int{testkit.IdStudent: 1, testkit.IdOtherStudent: 0})
				session := testkit.FindLiveSession(t, app, testkit.IdSessionScheduled)
				room, err := app.FindRecordById(collections.ChatRooms, session.GetString(collections.LiveSessionChatRoom))
				if err != nil || room.GetString(collections.ChatRoomName) != "Renamed" {
					t.Errorf("room not renamed: %v", err)
				}
			},
		},
		{
			Name:            "an edit of the description alone sends no notice",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Body:            strings.NewReader(`{"description":"Bring questions."}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"description":"Bring questions."`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 1},
		},
		{
			Name:            "a live session cannot be edited",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionLive),
			Body:            strings.NewReader(`{"title":"Too late"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
		},
		{
			Name:            "status and attendeeCount are not the client's to set",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Body:            strings.NewReader(`{"status":"live","attendeeCount":2,"chatRoom":""}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_server_field"`, `"attendeeCount":{"code":"validation_server_field"`, `"chatRoom":{"code":"validation_server_field"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
		},
		{
			Name:    "capacity cannot go below the current attendees",
			Method:  http.MethodPatch,
			URL:     testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Body:    strings.NewReader(`{"capacity":1}`),
			Headers: testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				testkit.SeedLiveSessions(t, app)
				testkit.SeatAttendee(t, app, "lsaseat00000001", testkit.IdSessionScheduled, testkit.IdStudent)
				testkit.SeatAttendee(t, app, "lsaseat00000002", testkit.IdSessionScheduled, testkit.IdInstructor)
			},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"capacity":{"code":"validation_capacity_below_attendees"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "capacity 0 on an edit is a field error",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Body:            strings.NewReader(`{"capacity":0}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"capacity":{"code":"validation_min_greater_equal_than_required"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "the owner cannot move a session to a course they do not teach",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Body:            strings.NewReader(`{"course":"` + testkit.IdOtherCourse + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"course":{"code":"validation_not_your_course"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "a session without a course cannot become a course session",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionPublic),
			Body:            strings.NewReader(`{"visibility":"course"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"visibility":{"code":"validation_course_required"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "an enrolled student cannot edit the session",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Body:            strings.NewReader(`{"title":"Mine now"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:           "the owner deletes a scheduled session: enrolled students hear it, the room goes",
			Method:         http.MethodDelete,
			URL:            testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: withLiveSessions,
			ExpectedStatus: 204,
			ExpectedEvents: map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 2},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionDeleted, testkit.IdSessionScheduled, map[string]int{testkit.IdStudent: 1, testkit.IdDroppedStudent: 0})
				if n := testkit.CountRecords(t, app, collections.ChatRooms, "name = 'Session "+testkit.IdSessionScheduled+"'"); n != 0 {
					t.Errorf("%d rooms left", n)
				}
			},
		},
		{
			Name:           "a cancelled session can be deleted, silently",
			Method:         http.MethodDelete,
			URL:            testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionCancelled),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: withLiveSessions,
			ExpectedStatus: 204,
			ExpectedEvents: map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 2},
		},
		{
			Name:            "a live session cannot be deleted",
			Method:          http.MethodDelete,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionLive),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 0},
		},
		{
			Name:            "an ended session cannot be deleted",
			Method:          http.MethodDelete,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionEnded),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 0},
		},
		{
			Name:               "an enrolled student lists the course's sessions and public ones, not other courses'",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.LiveSessions) + "?perPage=100",
			Headers:            testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:     withLiveSessions,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"totalItems":6`, `"id":"` + testkit.IdSessionScheduled + `"`, `"id":"` + testkit.IdSessionPublic + `"`},
			NotExpectedContent: []string{`"id":"` + testkit.IdOtherSession + `"`, `reminderSentFor`},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 6},
		},
		{
			Name:               "a student enrolled nowhere sees only public sessions",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.LiveSessions) + "?perPage=100",
			Headers:            testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:     withLiveSessions,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"totalItems":2`, `"id":"` + testkit.IdSessionPublic + `"`, `"id":"` + testkit.IdSessionFull + `"`},
			NotExpectedContent: []string{`"id":"` + testkit.IdSessionScheduled + `"`},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 2},
		},
		{
			Name:            "a dropped student no longer sees the course's sessions",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
			Headers:         map[string]string{"Authorization": testkit.Tokens[testkit.IdDroppedStudent]},
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a guest sees no session, public ones included",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.LiveSessions),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":0`},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:            "an attendee sees their own attendance",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.LiveSessionAttendees, testkit.IdFullAttendee),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + testkit.IdFullAttendee + `"`, `"active":true`},
			ExpectedEvents:  map[string]int{"OnRecordViewRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:            "the session's instructor sees its attendance",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.LiveSessionAttendees),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":1`, `"id":"` + testkit.IdFullAttendee + `"`},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:            "another student does not see someone's attendance",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.LiveSessionAttendees, testkit.IdFullAttendee),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "nobody but the server writes attendance",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.LiveSessionAttendees),
			Body:            strings.NewReader(`{"session":"` + testkit.IdSessionPublic + `","user":"` + testkit.IdStudent + `","active":true}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}

// TestLiveSessionRoutes covers join, leave, start, end, cancel and
// attendees: who may call them, in which status, and what they leave
// behind.
func TestLiveSessionRoutes(t *testing.T) {
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
		{
			Name:               "a viewer lists who is in: id, name, avatar and presence only",
			Method:             http.MethodGet,
			URL:                testkit.SessionURL(testkit.IdSessionFull, "attendees"),
			Headers:            testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:     withLiveSessions,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`{"items":[{"id":"` + testkit.IdOtherStudent + `","name":"Olive Other","avatar":"","status":"offline"}]}`},
			NotExpectedContent: []string{"joinedAt", "email", "@studyhall.test"},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:            "who is in a course session is hidden from those who cannot see it",
			Method:          http.MethodGet,
			URL:             testkit.SessionURL(testkit.IdSessionLive, "attendees"),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
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

// backdateAttendance moves an attendance's joinedAt d into the past, as if the
// attendee had been in for d.
func backdateAttendance(t testing.TB, app core.App, attendeeId string, d time.Duration) {
	t.Helper()
	joined := types.NowDateTime().Add(-d).String()
	if _, err := app.DB().Update(collections.LiveSessionAttendees,
		dbx.Params{collections.AttendeeJoinedAt: joined},
		dbx.HashExp{collections.FieldId: attendeeId}).Execute(); err != nil {
		t.Fatal(err)
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

// TestLiveSessionStartingSoon runs the job: a session starting within 15
// minutes reminds its enrolled students once (urgent), however often the
// job runs; a later one does not yet.
func TestLiveSessionStartingSoon(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)
	now := time.Now().UTC()
	for id, start := range map[string]time.Time{"lvssoon00000001": now.Add(10 * time.Minute), "lvslater0000001": now.Add(40 * time.Minute)} {
		if _, err := testkit.SaveRecord(app, collections.LiveSessions, id, map[string]any{
			"instructor": testkit.IdInstructor, "course": testkit.IdCourse, "title": "Soon " + id, "scheduledStart": start,
		}); err != nil {
			t.Fatal(err)
		}
	}

	var job func()
	for _, j := range app.Cron().Jobs() {
		if j.Id() == livesessions.StartingSoonJobId {
			job = j.Run
		}
	}
	if job == nil {
		t.Fatal("the starting-soon job is not scheduled")
	}
	job()
	job()

	expectSessionNotices(t, app, collections.TypeLiveSessionStartingSoon, "lvssoon00000001", map[string]int{testkit.IdStudent: 1, testkit.IdDroppedStudent: 0, testkit.IdOtherStudent: 0})
	expectSessionNotices(t, app, collections.TypeLiveSessionStartingSoon, "lvslater0000001", map[string]int{testkit.IdStudent: 0})
	notices, err := app.FindRecordsByFilter(collections.Notifications, "type = {:type}", "", 0, 0, dbx.Params{"type": collections.TypeLiveSessionStartingSoon})
	if err != nil || len(notices) != 1 || notices[0].GetString(collections.NotificationPriority) != collections.PriorityUrgent {
		t.Errorf("starting-soon notices %d (%v), want one urgent", len(notices), err)
	}

	// a rescheduled session is reminded of its new time
	session := testkit.FindLiveSession(t, app, "lvssoon00000001")
	session.Set(collections.LiveSessionScheduledStart, now.Add(12*time.Minute))
	if err := app.Save(session); err != nil {
		t.Fatal(err)
	}
	if n, err := livesessions.NotifyStartingSoon(app, time.Now()); err != nil || n != 1 {
		t.Errorf("after a reschedule the job reminded %d sessions (%v), want 1", n, err)
	}
}

// TestLiveSessionFullSessionChanges fills a session, so that the server
// answers its joiners from memory, then changes it every way a seat can
// come free or the session can change: each change counts at the next
// join, and none of it is shown to someone who cannot see the session.
func TestLiveSessionFullSessionChanges(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	testkit.SeedLiveSessions(t, app)
	users := testkit.InsertUsers(t, app, "fullchange", 5)
	srv := testkit.StartServer(t, app)
	session := testkit.NewRushSession(t, app, "lvsfullchange01", 2)
	join := func(label, token string, wantStatus int, wantCode string) map[string]any {
		t.Helper()
		var body map[string]any
		status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "join"), token, nil, &body)
		code := ""
		if data, ok := body["data"].(map[string]any); ok {
			code, _ = data["code"].(string)
		}
		if status != wantStatus || code != wantCode {
			t.Fatalf("%s: %d %q (%v), want %d %q", label, status, code, body, wantStatus, wantCode)
		}
		return body
	}
	expectSeats := func(label string, want int) {
		t.Helper()
		if n, count := testkit.CountActiveAttendance(t, app, session.Id), testkit.FindLiveSession(t, app, session.Id).GetInt(collections.LiveSessionAttendeeCount); n != want || count != want {
			t.Fatalf("%s: %d active attendees, attendeeCount %d; want %d", label, n, count, want)
		}
	}
	a, b, c, d, e := users[0], users[1], users[2], users[3], users[4]

	first := join("a joins", a.Token, 200, "")
	join("b joins", b.Token, 200, "")
	join("c at the full session", c.Token, 409, "session_full")
	join("d at the full session", d.Token, 409, "session_full")
	// a seated joiner gets their own attendance back, from a full session
	if again := join("a joins again", a.Token, 200, ""); again["id"] != first["id"] || again["user"] != a.Id {
		t.Fatalf("a's second join answered %v, want their attendance %v", again["id"], first["id"])
	}
	expectSeats("full", 2)

	// a leave frees a seat at once
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "leave"), a.Token, nil, nil); status != 200 {
		t.Fatalf("a leaves: %d", status)
	}
	join("c after a left", c.Token, 200, "")
	join("d, full again", d.Token, 409, "session_full")

	// more seats, through the records API as the instructor
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.LiveSessions, session.Id), testkit.Tokens[testkit.Instructor],
		map[string]any{"capacity": 3}, nil); status != 200 {
		t.Fatalf("capacity 3: %d", status)
	}
	join("d after the capacity went up", d.Token, 200, "")
	join("e, full again", e.Token, 409, "session_full")
	expectSeats("full at 3", 3)

	// a seated user's account deleted frees their seat
	deleted, err := app.FindRecordById(collections.Users, b.Id)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(deleted); err != nil {
		t.Fatal(err)
	}
	join("e after b's account went", e.Token, 200, "")
	expectSeats("full again", 3)

	// a seat freed by a superuser's edit of the attendance row
	var rows struct {
		Items []struct {
			Id string `json:"id"`
		} `json:"items"`
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.LiveSessionAttendees)+"?filter="+
		"(session='"+session.Id+"'%26%26user='"+c.Id+"')", testkit.Tokens[testkit.Superuser], nil, &rows)
	if len(rows.Items) != 1 {
		t.Fatalf("c's attendance: %v", rows)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.LiveSessionAttendees, rows.Items[0].Id), testkit.Tokens[testkit.Superuser],
		map[string]any{"active": false}, nil); status != 200 {
		t.Fatalf("superuser closes c's attendance: %d", status)
	}
	join("a after a superuser freed c's seat", a.Token, 200, "")

	// the session cancelled: no longer joinable, whatever the seats
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "cancel"), testkit.Tokens[testkit.Instructor], nil, nil); status != 200 {
		t.Fatalf("cancel: %d", status)
	}
	join("c after the cancel", c.Token, 409, "invalid_status")
}

// fullCourseSession is a test app with the live session fixtures and a
// server, in which the course session idSessionScheduled has one seat,
// taken by its instructor.
func fullCourseSession(t *testing.T) (*tests.TestApp, *httptest.Server) {
	t.Helper()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)
	session := testkit.FindLiveSession(t, app, testkit.IdSessionScheduled)
	session.Set(collections.LiveSessionCapacity, 1)
	if err := app.Save(session); err != nil {
		t.Fatal(err)
	}
	testkit.SeatAttendee(t, app, "lsafullcourse01", testkit.IdSessionScheduled, testkit.IdInstructor)
	return app, srv
}

// TestLiveSessionFullCourseSessionStaysHidden fills a course session: a
// student who is not enrolled still gets the 404 of a session they cannot
// see, not the 409 of a full one.
func TestLiveSessionFullCourseSessionStaysHidden(t *testing.T) {
	t.Parallel()
	_, srv := fullCourseSession(t)

	for _, probe := range []struct {
		actor string
		want  int
	}{
		{testkit.Student, http.StatusConflict},          // enrolled: the session is full (and now known full)
		{testkit.OtherStudent, http.StatusNotFound},     // enrolled nowhere
		{testkit.IdDroppedStudent, http.StatusNotFound}, // dropped out of the course
		{testkit.Student, http.StatusConflict},          // still full
		{testkit.OtherInstructor, http.StatusNotFound},  // teaches another course
	} {
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "join"), testkit.Tokens[probe.actor], nil, nil); status != probe.want {
			t.Errorf("%s joins the full course session: %d, want %d", probe.actor, status, probe.want)
		}
	}
}

// TestLiveSessionFullSessionFollowsItsRules narrows the view rule of live
// sessions while a course session is known full: an enrolled student who
// was told "full" a moment before gets the 404 of a session they can no
// longer see right after, with no change to the session itself.
func TestLiveSessionFullSessionFollowsItsRules(t *testing.T) {
	t.Parallel()
	app, srv := fullCourseSession(t)
	join := func() int {
		return testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "join"), testkit.Tokens[testkit.Student], nil, nil)
	}
	if status := join(); status != http.StatusConflict {
		t.Fatalf("enrolled student at the full session: %d, want 409", status)
	}

	sessions, err := app.FindCollectionByNameOrId(collections.LiveSessions)
	if err != nil {
		t.Fatal(err)
	}
	sessions.ViewRule = types.Pointer("instructor = @request.auth.id")
	if err := app.Save(sessions); err != nil {
		t.Fatal(err)
	}
	if status := join(); status != http.StatusNotFound {
		t.Fatalf("the same student once only the instructor may view sessions: %d, want 404", status)
	}
}
