package livesessions

import (
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// findViewableSession is the route's session if the signed-in user may see
// it, by the collection's view rule; a 404 otherwise, so that nobody
// learns a hidden session exists.
func findViewableSession(e *core.RequestEvent) (*LiveSession, error) {
	record, err := request.FindVisible(e, e.App, collections.LiveSessions, e.Request.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return asLiveSession(record), nil
}

// findOwnSession is the route's session if the signed-in user teaches it.
func findOwnSession(e *core.RequestEvent) (*LiveSession, error) {
	session, err := findViewableSession(e)
	if err != nil {
		return nil, err
	}
	if session.Instructor() != e.Auth.Id {
		return nil, e.ForbiddenError("Only the session's instructor can do this.", nil)
	}
	return session, nil
}

// checkViewable is a 404 unless the signed-in user may see the session by
// the collection's view rule. It checks a session already read (one known
// full, answered from memory) without reading it again.
func checkViewable(e *core.RequestEvent, session *LiveSession) error {
	info, err := e.RequestInfo()
	if err != nil {
		return e.BadRequestError("", err)
	}
	visible, err := e.App.CanAccessRecord(session.Record, info, session.Collection().ViewRule)
	if err != nil || !visible {
		return e.NotFoundError("", err)
	}
	return nil
}
