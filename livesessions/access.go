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
//
// A rush at a full session asks this of every joiner. While the view rule
// is the one the collection ships with (collections.LiveSessionsReadRule),
// its public clause grants a public session to every signed-in user (the
// route requires one), so that case is answered without the rule's query,
// which halves the CPU of a refused join (bench/README.md, capacity). Any
// other rule text, a narrowed one set in the dashboard included, and any
// other session, is asked of the rule itself.
func checkViewable(e *core.RequestEvent, session *LiveSession) error {
	if rule := session.Collection().ViewRule; rule != nil && *rule == collections.LiveSessionsReadRule &&
		session.Visibility() == collections.LiveSessionVisibilityPublic && e.Auth != nil {
		return nil
	}
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
