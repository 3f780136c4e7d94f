// Package livesessions is live sessions: scheduling and its rules, the
// status machine, joining with a hard seat limit, attendance time, the
// session's chat room and its notices.
package livesessions

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/plaintext"
	"studyhall/presence"
	"studyhall/records"
	"studyhall/request"
)

// Register binds live sessions: the record rules a filter cannot
// express, the join/leave/start/end/cancel/attendees routes and the
// starting-soon job.
//
// The capacity invariant (active attendees ≤ capacity, attendeeCount = the
// number of active attendees) rests on two things: every join and leave
// reads and writes inside one write transaction (SQLite has one writer, and
// PocketBase's write pool one connection, so no two of them interleave),
// and every save of a session recounts its active attendees rather than
// trusting a counter a client or a stale copy could carry.
func Register(app core.App) {
	// the sessions known to be full: the app's own, as its database is
	seats := newFullSessions()
	seats.bind(app)
	bindLiveSessionRecords(app)
	bindLiveSessionRequests(app)
	bindLiveSessionAttendees(app)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/live-sessions/{id}")
		g.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		// joins stay out of the request log: the attendance rows are
		// their record, and the refusals at a full session are summed in
		// one line a minute (fullSessions.logRefusals) rather than written
		// as an error each
		g.POST("/join", func(e *core.RequestEvent) error {
			return joinLiveSession(e, seats)
		}).Bind(apis.SkipSuccessActivityLog())
		g.POST("/leave", leaveLiveSession)
		g.POST("/start", startTransition.handle)
		g.POST("/end", endTransition.handle)
		g.POST("/cancel", cancelTransition.handle)
		g.GET("/attendees", listLiveSessionAttendees)
		return se.Next()
	})

	app.Cron().MustAdd(fullSessionsJobId, "* * * * *", func() {
		seats.logRefusals(app.Logger())
	})

	app.Cron().MustAdd(StartingSoonJobId, "* * * * *", func() {
		if _, err := NotifyStartingSoon(app, time.Now()); err != nil {
			app.Logger().Error("live sessions: starting-soon notices failed", "error", err)
		}
	})
}

// StartingSoonJobId is the cron job that sends live_session_starting_soon.
const StartingSoonJobId = "liveSessionsStartingSoon"

// StartingSoonLead is how long before its start a session's enrolled
// students get the starting-soon notice.
const StartingSoonLead = 15 * time.Minute

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
		setLiveSessionDefaults(e.Record)
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			if e.Record.GetString(collections.LiveSessionChatRoom) != "" {
				return nil
			}
			room, err := chat.CreateRoom(txApp, chat.NewRoom{
				Name:         e.Record.GetString(collections.LiveSessionTitle),
				Type:         collections.ChatRoomTypeSession,
				CourseId:     e.Record.GetString(collections.LiveSessionCourse),
				CreatedBy:    e.Record.GetString(collections.LiveSessionInstructor),
				Participants: []string{e.Record.GetString(collections.LiveSessionInstructor)},
			})
			if err != nil {
				return err
			}
			// a plain column write: the row was just inserted by this
			// transaction and the room is the server's own field
			if _, err := txApp.DB().Update(collections.LiveSessions,
				dbx.Params{collections.LiveSessionChatRoom: room.Id},
				dbx.HashExp{collections.FieldId: e.Record.Id},
			).Execute(); err != nil {
				return err
			}
			e.Record.Set(collections.LiveSessionChatRoom, room.Id)
			return nil
		})
	})

	// attendeeCount is derived, whoever saves the session: a stale copy
	// (an edit loaded before a join committed) never writes back an old
	// count
	app.OnRecordUpdate(collections.LiveSessions).BindFunc(func(e *core.RecordEvent) error {
		count, err := countActiveAttendees(e.App, e.Record.Id)
		if err != nil {
			return err
		}
		e.Record.Set(collections.LiveSessionAttendeeCount, count)
		return e.Next()
	})

	app.OnRecordValidate(collections.LiveSessions).BindFunc(func(e *core.RecordEvent) error {
		if errs := validateLiveSession(e.App, e.Record); len(errs) > 0 {
			return errs
		}
		return e.Next()
	})

	// the session's room goes with it
	app.OnRecordDelete(collections.LiveSessions).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return chat.DeleteRoom(txApp, e.Record.GetString(collections.LiveSessionChatRoom))
		})
	})
}

// setLiveSessionDefaults fills what a new session left empty.
func setLiveSessionDefaults(record *core.Record) {
	if record.GetString(collections.LiveSessionStatus) == "" {
		record.Set(collections.LiveSessionStatus, collections.LiveSessionScheduled)
	}
	if record.GetInt(collections.LiveSessionDurationMinutes) == 0 {
		record.Set(collections.LiveSessionDurationMinutes, collections.DefaultSessionDurationMinutes)
	}
	if record.GetInt(collections.LiveSessionCapacity) == 0 {
		record.Set(collections.LiveSessionCapacity, collections.DefaultSessionCapacity)
	}
	if record.GetString(collections.LiveSessionVisibility) == "" {
		if record.GetString(collections.LiveSessionCourse) == "" {
			record.Set(collections.LiveSessionVisibility, collections.LiveSessionVisibilityPublic)
		} else {
			record.Set(collections.LiveSessionVisibility, collections.LiveSessionVisibilityCourse)
		}
	}
	record.Set(collections.LiveSessionAttendeeCount, 0)
}

// validateLiveSession checks what the schema cannot: the limits that hold
// whatever saves the session, the dashboard included.
func validateLiveSession(app core.App, record *core.Record) validation.Errors {
	errs := validation.Errors{}
	if record.GetInt(collections.LiveSessionCapacity) < 1 {
		errs[collections.LiveSessionCapacity] = validation.NewError("validation_min_greater_equal_than_required", "Must be at least 1.")
	} else if count := record.GetInt(collections.LiveSessionAttendeeCount); record.GetInt(collections.LiveSessionCapacity) < count {
		errs[collections.LiveSessionCapacity] = validation.NewError("validation_capacity_below_attendees",
			fmt.Sprintf("Must be at least the number of current attendees (%d).", count))
	}
	if record.GetInt(collections.LiveSessionDurationMinutes) < 1 {
		errs[collections.LiveSessionDurationMinutes] = validation.NewError("validation_min_greater_equal_than_required", "Must be at least 1.")
	}
	records.CheckURLLengths(errs, record, collections.LiveSessionMeetingURL, collections.LiveSessionRecordingURL)

	instructorId := record.GetString(collections.LiveSessionInstructor)
	courseId := record.GetString(collections.LiveSessionCourse)
	if courseId == "" && record.GetString(collections.LiveSessionVisibility) == collections.LiveSessionVisibilityCourse {
		errs[collections.LiveSessionVisibility] = validation.NewError("validation_course_required",
			"A course session needs a course; make it public to hold it without one.")
	}

	// who teaches it is checked when it is set, so that a later change of
	// role or course never blocks a leave or an end
	if !record.IsNew() &&
		instructorId == record.Original().GetString(collections.LiveSessionInstructor) &&
		courseId == record.Original().GetString(collections.LiveSessionCourse) {
		return errs
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

// countActiveAttendees counts the session's active attendance rows; app
// is a txApp wherever the count must not move before it is used.
func countActiveAttendees(app core.App, sessionId string) (int, error) {
	var count int
	err := app.DB().Select("COUNT(*)").
		From(collections.LiveSessionAttendees).
		AndWhere(dbx.HashExp{collections.AttendeeSession: sessionId, collections.AttendeeActive: true}).
		Row(&count)
	if err != nil {
		return 0, fmt.Errorf("count attendees of %s: %w", sessionId, err)
	}
	return count, nil
}

// ---------------------------------------------------------------------------
// Records API requests: the status gate, notices (server-owned fields are
// checked by server_owned.go)

func bindLiveSessionRequests(app core.App) {
	app.OnRecordCreateRequest(collections.LiveSessions).BindFunc(createLiveSessionRequest)
	app.OnRecordUpdateRequest(collections.LiveSessions).BindFunc(updateLiveSessionRequest)
	app.OnRecordDeleteRequest(collections.LiveSessions).BindFunc(deleteLiveSessionRequest)
}

func createLiveSessionRequest(e *core.RecordRequestEvent) error {
	if !e.HasSuperuserAuth() {
		info, err := e.RequestInfo()
		if err != nil {
			return e.BadRequestError("", err)
		}
		errs := validation.Errors{}
		// an explicit 0 is refused; only an omitted value takes the default
		for _, field := range []string{collections.LiveSessionCapacity, collections.LiveSessionDurationMinutes} {
			if _, given := info.Body[field]; given && e.Record.GetInt(field) < 1 {
				errs[field] = validation.NewError("validation_min_greater_equal_than_required", "Must be at least 1.")
			}
		}
		if startsInThePast(e.Record.GetDateTime(collections.LiveSessionScheduledStart)) {
			errs[collections.LiveSessionScheduledStart] = validation.NewError("validation_in_the_past", "Must not be in the past.")
		}
		if len(errs) > 0 {
			return e.BadRequestError("Failed to create record.", errs)
		}
	}

	return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
		return notifySessionCreated(txApp, e.Record)
	})
}

func updateLiveSessionRequest(e *core.RecordRequestEvent) error {
	superuser := e.HasSuperuserAuth()
	if !superuser {
		before := e.Record.Original()
		errs := validation.Errors{}
		start := e.Record.GetDateTime(collections.LiveSessionScheduledStart)
		if !start.Equal(before.GetDateTime(collections.LiveSessionScheduledStart)) && startsInThePast(start) {
			errs[collections.LiveSessionScheduledStart] = validation.NewError("validation_in_the_past", "Must not be in the past.")
		}
		if len(errs) > 0 {
			return e.BadRequestError("Failed to update record.", errs)
		}
	}

	// the record was loaded before the transaction: check and keep the
	// server's fields as they are now
	var current *core.Record
	checkCurrent := func(txApp core.App) error {
		var err error
		current, err = txApp.FindRecordById(collections.LiveSessions, e.Record.Id)
		if err != nil {
			return e.NotFoundError("", err)
		}
		if !superuser {
			if status := current.GetString(collections.LiveSessionStatus); status != collections.LiveSessionScheduled {
				return request.ConflictError(codeInvalidStatus, "Only a scheduled session can be edited; this one is "+status+".")
			}
			for _, field := range collections.LiveSessionServerFields {
				e.Record.Set(field, current.Get(field))
			}
		}
		return nil
	}
	return records.InTransaction(&e.App, e.Next, checkCurrent, func(txApp core.App) error {
		if err := syncSessionChatRoom(txApp, e.Record); err != nil {
			return err
		}
		return notifySessionUpdated(txApp, current, e.Record)
	})
}

func deleteLiveSessionRequest(e *core.RecordRequestEvent) error {
	var current *core.Record
	var audience []string
	checkCurrent := func(txApp core.App) error {
		var err error
		current, err = txApp.FindRecordById(collections.LiveSessions, e.Record.Id)
		if err != nil {
			return e.NotFoundError("", err)
		}
		status := current.GetString(collections.LiveSessionStatus)
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
		if len(audience) == 0 {
			return nil
		}
		return sendSessionNotice(txApp, current, audience, notifications.Notification{
			Type:      collections.TypeLiveSessionDeleted,
			Title:     "Session removed: " + current.GetString(collections.LiveSessionTitle),
			Message:   fmt.Sprintf("%q, planned for %s, has been removed from the schedule.", current.GetString(collections.LiveSessionTitle), formatSessionTime(current)),
			DedupeKey: notifications.Key(collections.TypeLiveSessionDeleted, current.Id),
		})
	})
}

// startsInThePast is true for a time more than a minute ago (clock skew between
// a client and the server is forgiven).
func startsInThePast(t types.DateTime) bool {
	return !t.IsZero() && t.Time().Before(time.Now().Add(-time.Minute))
}

// syncSessionChatRoom keeps the room's name and course those of its
// session.
func syncSessionChatRoom(app core.App, session *core.Record) error {
	roomId := session.GetString(collections.LiveSessionChatRoom)
	if roomId == "" {
		return nil
	}
	room, err := app.FindRecordById(collections.ChatRooms, roomId)
	if err != nil {
		return nil // removed by a superuser; nothing to keep in step
	}
	name := plaintext.Clip(session.GetString(collections.LiveSessionTitle), collections.MaxTitleLength)
	course := session.GetString(collections.LiveSessionCourse)
	if room.GetString(collections.ChatRoomName) == name && room.GetString(collections.ChatRoomCourse) == course {
		return nil
	}
	room.Set(collections.ChatRoomName, name)
	room.Set(collections.ChatRoomCourse, course)
	return app.Save(room)
}

// ---------------------------------------------------------------------------
// Attendance rows

func bindLiveSessionAttendees(app core.App) {
	// a superuser's edit of attendance through the records API (the
	// routes save the session themselves) recounts the session's seats
	recount := func(e *core.RecordRequestEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			session, err := txApp.FindRecordById(collections.LiveSessions, e.Record.GetString(collections.AttendeeSession))
			if err != nil {
				return nil
			}
			return txApp.Save(session)
		})
	}
	app.OnRecordCreateRequest(collections.LiveSessionAttendees).BindFunc(recount)
	app.OnRecordUpdateRequest(collections.LiveSessionAttendees).BindFunc(recount)

	// an active attendance that disappears (its user deleted) frees its
	// seat at once
	app.OnRecordDelete(collections.LiveSessionAttendees).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if !e.Record.GetBool(collections.AttendeeActive) {
			return nil
		}
		session, err := e.App.FindRecordById(collections.LiveSessions, e.Record.GetString(collections.AttendeeSession))
		if err != nil {
			return nil // the session itself is being deleted
		}
		return e.App.Save(session)
	})
}

// findAttendee is the user's attendance row of the session, or
// sql.ErrNoRows.
func findAttendee(app core.App, sessionId, userId string) (*core.Record, error) {
	record := &core.Record{}
	err := app.RecordQuery(collections.LiveSessionAttendees).
		AndWhere(dbx.HashExp{collections.AttendeeSession: sessionId, collections.AttendeeUser: userId}).
		Limit(1).
		One(record)
	if err != nil {
		return nil, err
	}
	return record, nil
}

// findSeatedAttendee answers a join at a full session: the caller's
// active attendance if they are already in (joining twice changes
// nothing), session_full otherwise.
func findSeatedAttendee(app core.App, sessionId, userId string) (*core.Record, error) {
	attendee, err := findAttendee(app, sessionId, userId)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, sessionFullError()
	case err != nil:
		return nil, err
	case !attendee.GetBool(collections.AttendeeActive):
		return nil, sessionFullError()
	}
	return attendee, nil
}

// closeAttendance ends the attendee's current stay at now, adding the part
// of it during which the session was live.
func closeAttendance(attendee, session *core.Record, now time.Time) {
	seconds := liveSeconds(
		attendee.GetDateTime(collections.AttendeeJoinedAt).Time(),
		session.GetDateTime(collections.LiveSessionStartedAt).Time(),
		now,
	)
	attendee.Set(collections.AttendeeAttendedSeconds, attendee.GetInt(collections.AttendeeAttendedSeconds)+seconds)
	attendee.Set(collections.AttendeeActive, false)
	attendee.Set(collections.AttendeeLeftAt, now)
}

// liveSeconds is how many whole seconds of a stay from joined to left fell
// after the session started: waiting in a scheduled session's lobby is not
// attendance.
func liveSeconds(joined, started, left time.Time) int {
	if started.IsZero() || joined.IsZero() {
		return 0
	}
	from := joined
	if started.After(from) {
		from = started
	}
	if !left.After(from) {
		return 0
	}
	return int(math.Round(left.Sub(from).Seconds()))
}

// ---------------------------------------------------------------------------
// Routes

// findViewableSession is the route's session if the signed-in user may see
// it; a 404 otherwise, so that nobody learns a hidden session exists.
func findViewableSession(e *core.RequestEvent) (*core.Record, error) {
	session, err := e.App.FindRecordById(collections.LiveSessions, e.Request.PathValue("id"))
	if err != nil {
		return nil, e.NotFoundError("", err)
	}
	if err := checkViewable(e, session); err != nil {
		return nil, err
	}
	return session, nil
}

// checkViewable is a 404 unless the signed-in user may see the session.
func checkViewable(e *core.RequestEvent, session *core.Record) error {
	// the two cases of the view rule that need no query (the routes
	// require a signed-in user); every other case asks the rule itself
	if session.GetString(collections.LiveSessionInstructor) == e.Auth.Id ||
		session.GetString(collections.LiveSessionVisibility) == collections.LiveSessionVisibilityPublic {
		return nil
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.BadRequestError("", err)
	}
	visible, err := e.App.CanAccessRecord(session, info, session.Collection().ViewRule)
	if err != nil || !visible {
		return e.NotFoundError("", err)
	}
	return nil
}

// findOwnSession is the route's session if the signed-in user teaches it.
func findOwnSession(e *core.RequestEvent) (*core.Record, error) {
	session, err := findViewableSession(e)
	if err != nil {
		return nil, err
	}
	if session.GetString(collections.LiveSessionInstructor) != e.Auth.Id {
		return nil, e.ForbiddenError("Only the session's instructor can do this.", nil)
	}
	return session, nil
}

// checkJoinable refuses a join unless the session is scheduled or live.
func checkJoinable(status string) error {
	switch status {
	case collections.LiveSessionScheduled, collections.LiveSessionLive:
		return nil
	default:
		return request.ConflictError(codeInvalidStatus, "This session can no longer be joined; it is "+status+".")
	}
}

func sessionFullError() error {
	return request.ConflictError(codeSessionFull, "This session is full.")
}

// isSessionFull reports whether err is sessionFullError's.
func isSessionFull(err error) bool {
	var apiErr *router.ApiError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.Data["code"] == codeSessionFull
}

// joinLiveSession is POST /api/live-sessions/{id}/join.
func joinLiveSession(e *core.RequestEvent, seats *fullSessions) error {
	// a session known to be full turns joiners away without a query
	// (but never one who cannot see it: they get the 404 as always)
	sessionId := e.Request.PathValue("id")
	if full := seats.lookup(sessionId); full != nil {
		return answerFullSession(e, seats, full)
	}

	// one join of the session at a time tries for a seat: the others wait
	// here rather than on the database's write lock, and once one finds
	// the session full the rest are answered from memory
	attendee, full, err := takeSeat(e, seats, sessionId)
	switch {
	case err != nil:
		return err
	case full != nil:
		return answerFullSession(e, seats, full)
	}
	return request.RespondRecord(e, attendee)
}

// takeSeat is the join's turn in the session's queue: the caller's
// attendance, or the session as found full.
func takeSeat(e *core.RequestEvent, seats *fullSessions, sessionId string) (*core.Record, *fullSession, error) {
	release := seats.queue(sessionId)
	defer release()
	if full := seats.lookup(sessionId); full != nil {
		return nil, full, nil
	}
	session, err := findViewableSession(e)
	if err != nil {
		return nil, nil, err
	}
	if err := checkJoinable(session.GetString(collections.LiveSessionStatus)); err != nil {
		return nil, nil, err
	}
	var attendee *core.Record
	err = e.App.RunInTransaction(func(txApp core.App) error {
		var err error
		attendee, err = admitAttendee(txApp, session.Id, e.Auth.Id, time.Now().UTC())
		return err
	})
	if isSessionFull(err) {
		// remembered full, those still queued are answered from memory
		if full, loadErr := seats.load(e.App, session.Id); loadErr == nil && full != nil {
			return nil, full, nil
		}
	}
	return attendee, nil, err
}

// answerFullSession answers a join at a full session: a 404 for someone
// who cannot see it (as for any session they cannot see), the caller's
// attendance if they hold a seat (joining twice changes nothing), and
// session_full otherwise.
func answerFullSession(e *core.RequestEvent, seats *fullSessions, full *fullSession) error {
	if err := checkViewable(e, full.session); err != nil {
		return err
	}
	if !full.has(e.Auth.Id) {
		seats.refuse(full.session.Id)
		return e.JSON(http.StatusConflict, sessionFullError())
	}
	seated, err := findSeatedAttendee(e.App, full.session.Id, e.Auth.Id)
	if err != nil {
		return err
	}
	return request.RespondRecord(e, seated)
}

// admitAttendee seats the user, or finds them already seated. txApp must
// be a transaction: the seat count it reads is the one it writes against.
func admitAttendee(txApp core.App, sessionId, userId string, now time.Time) (*core.Record, error) {
	session, err := txApp.FindRecordById(collections.LiveSessions, sessionId)
	if err != nil {
		return nil, apis.NewNotFoundError("", err)
	}
	// the row of an earlier stay, if any, is reused: one row per
	// (session, user), its attendedSeconds kept
	attendee, err := findAttendee(txApp, sessionId, userId)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if attendee != nil && attendee.GetBool(collections.AttendeeActive) {
		return attendee, nil // joining twice changes nothing
	}
	if err := checkJoinable(session.GetString(collections.LiveSessionStatus)); err != nil {
		return nil, err
	}
	active, err := countActiveAttendees(txApp, sessionId)
	if err != nil {
		return nil, err
	}
	if active >= session.GetInt(collections.LiveSessionCapacity) {
		return nil, sessionFullError()
	}

	if attendee == nil {
		attendees, err := txApp.FindCachedCollectionByNameOrId(collections.LiveSessionAttendees)
		if err != nil {
			return nil, err
		}
		attendee = core.NewRecord(attendees)
		attendee.Set(collections.AttendeeSession, sessionId)
		attendee.Set(collections.AttendeeUser, userId)
	}
	// a rejoin keeps the row and its attendedSeconds: a new stay begins
	attendee.Set(collections.AttendeeJoinedAt, now)
	attendee.Set(collections.AttendeeLeftAt, "")
	attendee.Set(collections.AttendeeActive, true)
	// both saves skip field validation: every value was just read from
	// this transaction (the session, the signed-in user, the seat count)
	// and a rush of joins queues on this lock, so each query counts
	if err := txApp.SaveNoValidate(attendee); err != nil {
		return nil, err
	}
	// the save recounts attendeeCount; subscribers see it after commit
	if err := txApp.SaveNoValidate(session); err != nil {
		return nil, err
	}
	if session.GetInt(collections.LiveSessionAttendeeCount) > session.GetInt(collections.LiveSessionCapacity) {
		return nil, errors.New("live session over capacity after a join") // unreachable; rolls back if not
	}
	if roomId := session.GetString(collections.LiveSessionChatRoom); roomId != "" {
		if err := chat.AddParticipant(txApp, roomId, userId); err != nil {
			return nil, err
		}
	}
	return attendee, nil
}

// leaveLiveSession is POST /api/live-sessions/{id}/leave.
func leaveLiveSession(e *core.RequestEvent) error {
	sessionId := e.Request.PathValue("id")
	if _, err := findViewableSession(e); err != nil {
		// a student dropped from the course while seated may still leave
		attendee, findErr := findAttendee(e.App, sessionId, e.Auth.Id)
		if findErr != nil || !attendee.GetBool(collections.AttendeeActive) {
			return err
		}
	}

	var attendee *core.Record
	err := e.App.RunInTransaction(func(txApp core.App) error {
		session, err := txApp.FindRecordById(collections.LiveSessions, sessionId)
		if err != nil {
			return e.NotFoundError("", err)
		}
		attendee, err = findAttendee(txApp, sessionId, e.Auth.Id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if attendee == nil || !attendee.GetBool(collections.AttendeeActive) {
			return request.ConflictError(codeNotJoined, "You are not in this session.")
		}
		closeAttendance(attendee, session, time.Now().UTC())
		if err := txApp.Save(attendee); err != nil {
			return err
		}
		return txApp.Save(session)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, attendee)
}

// sessionTransition is one move of the session status machine, made by the
// session's instructor.
type sessionTransition struct {
	from, to string
	// verb completes "Only a <from> session can be <verb>".
	verb string
	// apply changes the session (and its attendance) before it is saved.
	apply func(txApp core.App, session *core.Record, now time.Time) error
	// notice, when set, tells the session's audience, after the save and in
	// the same transaction.
	notice func(txApp core.App, session *core.Record) error
}

var startTransition = sessionTransition{
	from: collections.LiveSessionScheduled,
	to:   collections.LiveSessionLive,
	verb: "started",
	apply: func(_ core.App, session *core.Record, now time.Time) error {
		session.Set(collections.LiveSessionStartedAt, now)
		return nil
	},
	notice: notifySessionStarted,
}

var endTransition = sessionTransition{
	from: collections.LiveSessionLive,
	to:   collections.LiveSessionEnded,
	verb: "ended",
	apply: func(txApp core.App, session *core.Record, now time.Time) error {
		session.Set(collections.LiveSessionEndedAt, now)
		return closeAllAttendances(txApp, session, now)
	},
}

var cancelTransition = sessionTransition{
	from: collections.LiveSessionScheduled,
	to:   collections.LiveSessionCancelled,
	verb: "cancelled",
	// those waiting in the lobby leave with it
	apply:  closeAllAttendances,
	notice: notifySessionCancelled,
}

// handle is the route of the transition: POST /api/live-sessions/{id}/<verb>.
func (t sessionTransition) handle(e *core.RequestEvent) error {
	session, err := findOwnSession(e)
	if err != nil {
		return err
	}
	err = e.App.RunInTransaction(func(txApp core.App) error {
		current, err := txApp.FindRecordById(collections.LiveSessions, session.Id)
		if err != nil {
			return e.NotFoundError("", err)
		}
		if status := current.GetString(collections.LiveSessionStatus); status != t.from {
			return request.ConflictError(codeInvalidStatus, fmt.Sprintf("Only a %s session can be %s; this one is %s.", t.from, t.verb, status))
		}
		current.Set(collections.LiveSessionStatus, t.to)
		if err := t.apply(txApp, current, time.Now().UTC()); err != nil {
			return err
		}
		if err := txApp.Save(current); err != nil {
			return err
		}
		session = current
		if t.notice == nil {
			return nil
		}
		return t.notice(txApp, current)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, session)
}

// closeAllAttendances ends every active stay in the session at now.
func closeAllAttendances(txApp core.App, session *core.Record, now time.Time) error {
	active, err := txApp.FindAllRecords(collections.LiveSessionAttendees,
		dbx.HashExp{collections.AttendeeSession: session.Id, collections.AttendeeActive: true})
	if err != nil {
		return err
	}
	for _, attendee := range active {
		closeAttendance(attendee, session, now)
		if err := txApp.Save(attendee); err != nil {
			return err
		}
	}
	return nil
}

// attendeeItem is one row of GET /api/live-sessions/{id}/attendees: who is
// in the session and their presence, never join times or emails.
type attendeeItem struct {
	Id     string `json:"id"`
	Name   string `json:"name"`
	Avatar string `json:"avatar"`
	Status string `json:"status"`
}

// listLiveSessionAttendees is GET /api/live-sessions/{id}/attendees.
func listLiveSessionAttendees(e *core.RequestEvent) error {
	session, err := findViewableSession(e)
	if err != nil {
		return err
	}
	var userIds []string
	err = e.App.DB().Select(collections.AttendeeUser).
		From(collections.LiveSessionAttendees).
		AndWhere(dbx.HashExp{collections.AttendeeSession: session.Id, collections.AttendeeActive: true}).
		OrderBy(collections.AttendeeJoinedAt, collections.FieldId).
		Column(&userIds)
	if err != nil {
		return e.InternalServerError("", err)
	}
	users, err := e.App.FindRecordsByIds(collections.Users, userIds)
	if err != nil {
		return e.InternalServerError("", err)
	}
	byId := make(map[string]*core.Record, len(users))
	for _, u := range users {
		byId[u.Id] = u
	}
	presence := presence.StatusesOf(e.App, userIds)

	items := make([]attendeeItem, 0, len(userIds))
	for _, id := range userIds {
		u, ok := byId[id]
		if !ok {
			continue
		}
		items = append(items, attendeeItem{
			Id:     u.Id,
			Name:   u.GetString(collections.UserName),
			Avatar: u.GetString(collections.UserAvatar),
			Status: presence[u.Id],
		})
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

// ---------------------------------------------------------------------------
// Notices

// sessionAudience is who hears about a session: the course's enrolled (not
// dropped) students and, for a public session, everyone who has joined it;
// never its instructor. For a course session every attendee can see it,
// so is enrolled; a dropped one must hear nothing more about it.
func sessionAudience(app core.App, session *core.Record) ([]string, error) {
	var ids []string
	if courseId := session.GetString(collections.LiveSessionCourse); courseId != "" {
		var err error
		if ids, err = notifications.ActiveStudents(app, courseId); err != nil {
			return nil, fmt.Errorf("enrolled students of %s: %w", courseId, err)
		}
	}
	if session.GetString(collections.LiveSessionVisibility) == collections.LiveSessionVisibilityPublic {
		var attendees []string
		err := app.DB().Select(collections.AttendeeUser).
			From(collections.LiveSessionAttendees).
			AndWhere(dbx.HashExp{collections.AttendeeSession: session.Id}).
			Column(&attendees)
		if err != nil {
			return nil, fmt.Errorf("attendees of %s: %w", session.Id, err)
		}
		ids = append(ids, attendees...)
	}
	instructorId := session.GetString(collections.LiveSessionInstructor)
	return slices.DeleteFunc(chat.CleanParticipantIds(ids), func(id string) bool { return id == instructorId }), nil
}

// sendSessionNotice sends n about session to audience, in app's
// transaction, with what every session notice carries.
func sendSessionNotice(app core.App, session *core.Record, audience []string, n notifications.Notification) error {
	if len(audience) == 0 {
		return nil
	}
	n.Recipients = audience
	n.RelatedCollection = collections.LiveSessions
	n.RelatedId = session.Id
	if n.ActionURL == "" {
		n.ActionURL = "/live-sessions/" + session.Id
		n.ActionText = "View session"
	}
	n.Data = map[string]any{
		"sessionId":      session.Id,
		"courseId":       session.GetString(collections.LiveSessionCourse),
		"scheduledStart": session.GetString(collections.LiveSessionScheduledStart),
		"status":         session.GetString(collections.LiveSessionStatus),
	}
	if _, err := notifications.Send(app, n); err != nil {
		return fmt.Errorf("live session %s notice: %w", n.Type, err)
	}
	return nil
}

// notifySession sends n to the session's audience.
func notifySession(app core.App, session *core.Record, n notifications.Notification) error {
	audience, err := sessionAudience(app, session)
	if err != nil {
		return err
	}
	return sendSessionNotice(app, session, audience, n)
}

// formatSessionTime is the session's start as every recipient reads it,
// in UTC; the client shows it in local time from the notice's data.
func formatSessionTime(session *core.Record) string {
	return session.GetDateTime(collections.LiveSessionScheduledStart).Time().UTC().Format("Mon 2 Jan 2006, 15:04 UTC")
}

// sessionEnd is when the session is planned to end.
func sessionEnd(session *core.Record) time.Time {
	start := session.GetDateTime(collections.LiveSessionStartedAt).Time()
	if start.IsZero() {
		start = session.GetDateTime(collections.LiveSessionScheduledStart).Time()
	}
	return start.Add(time.Duration(session.GetInt(collections.LiveSessionDurationMinutes)) * time.Minute)
}

func notifySessionCreated(app core.App, session *core.Record) error {
	if session.GetString(collections.LiveSessionStatus) != collections.LiveSessionScheduled {
		return nil
	}
	title := session.GetString(collections.LiveSessionTitle)
	return notifySession(app, session, notifications.Notification{
		Type:      collections.TypeLiveSessionCreated,
		Title:     "New live session: " + title,
		Message:   fmt.Sprintf("%q is scheduled for %s.", title, formatSessionTime(session)),
		DedupeKey: notifications.Key(collections.TypeLiveSessionCreated, session.Id),
	})
}

// notifySessionUpdated tells the audience when the time, title or meeting
// link changed. The key names the save, so a retried request (which
// changes nothing) sends nothing and each real change is told once.
func notifySessionUpdated(app core.App, before, after *core.Record) error {
	var changes []string
	if !before.GetDateTime(collections.LiveSessionScheduledStart).Equal(after.GetDateTime(collections.LiveSessionScheduledStart)) {
		changes = append(changes, "it now starts "+formatSessionTime(after))
	}
	if before.GetString(collections.LiveSessionTitle) != after.GetString(collections.LiveSessionTitle) {
		changes = append(changes, fmt.Sprintf("it was renamed from %q", before.GetString(collections.LiveSessionTitle)))
	}
	if before.GetString(collections.LiveSessionMeetingURL) != after.GetString(collections.LiveSessionMeetingURL) {
		changes = append(changes, "the meeting link changed")
	}
	if len(changes) == 0 {
		return nil
	}
	title := after.GetString(collections.LiveSessionTitle)
	return notifySession(app, after, notifications.Notification{
		Type:    collections.TypeLiveSessionUpdated,
		Title:   "Live session updated: " + title,
		Message: fmt.Sprintf("%q changed: %s.", title, strings.Join(changes, "; ")),
		DedupeKey: notifications.Key(collections.TypeLiveSessionUpdated, after.Id,
			strconv.FormatInt(after.GetDateTime(collections.FieldUpdated).Time().UnixMicro(), 10)),
	})
}

func notifySessionStarted(app core.App, session *core.Record) error {
	title := session.GetString(collections.LiveSessionTitle)
	return notifySession(app, session, notifications.Notification{
		Type:       collections.TypeLiveSessionStarted,
		Title:      "Live now: " + title,
		Message:    fmt.Sprintf("%q has started.", title),
		ActionURL:  "/live-sessions/" + session.Id,
		ActionText: "Join now",
		DedupeKey:  notifications.Key(collections.TypeLiveSessionStarted, session.Id),
		ExpiresAt:  sessionEnd(session),
	})
}

func notifySessionCancelled(app core.App, session *core.Record) error {
	title := session.GetString(collections.LiveSessionTitle)
	return notifySession(app, session, notifications.Notification{
		Type:      collections.TypeLiveSessionCancelled,
		Title:     "Session cancelled: " + title,
		Message:   fmt.Sprintf("%q, planned for %s, has been cancelled.", title, formatSessionTime(session)),
		DedupeKey: notifications.Key(collections.TypeLiveSessionCancelled, session.Id),
	})
}

// ---------------------------------------------------------------------------
// The starting-soon job

// NotifyStartingSoon sends live_session_starting_soon for every scheduled
// session starting within StartingSoonLead of now, once per session and
// start time (a rescheduled session is reminded again). It is the job
// StartingSoonJobId runs each minute and returns how many sessions it
// reminded.
func NotifyStartingSoon(app core.App, now time.Time) (int, error) {
	nowDT, err := types.ParseDateTime(now.UTC())
	if err != nil {
		return 0, err
	}
	soonDT, err := types.ParseDateTime(now.UTC().Add(StartingSoonLead))
	if err != nil {
		return 0, err
	}
	due, err := app.FindRecordsByFilter(collections.LiveSessions,
		"status = {:scheduled} && scheduledStart > {:now} && scheduledStart <= {:soon} && reminderSentFor != scheduledStart",
		"scheduledStart", 0, 0,
		dbx.Params{"scheduled": collections.LiveSessionScheduled, "now": nowDT.String(), "soon": soonDT.String()},
	)
	if err != nil {
		return 0, fmt.Errorf("find sessions starting soon: %w", err)
	}

	reminded := 0
	var errs []error
	for _, session := range due {
		err := app.RunInTransaction(func(txApp core.App) error {
			current, err := txApp.FindRecordById(collections.LiveSessions, session.Id)
			if err != nil {
				return nil // deleted meanwhile
			}
			start := current.GetDateTime(collections.LiveSessionScheduledStart)
			if current.GetString(collections.LiveSessionStatus) != collections.LiveSessionScheduled ||
				current.GetDateTime(collections.LiveSessionReminderSentFor).Equal(start) {
				return nil
			}
			title := current.GetString(collections.LiveSessionTitle)
			minutes := int(math.Ceil(start.Time().Sub(now).Minutes()))
			if err := notifySession(txApp, current, notifications.Notification{
				Type:      collections.TypeLiveSessionStartingSoon,
				Title:     "Starting soon: " + title,
				Message:   fmt.Sprintf("%q starts in %d min (%s).", title, minutes, formatSessionTime(current)),
				DedupeKey: notifications.Key(collections.TypeLiveSessionStartingSoon, current.Id, strconv.FormatInt(start.Time().Unix(), 10)),
				ExpiresAt: sessionEnd(current),
			}); err != nil {
				return err
			}
			current.Set(collections.LiveSessionReminderSentFor, start)
			if err := txApp.Save(current); err != nil {
				return err
			}
			reminded++
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("session %s: %w", session.Id, err))
		}
	}
	return reminded, errors.Join(errs...)
}
