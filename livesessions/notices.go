package livesessions

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/notifications"
)

// sessionAudience is who hears about a session: the course's enrolled (not
// dropped) students and, for a public session, everyone who has joined it;
// never its instructor. For a course session every attendee can see it,
// so is enrolled; a dropped one must hear nothing more about it.
func sessionAudience(app core.App, session *LiveSession) ([]string, error) {
	var ids []string
	if courseId := session.Course(); courseId != "" {
		var err error
		if ids, err = notifications.ActiveStudents(app, courseId); err != nil {
			return nil, fmt.Errorf("enrolled students of %s: %w", courseId, err)
		}
	}
	if session.IsPublic() {
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
	instructorId := session.Instructor()
	return slices.DeleteFunc(chat.CleanParticipantIds(ids), func(id string) bool { return id == instructorId }), nil
}

// sendSessionNotice sends n about session to audience, in app's
// transaction, with what every session notice carries.
func sendSessionNotice(app core.App, session *LiveSession, audience []string, n notifications.Notification) error {
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
		"courseId":       session.Course(),
		"scheduledStart": session.GetString(collections.LiveSessionScheduledStart),
		"status":         session.Status(),
	}
	if _, err := notifications.Send(app, n); err != nil {
		return fmt.Errorf("live session %s notice: %w", n.Type, err)
	}
	return nil
}

// notifySession sends n to the session's audience.
func notifySession(app core.App, session *LiveSession, n notifications.Notification) error {
	audience, err := sessionAudience(app, session)
	if err != nil {
		return err
	}
	return sendSessionNotice(app, session, audience, n)
}

func notifySessionCreated(app core.App, session *LiveSession) error {
	if session.Status() != collections.LiveSessionScheduled {
		return nil
	}
	title := session.Title()
	return notifySession(app, session, notifications.Notification{
		Type:      collections.TypeLiveSessionCreated,
		Title:     "New live session: " + title,
		Message:   fmt.Sprintf("%q is scheduled for %s.", title, session.startText()),
		DedupeKey: notifications.Key(collections.TypeLiveSessionCreated, session.Id),
	})
}

// notifySessionUpdated tells the audience when the time, title or meeting
// link changed. The key names the save, so a retried request (which
// changes nothing) sends nothing and each real change is told once.
func notifySessionUpdated(app core.App, before, after *LiveSession) error {
	var changes []string
	if !before.ScheduledStart().Equal(after.ScheduledStart()) {
		changes = append(changes, "it now starts "+after.startText())
	}
	if before.Title() != after.Title() {
		changes = append(changes, fmt.Sprintf("it was renamed from %q", before.Title()))
	}
	if before.MeetingURL() != after.MeetingURL() {
		changes = append(changes, "the meeting link changed")
	}
	if len(changes) == 0 {
		return nil
	}
	title := after.Title()
	return notifySession(app, after, notifications.Notification{
		Type:    collections.TypeLiveSessionUpdated,
		Title:   "Live session updated: " + title,
		Message: fmt.Sprintf("%q changed: %s.", title, strings.Join(changes, "; ")),
		DedupeKey: notifications.Key(collections.TypeLiveSessionUpdated, after.Id,
			strconv.FormatInt(after.GetDateTime(collections.FieldUpdated).Time().UnixMicro(), 10)),
	})
}

// notifySessionDeleted tells audience, read before the session's
// attendance rows cascaded away, that it is off the schedule. The
// session's page is gone with it: the notice leads to the course's page,
// or to the list of sessions for a session without a course.
func notifySessionDeleted(app core.App, session *LiveSession, audience []string) error {
	title := session.Title()
	link, linkText := "/live-sessions", "See the sessions"
	if courseId := session.Course(); courseId != "" {
		link, linkText = "/courses/"+courseId, "Open the course"
	}
	return sendSessionNotice(app, session, audience, notifications.Notification{
		Type:       collections.TypeLiveSessionDeleted,
		Title:      "Session removed: " + title,
		Message:    fmt.Sprintf("%q, planned for %s, has been removed from the schedule.", title, session.startText()),
		ActionURL:  link,
		ActionText: linkText,
		DedupeKey:  notifications.Key(collections.TypeLiveSessionDeleted, session.Id),
	})
}

func notifySessionStarted(app core.App, session *LiveSession) error {
	title := session.Title()
	return notifySession(app, session, notifications.Notification{
		Type:       collections.TypeLiveSessionStarted,
		Title:      "Live now: " + title,
		Message:    fmt.Sprintf("%q has started.", title),
		ActionURL:  "/live-sessions/" + session.Id,
		ActionText: "Join now",
		DedupeKey:  notifications.Key(collections.TypeLiveSessionStarted, session.Id),
		ExpiresAt:  session.PlannedEnd(),
	})
}

func notifySessionCancelled(app core.App, session *LiveSession) error {
	title := session.Title()
	return notifySession(app, session, notifications.Notification{
		Type:      collections.TypeLiveSessionCancelled,
		Title:     "Session cancelled: " + title,
		Message:   fmt.Sprintf("%q, planned for %s, has been cancelled.", title, session.startText()),
		DedupeKey: notifications.Key(collections.TypeLiveSessionCancelled, session.Id),
	})
}

// notifyStartingSoon reminds the audience of a session that starts soon
// after now; the key names the start, so a rescheduled session is
// reminded again.
func notifyStartingSoon(app core.App, session *LiveSession, now time.Time) error {
	title := session.Title()
	start := session.ScheduledStart().Time()
	minutes := int(math.Ceil(start.Sub(now).Minutes()))
	return notifySession(app, session, notifications.Notification{
		Type:      collections.TypeLiveSessionStartingSoon,
		Title:     "Starting soon: " + title,
		Message:   fmt.Sprintf("%q starts in %d min (%s).", title, minutes, session.startText()),
		DedupeKey: notifications.Key(collections.TypeLiveSessionStartingSoon, session.Id, strconv.FormatInt(start.Unix(), 10)),
		ExpiresAt: session.PlannedEnd(),
	})
}

// ---------------------------------------------------------------------------
// Weekly series: one notice for the whole series, not one per occurrence

// describeSeries says when the series meets: "Tuesdays and Thursdays at
// 10:00 (Europe/London)".
func describeSeries(series *Series) string {
	days, _ := series.Days()
	names := make([]string, len(days))
	for i, day := range days {
		names[i] = day.String() + "s"
	}
	when := strings.Join(names, ", ")
	if n := len(names); n > 1 {
		when = strings.Join(names[:n-1], ", ") + " and " + names[n-1]
	}
	return fmt.Sprintf("%s at %s (%s)", when, series.StartTime(), series.Timezone())
}

// notifySeriesCreated tells the audience of a new series' first session
// about the whole series.
func notifySeriesCreated(app core.App, series *Series, sync occurrenceSync) error {
	if len(sync.upcoming) == 0 {
		return nil
	}
	first := sync.upcoming[0]
	title := series.Title()
	return notifySession(app, first, notifications.Notification{
		Type:  collections.TypeLiveSessionCreated,
		Title: "New weekly sessions: " + title,
		Message: fmt.Sprintf("%q meets %s: %d sessions, the first on %s.",
			title, describeSeries(series), len(sync.upcoming), first.startText()),
		DedupeKey: notifications.Key(collections.TypeLiveSessionCreated, first.Id),
	})
}

// notifySeriesUpdated tells the audience of the next session when an edit
// of the series moved, renamed, relinked, added or removed sessions.
func notifySeriesUpdated(app core.App, before, after *Series, sync occurrenceSync) error {
	if len(sync.upcoming) == 0 {
		return nil
	}
	var changes []string
	if describeSeries(before) != describeSeries(after) {
		changes = append(changes, "it now meets "+describeSeries(after))
	}
	if before.Title() != after.Title() {
		changes = append(changes, fmt.Sprintf("it was renamed from %q", before.Title()))
	}
	if before.GetString(collections.SeriesMeetingURL) != after.GetString(collections.SeriesMeetingURL) {
		changes = append(changes, "the meeting link changed")
	}
	if len(changes) == 0 && sync.created+sync.removed == 0 {
		return nil
	}
	changes = append(changes, fmt.Sprintf("%d sessions are to come, the next on %s", len(sync.upcoming), sync.upcoming[0].startText()))
	title := after.Title()
	return notifySession(app, sync.upcoming[0], notifications.Notification{
		Type:    collections.TypeLiveSessionUpdated,
		Title:   "Weekly sessions updated: " + title,
		Message: fmt.Sprintf("%q changed: %s.", title, strings.Join(changes, "; ")),
		DedupeKey: notifications.Key(collections.TypeLiveSessionUpdated, after.Id,
			strconv.FormatInt(after.GetDateTime(collections.FieldUpdated).Time().UnixMicro(), 10)),
	})
}

// notifySeriesDeleted tells audience, read before the sessions went, that
// the rest of the series is off the schedule.
func notifySeriesDeleted(app core.App, series *Series, removed []*LiveSession, audience []string) error {
	title := series.Title()
	return sendSessionNotice(app, removed[0], audience, notifications.Notification{
		Type:       collections.TypeLiveSessionDeleted,
		Title:      "Sessions removed: " + title,
		Message:    fmt.Sprintf("The %d remaining sessions of %q, from %s, have been removed from the schedule.", len(removed), title, removed[0].startText()),
		ActionURL:  "/live-sessions",
		ActionText: "See the schedule",
		DedupeKey:  notifications.Key(collections.TypeLiveSessionDeleted, series.Id),
	})
}
