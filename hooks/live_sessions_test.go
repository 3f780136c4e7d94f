package hooks_test

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
	"studyhall/hooks"
	"studyhall/presence"
)

// withLiveSessions is a BeforeTestFunc that adds the live session fixtures.
func withLiveSessions(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	seedLiveSessions(t, app)
}

// sessionStartLater is a start time the create route accepts.
func sessionStartLater() string {
	return types.NowDateTime().Add(3 * time.Hour).String()
}

// sessionNoticesOf counts the user's notifications (delivered or held) of a type
// about one session.
func sessionNoticesOf(t testing.TB, app core.App, userId, notificationType, sessionId string) int {
	t.Helper()
	filter := "user = '" + userId + "' && type = '" + notificationType + "' && relatedId = '" + sessionId + "'"
	return countRecords(t, app, collections.Notifications, filter) +
		countRecords(t, app, collections.NotificationHolds, filter)
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
			URL:    recordsURL(collections.LiveSessions),
			Body: strings.NewReader(`{"instructor":"` + idInstructor + `","course":"` + idCourse +
				`","title":"Office Q&A","scheduledStart":"` + sessionStartLater() + `"}`),
			Headers:        authHeader(instructor),
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
					!slices.Equal(room.GetStringSlice(collections.ChatRoomParticipants), []string{idInstructor}) {
					t.Errorf("room %v", room.PublicExport())
				}
				expectSessionNotices(t, app, collections.TypeLiveSessionCreated, session.Id, map[string]int{
					idStudent: 1, idOtherStudent: 0, idDroppedStudent: 0, idInstructor: 0,
				})
			},
		},
		{
			Name:            "an instructor schedules a public session without a course",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + idInstructor + `","title":"Open lecture","capacity":5,"durationMinutes":90,"scheduledStart":"` + sessionStartLater() + `"}`),
			Headers:         authHeader(instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"visibility":"public"`, `"capacity":5`, `"durationMinutes":90`, `"course":""`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 2},
		},
		{
			Name:            "a student cannot schedule a session",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + idStudent + `","title":"Mine","scheduledStart":"` + sessionStartLater() + `"}`),
			Headers:         authHeader(student),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an instructor cannot schedule a session for another instructor's course",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + idInstructor + `","course":"` + idOtherCourse + `","title":"Chem","scheduledStart":"` + sessionStartLater() + `"}`),
			Headers:         authHeader(instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:   "capacity and duration below 1 and a past start are field errors",
			Method: http.MethodPost,
			URL:    recordsURL(collections.LiveSessions),
			Body: strings.NewReader(`{"instructor":"` + idInstructor + `","title":"Bad","capacity":0,"durationMinutes":0,` +
				`"scheduledStart":"2020-01-01 10:00:00.000Z"}`),
			Headers:        authHeader(instructor),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"capacity":{"code":"validation_min_greater_equal_than_required"`,
				`"durationMinutes":{"code":"validation_min_greater_equal_than_required"`,
				`"scheduledStart":{"code":"validation_in_the_past"`},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:   "server fields are field errors",
			Method: http.MethodPost,
			URL:    recordsURL(collections.LiveSessions),
			Body: strings.NewReader(`{"instructor":"` + idInstructor + `","title":"Bad",` +
				`"scheduledStart":"` + sessionStartLater() + `","status":"live","attendeeCount":3,"startedAt":"2020-01-01 10:00:00.000Z"}`),
			Headers:        authHeader(instructor),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"status":{"code":"validation_server_field"`, `"attendeeCount":{"code":"validation_server_field"`,
				`"startedAt":{"code":"validation_server_field"`},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:            "a negative capacity is a field error",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + idInstructor + `","title":"Bad","capacity":-5,"scheduledStart":"` + sessionStartLater() + `"}`),
			Headers:         authHeader(instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"capacity":{"code":`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:            "a course session needs a course",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + idInstructor + `","title":"Nowhere","visibility":"course","scheduledStart":"` + sessionStartLater() + `"}`),
			Headers:         authHeader(instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"visibility":{"code":"validation_course_required"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a title over 200 characters is a field error",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.LiveSessions),
			Body:            strings.NewReader(`{"instructor":"` + idInstructor + `","title":"` + strings.Repeat("x", 201) + `","scheduledStart":"` + sessionStartLater() + `"}`),
			Headers:         authHeader(instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"title":{"code":`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "the owner reschedules and renames: attendees and enrolled students hear it, the room follows",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LiveSessions, idSessionScheduled),
			Body:            strings.NewReader(`{"title":"Renamed","scheduledStart":"` + sessionStartLater() + `"}`),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"title":"Renamed"`, `"status":"scheduled"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 2, "OnRecordCreate": 0},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionUpdated, idSessionScheduled, map[string]int{idStudent: 1, idOtherStudent: 0})
				session := findLiveSession(t, app, idSessionScheduled)
				room, err := app.FindRecordById(collections.ChatRooms, session.GetString(collections.LiveSessionChatRoom))
				if err != nil || room.GetString(collections.ChatRoomName) != "Renamed" {
					t.Errorf("room not renamed: %v", err)
				}
			},
		},
		{
			Name:            "an edit of the description alone sends no notice",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LiveSessions, idSessionScheduled),
			Body:            strings.NewReader(`{"description":"Bring questions."}`),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"description":"Bring questions."`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 1},
		},
		{
			Name:            "a live session cannot be edited",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LiveSessions, idSessionLive),
			Body:            strings.NewReader(`{"title":"Too late"}`),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
		},
		{
			Name:            "status and attendeeCount are not the client's to set",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LiveSessions, idSessionScheduled),
			Body:            strings.NewReader(`{"status":"live","attendeeCount":2,"chatRoom":""}`),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_server_field"`, `"attendeeCount":{"code":"validation_server_field"`, `"chatRoom":{"code":"validation_server_field"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 0},
		},
		{
			Name:    "capacity cannot go below the current attendees",
			Method:  http.MethodPatch,
			URL:     recordsURL(collections.LiveSessions, idSessionScheduled),
			Body:    strings.NewReader(`{"capacity":1}`),
			Headers: authHeader(instructor),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedLiveSessions(t, app)
				seatAttendee(t, app, "lsaseat00000001", idSessionScheduled, idStudent)
				seatAttendee(t, app, "lsaseat00000002", idSessionScheduled, idInstructor)
			},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"capacity":{"code":"validation_capacity_below_attendees"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "capacity 0 on an edit is a field error",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LiveSessions, idSessionScheduled),
			Body:            strings.NewReader(`{"capacity":0}`),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"capacity":{"code":"validation_min_greater_equal_than_required"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "the owner cannot move a session to a course they do not teach",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LiveSessions, idSessionScheduled),
			Body:            strings.NewReader(`{"course":"` + idOtherCourse + `"}`),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"course":{"code":"validation_not_your_course"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "a session without a course cannot become a course session",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LiveSessions, idSessionPublic),
			Body:            strings.NewReader(`{"visibility":"course"}`),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"visibility":{"code":"validation_course_required"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "an enrolled student cannot edit the session",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LiveSessions, idSessionScheduled),
			Body:            strings.NewReader(`{"title":"Mine now"}`),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:           "the owner deletes a scheduled session: enrolled students hear it, the room goes",
			Method:         http.MethodDelete,
			URL:            recordsURL(collections.LiveSessions, idSessionScheduled),
			Headers:        authHeader(instructor),
			BeforeTestFunc: withLiveSessions,
			ExpectedStatus: 204,
			ExpectedEvents: map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 2},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionDeleted, idSessionScheduled, map[string]int{idStudent: 1, idDroppedStudent: 0})
				if n := countRecords(t, app, collections.ChatRooms, "name = 'Session "+idSessionScheduled+"'"); n != 0 {
					t.Errorf("%d rooms left", n)
				}
			},
		},
		{
			Name:           "a cancelled session can be deleted, silently",
			Method:         http.MethodDelete,
			URL:            recordsURL(collections.LiveSessions, idSessionCancelled),
			Headers:        authHeader(instructor),
			BeforeTestFunc: withLiveSessions,
			ExpectedStatus: 204,
			ExpectedEvents: map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 2},
		},
		{
			Name:            "a live session cannot be deleted",
			Method:          http.MethodDelete,
			URL:             recordsURL(collections.LiveSessions, idSessionLive),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 0},
		},
		{
			Name:            "an ended session cannot be deleted",
			Method:          http.MethodDelete,
			URL:             recordsURL(collections.LiveSessions, idSessionEnded),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 0},
		},
		{
			Name:               "an enrolled student lists the course's sessions and public ones, not other courses'",
			Method:             http.MethodGet,
			URL:                recordsURL(collections.LiveSessions) + "?perPage=100",
			Headers:            authHeader(student),
			BeforeTestFunc:     withLiveSessions,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"totalItems":6`, `"id":"` + idSessionScheduled + `"`, `"id":"` + idSessionPublic + `"`},
			NotExpectedContent: []string{`"id":"` + idOtherSession + `"`, `reminderSentFor`},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 6},
		},
		{
			Name:               "a student enrolled nowhere sees only public sessions",
			Method:             http.MethodGet,
			URL:                recordsURL(collections.LiveSessions) + "?perPage=100",
			Headers:            authHeader(otherStudent),
			BeforeTestFunc:     withLiveSessions,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"totalItems":2`, `"id":"` + idSessionPublic + `"`, `"id":"` + idSessionFull + `"`},
			NotExpectedContent: []string{`"id":"` + idSessionScheduled + `"`},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 2},
		},
		{
			Name:            "a dropped student no longer sees the course's sessions",
			Method:          http.MethodGet,
			URL:             recordsURL(collections.LiveSessions, idSessionScheduled),
			Headers:         map[string]string{"Authorization": tokens[idDroppedStudent]},
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a guest sees no session, public ones included",
			Method:          http.MethodGet,
			URL:             recordsURL(collections.LiveSessions),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":0`},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:            "an attendee sees their own attendance",
			Method:          http.MethodGet,
			URL:             recordsURL(collections.LiveSessionAttendees, idFullAttendee),
			Headers:         authHeader(otherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + idFullAttendee + `"`, `"active":true`},
			ExpectedEvents:  map[string]int{"OnRecordViewRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:            "the session's instructor sees its attendance",
			Method:          http.MethodGet,
			URL:             recordsURL(collections.LiveSessionAttendees),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":1`, `"id":"` + idFullAttendee + `"`},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1, "OnRecordEnrich": 1},
		},
		{
			Name:            "another student does not see someone's attendance",
			Method:          http.MethodGet,
			URL:             recordsURL(collections.LiveSessionAttendees, idFullAttendee),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "nobody but the server writes attendance",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.LiveSessionAttendees),
			Body:            strings.NewReader(`{"session":"` + idSessionPublic + `","user":"` + idStudent + `","active":true}`),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = newTestApp
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
			URL:             sessionURL(idSessionScheduled, "join"),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an enrolled student joins: an active attendance, one seat taken, a chat participant",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionScheduled, "join"),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"session":"` + idSessionScheduled + `"`, `"user":"` + idStudent + `"`, `"active":true`, `"attendedSeconds":0`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 1, "OnRecordUpdate": 2, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				session := findLiveSession(t, app, idSessionScheduled)
				if n := session.GetInt(collections.LiveSessionAttendeeCount); n != 1 {
					t.Errorf("attendeeCount %d, want 1", n)
				}
				room, err := app.FindRecordById(collections.ChatRooms, session.GetString(collections.LiveSessionChatRoom))
				if err != nil || !slices.Contains(room.GetStringSlice(collections.ChatRoomParticipants), idStudent) {
					t.Errorf("the joiner is not in the session's room (%v)", err)
				}
			},
		},
		{
			Name:    "joining twice changes nothing",
			Method:  http.MethodPost,
			URL:     sessionURL(idSessionScheduled, "join"),
			Headers: authHeader(student),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedLiveSessions(t, app)
				seatAttendee(t, app, "lsaseat00000001", idSessionScheduled, idStudent)
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"lsaseat00000001"`, `"active":true`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 0, "OnRecordUpdate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := findLiveSession(t, app, idSessionScheduled).GetInt(collections.LiveSessionAttendeeCount); n != 1 {
					t.Errorf("attendeeCount %d, want 1", n)
				}
			},
		},
		{
			Name:            "a student not enrolled in the course cannot join its session",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionScheduled, "join"),
			Headers:         authHeader(otherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a dropped student cannot join",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionLive, "join"),
			Headers:         map[string]string{"Authorization": tokens[idDroppedStudent]},
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "any signed-in user joins a public session",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionPublic, "join"),
			Headers:         authHeader(otherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"active":true`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 1, "OnRecordUpdate": 2, "OnRecordEnrich": 1},
		},
		{
			Name:            "a full session turns a joiner away with session_full",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionFull, "join"),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"status":409`, `"data":{"code":"session_full"}`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "the seated attendee of a full session rejoins idempotently",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionFull, "join"),
			Headers:         authHeader(otherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + idFullAttendee + `"`},
			ExpectedEvents:  map[string]int{"OnRecordEnrich": 1, "OnRecordUpdate": 0},
		},
		{
			Name:            "an ended session cannot be joined",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionEnded, "join"),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a cancelled session cannot be joined",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionCancelled, "join"),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an unknown session is a 404",
			Method:          http.MethodPost,
			URL:             sessionURL("lvsmissing00001", "join"),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "leaving without having joined is a conflict",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionLive, "leave"),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"not_joined"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "leaving a session one cannot see is a 404",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionLive, "leave"),
			Headers:         authHeader(otherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:    "a student dropped from the course while seated may still leave",
			Method:  http.MethodPost,
			URL:     sessionURL(idSessionLive, "leave"),
			Headers: map[string]string{"Authorization": tokens[idDroppedStudent]},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedLiveSessions(t, app)
				seatAttendee(t, app, "lsaseat00000001", idSessionLive, idDroppedStudent)
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"lsaseat00000001"`, `"active":false`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 2, "OnRecordEnrich": 1},
		},
		{
			Name:            "an attendee leaves: the seat frees, the time is counted",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionFull, "leave"),
			Headers:         authHeader(otherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + idFullAttendee + `"`, `"active":false`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 2, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := findLiveSession(t, app, idSessionFull).GetInt(collections.LiveSessionAttendeeCount); n != 0 {
					t.Errorf("attendeeCount %d, want 0", n)
				}
			},
		},
		{
			Name:            "the owner starts a scheduled session: enrolled students hear it",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionScheduled, "start"),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"live"`, `"startedAt":"20`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordCreate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionStarted, idSessionScheduled, map[string]int{idStudent: 1, idOtherStudent: 0, idDroppedStudent: 0})
			},
		},
		{
			Name:            "an enrolled student cannot start the session",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionScheduled, "start"),
			Headers:         authHeader(student),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "another instructor cannot start a session they cannot see",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionScheduled, "start"),
			Headers:         authHeader(otherInstructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "another instructor cannot start a public session either",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionPublic, "start"),
			Headers:         authHeader(otherInstructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a live session cannot be started again",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionLive, "start"),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a scheduled session cannot be ended",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionScheduled, "end"),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a live session cannot be cancelled",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionLive, "cancel"),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an ended session cannot be ended or restarted",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionEnded, "end"),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a cancelled session cannot be started",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionCancelled, "start"),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:    "the owner ends a live session: every attendance closes with its time",
			Method:  http.MethodPost,
			URL:     sessionURL(idSessionLive, "end"),
			Headers: authHeader(instructor),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedLiveSessions(t, app)
				seatAttendee(t, app, "lsaseat00000001", idSessionLive, idStudent)
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
			URL:     sessionURL(idSessionPublic, "cancel"),
			Headers: authHeader(instructor),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedLiveSessions(t, app)
				seatAttendee(t, app, "lsaseat00000001", idSessionPublic, idOtherStudent)
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"cancelled"`, `"attendeeCount":0`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 2, "OnRecordCreate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionCancelled, idSessionPublic, map[string]int{idOtherStudent: 1, idStudent: 0, idInstructor: 0})
				if n := countActiveAttendance(t, app, idSessionPublic); n != 0 {
					t.Errorf("%d active attendees after cancel", n)
				}
			},
		},
		{
			Name:            "the owner cancels a course session: enrolled students hear it",
			Method:          http.MethodPost,
			URL:             sessionURL(idSessionScheduled, "cancel"),
			Headers:         authHeader(instructor),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"cancelled"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordCreate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectSessionNotices(t, app, collections.TypeLiveSessionCancelled, idSessionScheduled, map[string]int{idStudent: 1, idDroppedStudent: 0})
			},
		},
		{
			Name:               "a viewer lists who is in: id, name, avatar and presence only",
			Method:             http.MethodGet,
			URL:                sessionURL(idSessionFull, "attendees"),
			Headers:            authHeader(student),
			BeforeTestFunc:     withLiveSessions,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`{"items":[{"id":"` + idOtherStudent + `","name":"Olive Other","avatar":"","status":"offline"}]}`},
			NotExpectedContent: []string{"joinedAt", "email", "@studyhall.test"},
			ExpectedEvents:     map[string]int{"*": 0},
		},
		{
			Name:            "who is in a course session is hidden from those who cannot see it",
			Method:          http.MethodGet,
			URL:             sessionURL(idSessionLive, "attendees"),
			Headers:         authHeader(otherStudent),
			BeforeTestFunc:  withLiveSessions,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = newTestApp
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
	app := newRushApp(t)
	seedLiveSessions(t, app)
	session := newRushSession(t, app, "lvsrush00000001", 10)
	users := insertUsers(t, app, "rush", 200)
	srv := startServer(t, app)

	results := joinRush(srv.URL, session.Id, users)

	counts := tallyRush(results)
	if counts["200"] != 10 || counts["409 session_full"] != 190 || len(counts) != 2 {
		t.Fatalf("answers %v, want 10 × 200 and 190 × 409 session_full", counts)
	}
	if n := countActiveAttendance(t, app, session.Id); n != 10 {
		t.Errorf("%d active attendees in the database, want 10", n)
	}
	if n := findLiveSession(t, app, session.Id).GetInt(collections.LiveSessionAttendeeCount); n != 10 {
		t.Errorf("attendeeCount %d, want 10", n)
	}
	room, err := app.FindRecordById(collections.ChatRooms, findLiveSession(t, app, session.Id).GetString(collections.LiveSessionChatRoom))
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
	app := newRushApp(t)
	session := newRushSession(t, app, "lvsleaverush001", 10)
	seated := insertUsers(t, app, "leaverush", 10)
	joiners := insertUsers(t, app, "joinrush", 100)
	srv := startServer(t, app)
	if counts := tallyRush(joinRush(srv.URL, session.Id, seated)); counts["200"] != 10 {
		t.Fatalf("seating the first 10: %v", counts)
	}
	// the session is full, and known to be: a refusal first
	if counts := tallyRush(joinRush(srv.URL, session.Id, joiners[:1])); counts["409 session_full"] != 1 {
		t.Fatalf("a join at the full session: %v", counts)
	}

	var leaves, joins []rushResult
	var wg sync.WaitGroup
	wg.Go(func() { leaves = sendRush(http.MethodPost, srv.URL+sessionURL(session.Id, "leave"), seated) })
	wg.Go(func() { joins = joinRush(srv.URL, session.Id, joiners) })
	wg.Wait()

	if counts := tallyRush(leaves); counts["200"] != 10 {
		t.Fatalf("leaves: %v, want 10 × 200", counts)
	}
	counts := tallyRush(joins)
	if counts["200"]+counts["409 session_full"] != len(joiners) {
		t.Fatalf("joins: %v, want only 200 and 409 session_full", counts)
	}
	active := countActiveAttendance(t, app, session.Id)
	if active != counts["200"] || active > 10 {
		t.Fatalf("%d active attendees after %d admitted joins, capacity 10", active, counts["200"])
	}
	if n := findLiveSession(t, app, session.Id).GetInt(collections.LiveSessionAttendeeCount); n != active {
		t.Fatalf("attendeeCount %d, %d active attendees", n, active)
	}
	// and the seats left free are free: the next joiners get them
	if free := 10 - active; free > 0 {
		late := insertUsers(t, app, "laterush", free)
		if counts := tallyRush(joinRush(srv.URL, session.Id, late)); counts["200"] != free {
			t.Fatalf("%d free seats after the rush, late joins: %v", free, counts)
		}
	}
}

// TestLiveSessionRejoinAccumulates leaves and rejoins: one attendance row
// whose attendedSeconds adds up both stays, not just the last.
func TestLiveSessionRejoinAccumulates(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	t.Cleanup(app.Cleanup)
	seedLiveSessions(t, app)
	srv := startServer(t, app)
	token := tokens[student]

	var attendee map[string]any
	stay := func(d time.Duration) {
		t.Helper()
		if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionLive, "join"), token, nil, &attendee); status != 200 {
			t.Fatalf("join: status %d", status)
		}
		backdateAttendance(t, app, attendee["id"].(string), d)
		if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionLive, "leave"), token, nil, &attendee); status != 200 {
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
	if n := countRecords(t, app, collections.LiveSessionAttendees, "session = '"+idSessionLive+"' && user = '"+idStudent+"'"); n != 1 {
		t.Errorf("%d attendance rows, want 1", n)
	}
	if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionLive, "leave"), token, nil, nil); status != http.StatusConflict {
		t.Errorf("a second leave: status %d, want 409", status)
	}
}

// TestLiveSessionLobbyTimeIsNotAttendance joins a scheduled session before
// it starts: the wait before the start is not counted.
func TestLiveSessionLobbyTimeIsNotAttendance(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	t.Cleanup(app.Cleanup)
	seedLiveSessions(t, app)
	srv := startServer(t, app)

	var attendee map[string]any
	if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionScheduled, "join"), tokens[student], nil, &attendee); status != 200 {
		t.Fatalf("join: status %d", status)
	}
	backdateAttendance(t, app, attendee["id"].(string), 10*time.Minute)
	if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionScheduled, "start"), tokens[instructor], nil, nil); status != 200 {
		t.Fatalf("start: status %d", status)
	}
	if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionScheduled, "leave"), tokens[student], nil, &attendee); status != 200 {
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
	app := newTestApp(t)
	t.Cleanup(app.Cleanup)
	seedLiveSessions(t, app)
	srv := startServer(t, app)

	topic := collections.LiveSessions + "/" + idSessionLive
	watcher := connectRealtime(t, srv.URL)
	watcher.subscribe(t, tokens[instructor], topic)
	outsider := connectRealtime(t, srv.URL)
	outsider.subscribe(t, tokens[otherStudent], topic)

	if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionLive, "join"), tokens[student], nil, nil); status != 200 {
		t.Fatalf("join: status %d", status)
	}
	ev := watcher.expectEvent(t, topic, 2*time.Second)
	if ev.Action != "update" || ev.Record["attendeeCount"] != 1.0 {
		t.Fatalf("event %v, want an update with attendeeCount 1", ev)
	}

	if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionLive, "leave"), tokens[student], nil, nil); status != 200 {
		t.Fatalf("leave: status %d", status)
	}
	ev = watcher.expectEvent(t, topic, 2*time.Second)
	if ev.Record["attendeeCount"] != 0.0 {
		t.Fatalf("event %v, want attendeeCount 0", ev)
	}
	outsider.expectNoEvent(t, 200*time.Millisecond)

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
		if status := apiRequest(t, srv.URL, http.MethodGet, sessionURL(idSessionFull, "attendees"), tokens[student], nil, &list); status != 200 {
			t.Fatalf("attendees: status %d", status)
		}
		if len(list.Items) == 1 && list.Items[0].Id == idOtherStudent && list.Items[0].Status == presence.Online {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("attendees %+v, want %s online", list.Items, idOtherStudent)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLiveSessionStartingSoon runs the job: a session starting within 15
// minutes reminds its enrolled students once (urgent), however often the
// job runs; a later one does not yet.
func TestLiveSessionStartingSoon(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	t.Cleanup(app.Cleanup)
	now := time.Now().UTC()
	for id, start := range map[string]time.Time{"lvssoon00000001": now.Add(10 * time.Minute), "lvslater0000001": now.Add(40 * time.Minute)} {
		if _, err := saveRecord(app, collections.LiveSessions, id, map[string]any{
			"instructor": idInstructor, "course": idCourse, "title": "Soon " + id, "scheduledStart": start,
		}); err != nil {
			t.Fatal(err)
		}
	}

	var job func()
	for _, j := range app.Cron().Jobs() {
		if j.Id() == hooks.StartingSoonJobId {
			job = j.Run
		}
	}
	if job == nil {
		t.Fatal("the starting-soon job is not scheduled")
	}
	job()
	job()

	expectSessionNotices(t, app, collections.TypeLiveSessionStartingSoon, "lvssoon00000001", map[string]int{idStudent: 1, idDroppedStudent: 0, idOtherStudent: 0})
	expectSessionNotices(t, app, collections.TypeLiveSessionStartingSoon, "lvslater0000001", map[string]int{idStudent: 0})
	notices, err := app.FindRecordsByFilter(collections.Notifications, "type = {:type}", "", 0, 0, dbx.Params{"type": collections.TypeLiveSessionStartingSoon})
	if err != nil || len(notices) != 1 || notices[0].GetString(collections.NotificationPriority) != collections.PriorityUrgent {
		t.Errorf("starting-soon notices %d (%v), want one urgent", len(notices), err)
	}

	// a rescheduled session is reminded of its new time
	session := findLiveSession(t, app, "lvssoon00000001")
	session.Set(collections.LiveSessionScheduledStart, now.Add(12*time.Minute))
	if err := app.Save(session); err != nil {
		t.Fatal(err)
	}
	if n, err := hooks.NotifyStartingSoon(app, time.Now()); err != nil || n != 1 {
		t.Errorf("after a reschedule the job reminded %d sessions (%v), want 1", n, err)
	}
}

// TestChatRoomHelpers covers the room helpers other domains use and the
// room's rules: participants see it, nobody else does, nobody but the
// server writes it.
func TestChatRoomHelpers(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	t.Cleanup(app.Cleanup)

	room, err := hooks.CreateChatRoom(app, hooks.NewChatRoom{
		Name: "Study buddies", Type: collections.ChatRoomTypeGroup, CreatedBy: idStudent,
		Participants: []string{idStudent, idStudent, ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	participants := func() []string {
		r, err := app.FindRecordById(collections.ChatRooms, room.Id)
		if err != nil {
			t.Fatal(err)
		}
		return r.GetStringSlice(collections.ChatRoomParticipants)
	}
	if got := participants(); !slices.Equal(got, []string{idStudent}) {
		t.Fatalf("participants %v", got)
	}
	for range 2 {
		if err := hooks.AddChatParticipant(app, room.Id, idOtherStudent); err != nil {
			t.Fatal(err)
		}
	}
	if got := participants(); !slices.Equal(got, []string{idStudent, idOtherStudent}) {
		t.Fatalf("after adding twice: %v", got)
	}
	if err := hooks.RemoveChatParticipant(app, room.Id, idStudent); err != nil {
		t.Fatal(err)
	}
	if err := hooks.RemoveChatParticipant(app, room.Id, idStudent); err != nil {
		t.Fatal(err)
	}
	if got := participants(); !slices.Equal(got, []string{idOtherStudent}) {
		t.Fatalf("after removing: %v", got)
	}
	if _, err := hooks.CreateChatRoom(app, hooks.NewChatRoom{Name: "Bad", Type: "party"}); err == nil {
		t.Error("a room of an unknown type was created")
	}

	srv := startServer(t, app)
	var page struct {
		TotalItems int `json:"totalItems"`
	}
	if status := apiRequest(t, srv.URL, http.MethodGet, recordsURL(collections.ChatRooms), tokens[otherStudent], nil, &page); status != 200 || page.TotalItems != 1 {
		t.Errorf("a participant lists %d rooms (status %d), want 1", page.TotalItems, status)
	}
	if status := apiRequest(t, srv.URL, http.MethodGet, recordsURL(collections.ChatRooms, room.Id), tokens[student], nil, nil); status != 404 {
		t.Errorf("a former participant views the room: status %d, want 404", status)
	}
	body := map[string]any{"name": "Mine", "type": collections.ChatRoomTypeGroup, "participants": []string{idStudent}}
	if status := apiRequest(t, srv.URL, http.MethodPost, recordsURL(collections.ChatRooms), tokens[student], body, nil); status != 403 {
		t.Errorf("a student creates a room: status %d, want 403", status)
	}
	if status := apiRequest(t, srv.URL, http.MethodPatch, recordsURL(collections.ChatRooms, room.Id), tokens[otherStudent], map[string]any{"participants": []string{idOtherStudent, idStudent}}, nil); status != 403 {
		t.Errorf("a participant edits the room: status %d, want 403", status)
	}
}

// TestLiveSessionFullSessionChanges fills a session, so that the server
// answers its joiners from memory, then changes it every way a seat can
// come free or the session can change: each change counts at the next
// join, and none of it is shown to someone who cannot see the session.
func TestLiveSessionFullSessionChanges(t *testing.T) {
	t.Parallel()
	app := newRushApp(t)
	seedLiveSessions(t, app)
	users := insertUsers(t, app, "fullchange", 5)
	srv := startServer(t, app)
	session := newRushSession(t, app, "lvsfullchange01", 2)
	join := func(label, token string, wantStatus int, wantCode string) map[string]any {
		t.Helper()
		var body map[string]any
		status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(session.Id, "join"), token, nil, &body)
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
		if n, count := countActiveAttendance(t, app, session.Id), findLiveSession(t, app, session.Id).GetInt(collections.LiveSessionAttendeeCount); n != want || count != want {
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
	if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(session.Id, "leave"), a.Token, nil, nil); status != 200 {
		t.Fatalf("a leaves: %d", status)
	}
	join("c after a left", c.Token, 200, "")
	join("d, full again", d.Token, 409, "session_full")

	// more seats, through the records API as the instructor
	if status := apiRequest(t, srv.URL, http.MethodPatch, recordsURL(collections.LiveSessions, session.Id), tokens[instructor],
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
	apiRequest(t, srv.URL, http.MethodGet, recordsURL(collections.LiveSessionAttendees)+"?filter="+
		"(session='"+session.Id+"'%26%26user='"+c.Id+"')", tokens[superuser], nil, &rows)
	if len(rows.Items) != 1 {
		t.Fatalf("c's attendance: %v", rows)
	}
	if status := apiRequest(t, srv.URL, http.MethodPatch, recordsURL(collections.LiveSessionAttendees, rows.Items[0].Id), tokens[superuser],
		map[string]any{"active": false}, nil); status != 200 {
		t.Fatalf("superuser closes c's attendance: %d", status)
	}
	join("a after a superuser freed c's seat", a.Token, 200, "")

	// the session cancelled: no longer joinable, whatever the seats
	if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(session.Id, "cancel"), tokens[instructor], nil, nil); status != 200 {
		t.Fatalf("cancel: %d", status)
	}
	join("c after the cancel", c.Token, 409, "invalid_status")
}

// fullCourseSession is a test app with the live session fixtures and a
// server, in which the course session idSessionScheduled has one seat,
// taken by its instructor.
func fullCourseSession(t *testing.T) (*tests.TestApp, *httptest.Server) {
	t.Helper()
	app := newTestApp(t)
	t.Cleanup(app.Cleanup)
	seedLiveSessions(t, app)
	srv := startServer(t, app)
	session := findLiveSession(t, app, idSessionScheduled)
	session.Set(collections.LiveSessionCapacity, 1)
	if err := app.Save(session); err != nil {
		t.Fatal(err)
	}
	seatAttendee(t, app, "lsafullcourse01", idSessionScheduled, idInstructor)
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
		{student, http.StatusConflict},          // enrolled: the session is full (and now known full)
		{otherStudent, http.StatusNotFound},     // enrolled nowhere
		{idDroppedStudent, http.StatusNotFound}, // dropped out of the course
		{student, http.StatusConflict},          // still full
		{otherInstructor, http.StatusNotFound},  // teaches another course
	} {
		if status := apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionScheduled, "join"), tokens[probe.actor], nil, nil); status != probe.want {
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
		return apiRequest(t, srv.URL, http.MethodPost, sessionURL(idSessionScheduled, "join"), tokens[student], nil, nil)
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
