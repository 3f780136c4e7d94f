package livesessions_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

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
