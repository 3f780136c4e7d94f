package livesessions

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
)

// LiveSession is a typed proxy of a live_sessions record.
type LiveSession struct {
	core.BaseRecordProxy
}

// asLiveSession wraps a live_sessions record.
func asLiveSession(record *core.Record) *LiveSession {
	return records.Proxy[LiveSession](record)
}

// FindLiveSession is the session with id; the error wraps sql.ErrNoRows
// when there is none.
func FindLiveSession(app core.App, id string) (*LiveSession, error) {
	return records.FindProxy[LiveSession](app, collections.LiveSessions, dbx.HashExp{collections.FieldId: id})
}

// Instructor is the id of the user who holds the session.
func (s *LiveSession) Instructor() string { return s.GetString(collections.LiveSessionInstructor) }

// Course is the id of the session's course; empty for a session without one.
func (s *LiveSession) Course() string { return s.GetString(collections.LiveSessionCourse) }

// Title is the session's title.
func (s *LiveSession) Title() string { return s.GetString(collections.LiveSessionTitle) }

// ScheduledStart is when the session is planned to start.
func (s *LiveSession) ScheduledStart() types.DateTime {
	return s.GetDateTime(collections.LiveSessionScheduledStart)
}

// DurationMinutes is how long the session is planned to last.
func (s *LiveSession) DurationMinutes() int { return s.GetInt(collections.LiveSessionDurationMinutes) }

// Capacity is how many attendees the session seats at once.
func (s *LiveSession) Capacity() int { return s.GetInt(collections.LiveSessionCapacity) }

// Status is one of collections.LiveSessionStatuses.
func (s *LiveSession) Status() string { return s.GetString(collections.LiveSessionStatus) }

// SetStatus sets the session's status.
func (s *LiveSession) SetStatus(status string) { s.Set(collections.LiveSessionStatus, status) }

// Visibility is one of collections.LiveSessionVisibilities.
func (s *LiveSession) Visibility() string { return s.GetString(collections.LiveSessionVisibility) }

// MeetingURL is the link attendees meet at.
func (s *LiveSession) MeetingURL() string { return s.GetString(collections.LiveSessionMeetingURL) }

// StartedAt is when the session went live; zero until then.
func (s *LiveSession) StartedAt() types.DateTime {
	return s.GetDateTime(collections.LiveSessionStartedAt)
}

// SetStartedAt sets when the session went live.
func (s *LiveSession) SetStartedAt(t time.Time) { s.Set(collections.LiveSessionStartedAt, t) }

// SetEndedAt sets when the session ended.
func (s *LiveSession) SetEndedAt(t time.Time) { s.Set(collections.LiveSessionEndedAt, t) }

// AttendeeCount is the number of active attendees, as last counted.
func (s *LiveSession) AttendeeCount() int { return s.GetInt(collections.LiveSessionAttendeeCount) }

// SetAttendeeCount sets the derived number of active attendees.
func (s *LiveSession) SetAttendeeCount(n int) { s.Set(collections.LiveSessionAttendeeCount, n) }

// ChatRoom is the id of the session's chat room; empty if it has none.
func (s *LiveSession) ChatRoom() string { return s.GetString(collections.LiveSessionChatRoom) }

// SetChatRoom sets the session's chat room.
func (s *LiveSession) SetChatRoom(roomId string) { s.Set(collections.LiveSessionChatRoom, roomId) }

// ReminderSentFor is the scheduled start the starting-soon notice was
// last sent for.
func (s *LiveSession) ReminderSentFor() types.DateTime {
	return s.GetDateTime(collections.LiveSessionReminderSentFor)
}

// SetReminderSentFor records that the starting-soon notice went out for
// the start t.
func (s *LiveSession) SetReminderSentFor(t types.DateTime) {
	s.Set(collections.LiveSessionReminderSentFor, t)
}

// WaitlistCount is the number of users waiting for a seat, as last
// counted.
func (s *LiveSession) WaitlistCount() int { return s.GetInt(collections.LiveSessionWaitlistCount) }

// Series is the id of the weekly series the session belongs to; empty for
// a single session.
func (s *LiveSession) Series() string { return s.GetString(collections.LiveSessionSeries) }

// setSeats sets the derived counts of the session's seats and waitlist.
func (s *LiveSession) setSeats(seats seatCounts) {
	s.SetAttendeeCount(seats.active)
	s.Set(collections.LiveSessionWaitlistCount, seats.waiting)
}

// IsPublic reports whether every signed-in user may see the session.
func (s *LiveSession) IsPublic() bool {
	return s.Visibility() == collections.LiveSessionVisibilityPublic
}

// PlannedEnd is when the session is planned to end.
func (s *LiveSession) PlannedEnd() time.Time {
	start := s.StartedAt().Time()
	if start.IsZero() {
		start = s.ScheduledStart().Time()
	}
	return start.Add(time.Duration(s.DurationMinutes()) * time.Minute)
}

// startText is the session's start as every recipient of a notice reads
// it, in UTC; the client shows it in local time from the notice's data.
func (s *LiveSession) startText() string {
	return s.ScheduledStart().Time().UTC().Format("Mon 2 Jan 2006, 15:04 UTC")
}

// liveSeconds is how many whole seconds of a stay from joined to left fell
// after the session started: waiting in a scheduled session's lobby is not
// attendance.
func (s *LiveSession) liveSeconds(joined, left time.Time) int {
	started := s.StartedAt().Time()
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

// seatCounts are a session's seats and waitlist as one query read them.
type seatCounts struct {
	active  int // active attendees
	waiting int // users on the waitlist
	last    int // the highest waitlist position: waiting, unless a gap opened
}

// countSeats reads the session's seats and waitlist in one query, each
// part on its own index; app is a txApp wherever the counts must not move
// before they are used.
func countSeats(app core.App, sessionId string) (seatCounts, error) {
	var counts seatCounts
	err := app.DB().NewQuery("SELECT"+
		" (SELECT COUNT(*) FROM {{live_session_attendees}} WHERE [[session]] = {:session} AND [[active]] = TRUE),"+
		" (SELECT COUNT(*) FROM {{live_session_attendees}} WHERE [[session]] = {:session} AND [[waitlistPosition]] > 0),"+
		" (SELECT COALESCE(MAX([[waitlistPosition]]), 0) FROM {{live_session_attendees}} WHERE [[session]] = {:session} AND [[waitlistPosition]] > 0)").
		Bind(dbx.Params{"session": sessionId}).
		Row(&counts.active, &counts.waiting, &counts.last)
	if err != nil {
		return seatCounts{}, fmt.Errorf("count seats of %s: %w", sessionId, err)
	}
	return counts, nil
}

// activeAttendeeUsers are the user ids of the session's active
// attendees, ordered by orderBy if given.
func activeAttendeeUsers(app core.App, sessionId string, orderBy ...string) ([]string, error) {
	var userIds []string
	err := app.DB().Select(collections.AttendeeUser).
		From(collections.LiveSessionAttendees).
		AndWhere(dbx.HashExp{collections.AttendeeSession: sessionId, collections.AttendeeActive: true}).
		OrderBy(orderBy...).
		Column(&userIds)
	return userIds, err
}

// ---------------------------------------------------------------------------

// Attendee is a typed proxy of a live_session_attendees record: one row
// per (session, user), kept over every stay.
type Attendee struct {
	core.BaseRecordProxy
}

// asAttendee wraps a live_session_attendees record.
func asAttendee(record *core.Record) *Attendee {
	return records.Proxy[Attendee](record)
}

// newAttendee is a new, unsaved attendance of the user in the session.
func newAttendee(app core.App, sessionId, userId string) (*Attendee, error) {
	attendee, err := records.NewProxy[Attendee](app, collections.LiveSessionAttendees)
	if err != nil {
		return nil, err
	}
	attendee.Set(collections.AttendeeSession, sessionId)
	attendee.Set(collections.AttendeeUser, userId)
	return attendee, nil
}

// FindAttendee is the user's attendance row of the session; the error
// wraps sql.ErrNoRows when there is none.
func FindAttendee(app core.App, sessionId, userId string) (*Attendee, error) {
	return records.FindProxy[Attendee](app, collections.LiveSessionAttendees,
		dbx.HashExp{collections.AttendeeSession: sessionId, collections.AttendeeUser: userId})
}

// findActiveAttendees are the session's active attendance rows.
func findActiveAttendees(app core.App, sessionId string) ([]*Attendee, error) {
	var active []*Attendee
	err := app.RecordQuery(collections.LiveSessionAttendees).
		AndWhere(dbx.HashExp{collections.AttendeeSession: sessionId, collections.AttendeeActive: true}).
		All(&active)
	return active, err
}

// Session is the id of the attended session.
func (a *Attendee) Session() string { return a.GetString(collections.AttendeeSession) }

// User is the id of the attending user.
func (a *Attendee) User() string { return a.GetString(collections.AttendeeUser) }

// Active reports whether the user is in the session now.
func (a *Attendee) Active() bool { return a.GetBool(collections.AttendeeActive) }

// WaitlistPosition is the user's place on the waitlist, 1..N; 0 when not
// waiting.
func (a *Attendee) WaitlistPosition() int { return a.GetInt(collections.AttendeeWaitlistPosition) }

// Waiting reports whether the user is on the session's waitlist.
func (a *Attendee) Waiting() bool { return a.WaitlistPosition() > 0 }

// FirstJoinedAt is when the user first took a seat in the session.
func (a *Attendee) FirstJoinedAt() types.DateTime {
	return a.GetDateTime(collections.AttendeeFirstJoinedAt)
}

// LeftAt is when the last stay ended; zero while active.
func (a *Attendee) LeftAt() types.DateTime { return a.GetDateTime(collections.AttendeeLeftAt) }

// joinWaitlist puts the user at position on the waitlist.
func (a *Attendee) joinWaitlist(position int, now time.Time) {
	a.Set(collections.AttendeeWaitlistPosition, position)
	a.Set(collections.AttendeeWaitlistedAt, now)
}

// leaveWaitlist takes the user off the waitlist.
func (a *Attendee) leaveWaitlist() {
	a.Set(collections.AttendeeWaitlistPosition, 0)
	a.Set(collections.AttendeeWaitlistedAt, "")
}

// JoinedAt is when the current (or last) stay began.
func (a *Attendee) JoinedAt() types.DateTime { return a.GetDateTime(collections.AttendeeJoinedAt) }

// AttendedSeconds adds up the live part of every stay.
func (a *Attendee) AttendedSeconds() int { return a.GetInt(collections.AttendeeAttendedSeconds) }

// beginStay starts a new stay at now; the seconds of earlier stays are
// kept.
func (a *Attendee) beginStay(now time.Time) {
	if a.FirstJoinedAt().IsZero() {
		a.Set(collections.AttendeeFirstJoinedAt, now)
	}
	a.leaveWaitlist()
	a.Set(collections.AttendeeJoinedAt, now)
	a.Set(collections.AttendeeLeftAt, "")
	a.Set(collections.AttendeeActive, true)
}

// endStay ends the current stay at now, adding the part of it during which
// the session was live.
func (a *Attendee) endStay(session *LiveSession, now time.Time) {
	seconds := session.liveSeconds(a.JoinedAt().Time(), now)
	a.Set(collections.AttendeeAttendedSeconds, a.AttendedSeconds()+seconds)
	a.Set(collections.AttendeeActive, false)
	a.Set(collections.AttendeeLeftAt, now)
}

// ---------------------------------------------------------------------------

// Series is a typed proxy of a live_session_series record: a weekly rule
// whose occurrences are live_sessions rows.
type Series struct {
	core.BaseRecordProxy
}

// asSeries wraps a live_session_series record.
func asSeries(record *core.Record) *Series {
	return records.Proxy[Series](record)
}

// FindSeries is the series with id; the error wraps sql.ErrNoRows when
// there is none.
func FindSeries(app core.App, id string) (*Series, error) {
	return records.FindProxy[Series](app, collections.SessionSeries, dbx.HashExp{collections.FieldId: id})
}

// Instructor is the id of the user who holds the series.
func (s *Series) Instructor() string { return s.GetString(collections.SeriesInstructor) }

// Course is the id of the series' course; empty for a public series
// without one.
func (s *Series) Course() string { return s.GetString(collections.SeriesCourse) }

// Title is the title every occurrence carries.
func (s *Series) Title() string { return s.GetString(collections.SeriesTitle) }

// StartTime is the local start, HH:MM.
func (s *Series) StartTime() string { return s.GetString(collections.SeriesStartTime) }

// Timezone is the IANA zone of the start time and the dates.
func (s *Series) Timezone() string { return s.GetString(collections.SeriesTimezone) }

// Capacity is the seats of each occurrence.
func (s *Series) Capacity() int { return s.GetInt(collections.SeriesCapacity) }

// DurationMinutes is the planned length of each occurrence.
func (s *Series) DurationMinutes() int { return s.GetInt(collections.SeriesDurationMinutes) }

// Visibility is one of collections.LiveSessionVisibilities.
func (s *Series) Visibility() string { return s.GetString(collections.SeriesVisibility) }

// Days are the weekdays the series meets on, as stored: a JSON array of
// 0 (Sunday) to 6; ok is false for anything else, repeats included.
func (s *Series) Days() (days []time.Weekday, ok bool) {
	var raw []float64
	if err := json.Unmarshal([]byte(s.GetString(collections.SeriesDaysOfWeek)), &raw); err != nil || len(raw) == 0 {
		return nil, false
	}
	for _, v := range raw {
		day := time.Weekday(v)
		if v != math.Trunc(v) || v < 0 || v > 6 || slices.Contains(days, day) {
			return nil, false
		}
		days = append(days, day)
	}
	slices.Sort(days)
	return days, true
}

// FindOccurrences are the series' sessions, by start.
func FindOccurrences(app core.App, seriesId string) ([]*LiveSession, error) {
	var sessions []*LiveSession
	err := app.RecordQuery(collections.LiveSessions).
		AndWhere(dbx.HashExp{collections.LiveSessionSeries: seriesId}).
		OrderBy(collections.LiveSessionScheduledStart, collections.FieldId).
		All(&sessions)
	if err != nil {
		return nil, fmt.Errorf("occurrences of %s: %w", seriesId, err)
	}
	return sessions, nil
}
