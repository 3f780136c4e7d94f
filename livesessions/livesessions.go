// Package livesessions is live sessions: scheduling and its rules, the
// status machine, joining with a hard seat limit, attendance time, the
// session's chat room and its notices.
package livesessions

import (
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/plaintext"
	"studyhall/records"
	"studyhall/request"
)

// Error codes of the live session routes.
const (
	codeSessionFull   = "session_full"
	codeInvalidStatus = "invalid_status"
	codeNotJoined     = "not_joined"
)

// ---------------------------------------------------------------------------
// Records: defaults, validation, the session's chat room, the recount

func bindLiveSessionRecords(app core.App) {
	// the defaults SPEC gives, and a chat room made in the same transaction
	// as the session, once the session is known to be valid
	app.OnRecordCreate(collections.LiveSessions).BindFunc(func(e *core.RecordEvent) error {
		setLiveSessionDefaults(asLiveSession(e.Record))
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return createSessionChatRoom(txApp, asLiveSession(e.Record))
		})
	})

	// attendeeCount and waitlistCount are derived, whoever saves the
	// session: a stale copy (an edit loaded before a join committed) never
	// writes back an old count. The same save settles the waitlist: a
	// free seat goes to the first in line in the transaction that freed
	// it (settleSeats).
	app.OnRecordUpdate(collections.LiveSessions).BindFunc(func(e *core.RecordEvent) error {
		settle := func(txApp core.App) error {
			return settleSeats(txApp, asLiveSession(e.Record), time.Now().UTC())
		}
		if e.App.IsTransactional() {
			if err := settle(e.App); err != nil {
				return err
			}
			return e.Next()
		}
		return records.InTransaction(&e.App, e.Next, settle, nil)
	})

	app.OnRecordValidate(collections.LiveSessions).BindFunc(func(e *core.RecordEvent) error {
		if errs := validateLiveSession(e.App, asLiveSession(e.Record)); len(errs) > 0 {
			return errs
		}
		return e.Next()
	})

	// the session's room goes with it
	app.OnRecordDelete(collections.LiveSessions).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return chat.DeleteRoom(txApp, asLiveSession(e.Record).ChatRoom())
		})
	})
}

// setLiveSessionDefaults fills what a new session left empty.
func setLiveSessionDefaults(session *LiveSession) {
	if session.Status() == "" {
		session.SetStatus(collections.LiveSessionScheduled)
	}
	if session.DurationMinutes() == 0 {
		session.Set(collections.LiveSessionDurationMinutes, collections.DefaultSessionDurationMinutes)
	}
	if session.Capacity() == 0 {
		session.Set(collections.LiveSessionCapacity, collections.DefaultSessionCapacity)
	}
	if session.Visibility() == "" {
		if session.Course() == "" {
			session.Set(collections.LiveSessionVisibility, collections.LiveSessionVisibilityPublic)
		} else {
			session.Set(collections.LiveSessionVisibility, collections.LiveSessionVisibilityCourse)
		}
	}
	session.SetAttendeeCount(0)
}

// createSessionChatRoom gives a session just inserted by txApp its chat
// room, unless it has one.
func createSessionChatRoom(txApp core.App, session *LiveSession) error {
	if session.ChatRoom() != "" {
		return nil
	}
	room, err := chat.CreateRoom(txApp, chat.NewRoom{
		Name:         session.Title(),
		Type:         collections.ChatRoomTypeSession,
		CourseId:     session.Course(),
		CreatedBy:    session.Instructor(),
		Participants: []string{session.Instructor()},
	})
	if err != nil {
		return err
	}
	// a plain column write: the row was just inserted by this
	// transaction and the room is the server's own field
	if _, err := txApp.DB().Update(collections.LiveSessions,
		dbx.Params{collections.LiveSessionChatRoom: room.Id},
		dbx.HashExp{collections.FieldId: session.Id},
	).Execute(); err != nil {
		return err
	}
	session.SetChatRoom(room.Id)
	return nil
}

// validateLiveSession checks what the schema cannot: the limits that hold
// whatever saves the session, the dashboard included.
func validateLiveSession(app core.App, session *LiveSession) validation.Errors {
	errs := validation.Errors{}
	if session.Capacity() < 1 {
		errs[collections.LiveSessionCapacity] = validation.NewError("validation_min_greater_equal_than_required", "Must be at least 1.")
	} else if count := session.AttendeeCount(); session.Capacity() < count {
		errs[collections.LiveSessionCapacity] = validation.NewError("validation_capacity_below_attendees",
			fmt.Sprintf("Must be at least the number of current attendees (%d).", count))
	}
	if session.DurationMinutes() < 1 {
		errs[collections.LiveSessionDurationMinutes] = validation.NewError("validation_min_greater_equal_than_required", "Must be at least 1.")
	}
	records.CheckURLLengths(errs, session.Record, collections.LiveSessionMeetingURL, collections.LiveSessionRecordingURL)

	instructorId := session.Instructor()
	courseId := session.Course()
	if courseId == "" && session.Visibility() == collections.LiveSessionVisibilityCourse {
		errs[collections.LiveSessionVisibility] = validation.NewError("validation_course_required",
			"A course session needs a course; make it public to hold it without one.")
	}

	// who teaches it is checked when it is set, so that a later change of
	// role or course never blocks a leave or an end
	if !session.IsNew() {
		before := asLiveSession(session.Original())
		if instructorId == before.Instructor() && courseId == before.Course() {
			return errs
		}
	}
	if instructor, err := app.FindRecordById(collections.Users, instructorId); err == nil &&
		instructor.GetString(collections.UserRole) != collections.RoleInstructor {
		errs[collections.LiveSessionInstructor] = validation.NewError("validation_not_instructor",
			"Only a user with the instructor role can hold a session.")
	}

	if courseId != "" {
		course, err := app.FindRecordById(collections.Courses, courseId)
		if err == nil && course.GetString(collections.CourseInstructor) != instructorId {
			errs[collections.LiveSessionCourse] = validation.NewError("validation_not_your_course",
				"Must be a course that the session's instructor teaches.")
		}
	}
	return errs
}

// ---------------------------------------------------------------------------
// Records API requests: the status gate, notices (server-owned fields are
// checked by records.BindServerOwned)

func bindLiveSessionRequests(app core.App) {
	app.OnRecordCreateRequest(collections.LiveSessions).BindFunc(createLiveSessionRequest)
	app.OnRecordUpdateRequest(collections.LiveSessions).BindFunc(updateLiveSessionRequest)
	app.OnRecordDeleteRequest(collections.LiveSessions).BindFunc(deleteLiveSessionRequest)
}

func createLiveSessionRequest(e *core.RecordRequestEvent) error {
	session := asLiveSession(e.Record)
	if !e.HasSuperuserAuth() {
		info, err := e.RequestInfo()
		if err != nil {
			return e.BadRequestError("", err)
		}
		errs := validation.Errors{}
		// an explicit 0 is refused; only an omitted value takes the default
		for _, field := range []string{collections.LiveSessionCapacity, collections.LiveSessionDurationMinutes} {
			if _, given := info.Body[field]; given && session.GetInt(field) < 1 {
				errs[field] = validation.NewError("validation_min_greater_equal_than_required", "Must be at least 1.")
			}
		}
		if startsInThePast(session.ScheduledStart()) {
			errs[collections.LiveSessionScheduledStart] = validation.NewError("validation_in_the_past", "Must not be in the past.")
		}
		if len(errs) > 0 {
			return e.BadRequestError("Failed to create record.", errs)
		}
	}

	return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
		return notifySessionCreated(txApp, session)
	})
}

func updateLiveSessionRequest(e *core.RecordRequestEvent) error {
	session := asLiveSession(e.Record)
	superuser := e.HasSuperuserAuth()
	if !superuser {
		start := session.ScheduledStart()
		if !start.Equal(asLiveSession(session.Original()).ScheduledStart()) && startsInThePast(start) {
			return e.BadRequestError("Failed to update record.", validation.Errors{
				collections.LiveSessionScheduledStart: validation.NewError("validation_in_the_past", "Must not be in the past."),
			})
		}
	}

	// the record was loaded before the transaction: check and keep the
	// server's fields as they are now
	var current *LiveSession
	checkCurrent := func(txApp core.App) error {
		var err error
		current, err = FindLiveSession(txApp, session.Id)
		if err != nil {
			return e.NotFoundError("", err)
		}
		if !superuser {
			if refusal := editRefusal(session, current); refusal != "" {
				return request.ConflictError(codeInvalidStatus, refusal)
			}
			for _, field := range collections.LiveSessionServerFields {
				session.Set(field, current.Get(field))
			}
		}
		return nil
	}
	return records.InTransaction(&e.App, e.Next, checkCurrent, func(txApp core.App) error {
		if err := syncSessionChatRoom(txApp, session); err != nil {
			return err
		}
		return notifySessionUpdated(txApp, current, session)
	})
}

// editRefusal is why the owner may not save edit over the session as it is
// now (current), or "" when they may. A scheduled session takes any edit.
// An ended one takes a change of its recording link and nothing else: the
// one exception to "updates only while scheduled", since a recording
// exists only once the session is over. Server-owned fields are left out
// of the comparison (the caller puts back their current values).
func editRefusal(edit, current *LiveSession) string {
	status := current.Status()
	if status == collections.LiveSessionScheduled {
		return ""
	}
	if status != collections.LiveSessionEnded {
		return "Only a scheduled session can be edited; this one is " + status + "."
	}
	for _, field := range current.Collection().Fields {
		name := field.GetName()
		if name == collections.LiveSessionRecordingURL || name == collections.FieldUpdated ||
			slices.Contains(collections.LiveSessionServerFields, name) {
			continue
		}
		if fmt.Sprint(edit.Get(name)) != fmt.Sprint(current.Get(name)) {
			return "An ended session takes only its recording link; " + name + " can no longer change."
		}
	}
	return ""
}

func deleteLiveSessionRequest(e *core.RecordRequestEvent) error {
	var current *LiveSession
	var audience []string
	checkCurrent := func(txApp core.App) error {
		var err error
		current, err = FindLiveSession(txApp, e.Record.Id)
		if err != nil {
			return e.NotFoundError("", err)
		}
		status := current.Status()
		if !e.HasSuperuserAuth() && status != collections.LiveSessionScheduled && status != collections.LiveSessionCancelled {
			return request.ConflictError(codeInvalidStatus, "Only a scheduled or cancelled session can be deleted; this one is "+status+".")
		}
		// the audience is read before the attendance rows cascade away
		if status == collections.LiveSessionScheduled {
			if audience, err = sessionAudience(txApp, current); err != nil {
				return err
			}
		}
		return nil
	}
	return records.InTransaction(&e.App, e.Next, checkCurrent, func(txApp core.App) error {
		return notifySessionDeleted(txApp, current, audience)
	})
}

// startsInThePast is true for a time more than a minute ago (clock skew between
// a client and the server is forgiven).
func startsInThePast(t types.DateTime) bool {
	return !t.IsZero() && t.Time().Before(time.Now().Add(-time.Minute))
}

// syncSessionChatRoom keeps the room's name and course those of its
// session.
func syncSessionChatRoom(app core.App, session *LiveSession) error {
	roomId := session.ChatRoom()
	if roomId == "" {
		return nil
	}
	room, err := app.FindRecordById(collections.ChatRooms, roomId)
	if err != nil {
		return nil // removed by a superuser; nothing to keep in step
	}
	name := plaintext.Clip(session.Title(), collections.MaxTitleLength)
	course := session.Course()
	if room.GetString(collections.ChatRoomName) == name && room.GetString(collections.ChatRoomCourse) == course {
		return nil
	}
	room.Set(collections.ChatRoomName, name)
	room.Set(collections.ChatRoomCourse, course)
	return app.Save(room)
}

// ---------------------------------------------------------------------------
// Attendance rows

func bindAttendeeRecords(app core.App) {
	// a superuser's edit of attendance through the records API (the
	// routes save the session themselves) recounts the session's seats
	recount := func(e *core.RecordRequestEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			session, err := FindLiveSession(txApp, asAttendee(e.Record).Session())
			if err != nil {
				return nil
			}
			return txApp.Save(session)
		})
	}
	app.OnRecordCreateRequest(collections.LiveSessionAttendees).BindFunc(recount)
	app.OnRecordUpdateRequest(collections.LiveSessionAttendees).BindFunc(recount)

	// an active or waiting attendance that disappears (its user deleted)
	// frees its seat, or its place in line, at once
	app.OnRecordDelete(collections.LiveSessionAttendees).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		attendee := asAttendee(e.Record)
		if !attendee.Active() && !attendee.Waiting() {
			return nil
		}
		session, err := FindLiveSession(e.App, attendee.Session())
		if err != nil {
			return nil // the session itself is being deleted
		}
		return e.App.Save(session)
	})
}
