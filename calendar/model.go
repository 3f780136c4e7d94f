package calendar

import (
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// What a user's feed holds, and the finders that read it. Every finder
// applies the collection's own view rule as the user, in the same query,
// so the feed never shows a record the user could not open in the app.

// feedHistory is how far back the feed keeps past sessions: a term's
// worth, so a calendar keeps the recent past without growing forever.
const feedHistory = 180 * 24 * time.Hour

// Caps on one feed, far above a real timetable, so one user's feed stays
// a bounded query whatever the data.
const (
	maxFeedSessions = 1000
	maxFeedSlots    = 200
)

// feedSessions are user's live sessions from since on: those of courses
// the user is enrolled in (not dropped) or teaches, those the user runs,
// and those the user joined; each one the user may view.
func feedSessions(app core.App, user *core.Record, since time.Time) ([]*core.Record, error) {
	sinceValue, err := types.ParseDateTime(since)
	if err != nil {
		return nil, err
	}
	mine := dbx.NewExp(
		"[[live_sessions.scheduledStart]] >= {:since} AND ("+
			"[[live_sessions.instructor]] = {:user}"+
			" OR [[live_sessions.course]] IN (SELECT [[course]] FROM {{enrollments}} WHERE [[student]] = {:user} AND [[status]] != {:dropped})"+
			" OR [[live_sessions.course]] IN (SELECT [[id]] FROM {{courses}} WHERE [[instructor]] = {:user})"+
			" OR [[live_sessions.id]] IN (SELECT [[session]] FROM {{live_session_attendees}} WHERE [[user]] = {:user}))",
		dbx.Params{"since": sinceValue.String(), "user": user.Id, "dropped": collections.EnrollmentDropped},
	)
	return visibleRecords(app, collections.LiveSessions, user, mine,
		"[[live_sessions.scheduledStart]] ASC, [[live_sessions.id]] ASC", maxFeedSessions)
}

// feedSlots are the active office-hours slots of user's courses (enrolled
// and not dropped, or taught) and the user's own.
func feedSlots(app core.App, user *core.Record) ([]*core.Record, error) {
	mine := dbx.NewExp(
		"[[office_hours.active]] = TRUE AND ("+
			"[[office_hours.instructor]] = {:user}"+
			" OR [[office_hours.course]] IN (SELECT [[course]] FROM {{enrollments}} WHERE [[student]] = {:user} AND [[status]] != {:dropped})"+
			" OR [[office_hours.course]] IN (SELECT [[id]] FROM {{courses}} WHERE [[instructor]] = {:user}))",
		dbx.Params{"user": user.Id, "dropped": collections.EnrollmentDropped},
	)
	return visibleRecords(app, collections.OfficeHours, user, mine,
		"[[office_hours.dayOfWeek]] ASC, [[office_hours.startTime]] ASC, [[office_hours.id]] ASC", maxFeedSlots)
}

// visibleRecords are the records of collection matching where that user
// may view (the collection's view rule, resolved as that user), in order,
// at most limit.
func visibleRecords(app core.App, collection string, user *core.Record, where dbx.Expression, order string, limit int64) ([]*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	if c.ViewRule == nil { // superusers only
		return nil, nil
	}
	query := app.RecordQuery(c).AndWhere(where).OrderBy(order).Limit(limit)
	if *c.ViewRule != "" {
		info := &core.RequestInfo{Auth: user, Method: http.MethodGet, Context: core.RequestInfoContextDefault}
		resolver := core.NewRecordFieldResolver(app, c, info, true)
		expr, err := search.FilterData(*c.ViewRule).BuildExpr(resolver)
		if err != nil {
			return nil, err
		}
		query.AndWhere(expr)
		if err := resolver.UpdateQuery(query); err != nil {
			return nil, err
		}
	}
	var records []*core.Record
	if err := query.All(&records); err != nil {
		return nil, err
	}
	return records, nil
}

// joinedSessions are the ids, among sessions, that userId has an
// attendance row in (joined at least once).
func joinedSessions(app core.App, userId string, sessions []*core.Record) (map[string]bool, error) {
	ids := make([]any, len(sessions))
	for i, s := range sessions {
		ids[i] = s.Id
	}
	joined := map[string]bool{}
	if len(ids) == 0 {
		return joined, nil
	}
	var rows []string
	err := app.DB().Select(collections.AttendeeSession).From(collections.LiveSessionAttendees).
		Where(dbx.HashExp{collections.AttendeeUser: userId, collections.AttendeeSession: ids}).
		Column(&rows)
	for _, id := range rows {
		joined[id] = true
	}
	return joined, err
}

// expandNames loads the course and instructor of records, for the titles
// and names their events show.
func expandNames(app core.App, records []*core.Record, courseField, instructorField string) error {
	if len(records) == 0 {
		return nil
	}
	if errs := app.ExpandRecords(records, []string{courseField, instructorField}, nil); len(errs) > 0 {
		return fmt.Errorf("expand %s and %s: %v", courseField, instructorField, errs)
	}
	return nil
}

// asSessionEvent is what the event of session shows to a user;
// showMeeting tells whether it includes the meeting link (attendees and
// the instructor only, as in the web app).
func asSessionEvent(session *core.Record, showMeeting bool) sessionEvent {
	minutes := session.GetInt(collections.LiveSessionDurationMinutes)
	if minutes <= 0 {
		minutes = collections.DefaultSessionDurationMinutes
	}
	ev := sessionEvent{
		Id:          session.Id,
		Title:       session.GetString(collections.LiveSessionTitle),
		Description: session.GetString(collections.LiveSessionDescription),
		Start:       session.GetDateTime(collections.LiveSessionScheduledStart).Time(),
		Duration:    time.Duration(minutes) * time.Minute,
		Cancelled:   session.GetString(collections.LiveSessionStatus) == collections.LiveSessionCancelled,
		Created:     session.GetDateTime(collections.FieldCreated).Time(),
		Updated:     session.GetDateTime(collections.FieldUpdated).Time(),
	}
	if course := session.ExpandedOne(collections.LiveSessionCourse); course != nil {
		ev.CourseTitle = course.GetString(collections.CourseTitle)
	}
	if instructor := session.ExpandedOne(collections.LiveSessionInstructor); instructor != nil {
		ev.Instructor = instructor.GetString(collections.UserName)
	}
	if showMeeting {
		ev.MeetingURL = session.GetString(collections.LiveSessionMeetingURL)
	}
	return ev
}

// asSlotEvent is what the weekly event of slot shows, in the slot's zone
// (which the office-hours hooks set on every slot; UTC if it is unknown).
// The instructor's own zone is never the fallback: it is Hidden.
func asSlotEvent(slot *core.Record) slotEvent {
	ev := slotEvent{
		Id:          slot.Id,
		Weekday:     time.Weekday(slot.GetInt(collections.OfficeHoursDayOfWeek)),
		StartTime:   slot.GetString(collections.OfficeHoursStartTime),
		EndTime:     slot.GetString(collections.OfficeHoursEndTime),
		Location:    slot.GetString(collections.OfficeHoursLocation),
		MeetingURL:  slot.GetString(collections.OfficeHoursMeetingURL),
		Description: slot.GetString(collections.OfficeHoursDescription),
		Created:     slot.GetDateTime(collections.FieldCreated).Time(),
		Updated:     slot.GetDateTime(collections.FieldUpdated).Time(),
		Zone:        time.UTC,
	}
	if course := slot.ExpandedOne(collections.OfficeHoursCourse); course != nil {
		ev.CourseTitle = course.GetString(collections.CourseTitle)
	}
	if instructor := slot.ExpandedOne(collections.OfficeHoursInstructor); instructor != nil {
		ev.Instructor = instructor.GetString(collections.UserName)
	}
	if name := slot.GetString(collections.OfficeHoursTimezone); name != "" && name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			ev.Zone = loc
		}
	}
	return ev
}
