package collections

// Collection names of live sessions.
const (
	LiveSessions = "live_sessions"
	// LiveSessionAttendees holds one row per (session, user), kept over
	// rejoins so that attendance time accumulates.
	LiveSessionAttendees = "live_session_attendees"
	// SessionSeries holds instructors' weekly series; each occurrence is
	// a live_sessions row the server creates, pointing back at its series.
	SessionSeries = "live_session_series"
)

// Fields of live_sessions.
const (
	LiveSessionInstructor      = "instructor"
	LiveSessionCourse          = "course"
	LiveSessionTitle           = "title"
	LiveSessionDescription     = "description"
	LiveSessionScheduledStart  = "scheduledStart"
	LiveSessionDurationMinutes = "durationMinutes"
	LiveSessionCapacity        = "capacity"
	LiveSessionStatus          = "status"
	LiveSessionVisibility      = "visibility"
	LiveSessionMeetingURL      = "meetingUrl"
	LiveSessionRecordingURL    = "recordingUrl"
	LiveSessionStartedAt       = "startedAt"
	LiveSessionEndedAt         = "endedAt"
	LiveSessionAttendeeCount   = "attendeeCount"
	LiveSessionChatRoom        = "chatRoom"
	// LiveSessionReminderSentFor is the scheduledStart the starting-soon
	// reminder went out for (hidden): a rescheduled session reminds again.
	LiveSessionReminderSentFor = "reminderSentFor"
	// LiveSessionWaitlistCount is the number of users on the session's
	// waitlist, derived on every save like attendeeCount.
	LiveSessionWaitlistCount = "waitlistCount"
	// LiveSessionSeries is the weekly series the session is an occurrence
	// of; empty for a single session. Set by the server only.
	LiveSessionSeries = "series"
)

// LiveSessionServerFields change only through the session routes and jobs.
// An edit through the records API re-reads them inside its transaction, so
// a copy loaded before a join or a start never writes back a stale value.
var LiveSessionServerFields = []string{
	LiveSessionStatus,
	LiveSessionStartedAt,
	LiveSessionEndedAt,
	LiveSessionAttendeeCount,
	LiveSessionChatRoom,
	LiveSessionReminderSentFor,
	LiveSessionWaitlistCount,
	LiveSessionSeries,
}

// Live session statuses: scheduled → live → ended, or scheduled → cancelled.
const (
	LiveSessionScheduled = "scheduled"
	LiveSessionLive      = "live"
	LiveSessionEnded     = "ended"
	LiveSessionCancelled = "cancelled"
)

// LiveSessionStatuses lists every status, the first being the default.
var LiveSessionStatuses = []string{LiveSessionScheduled, LiveSessionLive, LiveSessionEnded, LiveSessionCancelled}

// Live session visibilities.
const (
	// LiveSessionVisibilityCourse: the owner and the course's enrolled
	// (not dropped) students.
	LiveSessionVisibilityCourse = "course"
	// LiveSessionVisibilityPublic: every signed-in user.
	LiveSessionVisibilityPublic = "public"
)

// LiveSessionVisibilities lists every visibility.
var LiveSessionVisibilities = []string{LiveSessionVisibilityCourse, LiveSessionVisibilityPublic}

// Defaults and limits of live sessions.
const (
	DefaultSessionDurationMinutes = 60
	DefaultSessionCapacity        = 100
	MaxSessionDurationMinutes     = 24 * 60
	MaxSessionCapacity            = 10000
)

// Fields of live_session_attendees.
const (
	AttendeeSession = "session"
	AttendeeUser    = "user"
	// AttendeeFirstJoinedAt is when the user first took a seat.
	AttendeeFirstJoinedAt = "firstJoinedAt"
	// AttendeeJoinedAt is when the current (or last) stay began.
	AttendeeJoinedAt = "joinedAt"
	// AttendeeLeftAt is when the last stay ended; empty while active.
	AttendeeLeftAt = "leftAt"
	AttendeeActive = "active"
	// AttendeeAttendedSeconds adds up every stay, counted from the moment
	// the session went live.
	AttendeeAttendedSeconds = "attendedSeconds"
	// AttendeeWaitlistPosition is the user's place on the session's
	// waitlist, 1..N in join order; 0 when not waiting.
	AttendeeWaitlistPosition = "waitlistPosition"
	// AttendeeWaitlistedAt is when the user joined the waitlist; empty
	// when not waiting.
	AttendeeWaitlistedAt = "waitlistedAt"
)

// Fields of live_session_series.
const (
	SeriesInstructor  = "instructor"
	SeriesCourse      = "course"
	SeriesTitle       = "title"
	SeriesDescription = "description"
	// SeriesDaysOfWeek is a JSON array of weekdays, 0 = Sunday … 6.
	SeriesDaysOfWeek = "daysOfWeek"
	// SeriesStartTime is the local start, HH:MM in SeriesTimezone.
	SeriesStartTime       = "startTime"
	SeriesDurationMinutes = "durationMinutes"
	// SeriesTimezone is the IANA zone of startTime and the dates; the
	// instructor's own zone when left empty.
	SeriesTimezone = "timezone"
	// SeriesStartsOn and SeriesEndsOn are local dates, YYYY-MM-DD, both
	// included; endsOn may be empty when count is set.
	SeriesStartsOn = "startsOn"
	SeriesEndsOn   = "endsOn"
	// SeriesCount is how many occurrences the series holds (0: up to
	// endsOn).
	SeriesCount      = "count"
	SeriesCapacity   = "capacity"
	SeriesVisibility = "visibility"
	SeriesMeetingURL = "meetingUrl"
)

// MaxSeriesOccurrences bounds the sessions one series creates: a year of
// weekly meetings.
const MaxSeriesOccurrences = 52

// EnrolledIn is the API rule clause "the caller is enrolled, and not
// dropped, in the course at coursePath".
func EnrolledIn(coursePath string) string {
	return "(@collection.enrollments.course ?= " + coursePath +
		" && @collection.enrollments.student ?= @request.auth.id" +
		" && @collection.enrollments.status ?!= 'dropped')"
}

// LiveSessionsReadRule is the list and view rule live_sessions ship with:
// the instructor, every signed-in user for a public session, the course's
// current students for a course session. The join route evaluates its
// public clause without a query only while the collection's rule is still
// exactly this text (see livesessions.checkViewable).
var LiveSessionsReadRule = "instructor = @request.auth.id" +
	" || (visibility = 'public' && @request.auth.id != '')" +
	" || (visibility = 'course' && " + EnrolledIn("course") + ")"
