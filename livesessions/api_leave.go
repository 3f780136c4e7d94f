package livesessions

import (
	"database/sql"
	"errors"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/request"
)

// leaveLiveSession is POST /api/live-sessions/{id}/leave.
func leaveLiveSession(e *core.RequestEvent) error {
	sessionId := e.Request.PathValue("id")
	if _, err := findViewableSession(e); err != nil {
		// a student dropped from the course while seated may still leave
		attendee, findErr := FindAttendee(e.App, sessionId, e.Auth.Id)
		if findErr != nil || !attendee.Active() {
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
		if attendee == nil || !attendee.Active() {
			return request.ConflictError(codeNotJoined, "You are not in this session.")
		}
		attendee.endStay(session, time.Now().UTC())
		if err := txApp.Save(attendee); err != nil {
			return err
		}
		return txApp.Save(session)
	})
	if err != nil {
		return err
	}
	return request.RespondRecord(e, attendee.Record)
}
