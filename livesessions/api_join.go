package livesessions

import (
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/request"
)

// joinForm is the body of POST /api/live-sessions/{id}/join.
type joinForm struct {
	// Waitlist asks for a place on the waitlist when the session is full,
	// instead of session_full.
	Waitlist bool `json:"waitlist"`
}

// Validate has nothing to check: any bool will do.
func (f *joinForm) Validate() error { return nil }

// joinLiveSession is POST /api/live-sessions/{id}/join.
func joinLiveSession(e *core.RequestEvent, seats *fullSessions) error {
	form := &joinForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	// a session known to be full turns joiners away without a write,
	// after one query: its view rule, so that one who cannot see it gets
	// the 404 as always. A joiner who asks to wait goes on to the
	// database, which keeps the line.
	sessionId := e.Request.PathValue("id")
	if full := seats.lookup(sessionId); full != nil && !full.queuesFor(e.Auth.Id, form.Waitlist) {
		return answerFullSession(e, seats, full)
	}

	// one join of the session at a time tries for a seat: the others wait
	// here rather than on the database's write lock, and once one finds
	// the session full the rest are answered from memory
	attendee, full, err := takeSeat(e, seats, sessionId, form.Waitlist)
	switch {
	case err != nil:
		return err
	case full != nil:
		return answerFullSession(e, seats, full)
	}
	return request.RespondRecord(e, attendee.Record)
}

// queuesFor reports whether a join by userId at the full session goes to
// the database: a user without a seat who asks to wait.
func (s *fullSession) queuesFor(userId string, waitlist bool) bool {
	return waitlist && !s.has(userId)
}

// takeSeat is the join's turn in the session's queue: the caller's
// attendance (seated, or waiting when waitlist is set and the session is
// full), or the session as found full.
func takeSeat(e *core.RequestEvent, seats *fullSessions, sessionId string, waitlist bool) (*Attendee, *fullSession, error) {
	release := seats.queue(sessionId)
	defer release()
	if full := seats.lookup(sessionId); full != nil && !full.queuesFor(e.Auth.Id, waitlist) {
		return nil, full, nil
	}
	session, err := findViewableSession(e)
	if err != nil {
		return nil, nil, err
	}
	if err := session.checkJoinable(); err != nil {
		return nil, nil, err
	}
	var attendee *Attendee
	err = request.Tx(e, func(txApp core.App) error {
		var err error
		attendee, err = admitAttendee(txApp, session.Id, e.Auth.Id, time.Now().UTC(), waitlist)
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
		return request.Error(e, err)
	}
	return request.RespondRecord(e, seated.Record)
}

// admitAttendee seats the user, or finds them already seated; at a full
// session it puts them on the waitlist when waitlist is set (or finds them
// there) and answers session_full otherwise. txApp must be a transaction:
// the seat count it reads is the one it writes against.
func admitAttendee(txApp core.App, sessionId, userId string, now time.Time, waitlist bool) (*Attendee, error) {
	session, err := FindLiveSession(txApp, sessionId)
	if err != nil {
		return nil, err
	}
	// the row of an earlier stay, if any, is reused: one row per
	// (session, user), its attendedSeconds kept
	attendee, err := FindAttendee(txApp, sessionId, userId)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	switch {
	case attendee != nil && attendee.Active():
		return attendee, nil // joining twice changes nothing
	case attendee != nil && attendee.Waiting():
		if !waitlist {
			return nil, sessionFullError() // still waiting: the session is full
		}
		return attendee, nil // asking to wait twice changes nothing
	}
	if err := session.checkJoinable(); err != nil {
		return nil, err
	}
	seats, err := countSeats(txApp, sessionId)
	if err != nil {
		return nil, err
	}
	// a free seat goes to a joiner only when nobody waits for it
	full := seats.active >= session.Capacity() || seats.waiting > 0
	if full && !waitlist {
		return nil, sessionFullError()
	}

	if attendee == nil {
		if attendee, err = newAttendee(txApp, sessionId, userId); err != nil {
			return nil, err
		}
	}
	if full {
		// last in line; the session's save below counts the line (and
		// seats the first of it, should a seat be free after all)
		attendee.joinWaitlist(seats.last+1, now)
	} else {
		// a rejoin keeps the row and its attendedSeconds: a new stay begins
		attendee.beginStay(now)
	}
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
	if session.AttendeeCount() > session.Capacity() {
		return nil, errors.New("live session over capacity after a join") // unreachable; rolls back if not
	}
	if full {
		return FindAttendee(txApp, sessionId, userId) // as the save left it
	}
	if roomId := session.ChatRoom(); roomId != "" {
		if err := chat.AddParticipant(txApp, roomId, userId); err != nil {
			return nil, err
		}
	}
	return attendee, nil
}

// findSeatedAttendee answers a join at a full session: the caller's
// active attendance if they are already in (joining twice changes
// nothing), session_full otherwise.
func findSeatedAttendee(app core.App, sessionId, userId string) (*Attendee, error) {
	attendee, err := FindAttendee(app, sessionId, userId)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, sessionFullError()
	case err != nil:
		return nil, err
	case !attendee.Active():
		return nil, sessionFullError()
	}
	return attendee, nil
}

// checkJoinable refuses a join unless the session is scheduled or live.
func (s *LiveSession) checkJoinable() error {
	switch status := s.Status(); status {
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
