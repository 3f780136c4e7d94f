package calendar

import (
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/request"
)

// sessionICS is GET /api/live-sessions/{id}/ics: the session as one
// VEVENT, for whoever may view it (the collection's view rule; a 404
// otherwise, as for the record itself). The meeting link is in it for the
// instructor and for users who joined, as in the web app.
func sessionICS(e *core.RequestEvent) error {
	session, err := request.FindVisible(e, e.App, collections.LiveSessions, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	if err := expandNames(e.App, []*core.Record{session}, collections.LiveSessionCourse, collections.LiveSessionInstructor); err != nil {
		return e.InternalServerError("", err)
	}
	joined, err := joinedSessions(e.App, e.Auth.Id, []*core.Record{session})
	if err != nil {
		return e.InternalServerError("", err)
	}
	showMeeting := joined[session.Id] || session.GetString(collections.LiveSessionInstructor) == e.Auth.Id

	event := asSessionEvent(session, showMeeting)
	cal := newCalendar("")
	addSessionEvent(cal, event, appURL(e.App))
	return respondCalendar(e, serialize(cal), filename(event.Title, "live-session"))
}
