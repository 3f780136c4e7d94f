package livesessions

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// sessionTransition is one move of the session status machine, made by the
// session's instructor.
type sessionTransition struct {
	from, to string
	// verb completes "Only a <from> session can be <verb>".
	verb string
	// apply changes the session (and its attendance) before it is saved.
	apply func(txApp core.App, session *LiveSession, now time.Time) error
	// notice, when set, tells the session's audience, after the save and in
	// the same transaction.
	notice func(txApp core.App, session *LiveSession) error
}

var startTransition = sessionTransition{
	from: collections.LiveSessionScheduled,
	to:   collections.LiveSessionLive,
	verb: "started",
	apply: func(_ core.App, session *LiveSession, now time.Time) error {
		session.SetStartedAt(now)
		return nil
	},
	notice: notifySessionStarted,
}

var endTransition = sessionTransition{
	from: collections.LiveSessionLive,
	to:   collections.LiveSessionEnded,
	verb: "ended",
	apply: func(txApp core.App, session *LiveSession, now time.Time) error {
		session.SetEndedAt(now)
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
	err = request.Tx(e, func(txApp core.App) error {
		current, err := FindLiveSession(txApp, session.Id)
		if err != nil {
			return err
		}
		if status := current.Status(); status != t.from {
			return request.ConflictError(codeInvalidStatus, fmt.Sprintf("Only a %s session can be %s; this one is %s.", t.from, t.verb, status))
		}
		current.SetStatus(t.to)
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
	return request.RespondRecord(e, session.Record)
}

// closeAllAttendances ends every active stay in the session at now.
func closeAllAttendances(txApp core.App, session *LiveSession, now time.Time) error {
	active, err := findActiveAttendees(txApp, session.Id)
	if err != nil {
		return err
	}
	for _, attendee := range active {
		attendee.endStay(session, now)
		if err := txApp.Save(attendee); err != nil {
			return err
		}
	}
	return nil
}
