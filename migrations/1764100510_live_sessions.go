package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Live sessions and their attendance.
//
// Who sees what:
//   - a session is seen by its instructor; a `course` session by the
//     course's enrolled (not dropped) students; a `public` one by every
//     signed-in user;
//   - an instructor creates sessions as themselves, for one of their own
//     courses or (public) without a course; only the owner updates or
//     deletes one. The hooks add what a rule cannot say: edits only while
//     scheduled, deletion only while scheduled or cancelled, capacity never
//     below attendeeCount, and status, startedAt, endedAt, attendeeCount,
//     chatRoom and reminderSentFor written by the server only;
//   - an attendance row is seen by its user and the session's instructor
//     and written by the server only (the join and leave routes).
//
// attendeeCount is derived: every save of a session recounts its active
// attendees, inside the transaction of the join, leave or end that changed
// them.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		courses, err := app.FindCollectionByNameOrId(collections.Courses)
		if err != nil {
			return err
		}
		rooms, err := app.FindCollectionByNameOrId(collections.ChatRooms)
		if err != nil {
			return err
		}

		// --- live_sessions
		sessions := core.NewBaseCollection(collections.LiveSessions)
		sessionsRead := collections.LiveSessionsReadRule
		sessions.ListRule = rule(sessionsRead)
		sessions.ViewRule = rule(sessionsRead)
		sessions.CreateRule = rule("@request.auth.role = 'instructor' && instructor = @request.auth.id && (course = '' || course.instructor = @request.auth.id)")
		sessions.UpdateRule = rule("instructor = @request.auth.id" +
			" && (@request.body.instructor:isset = false || @request.body.instructor = @request.auth.id)")
		sessions.DeleteRule = rule("instructor = @request.auth.id")
		sessions.Fields.Add(
			relation(collections.LiveSessionInstructor, users.Id, true, true),
			relation(collections.LiveSessionCourse, courses.Id, false, true),
			&core.TextField{Name: collections.LiveSessionTitle, Required: true, Max: collections.MaxTitleLength, Presentable: true},
			&core.TextField{Name: collections.LiveSessionDescription, Max: collections.MaxDescriptionLength},
			&core.DateField{Name: collections.LiveSessionScheduledStart, Required: true},
			&core.NumberField{Name: collections.LiveSessionDurationMinutes, OnlyInt: true,
				Min: types.Pointer(1.0), Max: types.Pointer(float64(collections.MaxSessionDurationMinutes))},
			&core.NumberField{Name: collections.LiveSessionCapacity, OnlyInt: true,
				Min: types.Pointer(1.0), Max: types.Pointer(float64(collections.MaxSessionCapacity))},
			&core.SelectField{Name: collections.LiveSessionStatus, Values: collections.LiveSessionStatuses, MaxSelect: 1},
			&core.SelectField{Name: collections.LiveSessionVisibility, Values: collections.LiveSessionVisibilities, MaxSelect: 1},
			&core.URLField{Name: collections.LiveSessionMeetingURL},
			&core.URLField{Name: collections.LiveSessionRecordingURL},
			&core.DateField{Name: collections.LiveSessionStartedAt},
			&core.DateField{Name: collections.LiveSessionEndedAt},
			&core.NumberField{Name: collections.LiveSessionAttendeeCount, OnlyInt: true, Min: types.Pointer(0.0)},
			relation(collections.LiveSessionChatRoom, rooms.Id, false, false),
			&core.DateField{Name: collections.LiveSessionReminderSentFor, Hidden: true},
		)
		addTimestamps(sessions)
		sessions.AddIndex("idx_live_sessions_instructor", false, "instructor", "")
		sessions.AddIndex("idx_live_sessions_course", false, "course", "course != ''")
		sessions.AddIndex("idx_live_sessions_status_start", false, "status, scheduledStart", "")
		if err := app.Save(sessions); err != nil {
			return err
		}

		// --- live_session_attendees
		attendees := core.NewBaseCollection(collections.LiveSessionAttendees)
		attendeesRead := "user = @request.auth.id || session.instructor = @request.auth.id"
		attendees.ListRule = rule(attendeesRead)
		attendees.ViewRule = rule(attendeesRead)
		attendees.CreateRule = superusersOnly
		attendees.UpdateRule = superusersOnly
		attendees.DeleteRule = superusersOnly
		attendees.Fields.Add(
			relation(collections.AttendeeSession, sessions.Id, true, true),
			relation(collections.AttendeeUser, users.Id, true, true),
			&core.DateField{Name: collections.AttendeeJoinedAt},
			&core.DateField{Name: collections.AttendeeLeftAt},
			&core.BoolField{Name: collections.AttendeeActive},
			&core.NumberField{Name: collections.AttendeeAttendedSeconds, OnlyInt: true, Min: types.Pointer(0.0)},
		)
		addTimestamps(attendees)
		attendees.AddIndex("idx_live_session_attendees_session_user", true, "session, user", "")
		attendees.AddIndex("idx_live_session_attendees_session_active", false, "session, active", "")
		attendees.AddIndex("idx_live_session_attendees_user", false, "user", "")
		return app.Save(attendees)
	}, func(app core.App) error {
		return deleteCollections(app, collections.LiveSessionAttendees, collections.LiveSessions)
	})
}
