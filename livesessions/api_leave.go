package livesessions

import (
	"database/sql"
	"errors"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/request"
)

// leaveLiveSession is POST /api/live-sessions/{id}/leave: a seated user
// leaves their seat (the first on the waitlist takes it, in the same
// transaction), a waiting user leaves the waitlist (those behind move up).
func leaveLiveSession(e *core.RequestEvent) error {
	sessionId := e.Request.PathValue("id")
	if _, err := findViewableSession(e); err != nil {
		// a student dropped from the course while seated (or waiting) may
		// still leave
		attendee, findErr := FindAttendee(e.App, sessionId, e.Auth.Id)
		if findErr != nil || (!attendee.Active() && !attendee.Waiting()) {
			return err
		}
	}

	var attendee *Attendee
	err := request.Tx(e, func(txApp core.App) error {
		session, err := FindLiveSession(txApp, sessionId)
		if err != nil {
			return err
		}
		attendee, err = FindAttendee(txApp, sessionId, e.Auth.Id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case attendee == nil || (!attendee.Active() && !attendee.Waiting()):
			return request.ConflictError(codeNotJoined, "You are not in this session.")
		case attendee.Waiting():
			attendee.leaveWaitlist()
		default:
			attendee.endStay(session, time.Now().UTC())
		}
		if err := txApp.Save(attendee); err != nil {
			return err
		}
		// the save settles the seats: the first in line takes a freed
		// seat, and those behind a place left move up
		return txApp.Save(session)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, attendee.Record)
}
